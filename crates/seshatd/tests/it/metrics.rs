//! The daemon's `/metrics` during a real chat, read with a real Prometheus
//! text parser: the counters move as the chat proceeds.

use std::net::TcpListener;

use prometheus_parse::{Sample, Scrape, Value};
use seshat_client::texts as visitor_texts;

use crate::common::{command, expect_from_bot, Rig, WAIT};

/// A port free on the loopback interface now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn scrape(port: u16) -> Scrape {
    let response = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .expect("scrape /metrics");
    assert!(response.status().is_success(), "{}", response.status());
    let text = response.text().await.unwrap();
    Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).expect("valid Prometheus text")
}

/// The value of `name` (with `label = value`, when given) in `scrape`.
fn value(scrape: &Scrape, name: &str, label: Option<(&str, &str)>) -> f64 {
    let sample: Option<&Sample> = scrape.samples.iter().find(|sample| {
        sample.metric == name
            && label.is_none_or(|(key, wanted)| sample.labels.get(key) == Some(wanted))
    });
    match sample.map(|sample| &sample.value) {
        Some(Value::Counter(value) | Value::Gauge(value) | Value::Untyped(value)) => *value,
        Some(Value::Histogram(buckets)) => buckets.last().map_or(0.0, |bucket| bucket.count),
        Some(other) => panic!("{name} is {other:?}"),
        None => 0.0,
    }
}

/// Scrapes until `holds` is true of what the endpoint shows.
async fn scrape_until(port: u16, what: &str, holds: impl Fn(&Scrape) -> bool) -> Scrape {
    let give_up_at = tokio::time::Instant::now() + WAIT;
    loop {
        let scraped = scrape(port).await;
        if holds(&scraped) {
            return scraped;
        }
        assert!(
            tokio::time::Instant::now() < give_up_at,
            "/metrics never showed {what}: {:?}",
            scraped.samples
        );
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn the_counters_follow_a_chat() {
    let port = free_port();
    let rig = Rig::builder()
        .staff(&["alice"])
        .setting("metrics_listen", &format!("127.0.0.1:{port}"))
        .build();
    let bot = rig.bot();
    let mut alice = rig.connect_available("alice", "desk").await;
    let before = scrape_until(port, "the bot connected", |scrape| {
        value(scrape, "seshat_xmpp_connected", None) == 1.0
    })
    .await;
    assert_eq!(value(&before, "seshat_xmpp_stream_management", None), 1.0);
    assert_eq!(value(&before, "seshat_offers_total", None), 0.0);
    assert_eq!(value(&before, "seshat_staff_available", None), 1.0);

    let mut chat = rig.visitor("Dana", None).await;
    alice
        .wait_for_message_containing(&format!("'!ACCEPT {}'", chat.id()), WAIT)
        .await
        .unwrap();
    command(
        &mut alice,
        &bot,
        &format!("!ACCEPT {}", chat.id()),
        &format!(
            "You are now handling chat #{}. Send '!FINISH' when you are done.",
            chat.id()
        ),
    )
    .await;
    chat.expect(&[visitor_texts::CHAT_REQUESTED, visitor_texts::CHAT_STARTED])
        .await;
    chat.say("Hi").await;
    expect_from_bot(&mut alice, &bot, "Hi").await;
    alice.send_chat(&bot, "Hello Dana").await.unwrap();
    chat.expect(&["Hello Dana"]).await;

    let during = scrape_until(port, "the relayed messages", |scrape| {
        value(
            scrape,
            "seshat_messages_relayed_total",
            Some(("direction", "to_staff")),
        ) >= 1.0
            && value(
                scrape,
                "seshat_messages_relayed_total",
                Some(("direction", "to_visitor")),
            ) == 1.0
    })
    .await;
    assert_eq!(value(&during, "seshat_offers_total", None), 1.0);
    assert_eq!(value(&during, "seshat_accepts_total", None), 1.0);
    assert_eq!(
        value(&during, "seshat_accept_wait_seconds_count", None),
        1.0
    );
    assert!(value(&during, "seshat_relay_latency_seconds_count", None) >= 1.0);
    assert_eq!(
        value(&during, "seshat_chats", Some(("status", "open"))),
        1.0
    );
    assert_eq!(value(&during, "seshat_staff_busy", None), 1.0);
    assert_eq!(value(&during, "seshat_staff_available", None), 0.0);

    command(&mut alice, &bot, "!FINISH", visitor_texts::CHAT_CLOSED).await;
    let after = scrape(port).await;
    assert_eq!(value(&after, "seshat_chats", Some(("status", "open"))), 0.0);
    assert_eq!(
        value(&after, "seshat_chats", Some(("status", "closed"))),
        1.0
    );
    assert_eq!(value(&after, "seshat_staff_available", None), 1.0);
}

#[tokio::test]
async fn a_metrics_port_in_use_stops_the_daemon_with_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap();
    let mut rig = Rig::builder()
        .staff(&["alice"])
        .setting("metrics_listen", &address.to_string())
        .build();
    let status = rig.wait_for_daemon_exit();
    assert_eq!(status.code(), Some(1));
    assert!(
        rig.daemon_log()
            .contains(&format!("cannot serve metrics on {address}")),
        "{}",
        rig.daemon_log()
    );
}
