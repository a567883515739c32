//! What a staff member's message does, and what they are told back.
//!
//! A message is either a command (run by [`Commands`]) or text for the
//! visitor of the staff member's open chat. This runs on a blocking thread
//! (it calls the store directly) and returns the reply to send, if any.
//! Every message to staff, replies or not, is built by [`to_staff`].

use seshat_client::{Error, Store};
use xmpp_parsers::jid::Jid;
use xmpp_parsers::message::{Lang, Message};

use crate::commands::Commands;
use crate::texts;

/// Handles one message from configured staff member `staff` (bare JID)
/// and returns what to answer; `None` when the text was relayed to their
/// visitor, which needs no answer.
pub fn answer_staff(
    commands: &Commands,
    store: &dyn Store,
    staff: &str,
    body: &str,
) -> Option<String> {
    match commands.dispatch(store, staff, body) {
        Some(Ok(reply)) => Some(reply),
        Some(Err(error)) => {
            tracing::error!(%staff, %error, "a staff command failed");
            Some(command_failed(&error))
        }
        None => match store.reply_from_staff(staff, body) {
            Ok(Some(chat_id)) => {
                tracing::debug!(chat = chat_id, %staff, body, "queued for the visitor");
                None
            }
            Ok(None) => Some(texts::NOT_IN_A_CHAT.to_owned()),
            Err(error) => {
                if matches!(error, Error::Database(_) | Error::TaskCancelled) {
                    tracing::error!(%staff, %error, "could not queue a staff message");
                }
                Some(texts::message_not_delivered(error))
            }
        },
    }
}

/// The reply when the store fails under a command (our wording): the
/// staff member should know that nothing happened, and may try again.
fn command_failed(error: &Error) -> String {
    format!("Sorry, that did not work: {error}. Please try again.")
}

/// The one way a text becomes a chat message to staff: through
/// [`texts::fit_for_staff`], so that whatever the text holds (a row written
/// by another program, a huge table) the stanza can be written and stays
/// small.
pub fn to_staff(to: impl Into<Jid>, text: &str) -> Message {
    Message::chat(Some(to.into())).with_body(Lang::new(), texts::fit_for_staff(text))
}
