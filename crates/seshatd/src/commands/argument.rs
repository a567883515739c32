//! Argument patterns: what may follow a command's name, parsed before the
//! command runs so that every command gets the same friendly replies for
//! a missing, malformed or extra argument.

/// What a command expects after its name. The registry parses the rest of
/// the message (trimmed) with [`Argument::parse`] and hands the result to
/// [`crate::commands::Command::run`]; on error the staff member is shown the
/// command's help line instead.
pub trait Argument: Sized {
    /// Parses the text after the command name, already trimmed (empty
    /// when nothing follows the name).
    fn parse(text: &str) -> Result<Self, ArgumentError>;
}

/// Why the text after a command's name does not fit its pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgumentError {
    /// The command takes nothing, but something followed its name.
    #[error("the command takes no arguments")]
    NotExpected,
    /// No chat number followed a command that needs one.
    #[error("a chat number is missing")]
    MissingChatNumber,
    /// The word after the name is not a chat number (`!ACCEPT abc`, `!ACCEPT -1`).
    #[error("'{0}' is not a chat number")]
    NotAChatNumber(String),
    /// More than one word followed a command that takes one chat number.
    #[error("the command takes a single chat number")]
    TooManyWords,
    /// The digits name a number no chat id can reach (larger than `i64`):
    /// answered like any chat that does not exist, never by a crash
    /// (reference defect 10). Holds the digits as typed.
    #[error("chat #{0} does not exist")]
    NoChatThatLarge(String),
    /// A custom argument type's own complaint, a full sentence.
    #[error("{0}")]
    Invalid(String),
}

/// The pattern of a command that takes nothing (`!FINISH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoArgument;

impl Argument for NoArgument {
    fn parse(text: &str) -> Result<Self, ArgumentError> {
        if text.is_empty() {
            Ok(NoArgument)
        } else {
            Err(ArgumentError::NotExpected)
        }
    }
}

/// The pattern of a command that takes one chat number (`!ACCEPT 42`).
/// A leading `#` is allowed, since staff see chats written as `#42`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatId(pub i64);

impl Argument for ChatId {
    fn parse(text: &str) -> Result<Self, ArgumentError> {
        let mut words = text.split_whitespace();
        let word = words.next().ok_or(ArgumentError::MissingChatNumber)?;
        if words.next().is_some() {
            return Err(ArgumentError::TooManyWords);
        }
        let digits = word.strip_prefix('#').unwrap_or(word);
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(ArgumentError::NotAChatNumber(word.to_owned()));
        }
        digits
            .parse::<i64>()
            .map(ChatId)
            .map_err(|_| ArgumentError::NoChatThatLarge(digits.to_owned()))
    }
}

/// The pattern of a command that takes free text, possibly none
/// (`!NOTE call back tomorrow`): the rest of the message, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl Argument for Text {
    fn parse(text: &str) -> Result<Self, ArgumentError> {
        Ok(Text(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_argument_means_nothing_at_all() {
        assert_eq!(NoArgument::parse(""), Ok(NoArgument));
        assert_eq!(NoArgument::parse("extra"), Err(ArgumentError::NotExpected));
    }

    #[test]
    fn chat_ids_are_one_number_with_an_optional_hash() {
        assert_eq!(ChatId::parse("7"), Ok(ChatId(7)));
        assert_eq!(ChatId::parse("#7"), Ok(ChatId(7)));
        assert_eq!(ChatId::parse("007"), Ok(ChatId(7)));
        assert_eq!(ChatId::parse("9223372036854775807"), Ok(ChatId(i64::MAX)));
    }

    #[test]
    fn malformed_chat_ids_say_what_is_wrong() {
        assert_eq!(ChatId::parse(""), Err(ArgumentError::MissingChatNumber));
        assert_eq!(ChatId::parse("7 8"), Err(ArgumentError::TooManyWords));
        for word in ["abc", "-1", "+1", "#", "7a", "٣"] {
            assert_eq!(
                ChatId::parse(word),
                Err(ArgumentError::NotAChatNumber(word.to_owned())),
                "{word}"
            );
        }
        assert_eq!(
            ChatId::parse("#99999999999999999999"),
            Err(ArgumentError::NoChatThatLarge(
                "99999999999999999999".to_owned()
            ))
        );
    }

    #[test]
    fn text_takes_whatever_follows() {
        assert_eq!(Text::parse(""), Ok(Text(String::new())));
        assert_eq!(Text::parse("call back"), Ok(Text("call back".to_owned())));
    }
}
