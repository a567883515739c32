//! The reply to a `!` message that names no registered command.

use crate::texts;

use super::parse::shorten;

/// A command name nobody registered, as typed (`!FOO`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    name: String,
}

impl Unknown {
    /// The unknown command `name`, without its `!`.
    pub fn new(name: &str) -> Self {
        Unknown {
            name: name.to_owned(),
        }
    }

    /// A polite reply naming the command as typed and pointing at `!HELP`.
    pub fn reply(&self) -> String {
        texts::unknown_command(&format!("!{}", shorten(&self.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, JOE};

    #[test]
    fn unknown_commands_are_named_as_typed() {
        let fixture = Fixture::new();
        assert_eq!(
            fixture.send(JOE, "!FOO"),
            "'!FOO' is not a command. Send '!HELP' for more options."
        );
        assert_eq!(
            fixture.send(JOE, "  !transcript 7"),
            "'!transcript' is not a command. Send '!HELP' for more options."
        );
        assert_eq!(
            fixture.send(JOE, "!ACCEPT7"),
            "'!ACCEPT7' is not a command. Send '!HELP' for more options."
        );
    }

    #[test]
    fn a_long_unknown_name_is_cut_short() {
        let fixture = Fixture::new();
        let name = "X".repeat(500);
        assert_eq!(
            fixture.send(JOE, &format!("!{name}")),
            format!(
                "'!{}...' is not a command. Send '!HELP' for more options.",
                "X".repeat(40)
            )
        );
    }
}
