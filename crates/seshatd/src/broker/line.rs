//! The line: while everyone online is busy, new chats wait (see
//! [`super::offers::plan`]); each visitor hears their place whenever it
//! changes, and each busy staff member hears once that someone waits.

use xmpp_parsers::jid::BareJid;

use super::{to_staff, Broker};
use crate::texts;
use crate::xmpp::XmppConnection;

impl Broker {
    /// Tells each visitor in line their place when it changed, and each
    /// busy staff member, once, that someone waits.
    pub(super) async fn tell_places_in_line(
        &mut self,
        in_line: &[(i64, usize)],
        available: &[BareJid],
        connection: &XmppConnection,
    ) -> Result<(), seshat_client::Error> {
        self.places_told
            .retain(|chat_id, _| in_line.iter().any(|(id, _)| id == chat_id));
        for &(chat_id, place) in in_line {
            if self.places_told.get(&chat_id) == Some(&place) {
                continue;
            }
            let notice = seshat_client::texts::place_in_line(place);
            self.store
                .run(move |store| store.tell_visitor(chat_id, &notice))
                .await?;
            self.places_told.insert(chat_id, place);
        }
        let busy: Vec<BareJid> = self
            .presence
            .staff()
            .filter(|staff| self.presence.is_available(staff) && !available.contains(staff))
            .cloned()
            .collect();
        if in_line.is_empty() {
            self.told_of_line.clear();
            return Ok(());
        }
        self.told_of_line.retain(|staff| busy.contains(staff));
        for staff in busy {
            if self.told_of_line.insert(staff.clone()) {
                drop(
                    connection
                        .send(to_staff(staff, texts::SOMEONE_WAITING))
                        .await,
                );
            }
        }
        Ok(())
    }
}
