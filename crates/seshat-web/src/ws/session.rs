//! One socket from upgrade to close: reads frames, sends events, pushes
//! messages as soon as the store changes, pings, and closes cleanly.
//!
//! Everything happens in one task, one step at a time, so that events
//! leave in the order they were produced and no lock is needed. Whatever
//! goes wrong on one socket ends at most that socket.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use seshat_client::{Subscription, Topic, Wakeups};
use tokio::time::{timeout, Instant, MissedTickBehavior};

use super::conversation::{Conversation, Refusal};
use super::lifecycle::OpenSocket;
use super::options::SocketOptions;
use super::protocol::{Command, Event, FrameError};

/// Close codes of RFC 6455 this server uses.
mod close_code {
    /// The socket did its job (or the application is shutting down).
    pub const NORMAL: u16 = 1000;
    /// A frame was larger than allowed.
    pub const TOO_BIG: u16 = 1009;
}

/// How long a closing session waits for the visitor's close frame.
const CLOSE_REPLY_WAIT: Duration = Duration::from_secs(2);

/// What woke the session up.
enum Wake {
    /// The application is shutting down.
    Stop,
    /// A frame, a read error, or the end of the stream.
    Frame(Option<Result<Message, axum::Error>>),
    /// This socket's chat changed in the store (by any process).
    StoreChanged,
    /// Time to ping, and to check the visitor is still there.
    Ping,
}

/// Why the session ended; only for the log.
enum Ending {
    VisitorClosed,
    Shutdown,
    TooBig,
    Silent,
    Broken(String),
}

impl Ending {
    fn describe(&self) -> &str {
        match self {
            Ending::VisitorClosed => "the visitor closed it",
            Ending::Shutdown => "the application is shutting down",
            Ending::TooBig => "a frame was too large",
            Ending::Silent => "the visitor stopped answering pings",
            Ending::Broken(error) => error,
        }
    }
}

/// Runs one socket to its end.
pub async fn run(
    mut socket: WebSocket,
    mut conversation: Conversation,
    mut open: OpenSocket,
    options: Arc<SocketOptions>,
    wakeups: Wakeups,
) {
    let mut ping = tokio::time::interval_at(
        Instant::now() + options.ping_interval,
        options.ping_interval,
    );
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();
    let _counted = conversation.metrics().socket();
    // Waits for the socket's own chat only, once it has one.
    let mut subscription: Option<Subscription> = None;

    let ending = loop {
        let wake = tokio::select! {
            biased;
            () = open.stop_requested() => Wake::Stop,
            frame = socket.recv() => Wake::Frame(frame),
            () = chat_changed(&mut subscription) => Wake::StoreChanged,
            _ = ping.tick() => Wake::Ping,
        };
        let step = match wake {
            Wake::Stop => {
                close(
                    &mut socket,
                    close_code::NORMAL,
                    "the server is shutting down",
                    &options,
                )
                .await;
                break Ending::Shutdown;
            }
            Wake::Frame(None) => break Ending::VisitorClosed,
            Wake::Frame(Some(Err(error))) => {
                if is_too_big(&error) {
                    close(
                        &mut socket,
                        close_code::TOO_BIG,
                        "frame too large",
                        &options,
                    )
                    .await;
                    break Ending::TooBig;
                }
                break Ending::Broken(error.to_string());
            }
            Wake::Frame(Some(Ok(message))) => {
                last_heard = Instant::now();
                match message {
                    Message::Text(text) => {
                        let mut events = answer(&mut conversation, text.as_str()).await;
                        if subscription.is_none() {
                            if let Some(chat_id) = conversation.chat_id() {
                                subscription = Some(wakeups.subscribe(Topic::Chat(chat_id)));
                                // What was committed between the start's
                                // first look and the subscription.
                                events.extend(pending_or_refusal(&mut conversation).await);
                            }
                        }
                        send_all(&mut socket, &events, &options).await
                    }
                    Message::Binary(_) => {
                        let refusal = error_event(&FrameError::Binary);
                        send_all(&mut socket, &[refusal], &options).await
                    }
                    // The WebSocket library answers pings by itself; a
                    // pong only proves the visitor is there.
                    Message::Ping(_) | Message::Pong(_) => Ok(()),
                    Message::Close(_) => break Ending::VisitorClosed,
                }
            }
            Wake::StoreChanged => {
                // Marked seen before the query: a commit made while it
                // runs wakes the session again instead of being missed.
                if let Some(subscription) = subscription.as_mut() {
                    subscription.mark_seen();
                }
                let events = pending_or_refusal(&mut conversation).await;
                send_all(&mut socket, &events, &options).await
            }
            Wake::Ping => {
                if last_heard.elapsed() > options.silence_limit {
                    break Ending::Silent;
                }
                send(&mut socket, Message::Ping(Default::default()), &options).await
            }
        };
        if let Err(error) = step {
            break Ending::Broken(error);
        }
    };
    tracing::debug!(why = ending.describe(), "WebSocket closed");
    drop(open);
}

/// Completes when the socket's chat changed; never before it has one.
async fn chat_changed(subscription: &mut Option<Subscription>) {
    match subscription {
        Some(subscription) => subscription.changed().await,
        None => std::future::pending().await,
    }
}

/// The events a change of the chat brings, or the refusal to show.
async fn pending_or_refusal(conversation: &mut Conversation) -> Vec<Event> {
    match conversation.pending_events().await {
        Ok(events) => events,
        Err(refusal) => vec![refusal.to_event()],
    }
}

/// The events answering one text frame.
async fn answer(conversation: &mut Conversation, text: &str) -> Vec<Event> {
    let command = match Command::parse(text) {
        Ok(command) => command,
        Err(error) => {
            tracing::debug!(%error, "bad WebSocket frame ignored");
            return vec![error_event(&error)];
        }
    };
    let name = command.name();
    conversation
        .apply(command)
        .await
        .unwrap_or_else(|refusal: Refusal| {
            tracing::debug!(command = name, %refusal, "WebSocket command refused");
            vec![refusal.to_event()]
        })
}

fn error_event(error: &FrameError) -> Event {
    Event::Error {
        code: error.code(),
        error: error.to_string(),
    }
}

async fn send_all(
    socket: &mut WebSocket,
    events: &[Event],
    options: &SocketOptions,
) -> Result<(), String> {
    for event in events {
        send(socket, Message::Text(event.to_json().into()), options).await?;
    }
    Ok(())
}

/// Sends one frame, giving up after the write timeout.
async fn send(
    socket: &mut WebSocket,
    message: Message,
    options: &SocketOptions,
) -> Result<(), String> {
    match timeout(options.write_timeout, socket.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!(
            "a write took longer than {}",
            seconds(options.write_timeout)
        )),
    }
}

/// Closes with `code`: sends the close frame, then waits a little for
/// the visitor's own close frame, so that browsers see a clean closure;
/// a visitor that never answers does not hold the session open.
async fn close(socket: &mut WebSocket, code: u16, reason: &'static str, options: &SocketOptions) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    if send(socket, Message::Close(Some(frame)), options)
        .await
        .is_err()
    {
        return;
    }
    // After an oversized frame the library reads nothing more, so this
    // ends at once; what is left of that frame is swallowed by the
    // listener's lingering close (`crate::listener`), without which the
    // socket would be reset and the visitor could lose the close frame.
    // (The library also ends the stream after any read error.)
    let _ = timeout(CLOSE_REPLY_WAIT, async {
        while let Some(Ok(message)) = socket.recv().await {
            if let Message::Close(_) = message {
                break;
            }
        }
    })
    .await;
}

/// A frame or message over the configured size: the library stopped
/// reading it at its header, so nothing of it was buffered.
fn is_too_big(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(tungstenite::Error::Capacity(_)) = current.downcast_ref::<tungstenite::Error>()
        {
            return true;
        }
        source = current.source();
    }
    false
}

fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}
