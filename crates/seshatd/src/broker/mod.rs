//! The event loop that ties the store, staff presence, the commands and the
//! XMPP connection together.
//!
//! It sleeps until something happens, then reacts:
//!
//! - **a commit that concerns staff** (a wake-up of [`Topic::Staff`],
//!   within milliseconds, whichever process wrote: a new chat, a message
//!   for staff, a status change): offer new chats, send staff-bound
//!   messages; delivery marks and presence do not wake it;
//! - **an XMPP event**: a new session (initial presence, subscriptions,
//!   presence settle time), a lost or resumed connection, staff presence,
//!   a staff message (command, or text for their visitor);
//! - **a delivery report**: the server acknowledged a staff-bound message
//!   (mark it delivered) or the stream lost it (send it again);
//! - **a deadline**: a grace period or an offer running out, or presence
//!   having had time to settle.
//!
//! After each wake-up one *relay pass* looks at the store and does what is
//! due. There is no polling loop.
//!
//! Store calls block, so they run on tokio's blocking pool through
//! [`seshat_client::Client::run`]; the loop awaits each in turn, which keeps
//! staff messages in the order they arrived.

mod counting;
mod line;
mod offers;
mod outbox;
mod reloading;
mod replies;
mod rescue;
mod stale;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use seshat_client::{clock, ChatStatus, Client, StaffMessage, StaffNames, Topic};
use tokio::time::Instant;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::message::{Id, Message, MessageType};
use xmpp_parsers::presence::Presence;
use xmpp_parsers::roster::Roster;

pub use self::offers::{plan, Offer, OfferPolicy, Plan, Situation};
pub use self::outbox::{Delivery, Outbox};
pub use self::replies::{answer_staff, to_staff};
use self::rescue::{Absences, Reoffer};
use crate::commands::Commands;
use crate::config::Config;
use crate::metrics::DaemonMetrics;
use crate::presence::{PresenceEvent, StaffPresence};
use crate::service::ServiceManager;
use crate::texts;
use crate::xmpp::{XmppConnection, XmppEvent};

/// How many undelivered staff-bound messages one pass looks at. Messages
/// still in flight count too, so this also caps how many are in flight.
const STAFF_BOUND_BATCH: usize = 512;

/// Most stanzas handled in one go before a relay pass.
const BURST: usize = 256;

/// How long to wait before trying again after the store failed.
const STORE_RETRY: Duration = Duration::from_secs(1);

/// The id of the roster request of a session, to recognise its answer.
const ROSTER_QUERY_ID: &str = "seshat-roster";

/// The settings the broker acts on.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokerSettings {
    /// The configured staff: the only JIDs whose presence counts and whose
    /// messages are obeyed.
    pub staff: Vec<BareJid>,
    /// Offer timeout and grace period.
    pub policy: OfferPolicy,
    /// How long after a session starts before chats may fail for lack of staff.
    pub presence_settle: Duration,
    /// How long a handler may have no connected client before their chat
    /// is offered to others.
    pub handler_grace: Duration,
    /// Whether staff are told what became of offers they got.
    pub offer_notices: bool,
    /// How texts to staff name colleagues.
    pub names: StaffNames,
}

impl BrokerSettings {
    /// The broker's settings from a daemon configuration.
    pub fn from_config(config: &Config) -> Self {
        BrokerSettings {
            staff: config.staff.clone(),
            policy: OfferPolicy {
                offer_timeout: config.offer_timeout,
                no_staff_grace: config.no_staff_grace,
                queue_when_busy: config.queue_when_busy,
                max_queue: config.max_queue,
            },
            presence_settle: config.presence_settle,
            handler_grace: config.handler_grace,
            offer_notices: config.offer_notices,
            names: config.names(),
        }
    }
}

/// Settings re-read while running (SIGHUP), for the broker to apply.
#[derive(Debug, Clone, PartialEq)]
pub struct Reload {
    /// The configured staff, as the file says now.
    pub staff: Vec<BareJid>,
}

/// Why the broker stopped other than by being asked to.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The XMPP stream ended although nobody closed it (tokio-xmpp gave up).
    #[error("the XMPP connection ended unexpectedly")]
    StreamEnded,
    /// The database failed at start-up.
    #[error("{0}")]
    Store(#[from] seshat_client::Error),
}

/// The current XMPP session: from a login to the next login that cannot
/// resume it.
#[derive(Debug, Clone, Copy)]
struct Session {
    /// Whether the server acknowledges stanzas (XEP-0198).
    acks: bool,
    /// Unix seconds from which missing staff presence means "nobody is
    /// there" rather than "not arrived yet".
    presence_settled_at: f64,
    /// False while the connection is lost and being re-established.
    connected: bool,
}

/// The broker. Build it with [`Broker::new`], then [`Broker::run`] it.
pub struct Broker {
    /// The shared database.
    store: Client,
    /// The staff commands, shared with the blocking threads that run them.
    commands: Arc<Commands>,
    /// Timing rules.
    settings: BrokerSettings,
    /// Who is staff, and which of their resources are available.
    presence: StaffPresence,
    /// `None` until the first login.
    session: Option<Session>,
    /// Staff-bound messages handed to the stream and not settled yet.
    outbox: Outbox,
    /// Who was offered each waiting chat, to tell them when it times out.
    /// Forgotten on restart; then nobody is told, the visitor still is.
    offered_to: HashMap<i64, Vec<BareJid>>,
    /// Who canceled an offered chat with `!CANCEL`, so that they are not
    /// told of it.
    canceled_by: HashMap<i64, BareJid>,
    /// The place in line last told to each chat's visitor.
    places_told: HashMap<i64, usize>,
    /// Busy staff members told that someone waits in line.
    told_of_line: HashSet<BareJid>,
    /// Staff members without a connected client, for rescuing their chats.
    absences: Absences,
    /// Chats taken back from a handler who dropped, until offered again.
    reoffers: HashMap<i64, Reoffer>,
    /// Whether the last pass failed on the store and should be retried soon.
    store_failing: bool,
    /// Readiness, status and watchdog for systemd.
    service: ServiceManager,
    /// Whether readiness was announced (at the first login).
    announced_ready: bool,
    /// Reloaded settings, when someone sends them.
    reloads: Option<tokio::sync::watch::Receiver<Reload>>,
    /// What `/metrics` shows.
    metrics: DaemonMetrics,
    /// When each staff-bound message in flight was committed, for the
    /// relay latency.
    committed_at: HashMap<i64, f64>,
}

impl Broker {
    /// A broker on `store` with `commands`, before any connection.
    pub fn new(
        store: Client,
        commands: impl Into<Arc<Commands>>,
        settings: BrokerSettings,
    ) -> Self {
        Broker {
            store,
            commands: commands.into(),
            presence: StaffPresence::new(settings.staff.iter().cloned()),
            settings,
            session: None,
            outbox: Outbox::new(),
            offered_to: HashMap::new(),
            canceled_by: HashMap::new(),
            places_told: HashMap::new(),
            told_of_line: HashSet::new(),
            absences: Absences::default(),
            reoffers: HashMap::new(),
            store_failing: false,
            service: ServiceManager::default(),
            announced_ready: false,
            reloads: None,
            metrics: DaemonMetrics::default(),
            committed_at: HashMap::new(),
        }
    }

    /// Counts what happens in `metrics` (by default, metrics nobody reads).
    pub fn with_metrics(mut self, metrics: DaemonMetrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Reports readiness, status and liveness to `service`.
    pub fn with_service(mut self, service: ServiceManager) -> Self {
        self.service = service;
        self
    }

    /// Applies each [`Reload`] published on `reloads` from now on (the
    /// current one is taken as already applied).
    pub fn with_reloads(mut self, mut reloads: tokio::sync::watch::Receiver<Reload>) -> Self {
        reloads.mark_unchanged();
        self.reloads = Some(reloads);
        self
    }

    /// Runs until `shutdown` completes, then says goodbye on `connection`
    /// and marks every staff member offline.
    ///
    /// Marks all staff offline before the first login, since presence
    /// from an earlier run means nothing now.
    pub async fn run(
        mut self,
        mut connection: XmppConnection,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), BrokerError> {
        self.store.run(|store| store.reset_presence()).await?;
        // New chats, staff-bound messages and status changes: what a relay
        // pass acts on. Delivery marks and presence wake nothing.
        let mut staff_side = self.store.store().wakeups().subscribe(Topic::Staff);
        tokio::pin!(shutdown);
        let mut next_due: Option<Instant> = None;
        let mut watchdog = self.service.watchdog_interval().map(tokio::time::interval);
        loop {
            let deadline = async {
                match next_due {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                event = connection.next_event() => match event {
                    Some(event) => self.on_event(event, &connection).await,
                    None => return Err(BrokerError::StreamEnded),
                },
                () = self.outbox.changed() => self.on_deliveries().await,
                () = staff_side.changed() => {}
                () = deadline => {}
                _ = tick(&mut watchdog) => {
                    self.service.ping_watchdog();
                    continue;
                }
                reload = next_reload(&mut self.reloads) => match reload {
                    Some(reload) => self.on_reload(reload, &connection).await,
                    None => self.reloads = None,
                },
            }
            // Under load stanzas arrive in bursts: handle all that are
            // already here, so that one relay pass serves them together.
            for _ in 0..BURST {
                match connection.next_event().now_or_never() {
                    Some(Some(event)) => self.on_event(event, &connection).await,
                    Some(None) => return Err(BrokerError::StreamEnded),
                    None => break,
                }
            }
            self.on_deliveries().await;
            // The pass reads the store after this point, so it covers every
            // commit signalled so far.
            staff_side.mark_seen();
            next_due = self.relay(&connection).await;
        }
        tracing::info!("shutting down");
        self.service.stopping();
        self.metrics.xmpp_connected.set(0);
        connection.close().await;
        if let Err(error) = self.store.run(|store| store.reset_presence()).await {
            tracing::warn!(%error, "could not mark staff offline on the way out");
        }
        Ok(())
    }

    // ----- XMPP events ---------------------------------------------------

    async fn on_event(&mut self, event: XmppEvent, connection: &XmppConnection) {
        match event {
            XmppEvent::SessionStarted { bound_jid, acks } => {
                self.on_session_started(bound_jid, acks, connection).await
            }
            XmppEvent::Suspended => self.on_suspended().await,
            XmppEvent::Resumed => self.on_resumed().await,
            XmppEvent::Presence(presence) => self.on_presence(*presence, connection).await,
            XmppEvent::Message(message) => self.on_message(*message, connection).await,
            XmppEvent::IqResponse(iq) => self.on_iq_response(*iq, connection).await,
            XmppEvent::IqRequest(iq) => connection.answer(*iq).await,
        }
    }

    /// A fresh session: the server forgot the old one, so presence starts
    /// from nothing, is announced again, and has time to arrive before
    /// anyone is declared absent.
    async fn on_session_started(
        &mut self,
        bound_jid: Jid,
        acks: bool,
        connection: &XmppConnection,
    ) {
        tracing::info!(%bound_jid, stream_management = acks, "online");
        self.metrics.xmpp_connected.set(1);
        self.metrics.stream_management.set(i64::from(acks));
        if self.session.is_some() {
            self.metrics.reconnects.inc();
        }
        let status = format!("logged in as {bound_jid}");
        if self.announced_ready {
            self.service.status(&status);
        } else {
            self.service.ready(&status);
            self.announced_ready = true;
        }
        if !acks {
            tracing::warn!(
                "the server does not offer stream management (XEP-0198): a staff-bound \
                 message counts as delivered once written, and one in transit when the \
                 connection breaks may be lost"
            );
        }
        self.presence.forget_all();
        self.write_presence_back(false).await;
        let presence_settled_at = clock::now() + self.settings.presence_settle.as_secs_f64();
        // Whoever has not reappeared once presence settled has been gone
        // since then, as far as their chats are concerned.
        for staff in self.presence.staff() {
            self.absences.gone(staff, presence_settled_at);
        }
        self.session = Some(Session {
            acks,
            presence_settled_at,
            connected: true,
        });
        drop(connection.send(Presence::available()).await);
        drop(connection.send(roster_query()).await);
    }

    /// The connection broke: until it is back, nobody counts as available
    /// to the web side. What we know of staff presence is kept in case the
    /// session resumes.
    async fn on_suspended(&mut self) {
        tracing::warn!("lost the connection to the XMPP server; reconnecting");
        self.service
            .status("lost the connection to the XMPP server; reconnecting");
        self.metrics.xmpp_connected.set(0);
        if let Some(session) = self.session.as_mut() {
            session.connected = false;
        }
        if let Err(error) = self.store.run(|store| store.reset_presence()).await {
            tracing::error!(%error, "could not mark staff offline");
        }
    }

    /// The session resumed: the server kept it and queued what we missed,
    /// so the presence we knew still holds; show it to the web side again.
    async fn on_resumed(&mut self) {
        tracing::info!("reconnected; the session was resumed");
        self.service.status("reconnected; the session was resumed");
        self.metrics.xmpp_connected.set(1);
        self.metrics.reconnects.inc();
        if let Some(session) = self.session.as_mut() {
            session.connected = true;
        }
        self.write_presence_back(true).await;
    }

    /// Copies the known presence to the store (`restore`), or marks all
    /// staff offline.
    async fn write_presence_back(&mut self, restore: bool) {
        let known: Vec<(String, String, bool)> = if restore {
            self.presence
                .resources()
                .map(|(staff, resource, state)| {
                    (staff.to_string(), resource.to_owned(), state.is_available())
                })
                .collect()
        } else {
            Vec::new()
        };
        let written = self
            .store
            .run(move |store| {
                store.reset_presence()?;
                for (staff, resource, available) in &known {
                    store.set_presence(staff, resource, *available)?;
                }
                Ok(())
            })
            .await;
        if let Err(error) = written {
            tracing::error!(%error, "could not record staff presence");
        }
    }

    async fn on_presence(&mut self, presence: Presence, connection: &XmppConnection) {
        match self.presence.classify(&presence) {
            PresenceEvent::Availability {
                staff,
                resource,
                state,
            } => {
                if !self.presence.record(&staff, &resource, state) {
                    return;
                }
                let available = state.is_available();
                tracing::info!(%staff, %resource, ?state, "staff presence");
                if self.presence.is_reachable(&staff) {
                    self.absences.back(&staff);
                } else {
                    self.absences.gone(&staff, clock::now());
                }
                let (who, which) = (staff.to_string(), resource.clone());
                let written = self
                    .store
                    .run(move |store| store.set_presence(&who, &which, available))
                    .await;
                if let Err(error) = written {
                    tracing::error!(%error, %staff, "could not record staff presence");
                }
            }
            PresenceEvent::SubscriptionRequest { staff } => {
                tracing::info!(%staff, "approving a staff member's presence subscription");
                drop(connection.send(Presence::subscribed().with_to(staff)).await);
            }
            PresenceEvent::NoChange => {
                tracing::debug!(from = ?presence.from, kind = ?presence.type_, "presence changes nothing");
            }
            PresenceEvent::Stranger => {
                tracing::debug!(from = ?presence.from, kind = ?presence.type_, "ignoring presence from someone who is not staff");
            }
        }
    }

    /// The roster arrived: ask the staff members the bot cannot see yet.
    async fn on_iq_response(&mut self, iq: Iq, connection: &XmppConnection) {
        let roster = match iq {
            Iq::Result { id, payload, .. } if id == ROSTER_QUERY_ID => {
                payload.and_then(|payload| Roster::try_from(payload).ok())
            }
            Iq::Error { id, error, .. } if id == ROSTER_QUERY_ID => {
                tracing::warn!(
                    ?error,
                    "the server would not give the roster; asking every staff member for presence"
                );
                None
            }
            other => {
                tracing::debug!(id = other.id(), "ignoring an unexpected IQ response");
                return;
            }
        };
        for staff in self.presence.subscriptions_to_request(roster.as_ref()) {
            tracing::info!(%staff, "asking a staff member for a presence subscription");
            drop(connection.send(Presence::subscribe().with_to(staff)).await);
        }
    }

    /// A message: from staff, a command or text for their visitor; from
    /// anyone else, ignored (defect 7).
    async fn on_message(&mut self, message: Message, connection: &XmppConnection) {
        let Some(from) = message.from.clone() else {
            return;
        };
        if !self.presence.is_staff(&from) {
            tracing::debug!(%from, "ignoring a message from someone who is not staff");
            return;
        }
        match message.type_ {
            MessageType::Chat | MessageType::Normal => {}
            MessageType::Error => {
                tracing::warn!(%from, "a message to a staff member bounced");
                return;
            }
            MessageType::Groupchat | MessageType::Headline => return,
        }
        // Chat states and receipts carry no body.
        let Some((_, body)) = message.get_best_body_cloned(vec![]) else {
            return;
        };
        let staff = from.to_bare().to_string();
        let command = self.commands.parse(&body);
        let commands = Arc::clone(&self.commands);
        let answer = self
            .store
            .run(move |store| Ok(answer_staff(&commands, store, &staff, &body)))
            .await;
        self.count_staff_message(command, &answer, &from).await;
        match answer {
            Ok(Some(reply)) => drop(connection.send(to_staff(from, &reply)).await),
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "could not handle a staff message"),
        }
    }

    // ----- delivery reports --------------------------------------------------

    /// Records the fate of the messages whose fate is decided: marks the
    /// delivered ones, in sending order, and lets the lost ones be sent again.
    async fn on_deliveries(&mut self) {
        let reports = self.outbox.take_settled();
        if reports.is_empty() {
            return;
        }
        // An unsendable message is settled too: it would fail every time.
        let delivered: Vec<i64> = reports
            .iter()
            .filter_map(|report| match report {
                Delivery::Delivered(id) | Delivery::Unsendable(id) => Some(*id),
                Delivery::Lost(_) => None,
            })
            .collect();
        let now = clock::now();
        for report in &reports {
            match report {
                Delivery::Delivered(id) => {
                    self.metrics.relayed_to_staff(1);
                    if let Some(committed) = self.committed_at.remove(id) {
                        self.metrics
                            .relay_latency
                            .observe((now - committed).max(0.0));
                    }
                }
                Delivery::Unsendable(id) | Delivery::Lost(id) => {
                    self.metrics.stanzas_failed.inc();
                    self.committed_at.remove(id);
                }
            }
        }
        if !delivered.is_empty() {
            let marked = self
                .store
                .run(move |store| store.mark_all_delivered(&delivered))
                .await;
            if let Err(error) = marked {
                // Not in flight any more, they go out again: a duplicate at worst.
                tracing::error!(%error, "could not mark messages delivered; they will be sent again");
            }
        }
        for report in reports {
            match report {
                Delivery::Lost(id) => tracing::info!(
                    message = id,
                    "the server did not confirm a message; sending it again"
                ),
                Delivery::Unsendable(id) => tracing::error!(
                    message = id,
                    "a message to staff could not be written as XML; it is not sent again"
                ),
                Delivery::Delivered(_) => {}
            }
        }
    }

    // ----- the relay pass ------------------------------------------------

    /// Does what is due: offers, failures, staff-bound messages. Returns
    /// when to look again if nothing else happens.
    async fn relay(&mut self, connection: &XmppConnection) -> Option<Instant> {
        let session = self.session.filter(|session| session.connected)?;
        let rescue_due = match self.rescue_stranded().await {
            Ok(due) => due,
            Err(error) => return Some(self.store_failed(error)),
        };
        let due = match self.handle_waiting_chats(session, connection).await {
            Ok(due) => earliest(due, rescue_due),
            Err(error) => return Some(self.store_failed(error)),
        };
        if let Err(error) = self.send_staff_bound(session, connection).await {
            return Some(self.store_failed(error));
        }
        self.store_failing = false;
        due.map(|due| {
            let wait = (due - clock::now()).max(0.0);
            // Float seconds of a far-away deadline must not overflow.
            Instant::now() + Duration::from_secs_f64(wait.min(86_400.0))
        })
    }

    fn store_failed(&mut self, error: seshat_client::Error) -> Instant {
        if !self.store_failing {
            tracing::error!(%error, "the database failed; retrying");
        }
        self.store_failing = true;
        Instant::now() + STORE_RETRY
    }

    /// Offers new chats, fails the ones nobody can or did take; returns the
    /// next deadline among them.
    async fn handle_waiting_chats(
        &mut self,
        session: Session,
        connection: &XmppConnection,
    ) -> Result<Option<f64>, seshat_client::Error> {
        let (waiting, available) = self
            .store
            .run(|store| {
                let waiting = store.waiting_chats()?;
                // Who is available matters only for chats not offered yet.
                let available = if waiting
                    .iter()
                    .any(|chat| chat.status == ChatStatus::Waiting)
                {
                    store.available_staff()?
                } else {
                    Vec::new()
                };
                Ok((waiting, available))
            })
            .await?;
        self.tell_of_stale_offers(&waiting, connection).await?;
        self.reoffers
            .retain(|chat_id, _| waiting.iter().any(|chat| chat.id == *chat_id));
        // Only configured staff: the table may hold others from an older
        // configuration.
        let available: Vec<BareJid> = available
            .iter()
            .filter_map(|staff| BareJid::new(staff).ok())
            .filter(|staff| self.presence.is_staff(&staff.clone().into()))
            .collect();
        let anyone_online = self
            .presence
            .staff()
            .any(|staff| self.presence.is_available(staff));
        let plan = plan(
            &self.settings.policy,
            &Situation {
                now: clock::now(),
                presence_settled_at: session.presence_settled_at,
                waiting: &waiting,
                available: &available,
                anyone_online,
            },
        );
        self.tell_places_in_line(&plan.in_line, &available, connection)
            .await?;
        for offer in plan.offer {
            self.offer(offer, connection).await?;
        }
        for chat_id in plan.nobody_available {
            let failed = self
                .store
                .run(move |store| store.fail_chat(chat_id, seshat_client::texts::NOBODY_AVAILABLE))
                .await?;
            if failed {
                self.metrics.chat_failures.inc();
            }
        }
        for chat_id in plan.nobody_answered {
            let failed = self
                .store
                .run(move |store| store.fail_chat(chat_id, seshat_client::texts::NOBODY_ANSWERED))
                .await?;
            if failed {
                self.metrics.offer_timeouts.inc();
            }
            let offered = self.offered_to.remove(&chat_id);
            if let (true, Some(offered), true) = (failed, offered, self.settings.offer_notices) {
                for staff in offered {
                    let notice = to_staff(staff, &texts::offer_expired(chat_id));
                    drop(connection.send(notice).await);
                }
            }
        }
        Ok(plan.next_due)
    }

    /// Sends the offer of one chat to each recipient, then marks it offered.
    /// In that order: a crash in between offers it again on restart rather
    /// than never.
    async fn offer(
        &mut self,
        offer: Offer,
        connection: &XmppConnection,
    ) -> Result<(), seshat_client::Error> {
        let Offer { chat, recipients } = offer;
        let reoffer = self.reoffers.get(&chat.id);
        for recipient in &recipients {
            let others: Vec<String> = recipients
                .iter()
                .filter(|other| *other != recipient)
                .map(|other| self.settings.names.for_staff(other.as_str()))
                .collect();
            let text = match reoffer {
                Some(reoffer) => {
                    texts::reoffer_text(&chat, &others, &reoffer.lost_handler, &reoffer.history)
                }
                None => texts::offer_text(&chat, &others),
            };
            drop(connection.send(to_staff(recipient.clone(), &text)).await);
        }
        let chat_id = chat.id;
        let marked = self
            .store
            .run(move |store| store.mark_notified(chat_id))
            .await?;
        if marked {
            let names: Vec<String> = recipients.iter().map(ToString::to_string).collect();
            tracing::info!(chat = chat_id, offered_to = %names.join(", "), "chat offered");
            self.metrics.offers.inc();
            self.offered_to.insert(chat_id, recipients);
            self.reoffers.remove(&chat_id);
        }
        Ok(())
    }

    /// Hands undelivered staff-bound messages to the stream, in order,
    /// skipping those already in flight. Messages for a staff member with
    /// no connected client wait in the store until one connects: sent
    /// now, a server without offline storage would bounce them after
    /// acknowledging them, and they would be lost.
    async fn send_staff_bound(
        &mut self,
        session: Session,
        connection: &XmppConnection,
    ) -> Result<(), seshat_client::Error> {
        let reachable: Vec<String> = self
            .presence
            .reachable()
            .iter()
            .map(ToString::to_string)
            .collect();
        if reachable.is_empty() {
            return Ok(());
        }
        let pending: Vec<StaffMessage> = self
            .store
            .run(move |store| store.staff_bound_to(&reachable, STAFF_BOUND_BATCH))
            .await?;
        for message in pending {
            if self.outbox.is_in_flight(message.id) {
                continue;
            }
            // Asked for by JID, so it parses; were it not, skip it.
            let Ok(staff) = BareJid::new(&message.staff) else {
                continue;
            };
            tracing::debug!(message = message.id, chat = message.chat_id, %staff, body = %message.text, "to staff");
            let mut stanza = to_staff(staff, &message.text);
            // A stable id: a copy sent again after a crash carries the same one.
            stanza.id = Some(Id(format!("seshat-{}", message.id)));
            let token = connection.send(stanza).await;
            if message.posted_at > 0.0 {
                self.committed_at.insert(message.id, message.posted_at);
            }
            self.outbox.track(message.id, token, session.acks);
        }
        Ok(())
    }
}

/// The earlier of two optional deadlines.
fn earliest(first: Option<f64>, second: Option<f64>) -> Option<f64> {
    match (first, second) {
        (Some(first), Some(second)) => Some(first.min(second)),
        (first, second) => first.or(second),
    }
}

/// The request for the bot's roster, whose answer says whom to ask for a
/// presence subscription.
fn roster_query() -> Iq {
    Iq::from_get(
        ROSTER_QUERY_ID,
        Roster {
            ver: None,
            items: vec![],
        },
    )
}

/// The next watchdog tick, or never without a watchdog.
async fn tick(watchdog: &mut Option<tokio::time::Interval>) {
    match watchdog {
        Some(interval) => {
            interval.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// The next reload, `None` once its sender is gone; never without one.
async fn next_reload(reloads: &mut Option<tokio::sync::watch::Receiver<Reload>>) -> Option<Reload> {
    match reloads {
        Some(reloads) => match reloads.changed().await {
            Ok(()) => Some(reloads.borrow_and_update().clone()),
            Err(_) => None,
        },
        None => std::future::pending().await,
    }
}
