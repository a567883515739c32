//! The daemon's `/metrics` during a real chat, read with a real Prometheus
//! text parser: the counters move as the chat proceeds.

use std::net::TcpListener;

use seshat_client::texts as visitor_texts;
use seshat_testkit::metrics::{scrape, scrape_until, value};
use seshat_testkit::ports::free_port;

use crate::common::{accept_offered, command, expect_from_bot, Rig, WAIT};

#[tokio::test]
async fn the_counters_follow_a_chat() {
    let port = free_port().unwrap();
    let rig = Rig::builder()
        .staff(&["alice"])
        .setting("metrics_listen", &format!("127.0.0.1:{port}"))
        .build();
    let bot = rig.bot();
    let mut alice = rig.connect_available("alice", "desk").await;
    let before = scrape_until(port, WAIT, "the bot connected", |scrape| {
        value(scrape, "seshat_xmpp_connected", &[]) == 1.0
    })
    .await;
    assert_eq!(value(&before, "seshat_xmpp_stream_management", &[]), 1.0);
    assert_eq!(value(&before, "seshat_offers_total", &[]), 0.0);
    assert_eq!(value(&before, "seshat_staff_available", &[]), 1.0);

    let mut chat = rig.visitor("Dana", None).await;
    accept_offered(&mut alice, &bot, &mut chat).await;
    chat.say("Hi").await;
    expect_from_bot(&mut alice, &bot, "Hi").await;
    alice.send_chat(&bot, "Hello Dana").await.unwrap();
    chat.expect(&["Hello Dana"]).await;

    let during = scrape_until(port, WAIT, "the relayed messages", |scrape| {
        value(
            scrape,
            "seshat_messages_relayed_total",
            &[("direction", "to_staff")],
        ) >= 1.0
            && value(
                scrape,
                "seshat_messages_relayed_total",
                &[("direction", "to_visitor")],
            ) == 1.0
    })
    .await;
    assert_eq!(value(&during, "seshat_offers_total", &[]), 1.0);
    assert_eq!(value(&during, "seshat_accepts_total", &[]), 1.0);
    assert_eq!(value(&during, "seshat_accept_wait_seconds_count", &[]), 1.0);
    assert!(value(&during, "seshat_relay_latency_seconds_count", &[]) >= 1.0);
    assert_eq!(value(&during, "seshat_chats", &[("status", "open")]), 1.0);
    assert_eq!(value(&during, "seshat_staff_busy", &[]), 1.0);
    assert_eq!(value(&during, "seshat_staff_available", &[]), 0.0);

    command(&mut alice, &bot, "!FINISH", visitor_texts::CHAT_CLOSED).await;
    let after = scrape(port).await;
    assert_eq!(value(&after, "seshat_chats", &[("status", "open")]), 0.0);
    assert_eq!(value(&after, "seshat_chats", &[("status", "closed")]), 1.0);
    assert_eq!(value(&after, "seshat_staff_available", &[]), 1.0);
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
