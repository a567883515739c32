//! Offers that went stale: when a chat that was offered is taken, canceled
//! or withdrawn, everyone else who got the offer is told in one line, so
//! that nobody answers an offer that is gone. (An offer that expires is
//! told by the broker as it fails the chat.)

use seshat_client::{Chat, ChatStatus, StaffNames};
use xmpp_parsers::jid::BareJid;

use super::{to_staff, Broker};
use crate::texts;
use crate::xmpp::XmppConnection;

/// The line to send about an offered chat that is no longer waiting, and
/// the staff member not to send it to (who took or canceled it); `None`
/// when there is nothing to tell (it failed, which is told elsewhere).
pub(super) fn notice(
    chat: &Chat,
    canceled_by: Option<&BareJid>,
    names: &StaffNames,
) -> Option<(String, Option<BareJid>)> {
    match chat.status {
        ChatStatus::Open | ChatStatus::Closed if chat.staff.is_some() => {
            let handler = chat.staff.as_deref().unwrap_or_default();
            let text = texts::offer_taken(chat.id, &names.for_staff(handler));
            Some((text, BareJid::new(handler).ok()))
        }
        ChatStatus::Closed => Some((texts::offer_withdrawn(chat.id), None)),
        ChatStatus::CanceledLocally => {
            let by = canceled_by.map_or_else(
                || "a colleague".to_owned(),
                |staff| names.for_staff(staff.as_str()),
            );
            Some((texts::offer_canceled(chat.id, &by), canceled_by.cloned()))
        }
        _ => None,
    }
}

impl Broker {
    /// Tells everyone who got the offer of a chat that is no longer
    /// waiting what became of it (see [`stale`]), and forgets the offer.
    pub(super) async fn tell_of_stale_offers(
        &mut self,
        waiting: &[seshat_client::Chat],
        connection: &XmppConnection,
    ) -> Result<(), seshat_client::Error> {
        let gone: Vec<i64> = self
            .offered_to
            .keys()
            .filter(|chat_id| !waiting.iter().any(|chat| chat.id == **chat_id))
            .copied()
            .collect();
        for chat_id in gone {
            let chat = if self.settings.offer_notices {
                self.store.run(move |store| store.chat(chat_id)).await?
            } else {
                None
            };
            let offered = self.offered_to.remove(&chat_id).unwrap_or_default();
            let canceled_by = self.canceled_by.remove(&chat_id);
            let Some((text, not_to)) = chat
                .as_ref()
                .and_then(|chat| notice(chat, canceled_by.as_ref(), &self.settings.names))
            else {
                continue;
            };
            for staff in offered
                .into_iter()
                .filter(|staff| Some(staff) != not_to.as_ref())
            {
                drop(connection.send(to_staff(staff, &text)).await);
            }
        }
        self.canceled_by
            .retain(|chat_id, _| waiting.iter().any(|chat| chat.id == *chat_id));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(status: ChatStatus, staff: Option<&str>) -> Chat {
        Chat {
            id: 4,
            visitor: "Dana".to_owned(),
            staff: staff.map(str::to_owned),
            status,
            start_message: None,
            email: None,
            started_at: 0.0,
            offered_at: Some(0.0),
        }
    }

    #[test]
    fn each_way_an_offer_goes_stale_has_its_line() {
        let names = StaffNames::parse("alice@example.com = Alice").unwrap();
        let alice = BareJid::new("alice@example.com").unwrap();
        let bob = BareJid::new("bob@example.com").unwrap();
        assert_eq!(
            notice(
                &chat(ChatStatus::Open, Some("alice@example.com")),
                None,
                &names
            ),
            Some(("Chat #4 was taken by Alice.".to_owned(), Some(alice)))
        );
        assert_eq!(
            notice(&chat(ChatStatus::Closed, None), None, &names),
            Some(("Chat #4 was withdrawn by the visitor.".to_owned(), None))
        );
        assert_eq!(
            notice(&chat(ChatStatus::CanceledLocally, None), Some(&bob), &names),
            Some((
                "Chat #4 was canceled by bob@example.com.".to_owned(),
                Some(bob)
            ))
        );
        assert_eq!(notice(&chat(ChatStatus::Failed, None), None, &names), None);
    }
}
