//! `!STATUS`: which chat a staff member is in.

use seshat_client::{Error, Store};

use crate::texts;

/// The line `!HELP` shows.
pub const HELP: &str = "!STATUS - Show your current chat status";

/// The staff member's open chat and its visitor, with the visitor's email
/// address when they gave one.
pub fn run(store: &dyn Store, staff: &str) -> Result<String, Error> {
    Ok(match store.open_chat_of(staff)? {
        Some(chat) => texts::in_chat(&chat),
        None => texts::not_in_a_chat_status(),
    })
}

#[cfg(test)]
mod tests {
    use seshat_client::Store;

    use super::super::testing::{Fixture, BOB, JOE};

    #[test]
    fn status_names_the_chat_the_visitor_and_their_address() {
        let fixture = Fixture::new();
        let chat = fixture.open_chat("alice", JOE);
        let with_alice = format!(
            "You are in chat #{} with alice. Send '!FINISH' when you are done.",
            chat.id
        );
        assert_eq!(fixture.send(JOE, "!STATUS"), with_alice);
        assert_eq!(
            fixture.send(BOB, "!Status"),
            "You are not in a chat. Send '!HELP' for more options."
        );
        fixture
            .store
            .set_email(&chat.token, "alice@example.org")
            .unwrap();
        assert_eq!(
            fixture.send(JOE, "!STATUS"),
            format!("{with_alice} Their email address is alice@example.org.")
        );
    }
}
