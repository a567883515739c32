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
        let fixture = Fixture::new();
        for (body, named) in [("!FOO", "!FOO"), ("  !transcript 7", "!transcript")] {
            let reply = fixture.send(JOE, body);
            assert_eq!(
                reply,
                format!("'{named}' is not a command. Send '!HELP' for more options.")
            );
        }
        let long = fixture.send(JOE, &format!("!{}", "X".repeat(500)));
        let cut = format!(
            "'!{}...' is not a command. Send '!HELP' for more options.",
            "X".repeat(40)
        );
        assert_eq!(long, cut);
    }

    #[test]
    fn a_long_word_that_is_no_chat_number_is_cut_short() {
        let fixture = Fixture::new();
        let reply = fixture.send(JOE, &format!("!ACCEPT {}", "x".repeat(100)));
        assert!(reply.starts_with(&format!("'{}...' is not a chat number.", "x".repeat(40))));
    }
}
