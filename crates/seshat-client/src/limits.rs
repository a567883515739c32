//! Input checks applied before anything is written.

use crate::error::{Error, Result};

/// Default longest message, in bytes of UTF-8: a long paragraph, and the
/// size of Chip's WebSocket frames.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 4096;
/// Default longest visitor name, in characters.
pub const DEFAULT_MAX_NAME_CHARS: usize = 100;

/// Size limits on what visitors and staff may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted message, in bytes of UTF-8.
    pub max_message_bytes: usize,
    /// Longest accepted visitor name, in characters.
    pub max_name_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_name_chars: DEFAULT_MAX_NAME_CHARS,
        }
    }
}

impl Limits {
    /// Checks a message: not blank, not too long, nothing XML cannot carry.
    pub fn check_message(&self, text: &str) -> Result<()> {
        if text.trim().is_empty() {
            return Err(Error::EmptyMessage);
        }
        if text.len() > self.max_message_bytes {
            return Err(Error::MessageTooLong {
                len: text.len(),
                max: self.max_message_bytes,
            });
        }
        check_characters(text)
    }

    /// Checks a visitor name: not blank, not too long, nothing XML cannot carry.
    pub fn check_name(&self, name: &str) -> Result<()> {
        if name.trim().is_empty() {
            return Err(Error::EmptyName);
        }
        let len = name.chars().count();
        if len > self.max_name_chars {
            return Err(Error::NameTooLong {
                len,
                max: self.max_name_chars,
            });
        }
        check_characters(name)
    }
}

/// Longest accepted email address (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;

/// Checks an email address the way a mail form would: one `@` with text on
/// both sides, a dot in the domain, no spaces or control characters, at
/// most [`MAX_EMAIL_BYTES`], and nothing XML cannot carry (the rule
/// messages follow: staff see the address in offers and `!STATUS`).
/// Returns it trimmed.
pub fn check_email(email: &str) -> Result<&str> {
    let email = email.trim();
    let valid = email.len() <= MAX_EMAIL_BYTES
        && check_characters(email).is_ok()
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ','))
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err(Error::InvalidEmail)
    }
}

/// Checks raw bytes (say, a request body) are UTF-8 before they go further.
pub fn text_from_bytes(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|_| Error::InvalidUtf8)
}

/// Whether XML 1.0 can carry `c`: every Unicode scalar value except the C0
/// control characters other than tab, newline and carriage return, and
/// U+FFFE and U+FFFF (surrogates cannot occur in a Rust string). A stanza
/// holding any other is refused by the XMPP library, or by the server.
/// The one rule for everything that may reach staff.
pub fn is_xml_char(c: char) -> bool {
    !((c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}')
}

/// Refuses text holding a character [`is_xml_char`] rejects.
fn check_characters(text: &str) -> Result<()> {
    match text.chars().find(|&c| !is_xml_char(c)) {
        Some(bad) => Err(Error::ForbiddenCharacter(bad as u32)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_messages_are_refused() {
        let limits = Limits::default();
        for blank in ["", " ", "\n\t  "] {
            assert!(matches!(
                limits.check_message(blank),
                Err(Error::EmptyMessage)
            ));
        }
        assert!(limits.check_message(" hi ").is_ok());
    }

    #[test]
    fn the_size_limit_counts_bytes() {
        let limits = Limits {
            max_message_bytes: 4,
            ..Limits::default()
        };
        assert!(limits.check_message("four").is_ok());
        assert!(matches!(
            limits.check_message("é é"),
            Err(Error::MessageTooLong { len: 5, max: 4 })
        ));
    }

    #[test]
    fn control_characters_are_refused_but_newlines_pass() {
        let limits = Limits::default();
        assert!(matches!(
            limits.check_message("a\0b"),
            Err(Error::ForbiddenCharacter(0))
        ));
        assert!(limits.check_message("line\r\nline\ttab").is_ok());
        assert!(limits.check_message("<img src=x onerror=alert(1)>").is_ok());
        for bad in ['\u{1}', '\u{1F}', '\u{FFFE}', '\u{FFFF}'] {
            assert!(!is_xml_char(bad), "{bad:?}");
            assert!(matches!(
                limits.check_message(&format!("a{bad}")),
                Err(Error::ForbiddenCharacter(code)) if code == bad as u32
            ));
        }
        for good in ['\t', '\n', '\r', ' ', '\u{7F}', '\u{FFFD}', '\u{10FFFF}'] {
            assert!(is_xml_char(good), "{good:?}");
        }
    }

    #[test]
    fn names_are_limited_in_characters() {
        let limits = Limits::default();
        assert!(limits.check_name(&"é".repeat(100)).is_ok());
        assert!(matches!(
            limits.check_name(&"é".repeat(101)),
            Err(Error::NameTooLong { len: 101, max: 100 })
        ));
        assert!(matches!(limits.check_name("  "), Err(Error::EmptyName)));
    }

    #[test]
    fn emails_are_checked() {
        assert_eq!(check_email(" bob@example.com ").unwrap(), "bob@example.com");
        for bad in [
            "",
            "bob",
            "bob@",
            "@example.com",
            "bob@example",
            "a b@example.com",
            "a@b@example.com",
            "<x>@example.com",
            "bob\u{FFFE}@example.com",
            "bob@example.com\u{FFFF}",
        ] {
            assert!(
                matches!(check_email(bad), Err(Error::InvalidEmail)),
                "{bad}"
            );
        }
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert!(matches!(
            text_from_bytes(b"\xff\xfe"),
            Err(Error::InvalidUtf8)
        ));
        assert_eq!(text_from_bytes(b"ok").unwrap(), "ok");
    }
}
