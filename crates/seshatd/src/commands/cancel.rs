//! `!CANCEL n`: a staff member withdraws a chat request.

use seshat_client::{CancelOutcome, Error, StaffNames, Store};

use crate::texts;

/// The line `!HELP` shows.
pub const HELP: &str = "!CANCEL n - Cancel chat request #n";

/// Withdraws request `chat_id`; the store tells the visitor it was
/// canceled. An accepted chat is ended with `!FINISH` instead.
pub fn run(
    store: &dyn Store,
    names: &StaffNames,
    staff: &str,
    chat_id: i64,
) -> Result<String, Error> {
    Ok(match store.cancel(chat_id, staff)? {
        CancelOutcome::Canceled(_) => texts::canceled(chat_id),
        CancelOutcome::NoSuchChat => texts::no_such_chat(chat_id),
        CancelOutcome::AcceptedBySelf => texts::cancel_own_chat(chat_id),
        CancelOutcome::AcceptedBy(owner) => texts::accepted_by(chat_id, &names.for_staff(&owner)),
        CancelOutcome::AlreadyClosed => texts::already_closed(chat_id),
    })
}

#[cfg(test)]
mod tests {
    use seshat_client::ChatStatus;

    use super::super::testing::{Fixture, BOB, JOE};
    use crate::texts;

    #[test]
    fn canceling_tells_the_visitor() {
        let f = Fixture::new();
        let chat = f.start_chat("alice", None);
        assert_eq!(
            f.send(JOE, &format!("!cancel #{}", chat.id)),
            texts::canceled(chat.id)
        );
        assert_eq!(f.chat(chat.id).status, ChatStatus::CanceledLocally);
        assert_eq!(f.visitor_texts(&chat), ["Your chat was canceled."]);
    }

    #[test]
    fn accepted_closed_and_missing_chats_are_refused() {
        let f = Fixture::new();
        let id = f.open_chat("alice", JOE).id;
        assert_eq!(
            f.send(JOE, &format!("!CANCEL {id}")),
            texts::cancel_own_chat(id)
        );
        assert_eq!(
            f.send(BOB, &format!("!CANCEL {id}")),
            texts::accepted_by(id, JOE)
        );
        assert_eq!(f.chat(id).status, ChatStatus::Open);
        f.send(JOE, "!FINISH");
        assert_eq!(
            f.send(BOB, &format!("!CANCEL {id}")),
            texts::already_closed(id)
        );
        assert_eq!(f.send(BOB, "!CANCEL 77"), texts::no_such_chat(77));
    }
}
