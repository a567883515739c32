//! The daemon's Prometheus metrics, served at `/metrics` on
//! `metrics_listen` (see [`seshat_client::metrics`]).
//!
//! | metric | kind | what |
//! |---|---|---|
//! | `seshat_chats{status}` | gauge | chats by status, read from the store at each scrape |
//! | `seshat_staff_available`, `seshat_staff_busy` | gauge | staff online and free, online and in a chat |
//! | `seshat_xmpp_connected` | gauge | 1 while the bot is logged in |
//! | `seshat_xmpp_stream_management` | gauge | 1 while the server acknowledges stanzas (XEP-0198) |
//! | `seshat_messages_relayed_total{direction}` | counter | `to_staff` (acknowledged by the server), `to_visitor` (queued for the web side) |
//! | `seshat_offers_total`, `seshat_accepts_total`, `seshat_cancels_total` | counter | offers sent (per chat), `!ACCEPT`s and `!CANCEL`s that worked |
//! | `seshat_offer_timeouts_total` | counter | chats nobody accepted in time |
//! | `seshat_chat_failures_total` | counter | chats failed because nobody was available |
//! | `seshat_xmpp_reconnects_total` | counter | sessions resumed or started again after a lost connection |
//! | `seshat_stanzas_failed_total` | counter | staff-bound messages the stream lost (sent again) or could not write |
//! | `seshat_accept_wait_seconds` | histogram | from a chat's start to its `!ACCEPT` |
//! | `seshat_relay_latency_seconds` | histogram | from a staff-bound message's commit to the server's acknowledgement |

use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use seshat_client::metrics::Render;
use seshat_client::Client;

/// A label naming a chat status.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabel {
    /// The status, as [`seshat_client::ChatStatus::as_str`] names it.
    pub status: String,
}

/// A label naming the direction of a relayed message.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DirectionLabel {
    /// `to_staff` or `to_visitor`.
    pub direction: &'static str,
}

/// Every metric the daemon keeps. Cheap to clone: clones share the values.
#[derive(Debug, Clone)]
pub struct DaemonMetrics {
    registry: Arc<Registry>,
    chats: Family<StatusLabel, Gauge>,
    staff_available: Gauge,
    staff_busy: Gauge,
    /// 1 while logged in.
    pub xmpp_connected: Gauge,
    /// 1 while the server acknowledges stanzas.
    pub stream_management: Gauge,
    relayed: Family<DirectionLabel, Counter>,
    /// Offers sent, one per chat.
    pub offers: Counter,
    /// `!ACCEPT`s that took a chat.
    pub accepts: Counter,
    /// `!CANCEL`s that withdrew a chat.
    pub cancels: Counter,
    /// Chats nobody accepted in time.
    pub offer_timeouts: Counter,
    /// Chats failed because nobody was available.
    pub chat_failures: Counter,
    /// Sessions resumed or started again after a lost connection.
    pub reconnects: Counter,
    /// Staff-bound messages lost by the stream or impossible to write.
    pub stanzas_failed: Counter,
    /// Seconds from a chat's start to its acceptance.
    pub accept_wait: Histogram,
    /// Seconds from a staff-bound message's commit to its acknowledgement.
    pub relay_latency: Histogram,
}

impl Default for DaemonMetrics {
    fn default() -> Self {
        DaemonMetrics::new()
    }
}

impl DaemonMetrics {
    /// Every metric at zero, registered under the `seshat_` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("seshat");
        let metrics = DaemonMetrics {
            registry: Arc::new(Registry::default()),
            chats: Family::default(),
            staff_available: Gauge::default(),
            staff_busy: Gauge::default(),
            xmpp_connected: Gauge::default(),
            stream_management: Gauge::default(),
            relayed: Family::default(),
            offers: Counter::default(),
            accepts: Counter::default(),
            cancels: Counter::default(),
            offer_timeouts: Counter::default(),
            chat_failures: Counter::default(),
            reconnects: Counter::default(),
            stanzas_failed: Counter::default(),
            // 0.5 s to about 68 min: a chat waits seconds to many minutes.
            accept_wait: Histogram::new(
                prometheus_client::metrics::histogram::exponential_buckets(0.5, 2.0, 14),
            ),
            // 0.5 ms to about 4 s.
            relay_latency: Histogram::new(
                prometheus_client::metrics::histogram::exponential_buckets(0.0005, 2.0, 14),
            ),
        };
        registry.register("chats", "Chats by status", metrics.chats.clone());
        registry.register(
            "staff_available",
            "Staff members online and not in a chat",
            metrics.staff_available.clone(),
        );
        registry.register(
            "staff_busy",
            "Staff members online and in a chat",
            metrics.staff_busy.clone(),
        );
        registry.register(
            "xmpp_connected",
            "1 while the bot is logged in to the XMPP server",
            metrics.xmpp_connected.clone(),
        );
        registry.register(
            "xmpp_stream_management",
            "1 while the server acknowledges stanzas (XEP-0198)",
            metrics.stream_management.clone(),
        );
        registry.register(
            "messages_relayed",
            "Messages relayed, to_staff once the server acknowledged them, to_visitor once queued",
            metrics.relayed.clone(),
        );
        registry.register("offers", "Chats offered to staff", metrics.offers.clone());
        registry.register(
            "accepts",
            "Chats accepted with !ACCEPT",
            metrics.accepts.clone(),
        );
        registry.register(
            "cancels",
            "Chats canceled with !CANCEL",
            metrics.cancels.clone(),
        );
        registry.register(
            "offer_timeouts",
            "Offered chats nobody accepted in time",
            metrics.offer_timeouts.clone(),
        );
        registry.register(
            "chat_failures",
            "Chats failed because no staff member was available",
            metrics.chat_failures.clone(),
        );
        registry.register(
            "xmpp_reconnects",
            "Sessions resumed or started again after a lost connection",
            metrics.reconnects.clone(),
        );
        registry.register(
            "stanzas_failed",
            "Staff-bound messages the stream lost (and sent again) or could not write",
            metrics.stanzas_failed.clone(),
        );
        registry.register(
            "accept_wait_seconds",
            "Seconds from a chat's start to its acceptance",
            metrics.accept_wait.clone(),
        );
        registry.register(
            "relay_latency_seconds",
            "Seconds from a staff-bound message's commit to the server's acknowledgement",
            metrics.relay_latency.clone(),
        );
        DaemonMetrics {
            registry: Arc::new(registry),
            ..metrics
        }
    }

    /// Counts `count` messages relayed to staff.
    pub fn relayed_to_staff(&self, count: u64) {
        self.relayed
            .get_or_create(&DirectionLabel {
                direction: "to_staff",
            })
            .inc_by(count);
    }

    /// Counts one message relayed to a visitor.
    pub fn relayed_to_visitor(&self) {
        self.relayed
            .get_or_create(&DirectionLabel {
                direction: "to_visitor",
            })
            .inc();
    }

    /// What a scrape shows: the gauges read from `store` now, then every
    /// metric as text.
    pub fn render(&self, store: Client) -> Render {
        let metrics = self.clone();
        Arc::new(move || {
            let (metrics, store) = (metrics.clone(), store.clone());
            Box::pin(async move {
                let (counts, on_duty) = store
                    .run(|store| Ok((store.chat_counts()?, store.staff_on_duty()?)))
                    .await
                    .map_err(|error| format!("the store does not answer: {error}\n"))?;
                metrics.chats.clear();
                for (status, count) in counts {
                    let label = StatusLabel {
                        status: status.as_str().to_owned(),
                    };
                    metrics
                        .chats
                        .get_or_create(&label)
                        .set(i64::try_from(count).unwrap_or(i64::MAX));
                }
                let busy = on_duty.iter().filter(|(_, chat)| chat.is_some()).count();
                let free = on_duty.len() - busy;
                metrics.staff_busy.set(busy as i64);
                metrics.staff_available.set(free as i64);
                Ok(seshat_client::metrics::encode(&metrics.registry))
            })
        })
    }
}
