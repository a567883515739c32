//! Web tokens: the unguessable name by which the web side addresses a chat.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// Number of characters in a token. 24 characters drawn uniformly from 62
/// give about 143 bits, well over the 128 required, and the same shape as
/// Chip's chat ids so that a token can serve as one.
pub const TOKEN_LEN: usize = 24;

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A chat's web token: 24 characters of `[A-Za-z0-9]` from the operating
/// system's CSPRNG. Anyone holding it can read and write that chat, so it is
/// a bearer credential: never log it, never put the numeric chat id in URLs.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ChatToken(String);

impl ChatToken {
    /// Draws a fresh token from the operating system's random source.
    pub fn generate() -> Self {
        let mut token = String::with_capacity(TOKEN_LEN);
        let mut buffer = [0u8; 64];
        while token.len() < TOKEN_LEN {
            getrandom::fill(&mut buffer).expect("the operating system's random source failed");
            // Rejection sampling keeps every character equally likely:
            // 248 is the largest multiple of 62 that fits in a byte.
            for byte in buffer {
                if byte < 248 && token.len() < TOKEN_LEN {
                    token.push(ALPHABET[(byte % 62) as usize] as char);
                }
            }
        }
        ChatToken(token)
    }

    /// The token as text, for URLs and JSON.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ChatToken {
    type Err = Error;

    /// Accepts only well-formed tokens; anything else cannot name a chat,
    /// so it is reported as [`Error::NoSuchChat`].
    fn from_str(text: &str) -> Result<Self, Error> {
        if text.len() == TOKEN_LEN && text.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(ChatToken(text.to_owned()))
        } else {
            Err(Error::NoSuchChat)
        }
    }
}

impl fmt::Display for ChatToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shows only a prefix, so that a token printed by `{:?}` in a log line
/// cannot be used to take over the chat.
impl fmt::Debug for ChatToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChatToken({}…)", &self.0[..4])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn tokens_are_url_safe_and_distinct() {
        let tokens: HashSet<String> = (0..10_000)
            .map(|_| ChatToken::generate().as_str().to_owned())
            .collect();
        assert_eq!(tokens.len(), 10_000);
        for token in &tokens {
            assert_eq!(token.len(), TOKEN_LEN);
            assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn every_character_of_the_alphabet_turns_up() {
        let seen: HashSet<char> = (0..2_000)
            .flat_map(|_| ChatToken::generate().as_str().chars().collect::<Vec<_>>())
            .collect();
        assert_eq!(seen.len(), 62);
    }

    #[test]
    fn malformed_tokens_are_no_such_chat() {
        for bad in [
            "",
            "short",
            "../../etc/passwd",
            "ABCDEFGHIJKLMNOPQRSTUVW!",
            "ABCDEFGHIJKLMNOPQRSTUVWXY",
        ] {
            assert!(
                matches!(bad.parse::<ChatToken>(), Err(Error::NoSuchChat)),
                "{bad}"
            );
        }
        let good = ChatToken::generate();
        assert_eq!(good.as_str().parse::<ChatToken>().unwrap(), good);
    }

    #[test]
    fn debug_output_hides_the_token() {
        let token = ChatToken::generate();
        assert!(!format!("{token:?}").contains(token.as_str()));
    }

    proptest::proptest! {
        #[test]
        fn a_text_is_a_token_exactly_when_it_has_the_tokens_shape(text in "(?s).{0,30}|[A-Za-z0-9]{24}") {
            let shaped = text.len() == TOKEN_LEN && text.bytes().all(|b| b.is_ascii_alphanumeric());
            match text.parse::<ChatToken>() {
                Ok(token) => proptest::prop_assert!(shaped && token.as_str() == text),
                Err(error) => proptest::prop_assert!(!shaped && matches!(error, Error::NoSuchChat)),
            }
        }
    }
}
