//! A real XMPP client standing in for a staff member's Jabber client.
//!
//! A [`StaffClient`] logs in to a [`Prosody`] with tokio-xmpp, announces
//! presence and then behaves like a client left open on a desk: it approves
//! subscription requests (and asks back, so both rosters fill), answers
//! pings, and reconnects by itself if the server goes away. The test sends
//! chat messages and changes presence through it, and waits for what
//! arrives with deadlines, never with sleeps.
//!
//! Incoming messages with a body and all incoming presences are queued in
//! arrival order until the test takes them.
//!
//! Inside: `connector` opens the TCP (and STARTTLS) connection with Nagle's
//! algorithm off; `session` is the task that owns the connection; `runtime`
//! is the thread all such tasks run on, whatever runtime the test uses;
//! `received` holds the parsed messages and presences.

mod connector;
mod received;
mod runtime;
mod session;

use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio_xmpp::connect::DnsConfig;
use tokio_xmpp::parsers::{
    jid::{BareJid, FullJid},
    message::{Lang, Message},
    presence::Show,
    stanza::Stanza,
};
use tokio_xmpp::stanzastream::StanzaStage;
use tokio_xmpp::xmlstream::Timeouts;
use tokio_xmpp::Client;

use self::connector::{PlainConnector, StartTlsConnector};
pub use self::received::{ReceivedMessage, ReceivedPresence};
use self::session::{Availability, Command, Outlets, Sent, Session, Status};
#[cfg(doc)]
use crate::Prosody;
use crate::{Error, XmppServer};

/// How long [`StaffClient::connect`] waits for the session to start. A
/// wrong password shows up as this deadline passing: tokio-xmpp 6 retries
/// failed logins instead of reporting them.
const CONNECT_DEADLINE: Duration = Duration::from_secs(15);

/// How long the server may take to acknowledge a stanza we sent.
const ACK_DEADLINE: Duration = Duration::from_secs(10);

/// Where a staff client connects.
struct Server {
    /// `HOST:PORT`.
    address: String,
    /// STARTTLS (a [`Prosody::start_with_tls`] instance) or plain TCP.
    uses_tls: bool,
}

/// A logged-in staff member. See the [module docs](self).
///
/// Dropping it closes the connection in the background; call
/// [`StaffClient::disconnect`] to wait for that.
#[derive(Debug)]
pub struct StaffClient {
    /// The account, `user@localhost`.
    account: BareJid,
    /// Requests to the background task that owns the connection.
    commands: mpsc::UnboundedSender<Command>,
    /// Messages with a body, in arrival order.
    messages: mpsc::UnboundedReceiver<ReceivedMessage>,
    /// Presences of any type, in arrival order.
    presences: mpsc::UnboundedReceiver<ReceivedPresence>,
    /// Bound JID and session count, kept current by the background task.
    status: watch::Receiver<Status>,
    /// The background task, awaited on disconnect.
    task: Option<JoinHandle<()>>,
}

impl StaffClient {
    /// Logs in as `user@localhost` with `password` and `resource`, plainly
    /// online.
    ///
    /// Uses plain TCP for a plain [`Prosody`] and STARTTLS for one made by
    /// [`Prosody::start_with_tls`] (the client must then trust its
    /// certificate, see there). Resolves once the session is bound and the
    /// server has acknowledged the initial presence.
    pub async fn connect(
        prosody: &(impl XmppServer + ?Sized),
        user: &str,
        password: &str,
        resource: &str,
    ) -> Result<StaffClient, Error> {
        StaffClient::connect_with_show(prosody, user, password, resource, None).await
    }

    /// Like [`StaffClient::connect`], but the initial presence carries
    /// `show` (`Some(Show::Away)`, `Some(Show::Dnd)`, ...; `None` for
    /// plainly online).
    pub async fn connect_with_show(
        prosody: &(impl XmppServer + ?Sized),
        user: &str,
        password: &str,
        resource: &str,
        show: Option<Show>,
    ) -> Result<StaffClient, Error> {
        let server = Server {
            address: prosody.addr(),
            uses_tls: prosody.uses_tls(),
        };
        StaffClient::log_in(server, prosody.jid(user), password, resource, show).await
    }

    /// Logs in as `account` with `password` and `resource` to a server this
    /// kit did not start, at `address` (`127.0.0.1:PORT`), over plain TCP:
    /// for a test that only knows what another program printed, such as
    /// the demo's port and accounts. Otherwise like [`StaffClient::connect`].
    pub async fn connect_to(
        address: &str,
        account: &BareJid,
        password: &str,
        resource: &str,
    ) -> Result<StaffClient, Error> {
        let server = Server {
            address: address.to_owned(),
            uses_tls: false,
        };
        StaffClient::log_in(server, account.clone(), password, resource, None).await
    }

    /// Starts the background task for `account` on `server` and waits until
    /// the session is bound.
    async fn log_in(
        server: Server,
        account: BareJid,
        password: &str,
        resource: &str,
        show: Option<Show>,
    ) -> Result<StaffClient, Error> {
        let full_jid = account
            .with_resource_str(resource)
            .map_err(|source| Error::InvalidJid {
                jid: format!("{account}/{resource}"),
                source,
            })?;
        let uses_tls = server.uses_tls;
        let server = DnsConfig::addr(&server.address);
        let password = password.to_owned();

        let (commands, command_rx) = mpsc::unbounded_channel();
        let (message_tx, messages) = mpsc::unbounded_channel();
        let (presence_tx, presences) = mpsc::unbounded_channel();
        let (status_tx, mut status) = watch::channel(Status::default());
        let outlets = Outlets {
            messages: message_tx,
            presences: presence_tx,
            status: status_tx,
        };
        let session_account = account.clone();
        // The client is created on the connections' own thread, since it
        // spawns its worker tasks wherever it is created.
        let task = runtime::spawn(async move {
            // Tight timeouts notice a dead loopback connection in seconds
            // rather than minutes.
            let timeouts = Timeouts::tight();
            let client = if uses_tls {
                let connector = StartTlsConnector { server };
                Client::new_with_connector(full_jid, password, connector, timeouts)
            } else {
                let connector = PlainConnector { server };
                Client::new_with_connector(full_jid, password, connector, timeouts)
            };
            let availability = Availability::Online(show);
            Session::new(client, session_account, availability, outlets)
                .run(command_rx)
                .await;
        });

        let online = tokio::time::timeout(
            CONNECT_DEADLINE,
            status.wait_for(|status| status.sessions >= 1),
        )
        .await
        .is_ok_and(|seen| seen.is_ok());
        if !online {
            task.abort();
            return Err(Error::NotOnline {
                jid: account,
                waited: CONNECT_DEADLINE,
            });
        }
        Ok(StaffClient {
            account,
            commands,
            messages,
            presences,
            status,
            task: Some(task),
        })
    }

    /// The account's bare JID, `user@localhost`.
    pub fn jid(&self) -> &BareJid {
        &self.account
    }

    /// The full JID the server bound for the current session.
    pub fn bound_jid(&self) -> Option<FullJid> {
        self.status.borrow().bound_jid.clone()
    }

    /// How many sessions have started: 1 after connecting, one more each
    /// time the client had to log in afresh after losing its connection
    /// (for example after [`Prosody::restart`]).
    pub fn session_count(&self) -> u64 {
        self.status.borrow().sessions
    }

    /// Waits until [`StaffClient::session_count`] reaches `count`, e.g.
    /// `session_count() + 1` taken before restarting the server, to prove
    /// that the client is back online. tokio-xmpp retries with a growing
    /// delay (1 s, 2 s, 4 s, ...), so allow several seconds.
    pub async fn wait_for_session_count(
        &mut self,
        count: u64,
        timeout: Duration,
    ) -> Result<(), Error> {
        let reached = tokio::time::timeout(
            timeout,
            self.status.wait_for(|status| status.sessions >= count),
        )
        .await
        .map(|seen| seen.map(drop));
        match reached {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(self.closed()),
            Err(_) => Err(Error::NotOnline {
                jid: self.account.clone(),
                waited: timeout,
            }),
        }
    }

    /// Sends a chat message with `body` to `to` and waits until the server
    /// has acknowledged it (XEP-0198): once this returns, the server has
    /// taken responsibility for the message.
    pub async fn send_chat(&self, to: &BareJid, body: &str) -> Result<(), Error> {
        let message =
            Message::chat(Some(to.clone().into())).with_body(Lang::new(), body.to_owned());
        self.send(message, &format!("a chat message to {to}")).await
    }

    /// Sends any stanza and waits until the server has acknowledged it.
    /// For what [`StaffClient::send_chat`] cannot express (chat states,
    /// other message types, raw IQs).
    pub async fn send(&self, stanza: impl Into<Stanza>, what: &str) -> Result<(), Error> {
        let stanza = Box::new(stanza.into());
        self.request(what, |reply| Command::Send { stanza, reply })
            .await
    }

    /// Announces presence: `None` for plainly online, `Some(Show::Away)`,
    /// `Some(Show::Dnd)`, ... The choice is kept and announced again after
    /// a reconnect.
    pub async fn set_presence(&self, show: Option<Show>) -> Result<(), Error> {
        self.set_availability(Availability::Online(show)).await
    }

    /// Announces being plainly online (no `show`).
    pub async fn set_available(&self) -> Result<(), Error> {
        self.set_presence(None).await
    }

    /// Announces being away.
    pub async fn set_away(&self) -> Result<(), Error> {
        self.set_presence(Some(Show::Away)).await
    }

    /// Announces do-not-disturb.
    pub async fn set_dnd(&self) -> Result<(), Error> {
        self.set_presence(Some(Show::Dnd)).await
    }

    /// Announces being unavailable while staying connected, as a client
    /// does when its user "goes offline" without quitting. The server then
    /// stores messages for the bare JID instead of delivering them.
    pub async fn go_unavailable(&self) -> Result<(), Error> {
        self.set_availability(Availability::Offline).await
    }

    /// Asks `contact` for a presence subscription. A [`StaffClient`] on
    /// the other side approves and asks back, so afterwards both see each
    /// other's presence.
    pub async fn subscribe_to(&self, contact: &BareJid) -> Result<(), Error> {
        let contact = contact.clone();
        let what = format!("a subscription request to {contact}");
        self.request(&what, |reply| Command::Subscribe { contact, reply })
            .await
    }

    /// The next message with a body, waiting at most `timeout`.
    pub async fn next_message(&mut self, timeout: Duration) -> Result<ReceivedMessage, Error> {
        match tokio::time::timeout(timeout, self.messages.recv()).await {
            Ok(Some(message)) => Ok(message),
            Ok(None) => Err(self.closed()),
            Err(_) => Err(Error::NoMessage {
                jid: self.account.clone(),
                wanted: "message".to_owned(),
                waited: timeout,
            }),
        }
    }

    /// The next message, which must come from `from` (any resource):
    /// a message from anyone else is an [`Error::WrongSender`].
    pub async fn expect_message_from(
        &mut self,
        from: &BareJid,
        timeout: Duration,
    ) -> Result<ReceivedMessage, Error> {
        let message = self
            .next_message(timeout)
            .await
            .map_err(|error| match error {
                Error::NoMessage { jid, waited, .. } => Error::NoMessage {
                    jid,
                    wanted: format!("message from {from}"),
                    waited,
                },
                other => other,
            })?;
        if message.from_bare() == *from {
            Ok(message)
        } else {
            Err(Error::WrongSender {
                jid: self.account.clone(),
                expected: from.clone(),
                message: Box::new(message),
            })
        }
    }

    /// The first message whose body contains `needle`, waiting at most
    /// `timeout` in total.
    ///
    /// Messages that do not match are taken from the queue and discarded;
    /// use [`StaffClient::next_message`] when every message matters.
    pub async fn wait_for_message_containing(
        &mut self,
        needle: &str,
        timeout: Duration,
    ) -> Result<ReceivedMessage, Error> {
        let account = &self.account;
        let messages = &mut self.messages;
        let search = async {
            while let Some(message) = messages.recv().await {
                if message.body.contains(needle) {
                    return Some(message);
                }
                tracing::debug!(%account, ?message, "skipping message");
            }
            None
        };
        match tokio::time::timeout(timeout, search).await {
            Ok(Some(message)) => Ok(message),
            Ok(None) => Err(self.closed()),
            Err(_) => Err(Error::NoMessage {
                jid: self.account.clone(),
                wanted: format!("message containing {needle:?}"),
                waited: timeout,
            }),
        }
    }

    /// Asserts that no message arrives for `duration`.
    ///
    /// Unlike the other waits this one always takes the full `duration`
    /// when it succeeds: silence can only be observed by waiting. Keep the
    /// duration short, and make sure whatever could cause a message has
    /// already been acknowledged by the server.
    pub async fn expect_no_message(&mut self, duration: Duration) -> Result<(), Error> {
        match tokio::time::timeout(duration, self.messages.recv()).await {
            Err(_) => Ok(()),
            Ok(Some(message)) => Err(Error::UnexpectedMessage {
                jid: self.account.clone(),
                message: Box::new(message),
            }),
            Ok(None) => Err(self.closed()),
        }
    }

    /// The next presence of any type, waiting at most `timeout`.
    pub async fn next_presence(&mut self, timeout: Duration) -> Result<ReceivedPresence, Error> {
        self.wait_for_presence("presence", timeout, |_| true).await
    }

    /// The first available presence from `from` (any resource), waiting at
    /// most `timeout`; other presences are discarded.
    pub async fn wait_for_available_from(
        &mut self,
        from: &BareJid,
        timeout: Duration,
    ) -> Result<ReceivedPresence, Error> {
        let wanted = format!("available presence from {from}");
        self.wait_for_presence(&wanted, timeout, |presence| {
            presence.is_available() && presence.from_bare() == *from
        })
        .await
    }

    /// The first presence for which `matches` is true, waiting at most
    /// `timeout`; `wanted` describes it for the error. Other presences are
    /// discarded.
    pub async fn wait_for_presence(
        &mut self,
        wanted: &str,
        timeout: Duration,
        mut matches: impl FnMut(&ReceivedPresence) -> bool,
    ) -> Result<ReceivedPresence, Error> {
        let presences = &mut self.presences;
        let search = async {
            while let Some(presence) = presences.recv().await {
                if matches(&presence) {
                    return Some(presence);
                }
            }
            None
        };
        match tokio::time::timeout(timeout, search).await {
            Ok(Some(presence)) => Ok(presence),
            Ok(None) => Err(self.closed()),
            Err(_) => Err(Error::NoPresence {
                jid: self.account.clone(),
                wanted: wanted.to_owned(),
                waited: timeout,
            }),
        }
    }

    /// Announces unavailability, closes the stream and waits until the
    /// connection is gone.
    pub async fn disconnect(mut self) -> Result<(), Error> {
        let (reply, done) = oneshot::channel();
        if self.commands.send(Command::Disconnect { reply }).is_ok() {
            let _ = done.await;
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        Ok(())
    }

    async fn set_availability(&self, availability: Availability) -> Result<(), Error> {
        let what = format!("presence {availability:?}");
        self.request(&what, |reply| Command::SetAvailability {
            availability,
            reply,
        })
        .await
    }

    /// Hands a sending command to the background task and waits until the
    /// server has acknowledged the stanza (or, without stream management,
    /// until it is written out).
    async fn request(
        &self,
        what: &str,
        command: impl FnOnce(oneshot::Sender<std::io::Result<Sent>>) -> Command,
    ) -> Result<(), Error> {
        let (reply, sent) = oneshot::channel();
        self.commands
            .send(command(reply))
            .map_err(|_| self.closed())?;
        let Sent {
            mut token,
            acks_expected,
        } = sent
            .await
            .map_err(|_| self.closed())?
            .map_err(|source| Error::SendFailed {
                jid: self.account.clone(),
                what: what.to_owned(),
                source,
            })?;
        if !acks_expected {
            return Ok(());
        }
        match tokio::time::timeout(ACK_DEADLINE, token.wait_for(StanzaStage::Acked)).await {
            Ok(Some(state)) if state == StanzaStage::Acked => Ok(()),
            Ok(Some(_failed_or_dropped)) => Err(Error::SendFailed {
                jid: self.account.clone(),
                what: what.to_owned(),
                source: std::io::Error::other(format!("{:?}", token.state())),
            }),
            Ok(None) | Err(_) => Err(Error::NotAcknowledged {
                jid: self.account.clone(),
                what: what.to_owned(),
                waited: ACK_DEADLINE,
            }),
        }
    }

    fn closed(&self) -> Error {
        Error::ClientClosed {
            jid: self.account.clone(),
        }
    }
}
