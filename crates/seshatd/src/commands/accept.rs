//! `!ACCEPT n`: a staff member takes a chat request.

use seshat_client::{AcceptOutcome, Error, StaffNames, Store};

use crate::texts;

/// The line `!HELP` shows.
pub const HELP: &str = "!ACCEPT n - Accept chat request #n";

/// Makes chat `chat_id` the staff member's; the store tells the visitor it
/// has started. A closed, canceled or failed chat cannot be taken.
pub fn run(
    store: &dyn Store,
    names: &StaffNames,
    staff: &str,
    chat_id: i64,
) -> Result<String, Error> {
    Ok(match store.accept(chat_id, staff)? {
        AcceptOutcome::Accepted(_) => texts::now_handling(chat_id),
        AcceptOutcome::BusyWith(current) => {
            texts::already_handling_other(current.id, &current.visitor)
        }
        AcceptOutcome::NoSuchChat => texts::no_such_chat(chat_id),
        AcceptOutcome::AlreadyYours => texts::already_handling(chat_id),
        AcceptOutcome::HandledBy(owner) => texts::handled_by(chat_id, &names.for_staff(&owner)),
        AcceptOutcome::AlreadyFinished => texts::already_finished(chat_id),
        AcceptOutcome::Failed => texts::chat_failed(chat_id),
    })
}

#[cfg(test)]
mod tests {
    use seshat_client::{ChatStatus, Store};

    use super::super::testing::{Fixture, BOB, JOE};
    use crate::texts;

    #[test]
    fn accepting_opens_the_chat_and_tells_the_visitor() {
        let f = Fixture::new();
        let chat = f.start_chat("alice", Some("Hello"));
        assert_eq!(
            f.send(JOE, &format!("  !accept  {}  ", chat.id)),
            texts::now_handling(chat.id)
        );
        let stored = f.chat(chat.id);
        assert_eq!(
            (stored.status, stored.staff.as_deref()),
            (ChatStatus::Open, Some(JOE))
        );
        assert_eq!(f.visitor_texts(&chat), ["Your chat has started."]);
    }

    #[test]
    fn every_refusal_changes_nothing() {
        let f = Fixture::new();
        let first = f.open_chat("alice", JOE);
        let second = f.start_chat("carol", None);
        let busy = texts::already_handling_other(first.id, "alice");
        assert_eq!(f.send(JOE, &format!("!ACCEPT {}", second.id)), busy);
        assert_eq!(f.send(JOE, &format!("!ACCEPT {}", first.id)), busy);
        assert_eq!(
            f.send(BOB, &format!("!ACCEPT {}", first.id)),
            texts::handled_by(first.id, JOE)
        );
        assert_eq!(f.chat(second.id).status, ChatStatus::Waiting);
        assert_eq!(f.send(BOB, "!ACCEPT 42"), texts::no_such_chat(42));
        f.send(JOE, "!FINISH");
        f.send(JOE, &format!("!CANCEL {}", second.id));
        for id in [first.id, second.id] {
            assert_eq!(
                f.send(BOB, &format!("!ACCEPT {id}")),
                texts::already_finished(id)
            );
        }
    }

    #[test]
    fn a_configured_name_replaces_the_jid_of_the_colleague() {
        let mut f = Fixture::new();
        f.commands
            .set_staff_names(seshat_client::StaffNames::parse(&format!("{JOE} = Joe")).unwrap());
        let chat = f.open_chat("alice", JOE);
        assert_eq!(
            f.send(BOB, &format!("!ACCEPT {}", chat.id)),
            texts::handled_by(chat.id, "Joe")
        );
        assert_eq!(
            f.send(BOB, &format!("!CANCEL {}", chat.id)),
            texts::accepted_by(chat.id, "Joe")
        );
    }

    #[test]
    fn a_failed_chat_cannot_be_accepted_its_visitor_left() {
        let f = Fixture::new();
        let chat = f.start_chat("alice", None);
        assert!(f
            .store
            .fail_chat(chat.id, seshat_client::texts::NOBODY_AVAILABLE)
            .unwrap());
        assert_eq!(
            f.send(BOB, &format!("!ACCEPT {}", chat.id)),
            texts::chat_failed(chat.id)
        );
        assert_eq!(f.chat(chat.id).status, ChatStatus::Failed);
    }
}
