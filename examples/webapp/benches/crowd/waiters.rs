//! Idle visitors: each waits on its own quiet chat the way the widget
//! waits, with a long poll re-issued whenever it returns, or with an open
//! WebSocket that acknowledges every message it shows. Each reports on
//! `ready` once the app has answered it, then costs the app only what
//! waiting costs. Failures are counted in `errors`, never hidden.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::long_poll::LongPoll;

/// What the widget asks for: the longest wait the app grants.
pub const WIDGET_WAIT: u64 = 30;
/// How long a failed long poll waits before it tries again, as the
/// widget backs off.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// A long-polling visitor. Its first poll does not wait, so that `ready`
/// means the app has served it; its second waits `first_wait` seconds,
/// which spreads the visitors' re-polls over the widget's 30 s the way
/// visitors who arrived at different times spread them; after that it
/// waits [`WIDGET_WAIT`] each time.
pub fn spawn_long_poll(
    mut poll: LongPoll,
    first_wait: u64,
    ready: mpsc::UnboundedSender<()>,
    errors: Arc<AtomicU64>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut wait = 0;
        let mut ready = Some(ready);
        loop {
            match poll.poll(wait).await {
                Ok(_) => {
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(());
                    }
                    wait = if wait == 0 { first_wait } else { WIDGET_WAIT };
                }
                Err(_) => {
                    errors.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(RETRY_AFTER).await;
                }
            }
        }
    })
}

/// A visitor on a WebSocket at `url` (`ws://HOST:PORT/wc/connect`),
/// resuming the chat with web token `token`; ready once the app has
/// answered `chat_resumed`. Pings are answered by the library while the
/// socket is read.
pub fn spawn_socket(
    url: String,
    token: String,
    ready: mpsc::UnboundedSender<()>,
    errors: Arc<AtomicU64>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        if socket_visitor(&url, &token, ready).await.is_err() {
            errors.fetch_add(1, Ordering::Relaxed);
        }
    })
}

async fn socket_visitor(
    url: &str,
    token: &str,
    ready: mpsc::UnboundedSender<()>,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    let mut ready = Some(ready);
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
    let start = json!({"type": "start_chat", "chat_id": token});
    socket.send(Message::text(start.to_string())).await?;
    while let Some(frame) = socket.next().await {
        let Message::Text(text) = frame? else {
            continue;
        };
        let event: Value = serde_json::from_str(&text).unwrap_or_default();
        match event["type"].as_str() {
            Some("chat_resumed") => {
                if let Some(ready) = ready.take() {
                    let _ = ready.send(());
                }
            }
            Some("chat_out") => {
                let ack = json!({"type": "ack_chat", "msg_id": event["msg_out"]["id"]});
                socket.send(Message::text(ack.to_string())).await?;
            }
            _ => {}
        }
    }
    Ok(())
}
