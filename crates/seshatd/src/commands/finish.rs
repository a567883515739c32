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
    use crate::texts;

    #[test]
    fn only_the_staff_member_in_the_chat_finishes_it_for_both_sides() {
        let f = Fixture::new();
        let chat = f.open_chat("alice", JOE);
        f.visitor_texts(&chat);
        assert_eq!(f.send(BOB, "!FINISH"), texts::not_active_in_a_chat());
        assert_eq!(f.chat(chat.id).status, ChatStatus::Open);
        assert_eq!(f.send(JOE, "!finish "), "The chat is now closed.");
        assert_eq!(f.chat(chat.id).status, ChatStatus::Closed);
        assert_eq!(f.visitor_texts(&chat), ["The chat is now closed."]);
    }
}
