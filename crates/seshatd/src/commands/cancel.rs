//! `!CANCEL n`: a staff member turns down a chat request.

use seshat_client::{CancelOutcome, Error};

use crate::texts;

use super::{ChatId, Command, Context};

/// `!CANCEL n - Cancel chat request #n`. The request is withdrawn and the
/// visitor is told it was canceled; an accepted chat is ended with
/// `!FINISH` instead.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cancel;

impl Command for Cancel {
    type Argument = ChatId;

    fn name(&self) -> &str {
        "CANCEL"
    }

    fn help(&self) -> &str {
        "!CANCEL n - Cancel chat request #n"
    }

    fn run(&self, context: &Context<'_>, ChatId(chat_id): ChatId) -> Result<String, Error> {
        Ok(match context.store.cancel(chat_id, context.staff)? {
            CancelOutcome::Canceled(_) => texts::canceled(chat_id),
            CancelOutcome::NoSuchChat => texts::no_such_chat(chat_id),
            CancelOutcome::AcceptedBySelf => texts::cancel_own_chat(chat_id),
            CancelOutcome::AcceptedBy(owner) => texts::accepted_by(chat_id, &owner),
            CancelOutcome::AlreadyClosed => texts::already_closed(chat_id),
        })
    }
}

#[cfg(test)]
mod tests {
    use seshat_client::ChatStatus;

    use super::super::testing::{Fixture, BOB, JOE};

    #[test]
    fn canceling_tells_the_visitor() {
        let fixture = Fixture::new();
        let chat = fixture.start_chat("alice", None);
        assert_eq!(
            fixture.send(JOE, &format!("!cancel #{}", chat.id)),
            format!("You canceled chat #{}.", chat.id)
        );
        assert_eq!(fixture.chat(chat.id).status, ChatStatus::CanceledLocally);
        assert_eq!(fixture.visitor_texts(&chat), ["Your chat was canceled."]);
    }

    #[test]
    fn an_accepted_chat_cannot_be_canceled() {
        let fixture = Fixture::new();
        let chat = fixture.open_chat("alice", JOE);
        assert_eq!(
            fixture.send(JOE, &format!("!CANCEL {}", chat.id)),
            format!(
                "You have already accepted chat #{}. Send '!FINISH' to close it. \
                 Send '!HELP' for more options.",
                chat.id
            )
        );
        assert_eq!(
            fixture.send(BOB, &format!("!CANCEL {}", chat.id)),
            format!(
                "Chat #{} has already been accepted by joe@example.com. \
                 Send '!HELP' for more options.",
                chat.id
            )
        );
        assert_eq!(fixture.chat(chat.id).status, ChatStatus::Open);
    }

    #[test]
    fn closed_and_missing_chats() {
        let fixture = Fixture::new();
        let chat = fixture.open_chat("alice", JOE);
        fixture.send(JOE, "!FINISH");
        assert_eq!(
            fixture.send(BOB, &format!("!CANCEL {}", chat.id)),
            format!(
                "Chat #{} is already closed. Send '!HELP' for more options.",
                chat.id
            )
        );
        assert_eq!(
            fixture.send(BOB, "!CANCEL 77"),
            "Chat #77 does not exist. Send '!HELP' for more options."
        );
        assert_eq!(
            fixture.send(BOB, "!CANCEL 99999999999999999999"),
            "Chat #99999999999999999999 does not exist. Send '!HELP' for more options."
        );
    }

    #[test]
    fn malformed_arguments_get_the_usage() {
        let fixture = Fixture::new();
        assert_eq!(
            fixture.send(JOE, "!CANCEL seven"),
            "'seven' is not a chat number. Usage: !CANCEL n - Cancel chat request #n. \
             Send '!HELP' for more options."
        );
    }
}
