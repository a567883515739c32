//! Recognising a command in a staff member's message.

use std::borrow::Cow;

use super::{accept, cancel, finish, help, status, waiting, StaffCommand};

/// Why the text after a built-in's name does not fit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misuse {
    /// The command takes nothing, but something followed its name.
    TakesNothing,
    /// No chat number followed a command that needs one.
    MissingChatNumber,
    /// The word after the name is not a chat number (`!ACCEPT abc`, `!ACCEPT -1`).
    NotAChatNumber(String),
    /// More than one word followed a command that takes one chat number.
    TooManyWords,
    /// The digits name a number no chat id can reach (larger than `i64`):
    /// answered like any chat that does not exist, never by a crash
    /// (reference defect 10). Holds the digits as typed.
    NoChatThatLarge(String),
}

/// Recognises a command attempt: after leading whitespace, `!` directly
/// followed by an ASCII letter. Anything else (`!!!`, `! ok`, `hello`) is
/// ordinary text for the visitor: staff do write exclamation marks, and
/// the original only took whole messages that matched a command.
/// `is_extension` says whether an upper-case name is registered; an
/// extension wins over a built-in of the same name.
pub fn parse(body: &str, is_extension: impl Fn(&str) -> bool) -> Option<StaffCommand> {
    let after_bang = body.trim_start().strip_prefix('!')?;
    if !after_bang.starts_with(|first: char| first.is_ascii_alphabetic()) {
        return None;
    }
    let name_end = after_bang
        .find(char::is_whitespace)
        .unwrap_or(after_bang.len());
    let (name, args) = after_bang.split_at(name_end);
    let (upper, args) = (name.to_ascii_uppercase(), args.trim());
    if is_extension(&upper) {
        let args = args.to_owned();
        return Some(StaffCommand::Custom { name: upper, args });
    }
    let misused = |help| move |problem| StaffCommand::Misused(help, problem);
    let nothing = |help, command| match args.is_empty() {
        true => command,
        false => misused(help)(Misuse::TakesNothing),
    };
    Some(match upper.as_str() {
        "ACCEPT" => chat_number(args).map_or_else(misused(accept::HELP), StaffCommand::Accept),
        "CANCEL" => chat_number(args).map_or_else(misused(cancel::HELP), StaffCommand::Cancel),
        "FINISH" => nothing(finish::HELP, StaffCommand::Finish),
        "HELP" => nothing(help::HELP, StaffCommand::Help),
        "STATUS" => nothing(status::HELP, StaffCommand::Status),
        "WAITING" => nothing(waiting::HELP, StaffCommand::Waiting),
        _ => StaffCommand::Unknown(name.to_owned()),
    })
}

/// One chat number, with an optional leading `#` since staff see chats
/// written as `#42`.
fn chat_number(args: &str) -> Result<i64, Misuse> {
    let mut words = args.split_whitespace();
    let word = words.next().ok_or(Misuse::MissingChatNumber)?;
    if words.next().is_some() {
        return Err(Misuse::TooManyWords);
    }
    let digits = word.strip_prefix('#').unwrap_or(word);
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(Misuse::NotAChatNumber(word.to_owned()));
    }
    digits
        .parse()
        .map_err(|_| Misuse::NoChatThatLarge(digits.to_owned()))
}

/// Longest piece of a staff member's own text echoed back in a reply.
const MAX_ECHO_CHARS: usize = 40;

/// The start of `text`, for quoting it back without flooding the reply
/// when someone pastes a paragraph after a `!`.
pub fn shorten(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(MAX_ECHO_CHARS) {
        Some((cut, _)) => Cow::Owned(format!("{}...", &text[..cut])),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::Misuse::*;
    use super::StaffCommand::*;
    use super::*;

    fn parsed(body: &str) -> Option<StaffCommand> {
        parse(body, |name| name == "NOTE")
    }

    fn misused(help: &'static str, problem: Misuse) -> Option<StaffCommand> {
        Some(Misused(help, problem))
    }

    #[test]
    fn long_echoes_are_cut() {
        assert_eq!(shorten("FOO"), "FOO");
        let forty = "é".repeat(40);
        assert_eq!(shorten(&forty), forty);
        assert_eq!(shorten(&"é".repeat(41)), format!("{forty}..."));
    }

    #[test]
    fn commands_in_any_case_with_any_whitespace() {
        assert_eq!(parsed("!HELP"), Some(Help));
        assert_eq!(parsed("  !accept  #7  \n"), Some(Accept(7)));
        assert_eq!(parsed("!Cancel 007"), Some(Cancel(7)));
        assert_eq!(parsed("!waiting"), Some(Waiting));
        assert_eq!(parsed("\t!status\n"), Some(Status));
        assert_eq!(
            parsed("!ACCEPT 9223372036854775807"),
            Some(Accept(i64::MAX))
        );
        let note = |args: &str| {
            Some(Custom {
                name: "NOTE".into(),
                args: args.into(),
            })
        };
        assert_eq!(parsed("!note\ttwo  words "), note("two  words"));
        assert_eq!(parsed("!NOTE"), note(""));
        assert_eq!(parsed("!transcript 7"), Some(Unknown("transcript".into())));
        assert_eq!(parsed("!ACCEPT7"), Some(Unknown("ACCEPT7".into())));
    }

    #[test]
    fn arguments_that_do_not_fit() {
        assert_eq!(
            parsed("\n!FINISH\nthanks"),
            misused(finish::HELP, TakesNothing)
        );
        assert_eq!(parsed("!ACCEPT"), misused(accept::HELP, MissingChatNumber));
        assert_eq!(parsed("!cancel 7 8"), misused(cancel::HELP, TooManyWords));
        for word in ["abc", "-1", "+1", "#", "7a", "٣"] {
            let problem = NotAChatNumber(word.to_owned());
            assert_eq!(
                parsed(&format!("!ACCEPT {word}")),
                misused(accept::HELP, problem)
            );
        }
        let huge = NoChatThatLarge("99999999999999999999".into());
        assert_eq!(
            parsed("!ACCEPT #99999999999999999999"),
            misused(accept::HELP, huge)
        );
    }

    #[test]
    fn ordinary_text_is_not_a_command() {
        for text in [
            "hello",
            "Hi! !ACCEPT",
            "!!!",
            "! ok",
            "!",
            "!7",
            "",
            " ",
            "!éclair",
        ] {
            assert_eq!(parsed(text), None, "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn a_command_is_exactly_a_bang_and_a_letter_after_leading_whitespace(body in "(?s).*") {
            let attempt = body.trim_start().strip_prefix('!');
            let expected = attempt.is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic()));
            proptest::prop_assert_eq!(parsed(&body).is_some(), expected);
            if let Some(Misused(_, problem)) = parsed(&body) {
                super::super::unknown::misused(accept::HELP, &problem);
            }
        }

        #[test]
        fn every_chat_number_is_read_back_whatever_the_spacing(id in 0..=i64::MAX, space in "[ \t\n]{1,3}", hash in proptest::bool::ANY) {
            let hash = if hash { "#" } else { "" };
            proptest::prop_assert_eq!(parsed(&format!("{space}!Accept{space}{hash}{id}{space}")), Some(Accept(id)));
            proptest::prop_assert_eq!(parsed(&format!("!CANCEL {hash}{id}")), Some(Cancel(id)));
        }

        #[test]
        fn anything_after_a_command_without_arguments_is_refused(args in "(?s).*") {
            let command = parsed(&format!("!STATUS {args}"));
            let refused = Some(Misused(status::HELP, TakesNothing));
            proptest::prop_assert_eq!(command, if args.trim().is_empty() { Some(Status) } else { refused });
        }
    }
}
