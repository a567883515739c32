//! `!ACCEPT n`: a staff member takes a chat request.

use seshat_client::{AcceptOutcome, Error};

use crate::texts;

use super::{ChatId, Command, Context};

/// `!ACCEPT n - Accept chat request #n`. The chat becomes the staff
/// member's and the visitor is told it has started. A chat that failed
/// (nobody answered in time) may still be accepted while its visitor is
/// there; a closed or canceled one may not.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accept;

impl Command for Accept {
    type Argument = ChatId;

    fn name(&self) -> &str {
        "ACCEPT"
    }

    fn help(&self) -> &str {
        "!ACCEPT n - Accept chat request #n"
    }

    fn run(&self, context: &Context<'_>, ChatId(chat_id): ChatId) -> Result<String, Error> {
        Ok(match context.store.accept(chat_id, context.staff)? {
            AcceptOutcome::Accepted(_) => texts::now_handling(chat_id),
            AcceptOutcome::BusyWith(current) => {
                texts::already_handling_other(current.id, &current.visitor)
            }
            AcceptOutcome::NoSuchChat => texts::no_such_chat(chat_id),
            AcceptOutcome::AlreadyYours => texts::already_handling(chat_id),
            AcceptOutcome::HandledBy(owner) => texts::handled_by(chat_id, &owner),
            AcceptOutcome::AlreadyFinished | AcceptOutcome::Failed => {
                texts::already_finished(chat_id)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use seshat_client::{ChatStatus, Store};

    use super::super::testing::{Fixture, BOB, JOE};

    #[test]
    fn accepting_opens_the_chat_and_tells_the_visitor() {
        let fixture = Fixture::new();
        let chat = fixture.start_chat("alice", Some("Hello"));
        assert_eq!(
            fixture.send(JOE, &format!("!ACCEPT {}", chat.id)),
            format!(
                "You are now handling chat #{}. Send '!FINISH' when you are done.",
                chat.id
            )
        );
        let stored = fixture.chat(chat.id);
        assert_eq!(stored.status, ChatStatus::Open);
        assert_eq!(stored.staff.as_deref(), Some(JOE));
        assert_eq!(fixture.visitor_texts(&chat), ["Your chat has started."]);
    }

    #[test]
    fn the_name_is_matched_in_any_case_with_any_spacing() {
        let fixture = Fixture::new();
        let chat = fixture.start_chat("alice", None);
        assert_eq!(
            fixture.send(JOE, &format!("  !accept  {}  ", chat.id)),
            format!(
                "You are now handling chat #{}. Send '!FINISH' when you are done.",
                chat.id
            )
        );
    }

    #[test]
    fn the_second_of_two_staff_is_told_who_has_it() {
        let fixture = Fixture::new();
        let chat = fixture.start_chat("alice", None);
        fixture.send(JOE, &format!("!ACCEPT {}", chat.id));
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
    fn a_chat_that_does_not_exist() {
        let fixture = Fixture::new();
        assert_eq!(
            fixture.send(JOE, "!ACCEPT 42"),
            "Chat #42 does not exist. Send '!HELP' for more options."
        );
        assert_eq!(
            fixture.send(JOE, "!ACCEPT 99999999999999999999"),
            "Chat #99999999999999999999 does not exist. Send '!HELP' for more options."
        );
    }

    #[test]
    fn closed_and_canceled_chats_are_finished() {
        let fixture = Fixture::new();
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
        assert!(fixture
            .store
            .fail_chat(chat.id, seshat_client::texts::NOBODY_AVAILABLE)
            .unwrap());
        assert_eq!(
            fixture.send(BOB, &format!("!ACCEPT {}", chat.id)),
            format!(
                "You are now handling chat #{}. Send '!FINISH' when you are done.",
                chat.id
            )
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
