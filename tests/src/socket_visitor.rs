//! A visitor's WebSocket client (tokio-tungstenite) speaking the chat
//! protocol to `seshat-webapp`, with a deadline on every wait. Shared by
//! the end-to-end test and the latency bench.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longest wait for any one event; reached only when something is broken.
pub const EVENT_DEADLINE: Duration = Duration::from_secs(30);

/// One visitor's socket.
pub struct Visitor {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Every event received, for failure messages.
    pub seen: Vec<Value>,
}

impl Visitor {
    /// Opens a socket at `url` (`ws://HOST:PORT/wc/connect`).
    pub async fn connect(url: &str) -> Visitor {
        let (stream, _) =
            tokio::time::timeout(EVENT_DEADLINE, tokio_tungstenite::connect_async(url))
                .await
                .expect("connect in time")
                .expect("the upgrade succeeds");
        Visitor {
            stream,
            seen: Vec::new(),
        }
    }

    /// Sends one command.
    pub async fn send(&mut self, command: Value) {
        self.send_frame(Message::text(command.to_string())).await;
    }

    /// Sends one raw frame.
    pub async fn send_frame(&mut self, frame: Message) {
        tokio::time::timeout(EVENT_DEADLINE, self.stream.send(frame))
            .await
            .expect("send in time")
            .expect("send a frame");
    }

    /// The next event; pings are answered by the library on the way.
    pub async fn next_event(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(EVENT_DEADLINE, self.stream.next())
                .await
                .unwrap_or_else(|_| panic!("no event in time; seen so far: {:?}", self.seen))
                .expect("the socket is open")
                .expect("a frame");
            match frame {
                Message::Text(text) => {
                    let event: Value = serde_json::from_str(&text).expect("events are JSON");
                    self.seen.push(event.clone());
                    return event;
                }
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected frame {other:?}; seen so far: {:?}", self.seen),
            }
        }
    }

    /// Skips events until one of type `kind`.
    pub async fn wait_for_type(&mut self, kind: &str) -> Value {
        loop {
            let event = self.next_event().await;
            if event["type"] == kind {
                return event;
            }
        }
    }

    /// Skips events until a `chat_out` with `text`.
    pub async fn wait_for_text(&mut self, text: &str) -> Value {
        loop {
            let event = self.next_event().await;
            if event["type"] == "chat_out" && event["msg_out"]["text"] == text {
                return event;
            }
        }
    }

    /// Asks for history and returns every event that came before the
    /// answer: once it is in, everything sent earlier has arrived.
    pub async fn round_trip(&mut self) -> Vec<Value> {
        self.send(json!({"type": "get_history", "before": "2999-01-01T00:00:00Z"}))
            .await;
        let mut events = Vec::new();
        loop {
            let event = self.next_event().await;
            if event["type"] == "history" {
                return events;
            }
            events.push(event);
        }
    }

    /// Waits for the server's close frame; returns its code.
    pub async fn close_code(&mut self) -> u16 {
        loop {
            let frame = tokio::time::timeout(EVENT_DEADLINE, self.stream.next())
                .await
                .expect("the socket closes in time");
            match frame {
                Some(Ok(Message::Close(Some(close)))) => return u16::from(close.code),
                Some(Ok(Message::Close(None))) => return 1005,
                Some(Ok(_)) => continue,
                Some(Err(error)) => panic!("the socket broke instead of closing: {error}"),
                None => panic!("the socket ended without a close frame"),
            }
        }
    }

    /// Closes the socket from the visitor's side, as a closed tab would.
    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// The texts of the `chat_out` events among `events`.
pub fn texts_of(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|event| event["type"] == "chat_out")
        .map(|event| {
            event["msg_out"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}
