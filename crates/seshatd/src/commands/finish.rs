//! `!FINISH`: a staff member closes their chat.

use seshat_client::{Error, Store};

use crate::texts;

/// The line `!HELP` shows.
pub const HELP: &str = "!FINISH - Close your current chat";

/// Closes the staff member's open chat; the store queues the visitor's copy
/// of the notice.
pub fn run(store: &dyn Store, staff: &str) -> Result<String, Error> {
    Ok(match store.finish(staff)? {
        Some(_) => texts::CHAT_CLOSED.to_owned(),
        None => texts::not_active_in_a_chat(),
    })
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
    fn only_the_staff_member_in_the_chat_can_finish_it_without_arguments() {
        let fixture = Fixture::new();
        let chat = fixture.open_chat("alice", JOE);
        assert_eq!(
            fixture.send(BOB, "!FINISH"),
            "You are not currently active in a chat. Send '!HELP' for more options."
        );
        assert_eq!(
            fixture.send(JOE, "!FINISH extra"),
            "!FINISH takes no arguments. Usage: !FINISH - Close your current chat. \
             Send '!HELP' for more options."
        );
        assert_eq!(fixture.chat(chat.id).status, ChatStatus::Open);
    }
}
