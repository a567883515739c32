//! The connection to the XMPP server, and nothing else: connect, log in,
//! keep the link alive, reconnect, send, receive. No Seshat logic lives
//! here; the broker decides what to send and what received stanzas mean.
//!
//! Built on tokio-xmpp's [`StanzaStream`], which binds a resource,
//! negotiates XEP-0198 stream management and, when the transport breaks,
//! asks us for a new one and resumes the session if the server still has
//! it. We use the stanza stream directly rather than `tokio_xmpp::Client`
//! for two reasons: the client hides the moment a connection is lost (it
//! reports only the next `Online`), and its built-in reconnection has no
//! jitter. Here every loss is reported as [`XmppEvent::Suspended`], and
//! [`backoff`] paces the new attempts.
//!
//! A session the server cannot resume: tokio-xmpp 6 keeps its XEP-0198
//! state when the server's answer to a resumption does not parse, and asks
//! to resume the same session again on every reconnect, forever. ejabberd
//! (23.01, Debian's) answers `<failed><item-not-found/></failed>` without
//! the `h` attribute XEP-0198 makes optional there, and xmpp-parsers 0.23
//! requires it. We notice the pattern rather than the element: a login
//! that was handed to the stream and ended before any session came of it.
//! Then the whole stanza stream, with its stale state, is replaced by a
//! fresh one, which logs in with the next backoff step and starts a new
//! session ([`XmppEvent::SessionStarted`]); the broker re-sends what the
//! old stream had not delivered. Drop this once tokio-xmpp reads such an
//! answer as the failed resumption it is.
//!
//! Keepalive: after [`KEEPALIVE_IDLE`] without data from the server, the
//! stanza stream sends a XEP-0198 `<r/>` (or a XEP-0199 ping without stream
//! management); a server that stays silent for another
//! [`KEEPALIVE_ANSWER`] is taken for dead and the connection is replaced.
//! A dead link is thus noticed within a minute.

pub mod backoff;
mod connector;
mod login;
mod socket;
pub mod tls;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::oneshot;
use tokio_xmpp::connect::{DnsConfig, ServerConnector};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::{BareJid, Jid};
use tokio_xmpp::parsers::message::Message;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::presence::Presence;
use tokio_xmpp::parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};
use tokio_xmpp::stanzastream::{Connection, Event, StanzaStream, StanzaToken, StreamEvent};
use tokio_xmpp::xmlstream::Timeouts;
use tokio_xmpp::Stanza;

use self::backoff::{random_unit, Backoff, STABLE_AFTER};
use self::connector::{PlainConnector, StartTlsConnector};
use self::socket::LinkReport;
use crate::config::{Config, Secret, ServerAddress, TlsPolicy};

/// Silence from the server after which we prompt it for a sign of life.
pub const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);

/// How long the server may then stay silent before the link counts as dead.
pub const KEEPALIVE_ANSWER: Duration = Duration::from_secs(20);

/// How many stanzas may wait in each direction between us and the stream's
/// worker before the sender waits. Large enough to absorb a burst of
/// relayed messages.
const QUEUE_DEPTH: usize = 256;

/// How long one login may take, from the TCP connection to the stream
/// restart after authentication. Beyond it the attempt is abandoned and
/// the next one paced by the backoff (an unreachable host can otherwise
/// keep a TCP connect waiting for minutes).
const LOGIN_DEADLINE: Duration = Duration::from_secs(30);

/// How long [`XmppConnection::close`] waits for the server to see our
/// goodbye before dropping the connection anyway.
const CLOSE_DEADLINE: Duration = Duration::from_secs(5);

/// Everything needed to reach and log in to the server.
#[derive(Debug, Clone)]
pub struct XmppSettings {
    /// The bot's account.
    pub account: BareJid,
    /// The resource to ask for when binding (the server may pick another).
    pub resource: String,
    /// The account's password.
    pub password: Secret,
    /// Where to connect.
    pub server: ServerAddress,
    /// Whether to encrypt.
    pub tls: TlsPolicy,
    /// Keepalive timing; see the [module docs](self).
    pub timeouts: Timeouts,
    /// Certificates trusted besides the system's roots (`tls_ca_file`).
    pub extra_roots: Vec<rustls_pki_types::CertificateDer<'static>>,
}

impl XmppSettings {
    /// The connection settings of a daemon configuration, with the
    /// standard keepalive.
    pub fn from_config(config: &Config) -> Self {
        XmppSettings {
            account: config.account.clone(),
            resource: config.resource.clone(),
            password: config.password.clone(),
            server: config.server.clone(),
            tls: config.tls,
            extra_roots: config.tls_ca_certificates.clone(),
            timeouts: Timeouts {
                read_timeout: KEEPALIVE_IDLE,
                response_timeout: KEEPALIVE_ANSWER,
            },
        }
    }

    /// The JID to log in with: the account plus the wanted resource (the
    /// configuration checked it; should it still be invalid, the server
    /// picks one).
    fn identity(&self) -> Jid {
        match self.account.with_resource_str(&self.resource) {
            Ok(full) => full.into(),
            Err(_) => self.account.clone().into(),
        }
    }
}

/// What happened on the connection.
#[derive(Debug)]
pub enum XmppEvent {
    /// A new session started, after the first login or after a reconnect
    /// that could not resume the old one. The server forgot everything
    /// about the previous session: initial presence must be sent again,
    /// and presence of contacts will be sent to us afresh.
    SessionStarted {
        /// The full JID the server bound.
        bound_jid: Jid,
        /// Whether the server acknowledges stanzas (XEP-0198): only then
        /// does a [`StanzaToken`] ever reach the `Acked` stage.
        acks: bool,
    },
    /// The connection was lost. Reconnection is under way; what we send
    /// meanwhile is queued.
    Suspended,
    /// The connection came back and the server resumed the session: nothing
    /// was lost, and stanzas the server held for us follow.
    Resumed,
    /// A message arrived.
    Message(Box<Message>),
    /// A presence arrived.
    Presence(Box<Presence>),
    /// The answer to an IQ request we sent.
    IqResponse(Box<Iq>),
    /// An IQ request from the server or another entity; pass it to
    /// [`XmppConnection::answer`].
    IqRequest(Box<Iq>),
}

/// A live (or reconnecting) connection. Dropping it drops the link
/// without a goodbye; call [`XmppConnection::close`] to leave cleanly.
pub struct XmppConnection {
    stream: StanzaStream,
    /// For log lines.
    account: BareJid,
    /// To open a fresh stream when the current one is stuck.
    settings: XmppSettings,
    /// Shared with the stream's connection attempts.
    pacing: Arc<Mutex<Pacing>>,
    /// How the sockets saw the last connection end.
    report: LinkReport,
}

impl XmppConnection {
    /// Starts connecting in the background and returns at once; the first
    /// event is [`XmppEvent::SessionStarted`] once logged in. Failed
    /// attempts are logged and retried with [`backoff`] for as long as the
    /// connection lives.
    pub fn start(settings: &XmppSettings) -> Self {
        let pacing = Arc::new(Mutex::new(Pacing {
            backoff: Backoff::new(),
            connected_at: None,
            awaiting_session: false,
            generation: 0,
        }));
        let report = LinkReport::default();
        XmppConnection {
            stream: open_stream(settings, &pacing, &report),
            account: settings.account.clone(),
            settings: settings.clone(),
            pacing,
            report,
        }
    }

    /// Reports a loss, and replaces a stream stuck on a session that cannot
    /// be resumed (see the [module docs](self)).
    fn on_suspended(&mut self) {
        let stuck = std::mem::take(&mut lock(&self.pacing).awaiting_session);
        let seen = self.report.take();
        if stuck {
            tracing::warn!(
                account = %self.account,
                "the server accepted the login but neither resumed the previous session nor \
                 started a new one (ejabberd answers a resumption it cannot grant in a way this \
                 program's XMPP library cannot read); starting a fresh session"
            );
            lock(&self.pacing).generation += 1;
            self.stream = open_stream(&self.settings, &self.pacing, &self.report);
            return;
        }
        let reason = match seen {
            Some(end) => end.to_string(),
            None => "the server ended the XMPP stream (shutting down, or a stream error), or \
                     stopped answering the keepalive"
                .to_owned(),
        };
        tracing::warn!(account = %self.account, "connection to the XMPP server lost: {reason}");
    }

    /// The next event; `None` once the stream has ended for good (after
    /// [`XmppConnection::close`], or if tokio-xmpp's worker died).
    ///
    /// Cancel-safe: if the future is dropped before it completes, no event
    /// is lost, so it can be one branch of a `select!`.
    pub async fn next_event(&mut self) -> Option<XmppEvent> {
        let event = match self.stream.next().await? {
            Event::Stream(StreamEvent::Reset {
                bound_jid,
                features,
            }) => {
                lock(&self.pacing).awaiting_session = false;
                XmppEvent::SessionStarted {
                    bound_jid,
                    acks: features.stream_management.is_some(),
                }
            }
            Event::Stream(StreamEvent::Suspended) => {
                self.on_suspended();
                XmppEvent::Suspended
            }
            Event::Stream(StreamEvent::Resumed) => {
                lock(&self.pacing).awaiting_session = false;
                XmppEvent::Resumed
            }
            Event::Stanza(Stanza::Message(message)) => XmppEvent::Message(Box::new(message)),
            Event::Stanza(Stanza::Presence(presence)) => XmppEvent::Presence(Box::new(presence)),
            Event::Stanza(Stanza::Iq(iq)) => match iq {
                Iq::Get { .. } | Iq::Set { .. } => XmppEvent::IqRequest(Box::new(iq)),
                Iq::Result { .. } | Iq::Error { .. } => XmppEvent::IqResponse(Box::new(iq)),
            },
        };
        Some(event)
    }

    /// Queues a stanza for sending and returns its token, which follows it
    /// to the server's acknowledgement. Waits only if the send queue is full.
    pub async fn send(&self, stanza: impl Into<Stanza>) -> StanzaToken {
        self.stream.send(Box::new(stanza.into())).await
    }

    /// Says goodbye: sends unavailable presence, closes the stream and waits
    /// (a few seconds at most) for the server to close its side.
    pub async fn close(self) {
        let XmppConnection {
            stream, account, ..
        } = self;
        let goodbye = stream.send(Box::new(Presence::unavailable().into())).await;
        drop(goodbye);
        if tokio::time::timeout(CLOSE_DEADLINE, stream.close())
            .await
            .is_err()
        {
            tracing::debug!(%account, "the server did not close the stream in time");
        }
        tracing::info!(%account, "disconnected");
    }

    /// Answers an IQ request addressed to us: XEP-0199 pings get a pong (a
    /// server may use them to check that we are alive) and roster pushes an
    /// acknowledgement, as RFC 6121 asks; we serve nothing else, and say so
    /// as RFC 6120 asks.
    pub async fn answer(&self, request: Iq) {
        let (from, id, understood) = match request {
            Iq::Get {
                from, id, payload, ..
            } => (from, id, payload.is("ping", ns::PING)),
            Iq::Set {
                from, id, payload, ..
            } => (from, id, payload.is("query", ns::ROSTER)),
            Iq::Result { .. } | Iq::Error { .. } => return,
        };
        let answer = if understood {
            Iq::Result {
                from: None,
                to: from,
                id,
                payload: None,
            }
        } else {
            tracing::debug!(?from, "refusing an IQ request we do not serve");
            Iq::Error {
                from: None,
                to: from,
                id,
                error: StanzaError::new(
                    ErrorType::Cancel,
                    DefinedCondition::ServiceUnavailable,
                    "en",
                    "",
                ),
                payload: None,
            }
        };
        drop(self.send(answer).await);
    }
}

/// A new stanza stream for `settings`, of the current generation.
fn open_stream(
    settings: &XmppSettings,
    pacing: &Arc<Mutex<Pacing>>,
    report: &LinkReport,
) -> StanzaStream {
    let dns = DnsConfig::no_srv(&settings.server.host, settings.server.port);
    let report = report.clone();
    match settings.tls {
        TlsPolicy::StartTls => reconnecting_stream(
            StartTlsConnector(dns, report, tls::client_config(&settings.extra_roots)),
            settings,
            pacing,
        ),
        // The daemon warns about this at start-up.
        TlsPolicy::PlainTcp => reconnecting_stream(PlainConnector(dns, report), settings, pacing),
    }
}

/// A stanza stream whose transports come from `connector`, each attempt
/// paced by the [`Backoff`] in `pacing`, shared across losses and streams.
fn reconnecting_stream<C: ServerConnector>(
    connector: C,
    settings: &XmppSettings,
    pacing: &Arc<Mutex<Pacing>>,
) -> StanzaStream {
    let pacing = Arc::clone(pacing);
    let generation = lock(&pacing).generation;
    let account = settings.account.clone();
    let identity = settings.identity();
    let password = settings.password.clone();
    let timeouts = settings.timeouts;
    let reconnect = move |_preferred: Option<String>, slot: oneshot::Sender<Connection>| {
        let attempt = Attempt {
            connector: connector.clone(),
            account: account.clone(),
            identity: identity.clone(),
            password: password.clone(),
            timeouts,
            pacing: Arc::clone(&pacing),
            generation,
        };
        tokio::spawn(attempt.run(slot));
    };
    StanzaStream::new(Box::new(reconnect), QUEUE_DEPTH)
}

/// The shared reconnection pace of one connection.
struct Pacing {
    backoff: Backoff,
    /// When the last login succeeded; a connection that lasted
    /// [`STABLE_AFTER`] resets the backoff.
    connected_at: Option<Instant>,
    /// A login was handed to the stream and no session (new or resumed)
    /// has come of it yet.
    awaiting_session: bool,
    /// Counts the streams replaced; attempts for an older one give up.
    generation: u64,
}

/// The pacing, whatever a panicking holder left in it.
fn lock(pacing: &Mutex<Pacing>) -> std::sync::MutexGuard<'_, Pacing> {
    pacing.lock().unwrap_or_else(|e| e.into_inner())
}

/// One run of connection attempts, until one succeeds.
struct Attempt<C> {
    connector: C,
    account: BareJid,
    identity: Jid,
    password: Secret,
    timeouts: Timeouts,
    pacing: Arc<Mutex<Pacing>>,
    /// The stream generation this attempt serves.
    generation: u64,
}

impl<C: ServerConnector> Attempt<C> {
    async fn run(self, slot: oneshot::Sender<Connection>) {
        {
            let mut pacing = lock(&self.pacing);
            if pacing.awaiting_session {
                // The last login never became a session: this stream is
                // stuck, and the connection replaces it.
                return;
            }
            if pacing
                .connected_at
                .is_some_and(|since| since.elapsed() >= STABLE_AFTER)
            {
                pacing.backoff.reset();
            }
        }
        loop {
            let delay = lock(&self.pacing).backoff.next_delay(random_unit());
            if !delay.is_zero() {
                tracing::info!(
                    account = %self.account,
                    "next connection attempt in {:.1} s",
                    delay.as_secs_f64()
                );
                tokio::time::sleep(delay).await;
            }
            if slot.is_closed() || self.is_outdated() {
                // The connection was closed, dropped or given a fresh
                // stream meanwhile.
                return;
            }
            let login = login::log_in(
                self.connector.clone(),
                &self.identity,
                self.password.expose(),
                self.timeouts,
            );
            match tokio::time::timeout(LOGIN_DEADLINE, login).await {
                Err(_) => {
                    tracing::warn!(
                        account = %self.account,
                        "could not connect: no answer within {} s",
                        LOGIN_DEADLINE.as_secs()
                    );
                }
                Ok(Ok(connection)) => {
                    {
                        let mut pacing = lock(&self.pacing);
                        if pacing.generation != self.generation {
                            return;
                        }
                        pacing.connected_at = Some(Instant::now());
                        pacing.awaiting_session = true;
                    }
                    tracing::info!(account = %self.account, "logged in");
                    // If the stream is gone, the fresh connection is simply dropped.
                    let _ = slot.send(connection);
                    return;
                }
                Ok(Err(error)) if login::is_refused_login(&error) => {
                    tracing::error!(
                        account = %self.account,
                        %error,
                        "the server refused the login; check username and password"
                    );
                }
                Ok(Err(error)) => {
                    tracing::warn!(account = %self.account, %error, "could not connect");
                }
            }
        }
    }

    /// Whether the stream this attempt serves has been replaced.
    fn is_outdated(&self) -> bool {
        lock(&self.pacing).generation != self.generation
    }
}
