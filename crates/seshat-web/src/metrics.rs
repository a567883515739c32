//! The web side's Prometheus metrics, served at `/metrics` on
//! `metrics_listen` by the program that nests the routes (see
//! [`crate::WebChat::metrics`] and [`seshat_client::metrics`]).
//!
//! | metric | kind | what |
//! |---|---|---|
//! | `seshat_http_requests_total{route,status}` | counter | requests by matched route and status code |
//! | `seshat_open_long_polls` | gauge | `recvmessage` requests waiting now |
//! | `seshat_open_sockets` | gauge | WebSocket sessions open now |
//! | `seshat_rate_limit_refusals_total` | counter | requests refused with 429 |
//! | `seshat_visitor_delivery_seconds` | histogram | from a staff message's commit to its answer to the visitor (long poll or socket) |

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use seshat_client::{clock, Author, VisitorMessage};

/// The labels of one request count.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route as declared, with each parameter written `:name`
    /// (`/chat/recvmessage/:token`: braces trip up some scrapers' parsers),
    /// never the token itself; `unmatched` for paths no route has.
    pub route: String,
    /// The status code.
    pub status: u16,
}

/// Every metric of the web side. Cheap to clone: clones share the values.
#[derive(Debug, Clone)]
pub struct WebMetrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    open_long_polls: Gauge,
    open_sockets: Gauge,
    rate_limit_refusals: Counter,
    visitor_delivery: Histogram,
}

impl Default for WebMetrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("seshat");
        let metrics = WebMetrics {
            registry: Arc::new(Registry::default()),
            requests: Family::default(),
            open_long_polls: Gauge::default(),
            open_sockets: Gauge::default(),
            rate_limit_refusals: Counter::default(),
            // 0.5 ms to about 4 s.
            visitor_delivery: Histogram::new(exponential_buckets(0.0005, 2.0, 14)),
        };
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            metrics.requests.clone(),
        );
        registry.register(
            "open_long_polls",
            "recvmessage requests waiting now",
            metrics.open_long_polls.clone(),
        );
        registry.register(
            "open_sockets",
            "WebSocket sessions open now",
            metrics.open_sockets.clone(),
        );
        registry.register(
            "rate_limit_refusals",
            "Requests refused by the rate limits",
            metrics.rate_limit_refusals.clone(),
        );
        registry.register(
            "visitor_delivery_seconds",
            "Seconds from a staff message's commit to its answer to the visitor",
            metrics.visitor_delivery.clone(),
        );
        WebMetrics {
            registry: Arc::new(registry),
            ..metrics
        }
    }
}

/// Counts a waiter for as long as it lives.
#[derive(Debug)]
pub struct Waiting(Gauge);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl WebMetrics {
    /// Every metric as text, for `/metrics`.
    pub fn encode(&self) -> String {
        seshat_client::metrics::encode(&self.registry)
    }

    /// A long poll starts waiting; it stops when the guard is dropped.
    pub fn long_poll(&self) -> Waiting {
        self.open_long_polls.inc();
        Waiting(self.open_long_polls.clone())
    }

    /// A socket session opens; it closes when the guard is dropped.
    pub fn socket(&self) -> Waiting {
        self.open_sockets.inc();
        Waiting(self.open_sockets.clone())
    }

    /// A request was refused by a rate limit.
    pub fn rate_limited(&self) {
        self.rate_limit_refusals.inc();
    }

    /// `messages` are being answered to the visitor now: the staff
    /// members' among them count towards the delivery time.
    pub fn delivered<'a>(&self, messages: impl IntoIterator<Item = &'a VisitorMessage>) {
        let now = clock::now();
        for message in messages {
            if matches!(message.author, Author::Staff(_)) && message.posted_at > 0.0 {
                self.visitor_delivery
                    .observe((now - message.posted_at).max(0.0));
            }
        }
    }
}

/// `/chat/recvmessage/{token}` as `/chat/recvmessage/:token`.
fn route_label(declared: &str) -> String {
    declared
        .split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => format!(":{name}"),
                None => segment.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// Middleware: counts each request by route and status.
pub async fn count_requests(
    State(metrics): State<WebMetrics>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| route_label(path.as_str()));
    let response = next.run(request).await;
    metrics
        .requests
        .get_or_create(&RequestLabels {
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_parameters_are_written_with_a_colon() {
        assert_eq!(
            route_label("/chat/recvmessage/{token}"),
            "/chat/recvmessage/:token"
        );
        assert_eq!(route_label("/chat/start"), "/chat/start");
    }
}
