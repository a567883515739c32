//! `!FINISH`: a staff member closes their chat.

use seshat_client::Error;

use crate::texts;

use super::{Command, Context, NoArgument};

/// `!FINISH - Close your current chat`. Both sides are told the chat is
/// closed (the store queues the visitor's copy).
#[derive(Debug, Clone, Copy, Default)]
pub struct Finish;

impl Command for Finish {
    type Argument = NoArgument;

    fn name(&self) -> &str {
        "FINISH"
    }

    fn help(&self) -> &str {
        "!FINISH - Close your current chat"
    }

    fn run(&self, context: &Context<'_>, _: NoArgument) -> Result<String, Error> {
        Ok(match context.store.finish(context.staff)? {
            Some(_) => texts::CHAT_CLOSED.to_owned(),
            None => texts::not_active_in_a_chat(),
        })
    }
}

#[cfg(test)]
mod tests {
    use seshat_client::ChatStatus;

    use super::super::testing::{Fixture, BOB, JOE};

    #[test]
    fn finishing_closes_the_chat_for_both_sides() {
        let fixture = Fixture::new();
        let chat = fixture.open_chat("alice", JOE);
        fixture.visitor_texts(&chat);
        assert_eq!(fixture.send(JOE, "!finish "), "The chat is now closed.");
        assert_eq!(fixture.chat(chat.id).status, ChatStatus::Closed);
        assert_eq!(fixture.visitor_texts(&chat), ["The chat is now closed."]);
    }

    #[test]
    fn only_the_staff_member_in_the_chat_can_finish_it() {
        let fixture = Fixture::new();
        let chat = fixture.open_chat("alice", JOE);
        assert_eq!(
            fixture.send(BOB, "!FINISH"),
            "You are not currently active in a chat. Send '!HELP' for more options."
        );
        assert_eq!(fixture.chat(chat.id).status, ChatStatus::Open);
    }

    #[test]
    fn extra_words_get_the_usage_and_change_nothing() {
        let fixture = Fixture::new();
        let chat = fixture.open_chat("alice", JOE);
        assert_eq!(
            fixture.send(JOE, "!FINISH extra"),
            "!FINISH takes no arguments. Usage: !FINISH - Close your current chat. \
             Send '!HELP' for more options."
        );
        assert_eq!(fixture.chat(chat.id).status, ChatStatus::Open);
    }
}
