//! The visitors whose chats carry the traffic: each sends lines through
//! `POST chat/sendmessage/{token}` at a steady pace, and reads the staff
//! replies (written by the store writer) with the widget's long poll.
//! Counters say how many lines were taken and replies shown.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use super::long_poll::LongPoll;
use super::waiters::WIDGET_WAIT;

/// What flowed so far, counted as it happened.
#[derive(Debug, Default)]
pub struct Flow {
    /// Lines the app took (`{"sent": true}`).
    pub sent: AtomicU64,
    /// Staff replies that reached a chatting visitor's long poll; a watch,
    /// so that the benchmark can wait for the last reply of a window.
    replies: watch::Sender<u64>,
    /// Requests that failed.
    pub errors: AtomicU64,
}

impl Flow {
    /// Messages so far, both ways.
    pub fn messages(&self) -> u64 {
        self.sent.load(Ordering::Relaxed) + *self.replies.borrow()
    }

    /// Waits until every line taken so far has had its reply shown; false
    /// when that has not happened within `deadline`.
    pub async fn drained(&self, deadline: Duration) -> bool {
        let sent = self.sent.load(Ordering::Relaxed);
        let mut replies = self.replies.subscribe();
        let caught_up = replies.wait_for(|&shown| shown >= sent);
        let outcome = tokio::time::timeout(deadline, caught_up).await;
        matches!(outcome, Ok(Ok(_)))
    }
}

/// A chatting visitor's long poll, running until aborted, counting the
/// staff replies it shows.
pub fn spawn_reader(mut poll: LongPoll, flow: Arc<Flow>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match poll.poll(WIDGET_WAIT).await {
                Ok(messages) => {
                    let replies = messages
                        .iter()
                        .filter(|message| message["from"] == "staff")
                        .count();
                    flow.replies.send_modify(|shown| *shown += replies as u64);
                }
                Err(_) => {
                    flow.errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    })
}

/// Every chat in `tokens` sends one line each `period` until `until`, the
/// chats' ticks spread evenly over the period. A send that has not been
/// answered by its next tick makes that chat skip the tick: the offered
/// rate falls when the app cannot keep up, and the counters show it.
pub async fn send_until(
    http: &reqwest::Client,
    base: &str,
    tokens: &[String],
    period: Duration,
    until: Instant,
    flow: &Flow,
) {
    let start = Instant::now();
    let senders = tokens.iter().enumerate().map(|(chat, token)| async move {
        let offset = period * chat as u32 / tokens.len() as u32;
        let mut ticks = tokio::time::interval_at(start + offset, period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let url = format!("{base}chat/sendmessage/{token}");
        for line in 0.. {
            if ticks.tick().await >= until {
                break;
            }
            let sent = http
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("text=line-{line}"))
                .send()
                .await;
            let taken = match sent {
                Ok(response) => response
                    .text()
                    .await
                    .is_ok_and(|body| body.contains(r#""sent":true"#)),
                Err(_) => false,
            };
            let counter = if taken { &flow.sent } else { &flow.errors };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    join_all(senders).await;
}
