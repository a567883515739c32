//! Staff-bound messages between "handed to the XMPP stream" and "marked
//! delivered in the store".
//!
//! A message is marked delivered only once the server has acknowledged it
//! (XEP-0198), or, on a server without stream management, once it was
//! written to the connection. Until then it stays *in flight*: the broker
//! does not hand it out again, so the running daemon never sends a message
//! twice. If the stream loses it (a reconnect that could not resume), it
//! leaves the in-flight set undelivered and is sent again. A crash while a
//! message is in flight leaves it undelivered in the store, so the next
//! start sends it again: re-sent at worst, never lost. A message the XML
//! library refuses to write (it cannot be serialised) is never sent again:
//! it would be refused every time, and sending it again at once made the
//! daemon spin. [`crate::texts::fit_for_staff`] makes that unreachable for
//! every text the daemon sends; this is the last line of defence.
//!
//! Messages are settled strictly in the order they were sent, as XEP-0198
//! acknowledges them (cumulatively). So the messages marked delivered are
//! always everything up to some point, and what a crash makes the next
//! start send again is one unbroken stretch, in order.

use std::collections::{HashSet, VecDeque};

use futures::FutureExt;
use tokio_xmpp::stanzastream::{StanzaStage, StanzaState, StanzaToken};

/// What became of one message handed to the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The server has it (or, without stream management, it was written).
    Delivered(i64),
    /// The stream dropped it; it must be sent again.
    Lost(i64),
    /// The XML library could not write it: sending it again would fail the
    /// same way, so it is settled as it is, and logged.
    Unsendable(i64),
}

/// One message on its way.
struct Sending {
    /// Its id in the store.
    message_id: i64,
    /// Follows the stanza through the stream.
    token: StanzaToken,
    /// The stage that proves delivery: acknowledged, or merely written on
    /// a session without stream management.
    proof: StanzaStage,
}

impl Sending {
    /// The message's fate, if it is decided.
    fn outcome(&self) -> Option<Delivery> {
        // Asked first: once the stream has let go of the token its state is
        // final, so the state read next is the last word. Read the other
        // way round, an acknowledgement landing in between would look like
        // a loss.
        let let_go = is_forgotten(&self.token);
        fate(self.message_id, self.proof, &self.token.state(), let_go)
    }
}

/// What a message's stanza state means: decided or not, given the stage
/// that `proof`s delivery and whether the stream has `let_go` of it.
fn fate(
    message_id: i64,
    proof: StanzaStage,
    state: &StanzaState,
    let_go: bool,
) -> Option<Delivery> {
    let stage = StanzaStage::from(state);
    let delivered = match proof {
        StanzaStage::Acked => stage == StanzaStage::Acked,
        _ => matches!(stage, StanzaStage::Sent | StanzaStage::Acked),
    };
    match state {
        _ if delivered => Some(Delivery::Delivered(message_id)),
        // tokio-xmpp reports a stanza it cannot serialise as failed with
        // "invalid input"; a stream error fails queued stanzas otherwise.
        StanzaState::Failed { error } if error.kind() == std::io::ErrorKind::InvalidInput => {
            Some(Delivery::Unsendable(message_id))
        }
        StanzaState::Failed { .. } | StanzaState::Dropped => Some(Delivery::Lost(message_id)),
        _ if let_go => Some(Delivery::Lost(message_id)),
        _ => None,
    }
}

/// Whether the stream has let go of a token: it does once the stanza is
/// acknowledged (or written, without stream management), and when the
/// stanza goes with a session that could not be resumed. Waiting for the
/// last stage there is resolves at once, with nothing, exactly then.
fn is_forgotten(token: &StanzaToken) -> bool {
    let mut token = token.clone();
    matches!(
        token.wait_for(StanzaStage::Dropped).now_or_never(),
        Some(None)
    )
}

/// The staff-bound messages in flight, in the order they were sent.
#[derive(Default)]
pub struct Outbox {
    /// Oldest first.
    queue: VecDeque<Sending>,
    /// Store ids of the messages in `queue`, for quick lookups.
    in_flight: HashSet<i64>,
}

impl Outbox {
    /// An empty outbox.
    pub fn new() -> Self {
        Outbox::default()
    }

    /// Whether the message is already on its way.
    pub fn is_in_flight(&self, message_id: i64) -> bool {
        self.in_flight.contains(&message_id)
    }

    /// How many messages are on their way.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether nothing is on its way.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Follows a message just handed to the stream. `acks` says whether the
    /// session acknowledges stanzas; without, being written is all the
    /// proof there will ever be.
    pub fn track(&mut self, message_id: i64, token: StanzaToken, acks: bool) {
        let proof = if acks {
            StanzaStage::Acked
        } else {
            StanzaStage::Sent
        };
        self.in_flight.insert(message_id);
        self.queue.push_back(Sending {
            message_id,
            token,
            proof,
        });
    }

    /// Completes when the oldest message in flight may have been settled;
    /// never while nothing is in flight. Cancel-safe.
    pub async fn changed(&self) {
        match self.queue.front() {
            Some(oldest) => {
                let mut token = oldest.token.clone();
                token.wait_for(oldest.proof).await;
            }
            None => std::future::pending().await,
        }
    }

    /// Takes the oldest messages whose fate is decided, in sending order,
    /// up to the first still undecided.
    pub fn take_settled(&mut self) -> Vec<Delivery> {
        let mut settled = Vec::new();
        while let Some(outcome) = self.queue.front().and_then(Sending::outcome) {
            self.queue.pop_front();
            let (Delivery::Delivered(id) | Delivery::Lost(id) | Delivery::Unsendable(id)) = outcome;
            self.in_flight.remove(&id);
            settled.push(outcome);
        }
        settled
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Error, ErrorKind};

    use super::*;

    #[test]
    fn a_stanza_that_cannot_be_serialised_is_unsendable_not_lost() {
        let refused = StanzaState::Failed {
            error: Error::new(ErrorKind::InvalidInput, "invalid char").into(),
        };
        assert_eq!(
            fate(7, StanzaStage::Acked, &refused, true),
            Some(Delivery::Unsendable(7))
        );
        let broken = StanzaState::Failed {
            error: Error::other("stream error").into(),
        };
        assert_eq!(
            fate(7, StanzaStage::Acked, &broken, true),
            Some(Delivery::Lost(7))
        );
    }

    #[test]
    fn delivered_lost_and_undecided() {
        assert_eq!(
            fate(1, StanzaStage::Acked, &StanzaState::Acked {}, true),
            Some(Delivery::Delivered(1))
        );
        assert_eq!(
            fate(1, StanzaStage::Sent, &StanzaState::Sent {}, false),
            Some(Delivery::Delivered(1))
        );
        assert_eq!(
            fate(1, StanzaStage::Acked, &StanzaState::Sent {}, false),
            None
        );
        assert_eq!(
            fate(1, StanzaStage::Acked, &StanzaState::Sent {}, true),
            Some(Delivery::Lost(1))
        );
        assert_eq!(
            fate(1, StanzaStage::Acked, &StanzaState::Dropped, true),
            Some(Delivery::Lost(1))
        );
    }
}
