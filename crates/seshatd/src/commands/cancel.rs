//! `!CANCEL n`: a staff member withdraws a chat request.

use seshat_client::{CancelOutcome, Error, Store};

use crate::texts;

/// The line `!HELP` shows.
pub const HELP: &str = "!CANCEL n - Cancel chat request #n";

/// Withdraws request `chat_id`; the store tells the visitor it was
/// canceled. An accepted chat is ended with `!FINISH` instead.
pub fn run(store: &dyn Store, staff: &str, chat_id: i64) -> Result<String, Error> {
    Ok(match store.cancel(chat_id, staff)? {
        CancelOutcome::Canceled(_) => texts::canceled(chat_id),
        CancelOutcome::NoSuchChat => texts::no_such_chat(chat_id),
        CancelOutcome::AcceptedBySelf => texts::cancel_own_chat(chat_id),
        CancelOutcome::AcceptedBy(owner) => texts::accepted_by(chat_id, &owner),
        CancelOutcome::AlreadyClosed => texts::already_closed(chat_id),
    })
}

#[cfg(test)]
mod tests {
    use seshat_client::ChatStatus;

    use super::super::testing::{Fixture, BOB, JOE};

    #[test]
    fn canceling_tells_the_visitor() {
        let fixture = Fixture::new();
        let chat = fixture.start_chat("alice", None);
        let reply = fixture.send(JOE, &format!("!cancel #{}", chat.id));
        assert_eq!(reply, format!("You canceled chat #{}.", chat.id));
        assert_eq!(fixture.chat(chat.id).status, ChatStatus::CanceledLocally);
        assert_eq!(fixture.visitor_texts(&chat), ["Your chat was canceled."]);
    }

    #[test]
    fn an_accepted_chat_cannot_be_canceled() {
        let fixture = Fixture::new();
        let id = fixture.open_chat("alice", JOE).id;
        assert_eq!(
            fixture.send(JOE, &format!("!CANCEL {id}")),
            format!(
                "You have already accepted chat #{id}. Send '!FINISH' to close it. \
                 Send '!HELP' for more options."
            )
        );
        assert_eq!(
            fixture.send(BOB, &format!("!CANCEL {id}")),
            format!(
                "Chat #{id} has already been accepted by joe@example.com. \
                 Send '!HELP' for more options."
            )
        );
        assert_eq!(fixture.chat(id).status, ChatStatus::Open);
    }

    #[test]
    fn closed_missing_and_malformed() {
        let fixture = Fixture::new();
        let id = fixture.open_chat("alice", JOE).id;
        fixture.send(JOE, "!FINISH");
        assert_eq!(
            fixture.send(BOB, &format!("!CANCEL {id}")),
            format!("Chat #{id} is already closed. Send '!HELP' for more options.")
        );
        for id in ["77", "99999999999999999999"] {
            assert_eq!(
                fixture.send(BOB, &format!("!CANCEL {id}")),
                format!("Chat #{id} does not exist. Send '!HELP' for more options.")
            );
        }
        assert_eq!(
            fixture.send(JOE, "!CANCEL seven"),
            "'seven' is not a chat number. Usage: !CANCEL n - Cancel chat request #n. \
             Send '!HELP' for more options."
        );
    }
}
