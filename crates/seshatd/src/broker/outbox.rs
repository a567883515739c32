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
//! start sends it again: re-sent at worst, never lost.

use std::collections::HashSet;

use tokio::sync::mpsc;
use tokio_xmpp::stanzastream::{StanzaStage, StanzaState, StanzaToken};

/// What became of one message handed to the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The server has it (or, without stream management, it was written).
    Delivered(i64),
    /// The stream dropped it; it must be sent again.
    Lost(i64),
}

/// The set of staff-bound messages in flight, and the channel on which
/// their fate is reported.
pub struct Outbox {
    /// Store ids of messages handed to the stream and not settled yet.
    in_flight: HashSet<i64>,
    /// Where the watcher tasks report.
    report: mpsc::UnboundedSender<Delivery>,
}

impl Outbox {
    /// An empty outbox and the receiver of its [`Delivery`] reports.
    pub fn new() -> (Self, mpsc::UnboundedReceiver<Delivery>) {
        let (report, reports) = mpsc::unbounded_channel();
        (
            Outbox {
                in_flight: HashSet::new(),
                report,
            },
            reports,
        )
    }

    /// Whether the message is already on its way.
    pub fn is_in_flight(&self, message_id: i64) -> bool {
        self.in_flight.contains(&message_id)
    }

    /// How many messages are on their way.
    pub fn len(&self) -> usize {
        self.in_flight.len()
    }

    /// Whether nothing is on its way.
    pub fn is_empty(&self) -> bool {
        self.in_flight.is_empty()
    }

    /// Follows a message just handed to the stream. `acks` says whether the
    /// session acknowledges stanzas; without, being written is all the
    /// proof there will ever be.
    pub fn track(&mut self, message_id: i64, mut token: StanzaToken, acks: bool) {
        self.in_flight.insert(message_id);
        let report = self.report.clone();
        let proof = if acks {
            StanzaStage::Acked
        } else {
            StanzaStage::Sent
        };
        tokio::spawn(async move {
            let delivery = match token.wait_for(proof).await {
                Some(StanzaState::Sent { .. } | StanzaState::Acked { .. }) => {
                    Delivery::Delivered(message_id)
                }
                // Failed, dropped, or forgotten by a stream that could not
                // resume: the server may never have seen it.
                Some(StanzaState::Queued | StanzaState::Failed { .. } | StanzaState::Dropped)
                | None => Delivery::Lost(message_id),
            };
            // The broker is gone: the message stays undelivered in the
            // store and is sent again on the next start.
            let _ = report.send(delivery);
        });
    }

    /// Takes a message out of flight once its fate has been recorded.
    pub fn settle(&mut self, message_id: i64) {
        self.in_flight.remove(&message_id);
    }
}
