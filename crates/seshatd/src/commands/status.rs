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
    use crate::texts;

    #[test]
    fn status_names_the_chat_the_visitor_and_their_address() {
        let f = Fixture::new();
        let chat = f.open_chat("alice", JOE);
        assert_eq!(f.send(JOE, "!STATUS"), texts::in_chat(&f.chat(chat.id)));
        assert_eq!(f.send(BOB, "!Status"), texts::not_in_a_chat_status());
        f.store.set_email(&chat.token, "alice@example.org").unwrap();
        assert!(f
            .send(JOE, "!STATUS")
            .ends_with(" Their email address is alice@example.org."));
    }
}
