//! Offers that went stale: when a chat that was offered is taken, canceled
//! or withdrawn, everyone else who got the offer is told in one line, so
//! that nobody answers an offer that is gone. (An offer that expires is
//! told by the broker as it fails the chat.)

use seshat_client::{Chat, ChatStatus, StaffNames};
use xmpp_parsers::jid::BareJid;

use crate::texts;

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
