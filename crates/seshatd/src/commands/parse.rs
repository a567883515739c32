//! Recognising a command in a staff member's message.

use std::borrow::Cow;

/// A message that looks like a command: `!NAME` and what follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt<'a> {
    /// The name as typed, without the `!` (any case).
    pub name: &'a str,
    /// Everything after the name, trimmed; empty when nothing follows.
    pub arguments: &'a str,
}

/// Recognises a command attempt: after leading whitespace, `!` directly
/// followed by an ASCII letter. Anything else (`!!!`, `! ok`, `hello`) is
/// ordinary text for the visitor: staff do write exclamation marks, and
/// the original only took whole messages that matched a command.
pub fn command_attempt(body: &str) -> Option<Attempt<'_>> {
    let after_bang = body.trim_start().strip_prefix('!')?;
    if !after_bang.starts_with(|first: char| first.is_ascii_alphabetic()) {
        return None;
    }
    let name_end = after_bang
        .find(char::is_whitespace)
        .unwrap_or(after_bang.len());
    let (name, arguments) = after_bang.split_at(name_end);
    Some(Attempt {
        name,
        arguments: arguments.trim(),
    })
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
    use super::*;

    #[test]
    fn long_echoes_are_cut() {
        assert_eq!(shorten("FOO"), "FOO");
        let forty = "é".repeat(40);
        assert_eq!(shorten(&forty), forty);
        assert_eq!(shorten(&"é".repeat(41)), format!("{forty}..."));
    }

    fn attempt<'a>(name: &'a str, arguments: &'a str) -> Option<Attempt<'a>> {
        Some(Attempt { name, arguments })
    }

    #[test]
    fn commands_tolerate_surrounding_and_repeated_whitespace() {
        assert_eq!(command_attempt("!HELP"), attempt("HELP", ""));
        assert_eq!(command_attempt("  !accept  7  \n"), attempt("accept", "7"));
        assert_eq!(
            command_attempt("!note\ttwo  words "),
            attempt("note", "two  words")
        );
        assert_eq!(
            command_attempt("\n!FINISH\nthanks"),
            attempt("FINISH", "thanks")
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
            assert_eq!(command_attempt(text), None, "{text:?}");
        }
    }
}
