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
    use crate::texts;

    #[test]
    fn waiting_and_offered_chats_are_listed_and_others_are_not() {
        let f = Fixture::new();
        assert_eq!(f.send(JOE, "!WAITING"), texts::NO_OPEN_REQUESTS);
        let waiting = f.start_chat("Anonymous", None);
        let offered = f.start_chat("alice", Some("Coming from page /"));
        assert!(f.store.mark_notified(offered.id).unwrap());
        f.open_chat("carol", JOE);
        let canceled = f.start_chat("dave", None);
        f.send(JOE, &format!("!CANCEL {}", canceled.id));
        let listed = [f.chat(waiting.id), f.chat(offered.id)];
        assert_eq!(f.send(JOE, "!waiting"), texts::waiting_table(&listed));
    }
}
