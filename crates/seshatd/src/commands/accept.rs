//! `!ACCEPT n`: a staff member takes a chat request.

use seshat_client::{AcceptOutcome, Error, Store};

use crate::texts;

/// The line `!HELP` shows.
pub const HELP: &str = "!ACCEPT n - Accept chat request #n";

/// Makes chat `chat_id` the staff member's; the store tells the visitor it
/// has started. A closed or canceled chat cannot be taken.
pub fn run(store: &dyn Store, staff: &str, chat_id: i64) -> Result<String, Error> {
    Ok(match store.accept(chat_id, staff)? {
        AcceptOutcome::Accepted(_) => texts::now_handling(chat_id),
        AcceptOutcome::BusyWith(current) => {
            texts::already_handling_other(current.id, &current.visitor)
        }
        AcceptOutcome::NoSuchChat => texts::no_such_chat(chat_id),
        AcceptOutcome::AlreadyYours => texts::already_handling(chat_id),
        AcceptOutcome::HandledBy(owner) => texts::handled_by(chat_id, &owner),
        AcceptOutcome::AlreadyFinished => texts::already_finished(chat_id),
    })
}

#[cfg(test)]
mod tests {
    use seshat_client::{ChatStatus, Store};

    use super::super::testing::{Fixture, BOB, JOE};

    fn handling(id: i64) -> String {
        format!("You are now handling chat #{id}. Send '!FINISH' when you are done.")
    }

    #[test]
    fn accepting_opens_the_chat_and_tells_the_visitor() {
        let fixture = Fixture::new();
        let chat = fixture.start_chat("alice", Some("Hello"));
        assert_eq!(
            fixture.send(JOE, &format!("  !accept  {}  ", chat.id)),
            handling(chat.id)
        );
        let stored = fixture.chat(chat.id);
        assert_eq!(
            (stored.status, stored.staff.as_deref()),
            (ChatStatus::Open, Some(JOE))
        );
        assert_eq!(fixture.visitor_texts(&chat), ["Your chat has started."]);
    }

    #[test]
    fn the_second_of_two_staff_is_told_who_has_it() {
        let fixture = Fixture::new();
        let chat = fixture.open_chat("alice", JOE);
        assert_eq!(
            fixture.send(BOB, &format!("!ACCEPT {}", chat.id)),
            format!(
                "Chat #{} is already handled by joe@example.com. Send '!HELP' for more options.",
                chat.id
            )
        );
        assert_eq!(fixture.chat(chat.id).staff.as_deref(), Some(JOE));
    }

    #[test]
    fn staff_in_a_chat_cannot_accept_another() {
        let fixture = Fixture::new();
        let first = fixture.open_chat("alice", JOE);
        let second = fixture.start_chat("carol", None);
        let busy = format!(
            "You are already handling chat #{} with alice. Send '!HELP' for more options.",
            first.id
        );
        assert_eq!(fixture.send(JOE, &format!("!ACCEPT {}", second.id)), busy);
        assert_eq!(fixture.send(JOE, &format!("!ACCEPT {}", first.id)), busy);
        assert_eq!(fixture.chat(second.id).status, ChatStatus::Waiting);
    }

    #[test]
    fn chats_that_do_not_exist_or_are_over() {
        let fixture = Fixture::new();
        for id in ["42", "99999999999999999999"] {
            assert_eq!(
                fixture.send(JOE, &format!("!ACCEPT {id}")),
                format!("Chat #{id} does not exist. Send '!HELP' for more options.")
            );
        }
        let closed = fixture.open_chat("alice", JOE);
        fixture.send(JOE, "!FINISH");
        let canceled = fixture.start_chat("carol", None);
        fixture.send(JOE, &format!("!CANCEL {}", canceled.id));
        for chat in [closed, canceled] {
            assert_eq!(
                fixture.send(BOB, &format!("!ACCEPT {}", chat.id)),
                format!(
                    "Chat #{} is already finished. Send '!HELP' for more options.",
                    chat.id
                )
            );
        }
    }

    #[test]
    fn a_failed_chat_may_still_be_accepted() {
        let fixture = Fixture::new();
        let chat = fixture.start_chat("alice", None);
        let nobody = seshat_client::texts::NOBODY_AVAILABLE;
        assert!(fixture.store.fail_chat(chat.id, nobody).unwrap());
        assert_eq!(
            fixture.send(BOB, &format!("!ACCEPT {}", chat.id)),
            handling(chat.id)
        );
        assert_eq!(fixture.chat(chat.id).status, ChatStatus::Open);
    }

    #[test]
    fn malformed_arguments_get_the_usage() {
        let fixture = Fixture::new();
        for (body, problem) in [
            ("!ACCEPT", "!ACCEPT needs a chat number."),
            ("!accept abc", "'abc' is not a chat number."),
            ("!ACCEPT -1", "'-1' is not a chat number."),
            ("!ACCEPT 1 2", "!ACCEPT takes a single chat number."),
        ] {
            assert_eq!(
                fixture.send(JOE, body),
                format!(
                    "{problem} Usage: !ACCEPT n - Accept chat request #n. \
                     Send '!HELP' for more options."
                ),
                "{body}"
            );
        }
    }
}
