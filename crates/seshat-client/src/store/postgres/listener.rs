//! The listener: one connection per process that `LISTEN`s on the
//! `seshat` channel and wakes the waiters each notification names.
//!
//! Notifications are lost while a session is not connected, so after the
//! listener reconnects it wakes every waiter once to look again. Its only
//! polling is a slow ping ([`PING_EVERY`]) that notices a connection the
//! network dropped without a word; the server's own closes are noticed at
//! once.

use std::future::poll_fn;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio_postgres::AsyncMessage;

use super::connect::Tls;
use super::schema::CHANNEL;
use crate::error::{Error, Result};
use crate::store::wakeups::{topics_of_change, Wakeups};

/// How often an idle listener checks that its connection still answers.
const PING_EVERY: Duration = Duration::from_secs(5);

/// How long a ping may take before the connection counts as lost.
const PING_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Listens until the runtime shuts down. `listening` is told when the first
/// `LISTEN` is in place (or why it could not be), so that the store opens
/// only once no commit can be missed.
pub(super) async fn run(
    config: tokio_postgres::Config,
    tls: Tls,
    wakeups: Wakeups,
    listening: oneshot::Sender<Result<()>>,
) {
    let mut listening = Some(listening);
    let mut backoff = Duration::from_millis(50);
    loop {
        let outcome = listen(&config, &tls, &wakeups, &mut listening).await;
        if let Some(first) = listening.take() {
            // Never listened at all: the store's opening reports it.
            let _ = first.send(outcome);
            return;
        }
        match outcome {
            Ok(()) => tracing::warn!("the PostgreSQL listener's connection closed; reconnecting"),
            Err(error) => {
                tracing::warn!(%error, "the PostgreSQL listener lost its connection; reconnecting")
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One connection's life: connect, `LISTEN`, dispatch until it ends.
async fn listen(
    config: &tokio_postgres::Config,
    tls: &Tls,
    wakeups: &Wakeups,
    listening: &mut Option<oneshot::Sender<Result<()>>>,
) -> Result<()> {
    let (client, mut connection) = config.connect(tls.clone()).await?;
    let (notifications, mut received) = mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        while let Some(message) = poll_fn(|context| connection.poll_message(context)).await {
            let sent = match message? {
                AsyncMessage::Notification(notification) => notifications.send(notification),
                AsyncMessage::Notice(notice) => {
                    tracing::debug!(notice = notice.message(), "PostgreSQL notice");
                    Ok(())
                }
                _ => Ok(()),
            };
            if sent.is_err() {
                break;
            }
        }
        Ok::<(), tokio_postgres::Error>(())
    });
    let _stop_driver = AbortOnDrop(driver.abort_handle());
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    match listening.take() {
        Some(first) => {
            let _ = first.send(Ok(()));
        }
        // Reconnected: whatever was committed meanwhile was not heard.
        None => {
            tracing::info!("the PostgreSQL listener is back; every waiter looks again");
            wakeups.notify_all();
        }
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            notification = received.recv() => match notification {
                Some(notification) => dispatch(wakeups, notification.payload()),
                None => return Ok(()),
            },
            _ = ping.tick() => {
                tokio::time::timeout(PING_TIMEOUT, client.simple_query("SELECT 1"))
                    .await
                    .map_err(|_| Error::Database("the listener's ping timed out".into()))??;
            }
        }
    }
}

/// Wakes the topics a payload (`"<chat id>:<wakes>"`) names. A payload
/// another program sent on the channel that says nothing readable wakes
/// everyone, so that nothing it meant is missed.
fn dispatch(wakeups: &Wakeups, payload: &str) {
    let parsed = payload
        .split_once(':')
        .and_then(|(chat, wakes)| Some((chat.parse::<i64>().ok()?, wakes.parse::<i64>().ok()?)));
    match parsed {
        Some((chat_id, wakes)) => wakeups.notify(topics_of_change(chat_id, wakes)),
        None => {
            tracing::debug!(payload, "unreadable notification; waking every waiter");
            wakeups.notify_all();
        }
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Topic;

    #[test]
    fn a_payload_wakes_what_it_names_and_nonsense_wakes_everyone() {
        let wakeups = Wakeups::new();
        let chat = wakeups.subscribe(Topic::Chat(12));
        let staff = wakeups.subscribe(Topic::Staff);
        dispatch(&wakeups, "12:1");
        assert!(chat.has_changed());
        assert!(!staff.has_changed());
        dispatch(&wakeups, "twelve");
        assert!(staff.has_changed());
        assert_eq!(wakeups.broadcasts(), 1);
    }
}
