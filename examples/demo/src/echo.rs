//! `--staff-bot`: an automatic staff member for people without a Jabber
//! client at hand. It is a real XMPP client ([`StaffClient`]) that does
//! what a person would: accepts the chat it is offered with `!ACCEPT n`,
//! then answers every visitor message with `Echo: ...`, and ends the chat
//! with `!FINISH` when the visitor writes `bye`.
//!
//! [`EchoBot`] decides, from the text of each message the daemon sends,
//! what to send back; [`run`] connects it to the server. It never echoes
//! the daemon's own notices, and its echoes start with `Echo:` so that a
//! visitor's `!FINISH` is not sent back as a command: the two could
//! otherwise answer each other forever.

use std::time::Duration;

use seshat_testkit::{BareJid, StaffClient};
use seshatd::texts;
use tokio::sync::oneshot;

use crate::error::Error;

/// What the visitor writes to have the bot end the chat.
const GOODBYE_WORD: &str = "bye";

/// How long the bot waits for a message before simply waiting again.
const IDLE_WAIT: Duration = Duration::from_secs(3600);

/// The bot's memory: the chat it is in, if any.
#[derive(Debug, Default)]
pub struct EchoBot {
    /// The chat it accepted and has not seen end.
    chat: Option<i64>,
}

impl EchoBot {
    /// What to send back, in order, for `body` received from the daemon.
    pub fn answer(&mut self, body: &str) -> Vec<String> {
        // The daemon's notices that say we are in no chat (any more).
        if body == texts::CHAT_CLOSED
            || body == texts::NOT_IN_A_CHAT
            || body == texts::not_active_in_a_chat()
        {
            self.chat = None;
            return Vec::new();
        }
        if let Some(chat) = accepted_chat(body) {
            self.chat = Some(chat);
            return vec![format!(
                "Hello! I am the demo's echo bot, not a person: I repeat what you write. \
                 Write '{GOODBYE_WORD}' to end the chat."
            )];
        }
        match self.chat {
            None => offered_chat(body)
                .map(|chat| vec![format!("!ACCEPT {chat}")])
                .unwrap_or_default(),
            // Other replies of the daemon (they all end with its help
            // hint, or report a failed delivery) are not the visitor's.
            Some(_) if is_daemon_reply(body) => Vec::new(),
            Some(_) if body.trim().eq_ignore_ascii_case(GOODBYE_WORD) => {
                vec!["Goodbye!".to_owned(), "!FINISH".to_owned()]
            }
            Some(_) => vec![format!("Echo: {body}")],
        }
    }
}

/// The chat id of an offer: "... reply with the message '!ACCEPT 12'."
fn offered_chat(body: &str) -> Option<i64> {
    if !body.contains("wants to start a conversation.") {
        return None;
    }
    let (_, rest) = body.split_once("'!ACCEPT ")?;
    let (number, _) = rest.split_once('\'')?;
    number.parse().ok()
}

/// The chat id of "You are now handling chat #12. ...".
fn accepted_chat(body: &str) -> Option<i64> {
    let rest = body.strip_prefix("You are now handling chat #")?;
    let (number, _) = rest.split_once('.')?;
    let chat = number.parse().ok()?;
    (body == texts::now_handling(chat)).then_some(chat)
}

/// Whether `body` is one of the daemon's answers to the bot rather than
/// text from the visitor.
fn is_daemon_reply(body: &str) -> bool {
    body.ends_with(texts::HELP_SUFFIX)
        || body.starts_with("Your message was not delivered:")
        || offered_chat(body).is_some()
}

/// Runs the bot on `client`, taking messages from `daemon` only, until
/// `stop` fires (then it logs out) or the connection fails.
pub async fn run(
    mut client: StaffClient,
    daemon: BareJid,
    mut stop: oneshot::Receiver<()>,
) -> Result<(), Error> {
    let mut bot = EchoBot::default();
    loop {
        let message = tokio::select! {
            biased;
            _ = &mut stop => break,
            message = client.next_message(IDLE_WAIT) => message,
        };
        let message = match message {
            Ok(message) => message,
            Err(seshat_testkit::Error::NoMessage { .. }) => continue,
            Err(error) => return Err(Error::StaffBot(error)),
        };
        if message.from_bare() != daemon {
            continue;
        }
        for reply in bot.answer(&message.body) {
            client
                .send_chat(&daemon, &reply)
                .await
                .map_err(Error::StaffBot)?;
        }
    }
    client.disconnect().await.map_err(Error::StaffBot)
}

#[cfg(test)]
mod tests {
    use seshat_client::{Chat, ChatStatus};

    use super::*;

    fn offer(id: i64) -> String {
        let chat = Chat {
            id,
            visitor: "Anonymous".to_owned(),
            staff: None,
            status: ChatStatus::Waiting,
            start_message: Some("Coming from page http://127.0.0.1:8080/".to_owned()),
            email: None,
            started_at: 0.0,
            offered_at: None,
        };
        texts::offer_text(&chat, &["alice@localhost".to_owned()])
    }

    #[test]
    fn accepts_an_offer_then_echoes_the_visitor() {
        let mut bot = EchoBot::default();
        assert_eq!(bot.answer(&offer(7)), ["!ACCEPT 7"]);
        let greeting = bot.answer(&texts::now_handling(7));
        assert_eq!(greeting.len(), 1);
        assert!(greeting[0].contains("echo bot, not a person"));
        assert_eq!(bot.answer("Hello?"), ["Echo: Hello?"]);
        // A visitor's command is echoed as text, never sent as one.
        assert_eq!(bot.answer("!FINISH"), ["Echo: !FINISH"]);
    }

    #[test]
    fn bye_ends_the_chat_and_the_bot_takes_the_next_one() {
        let mut bot = EchoBot::default();
        bot.answer(&offer(3));
        bot.answer(&texts::now_handling(3));
        assert_eq!(bot.answer(" Bye "), ["Goodbye!", "!FINISH"]);
        assert!(bot.answer(texts::CHAT_CLOSED).is_empty());
        assert_eq!(bot.answer(&offer(4)), ["!ACCEPT 4"]);
    }

    #[test]
    fn the_daemons_notices_are_never_echoed() {
        let mut bot = EchoBot::default();
        // Outside a chat, nothing but offers gets an answer.
        assert!(bot.answer(texts::NOT_IN_A_CHAT).is_empty());
        assert!(bot.answer(&texts::offer_expired(9)).is_empty());
        assert!(bot.answer("Hello?").is_empty());

        bot.answer(&offer(5));
        bot.answer(&texts::now_handling(5));
        assert!(bot
            .answer(&texts::handled_by(6, "bob@localhost"))
            .is_empty());
        assert!(bot
            .answer(&texts::message_not_delivered("it is too long"))
            .is_empty());
        assert!(bot.answer(&offer(8)).is_empty(), "busy with chat 5");
        // The visitor ended the chat: the bot is free again and quiet.
        assert!(bot.answer(texts::CHAT_CLOSED).is_empty());
        assert!(bot.answer("late text").is_empty());
        // A reply that finds the chat gone stops the echoing as well.
        bot.answer(&offer(10));
        bot.answer(&texts::now_handling(10));
        assert!(bot.answer(texts::NOT_IN_A_CHAT).is_empty());
        assert!(bot.answer("more").is_empty());
    }

    #[test]
    fn an_accepted_chat_is_only_the_daemons_exact_sentence() {
        assert_eq!(accepted_chat(&texts::now_handling(12)), Some(12));
        assert_eq!(
            accepted_chat("You are now handling chat #12. Or not."),
            None
        );
        assert_eq!(offered_chat(&offer(12)), Some(12));
        assert_eq!(offered_chat("reply with the message '!ACCEPT 12'"), None);
    }
}
