//! What a staff client hands to the test: incoming messages and presences,
//! already parsed into plain values.

use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::message::{Message, MessageType};
use xmpp_parsers::presence::{self, Presence, Show};

/// A `<message/>` with a body that a staff client received.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedMessage {
    /// The sender as the server stamped it (usually a full JID).
    pub from: Jid,
    /// The message type (`chat`, `normal`, `error`, ...).
    pub kind: MessageType,
    /// The body text (the one without a language tag, or else any).
    pub body: String,
    /// The stanza's `id` attribute, as the sender set it.
    pub id: Option<String>,
    /// Whether the server stamped it with a XEP-0203 delay: it was stored
    /// and delivered later (offline storage, or stream management putting
    /// back what a session that ended had not acknowledged), not sent now.
    pub delayed: bool,
}

impl ReceivedMessage {
    /// Parses a message stanza; `None` if it has no body or no sender
    /// (chat states, receipts and the like carry no body).
    pub(crate) fn from_stanza(message: Message) -> Option<ReceivedMessage> {
        let (_lang, body) = message.get_best_body_cloned(Vec::new())?;
        let delayed = message
            .payloads
            .iter()
            .any(|payload| payload.is("delay", xmpp_parsers::ns::DELAY));
        Some(ReceivedMessage {
            from: message.from?,
            kind: message.type_,
            body,
            id: message.id.map(|id| id.0),
            delayed,
        })
    }

    /// The sender's bare JID (`user@domain`).
    pub fn from_bare(&self) -> BareJid {
        self.from.to_bare()
    }
}

/// A `<presence/>` that a staff client received.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedPresence {
    /// The sender (usually a full JID).
    pub from: Jid,
    /// The presence type: `None` means available; also `Unavailable`,
    /// `Subscribe`, `Subscribed`, ...
    pub kind: presence::Type,
    /// The availability detail of an available presence (away, dnd, ...);
    /// `None` means plainly online.
    pub show: Option<Show>,
    /// The status text, if any.
    pub status: Option<String>,
}

impl ReceivedPresence {
    /// Parses a presence stanza; `None` if it has no sender.
    pub(crate) fn from_stanza(presence: Presence) -> Option<ReceivedPresence> {
        let status = presence.statuses.values().next().cloned();
        Some(ReceivedPresence {
            from: presence.from?,
            kind: presence.type_,
            show: presence.show,
            status,
        })
    }

    /// Whether this announces that the sender is online (any `show`).
    pub fn is_available(&self) -> bool {
        self.kind == presence::Type::None
    }

    /// The sender's bare JID (`user@domain`).
    pub fn from_bare(&self) -> BareJid {
        self.from.to_bare()
    }
}
