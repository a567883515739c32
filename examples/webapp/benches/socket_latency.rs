//! Staff -> visitor latency over the WebSocket, with every real part:
//! Prosody, `seshatd` and `seshat-webapp` as processes, a staff member in
//! a real XMPP client, a visitor on a real WebSocket client.
//!
//! ```text
//! cargo build --release -p seshatd
//! cargo bench -p seshat-webapp --bench socket_latency
//! ```
//!
//! One reply at a time (each is acknowledged before the next is sent), so
//! every figure is one message's own path:
//!
//! - staff -> socket: from just before the staff client sends the XMPP
//!   message to the moment its `chat_out` event is read from the socket
//!   (Prosody, the daemon, the SQLite commit, the change signal, the web
//!   app's read, the socket);
//! - commit -> socket: from the time the daemon stamped on the stored
//!   message to the same moment, the part the WebSocket transport owns.
//!
//! `SESHAT_BENCH_REPLIES` sets how many replies are timed (default 500).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;
use seshat_client::{Client as SeshatClient, Topic};
use seshat_testkit::{Latencies, StaffClient};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use seshat_system_tests::deployment::{Deployment, DEADLINE, PASSWORD};
use seshat_system_tests::socket_visitor::Visitor;

/// Replies sent before timing starts: connections, caches and the
/// daemon's first-use paths warm up.
const WARM_UP: usize = 20;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let replies: usize = std::env::var("SESHAT_BENCH_REPLIES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(500);
    let deployment = Deployment::start_with_settings(&["alice"], "rate_limit_per_minute = 0\n");
    let bot = deployment.prosody.jid("bot");
    let socket_url = format!("{}wc/connect", deployment.url.replacen("http", "ws", 1));
    let mut alice = StaffClient::connect(&deployment.prosody, "alice", PASSWORD, "desk")
        .await
        .expect("alice logs in");
    let store = SeshatClient::open(&deployment.database).expect("open the shared database");
    store
        .wait_for(Topic::Availability, DEADLINE, |store| {
            Ok(store.is_available()?.then_some(()))
        })
        .await
        .expect("read availability")
        .expect("alice becomes available");

    let mut visitor = Visitor::connect(&socket_url).await;
    visitor.send(json!({"type": "start_chat"})).await;
    visitor.wait_for_type("chat_started").await;
    let offer = alice
        .wait_for_message_containing("!ACCEPT ", DEADLINE)
        .await
        .expect("an offer");
    let start = offer.body.find("!ACCEPT ").unwrap() + "!ACCEPT ".len();
    let chat_id: String = offer.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    alice
        .send_chat(&bot, &format!("!ACCEPT {chat_id}"))
        .await
        .expect("send !ACCEPT");
    visitor.wait_for_type("chat_status").await;

    let mut end_to_end = Vec::with_capacity(replies);
    let mut from_commit = Vec::with_capacity(replies);
    for n in 0..WARM_UP + replies {
        let text = format!("reply {n}");
        let sent = Instant::now();
        alice.send_chat(&bot, &text).await.expect("send a reply");
        let event = visitor.wait_for_text(&text).await;
        let elapsed = sent.elapsed();
        let arrived = unix_now();
        let message = &event["msg_out"];
        visitor
            .send(json!({"type": "ack_chat", "msg_id": message["id"]}))
            .await;
        if n >= WARM_UP {
            end_to_end.push(elapsed);
            let committed = unix_seconds(message["time"].as_str().expect("a time"));
            from_commit.push(Duration::from_secs_f64((arrived - committed).max(0.0)));
        }
    }

    println!("{replies} replies, one at a time, release build, loopback");
    report("staff -> socket", end_to_end);
    report("commit -> socket", from_commit);
    alice.disconnect().await.expect("alice logs out");
}

fn report(name: &str, samples: Vec<Duration>) {
    let latencies = Latencies::new(samples);
    println!(
        "{name:>17}: p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        millis(latencies.p50()),
        millis(latencies.p90()),
        millis(latencies.p99()),
        millis(latencies.max()),
    );
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs_f64()
}

fn unix_seconds(rfc3339: &str) -> f64 {
    let time = OffsetDateTime::parse(rfc3339, &Rfc3339).expect("an RFC 3339 time");
    time.unix_timestamp() as f64 + f64::from(time.nanosecond()) / 1e9
}
