//! Chats for the daemon's benchmarks, opened the way a quiet moment of a
//! site leaves them: accepted, with every notice already shown.

use seshat_client::{ChatToken, Client};

/// Opens one chat per bare JID in `staff`, accepted by that staff member
/// before the daemon starts, so that nobody is offered them, and with
/// their notices already read by the visitor, so that only a benchmark's
/// own lines flow. Returns the chats' tokens in the order of `staff`.
pub async fn open_accepted_chats(web: &Client, staff: Vec<String>) -> Vec<ChatToken> {
    web.run(move |store| {
        let mut tokens = Vec::with_capacity(staff.len());
        for (i, jid) in staff.iter().enumerate() {
            let chat = store.start_chat(&format!("visitor{i}"), None)?;
            store.accept(chat.id, jid)?;
            store.take_for_visitor(&chat.token)?;
            tokens.push(chat.token);
        }
        Ok(tokens)
    })
    .await
    .expect("open the chats")
}
