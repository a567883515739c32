//! The replies to a command that cannot run: a name nobody registered, or
//! a built-in whose arguments do not fit it.

use crate::texts;

use super::parse::{shorten, Misuse};

/// A polite reply naming the command as typed (without its `!`) and
/// pointing at `!HELP`.
pub fn reply(name: &str) -> String {
    texts::unknown_command(&format!("!{}", shorten(name)))
}

/// What is wrong, then the command's help line, which begins with the
/// command itself. A chat number too large for any chat is answered as a
/// chat that does not exist, like the original would have if it had not
/// crashed.
pub fn misused(help: &str, problem: &Misuse) -> String {
    let command = help.split_whitespace().next().unwrap_or(help);
    let sentence = match problem {
        Misuse::NoChatThatLarge(digits) => return texts::no_such_chat(digits),
        Misuse::TakesNothing => format!("{command} takes no arguments."),
        Misuse::MissingChatNumber => format!("{command} needs a chat number."),
        Misuse::NotAChatNumber(word) => format!("'{}' is not a chat number.", shorten(word)),
        Misuse::TooManyWords => format!("{command} takes a single chat number."),
    };
    texts::usage(&sentence, help)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, JOE};

    #[test]
    fn unknown_commands_are_named_as_typed_and_cut_short() {
        let f = Fixture::new();
        let not_a_command =
            |named: &str| format!("'{named}' is not a command. Send '!HELP' for more options.");
        assert_eq!(f.send(JOE, "!FOO"), not_a_command("!FOO"));
        assert_eq!(f.send(JOE, "  !transcript 7"), not_a_command("!transcript"));
        let cut = format!("!{}...", "X".repeat(40));
        assert_eq!(
            f.send(JOE, &format!("!{}", "X".repeat(500))),
            not_a_command(&cut)
        );
    }

    #[test]
    fn arguments_that_do_not_fit_get_the_usage() {
        let f = Fixture::new();
        let accept = "Usage: !ACCEPT n - Accept chat request #n. Send '!HELP' for more options.";
        let long = format!("!ACCEPT {}", "x".repeat(100));
        for (body, problem) in [
            ("!ACCEPT", "!ACCEPT needs a chat number.".to_owned()),
            ("!accept -1", "'-1' is not a chat number.".to_owned()),
            (
                "!ACCEPT 1 2",
                "!ACCEPT takes a single chat number.".to_owned(),
            ),
            (
                &long,
                format!("'{}...' is not a chat number.", "x".repeat(40)),
            ),
        ] {
            assert_eq!(f.send(JOE, body), format!("{problem} {accept}"), "{body}");
        }
        assert_eq!(
            f.send(JOE, "!FINISH extra"),
            "!FINISH takes no arguments. Usage: !FINISH - Close your current chat. \
             Send '!HELP' for more options."
        );
        assert_eq!(
            f.send(JOE, "!CANCEL 99999999999999999999"),
            "Chat #99999999999999999999 does not exist. Send '!HELP' for more options."
        );
    }
}
