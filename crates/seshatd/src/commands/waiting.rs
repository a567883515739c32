//! `!WAITING`: the chats nobody has accepted yet.

use seshat_client::{Error, Store};

use crate::texts;

/// The line `!HELP` shows.
pub const HELP: &str = "!WAITING - Show all open chat requests";

/// A table of the chats waiting to be offered or accepted, oldest first.
pub fn run(store: &dyn Store) -> Result<String, Error> {
    let chats = store.waiting_chats()?;
    Ok(if chats.is_empty() {
        texts::NO_OPEN_REQUESTS.to_owned()
    } else {
        texts::waiting_table(&chats)
    })
}

#[cfg(test)]
mod tests {
    use seshat_client::Store;

    use super::super::testing::{Fixture, JOE};

    #[test]
    fn waiting_and_offered_chats_are_listed_and_others_are_not() {
        let fixture = Fixture::new();
        let nothing = fixture.send(JOE, "!WAITING");
        assert_eq!(nothing, "There aren't any open chat requests.");
        let waiting = fixture.start_chat("Anonymous", None);
        let offered = fixture.start_chat("alice", Some("Coming from page /"));
        assert!(fixture.store.mark_notified(offered.id).unwrap());
        fixture.open_chat("carol", JOE);
        let canceled = fixture.start_chat("dave", None);
        fixture.send(JOE, &format!("!CANCEL {}", canceled.id));

        assert_eq!(
            fixture.send(JOE, "!waiting"),
            format!(
                "Chats waiting to be accepted:\n\
                 \n\
                 ID | Remote user\n\
                 ---|------------------\n\
                 {} | Anonymous\n\
                 {} | alice\n\
                 \n\
                 Send '!ACCEPT n' to accept a chat request. \
                 Send '!CANCEL n' to cancel a chat request.",
                waiting.id, offered.id
            )
        );
    }
}
