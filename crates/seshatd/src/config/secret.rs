//! A string that must never be printed: the bot's XMPP password.

use std::fmt;

/// What [`Secret`] prints instead of its contents, in Debug and Display alike.
pub const REDACTED: &str = "********";

/// A password that hides itself from `{}` and `{:?}`, so that logging a
/// [`crate::config::Config`] (or an error holding one) cannot leak it.
/// Read it only where it is really needed, with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it (the XMPP login).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neither_debug_nor_display_shows_the_secret() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret}"), "********");
        assert_eq!(format!("{secret:?}"), "********");
        assert_eq!(format!("{:#?}", Some(&secret)), "Some(\n    ********,\n)");
        assert_eq!(secret.expose(), "hunter2");
    }
}
