//! The `/metrics` endpoint both programs serve when `metrics_listen` is
//! set: Prometheus' text format, from a [`Registry`] the program fills.
//! Only with the `metrics` feature.
//!
//! Each program registers its own metrics (the daemon its chats, relays
//! and connection; the web side its requests and waiters) and gives
//! [`serve`] a function that renders them, so that gauges read from the
//! store are read at scrape time.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus_client::registry::Registry;

/// The content type of what [`encode`] writes.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Renders the metrics for one scrape: the text, or why there is none.
pub type Render =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<String, String>> + Send>> + Send + Sync>;

/// The registry's metrics in Prometheus' (OpenMetrics) text format.
pub fn encode(registry: &Registry) -> String {
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut text, registry);
    text
}

/// The router with `GET /metrics`, for a program that serves it on a
/// listener of its own choosing.
pub fn router(render: Render) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let render = Arc::clone(&render);
            async move { answer(render().await) }
        }),
    )
}

/// Listens on `address` and serves [`router`] until the process ends.
/// Binding happens before this returns, so a taken port is an error here.
pub async fn serve(
    address: SocketAddr,
    render: Render,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    tracing::info!(%address, "serving metrics at /metrics");
    Ok(tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router(render)).await {
            tracing::error!(%error, "the metrics endpoint stopped");
        }
    }))
}

fn answer(rendered: Result<String, String>) -> Response {
    match rendered {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(reason) => (StatusCode::SERVICE_UNAVAILABLE, reason).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use prometheus_client::metrics::counter::Counter;

    use super::*;

    #[test]
    fn counters_are_written_with_their_total_suffix() {
        let mut registry = Registry::with_prefix("seshat");
        let offers: Counter = Counter::default();
        registry.register("offers", "Chats offered to staff", offers.clone());
        offers.inc();
        let text = encode(&registry);
        assert!(text.contains("seshat_offers_total 1"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
