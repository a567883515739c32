//! The background task that owns one staff member's XMPP connection.
//!
//! It behaves like an ordinary Jabber client left running: it fetches the
//! roster and announces presence whenever a fresh session starts (also
//! after tokio-xmpp reconnects by itself), approves subscription requests
//! and asks for the contact's presence in return, answers pings, and hands
//! every incoming message and presence to the test through channels. The
//! test's side ([`super::StaffClient`]) talks to it with [`Command`]s.

use std::collections::HashSet;
use std::io;
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_xmpp::parsers::{
    iq::Iq,
    jid::{BareJid, FullJid, Jid},
    minidom::Element,
    ns,
    presence::{self, Presence, Show},
    roster::Roster,
    stanza::Stanza,
    stanza_error::{DefinedCondition, ErrorType, StanzaError},
    stream_features::StreamFeatures,
};
use tokio_xmpp::stanzastream::{StanzaStage, StanzaToken};
use tokio_xmpp::{Client, Event};

use super::received::{ReceivedMessage, ReceivedPresence};

/// How long the server may take to acknowledge our initial presence before
/// the session counts as started anyway.
const PRESENCE_ACK_DEADLINE: Duration = Duration::from_secs(10);

/// How long closing may take when the server is unreachable.
const CLOSE_DEADLINE: Duration = Duration::from_secs(3);

/// What the test asks the connection to do.
pub(super) enum Command {
    /// Send a stanza as is.
    Send {
        stanza: Box<Stanza>,
        reply: oneshot::Sender<io::Result<Sent>>,
    },
    /// Change our own presence; remembered and announced again after a
    /// reconnect.
    SetAvailability {
        availability: Availability,
        reply: oneshot::Sender<io::Result<Sent>>,
    },
    /// Ask `contact` for a presence subscription.
    Subscribe {
        contact: BareJid,
        reply: oneshot::Sender<io::Result<Sent>>,
    },
    /// Say goodbye (unavailable presence) and close the stream.
    Disconnect { reply: oneshot::Sender<()> },
}

/// A stanza that has reached the transmit buffer.
pub(super) struct Sent {
    /// Follows the stanza further, up to the server's acknowledgement.
    pub(super) token: StanzaToken,
    /// Whether the server acknowledges stanzas (XEP-0198 negotiated); if
    /// not, waiting for [`StanzaStage::Acked`] would wait forever.
    pub(super) acks_expected: bool,
}

/// Our own presence as the staff member chose it.
#[derive(Clone, Debug)]
pub(super) enum Availability {
    /// Online, optionally away / dnd / ...
    Online(Option<Show>),
    /// Connected but announced as unavailable.
    Offline,
}

/// What the test can observe about the connection at any moment.
#[derive(Clone, Debug, Default)]
pub(super) struct Status {
    /// The full JID of the current session, once bound.
    pub(super) bound_jid: Option<FullJid>,
    /// How many sessions have started (initial presence acknowledged):
    /// 1 after connecting, +1 after every reconnect that could not resume.
    pub(super) sessions: u64,
}

/// Where the connection delivers what it receives.
pub(super) struct Outlets {
    pub(super) messages: mpsc::UnboundedSender<ReceivedMessage>,
    pub(super) presences: mpsc::UnboundedSender<ReceivedPresence>,
    pub(super) status: watch::Sender<Status>,
}

/// The state of one staff member's connection.
pub(super) struct Session {
    client: Client,
    /// Our account, for log lines.
    account: BareJid,
    /// What to announce when a session starts.
    availability: Availability,
    /// Contacts we have asked for a subscription; we ask each only once, so
    /// two clients approving each other cannot ping-pong forever.
    asked: HashSet<BareJid>,
    /// Whether the current stream has stream management (acks).
    acks_expected: bool,
    outlets: Outlets,
}

impl Session {
    pub(super) fn new(
        client: Client,
        account: BareJid,
        availability: Availability,
        outlets: Outlets,
    ) -> Session {
        Session {
            client,
            account,
            availability,
            asked: HashSet::new(),
            acks_expected: false,
            outlets,
        }
    }

    /// Runs until the test disconnects or drops its
    /// [`super::StaffClient`].
    pub(super) async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        loop {
            tokio::select! {
                event = self.client.next() => match event {
                    Some(event) => self.on_event(event).await,
                    None => {
                        tracing::debug!(account = %self.account, "stream ended");
                        return;
                    }
                },
                command = commands.recv() => match command {
                    Some(Command::Disconnect { reply }) => {
                        self.close().await;
                        let _ = reply.send(());
                        return;
                    }
                    Some(command) => self.on_command(command).await,
                    // The StaffClient was dropped: leave politely.
                    None => {
                        self.close().await;
                        return;
                    }
                },
            }
        }
    }

    async fn on_command(&mut self, command: Command) {
        match command {
            Command::Send { stanza, reply } => {
                let _ = reply.send(self.send(*stanza).await);
            }
            Command::SetAvailability {
                availability,
                reply,
            } => {
                self.availability = availability;
                let _ = reply.send(self.send(self.own_presence().into()).await);
            }
            Command::Subscribe { contact, reply } => {
                self.asked.insert(contact.clone());
                let subscribe = Presence::subscribe().with_to(contact);
                let _ = reply.send(self.send(subscribe.into()).await);
            }
            Command::Disconnect { .. } => unreachable!("handled by run"),
        }
    }

    async fn on_event(&mut self, event: Event) {
        match event {
            Event::Online {
                bound_jid,
                features,
                resumed,
            } => self.on_online(bound_jid, features, resumed).await,
            // tokio-xmpp 6's client reconnects silently and does not seem
            // to emit this at all; logged in case a later version does.
            Event::Disconnected(error) => {
                tracing::debug!(account = %self.account, %error, "disconnected");
            }
            Event::Stanza(Stanza::Message(message)) => {
                if let Some(message) = ReceivedMessage::from_stanza(message) {
                    let _ = self.outlets.messages.send(message);
                }
            }
            Event::Stanza(Stanza::Presence(presence)) => self.on_presence(presence).await,
            Event::Stanza(Stanza::Iq(iq)) => self.on_iq(iq).await,
        }
    }

    /// A session started: do what a client does after logging in.
    async fn on_online(&mut self, bound_jid: Jid, features: StreamFeatures, resumed: bool) {
        tracing::debug!(account = %self.account, %bound_jid, resumed, "online");
        self.acks_expected = features.stream_management.is_some();
        self.outlets
            .status
            .send_modify(|status| status.bound_jid = bound_jid.try_into_full().ok());
        if resumed {
            // Stream management carried the session over, presence included.
            return;
        }
        // Fetching the roster marks us as "interested" in roster pushes,
        // as every real client does before announcing presence.
        let roster_request = Iq::from_get(
            String::new(),
            Roster {
                ver: None,
                items: Vec::new(),
            },
        );
        self.send_or_log(roster_request.into(), "roster request")
            .await;

        let announced = match self.availability {
            Availability::Offline => None,
            Availability::Online(_) => self.send(self.own_presence().into()).await.ok(),
        };
        // Count the session once the server has our presence, without
        // blocking the event loop while the acknowledgement travels.
        let status = self.outlets.status.clone();
        tokio::spawn(async move {
            if let Some(Sent {
                mut token,
                acks_expected: true,
            }) = announced
            {
                let _ =
                    tokio::time::timeout(PRESENCE_ACK_DEADLINE, token.wait_for(StanzaStage::Acked))
                        .await;
            }
            status.send_modify(|status| status.sessions += 1);
        });
    }

    async fn on_presence(&mut self, presence: Presence) {
        let Some(received) = ReceivedPresence::from_stanza(presence) else {
            return;
        };
        if received.kind == presence::Type::Subscribe {
            // Approve, and ask back so that our roster fills as well: this
            // is what a staff member does for a contact they expect.
            let contact = received.from_bare();
            let approval = Presence::subscribed().with_to(contact.clone());
            self.send_or_log(approval.into(), "subscription approval")
                .await;
            if self.asked.insert(contact.clone()) {
                let request = Presence::subscribe().with_to(contact);
                self.send_or_log(request.into(), "subscription request")
                    .await;
            }
        }
        let _ = self.outlets.presences.send(received);
    }

    /// Answers requests addressed to us: pings and roster pushes get an
    /// empty result, anything else a polite "not supported".
    async fn on_iq(&mut self, iq: Iq) {
        let (from, id, payload) = match iq {
            Iq::Get {
                from, id, payload, ..
            }
            | Iq::Set {
                from, id, payload, ..
            } => (from, id, payload),
            // Responses, e.g. to our roster request: nothing to do.
            Iq::Result { .. } | Iq::Error { .. } => return,
        };
        let response = if is_ping_or_roster_push(&payload) {
            Iq::Result {
                from: None,
                to: from,
                id,
                payload: None,
            }
        } else {
            Iq::Error {
                from: None,
                to: from,
                id,
                error: StanzaError::new(
                    ErrorType::Cancel,
                    DefinedCondition::ServiceUnavailable,
                    "en",
                    "not supported by this test client",
                ),
                payload: None,
            }
        };
        self.send_or_log(response.into(), "iq response").await;
    }

    fn own_presence(&self) -> Presence {
        match &self.availability {
            Availability::Online(show) => {
                let mut presence = Presence::available();
                presence.show = show.clone();
                presence
            }
            Availability::Offline => Presence::unavailable(),
        }
    }

    /// Queues `stanza` and waits until it is in the transmit buffer.
    async fn send(&mut self, stanza: Stanza) -> io::Result<Sent> {
        let token = self.client.send_stanza(stanza).await?;
        Ok(Sent {
            token,
            acks_expected: self.acks_expected,
        })
    }

    /// Sends a stanza nobody waits for; a failure is only logged.
    async fn send_or_log(&mut self, stanza: Stanza, what: &str) {
        if let Err(error) = self.client.send_stanza(stanza).await {
            tracing::warn!(account = %self.account, %error, "could not send {what}");
        }
    }

    /// Announces unavailability and closes the stream, giving up on either
    /// after a short while (the server may be gone).
    async fn close(mut self) {
        let goodbye = self.client.send_stanza(Presence::unavailable().into());
        let _ = tokio::time::timeout(CLOSE_DEADLINE, goodbye).await;
        let _ = tokio::time::timeout(CLOSE_DEADLINE, self.client.send_end()).await;
        tracing::debug!(account = %self.account, "closed");
    }
}

fn is_ping_or_roster_push(payload: &Element) -> bool {
    payload.is("ping", ns::PING) || payload.is("query", ns::ROSTER)
}
