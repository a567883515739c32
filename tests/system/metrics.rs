//! Both programs' `/metrics` during a real chat, read with a real
//! Prometheus text parser, and the web app's `/healthz` with the store
//! gone and back. Prosody, `seshatd` and `seshat-webapp` run as processes.

use std::net::TcpListener;

use prometheus_parse::{Scrape, Value};
use serde_json::Value as Json;
use seshat_client::{texts, Client as SeshatClient, Topic};
use seshat_testkit::StaffClient;

use seshat_system_tests::deployment::{Deployment, DEADLINE, PASSWORD};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn scrape(port: u16) -> Scrape {
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .expect("scrape /metrics")
        .text()
        .await
        .unwrap();
    Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).expect("valid Prometheus text")
}

/// The value of `name` whose labels include every one of `labels`.
fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    let sample = scrape.samples.iter().find(|sample| {
        sample.metric == name
            && labels
                .iter()
                .all(|(key, wanted)| sample.labels.get(key) == Some(*wanted))
    });
    match sample.map(|sample| &sample.value) {
        Some(Value::Counter(value) | Value::Gauge(value) | Value::Untyped(value)) => *value,
        Some(other) => panic!("{name} is {other:?}"),
        None => 0.0,
    }
}

/// Scrapes until `holds`; fails with what was seen after [`DEADLINE`].
async fn scrape_until(port: u16, what: &str, holds: impl Fn(&Scrape) -> bool) -> Scrape {
    let give_up_at = tokio::time::Instant::now() + DEADLINE;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_endpoints_follow_a_chat_and_health_follows_the_store() {
    let (daemon_port, web_port) = (free_port(), free_port());
    let deployment = Deployment::start_with_settings(
        &["alice"],
        &format!(
            "metrics_listen = 127.0.0.1:{daemon_port}\n\
             web_metrics_listen = 127.0.0.1:{web_port}\n\
             rate_limit_per_minute = 3\n\
             staff_names = alice@localhost = Alice\n"
        ),
    );
    let bot = deployment.prosody.jid("bot");
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
    let http = reqwest::Client::new();
    let chat = |path: &str| format!("{}chat/{path}", deployment.url);

    let health = http
        .get(format!("{}healthz", deployment.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    // A visitor starts a chat and waits on a long poll.
    let started: Json = http
        .post(chat("start"))
        .form(&[("message", "Where is my order?")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = started["token"].as_str().unwrap().to_owned();
    let first: Json = http
        .get(chat(&format!("recvmessage/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["messages"][0]["text"], texts::CHAT_REQUESTED);
    let after = first["messages"][0]["id"].as_i64().unwrap();
    let waiting = tokio::spawn({
        let (http, url) = (
            http.clone(),
            chat(&format!("recvmessage/{token}?wait=30&after={after}")),
        );
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Json>()
                .await
                .unwrap()
        }
    });
    scrape_until(web_port, "a waiting long poll", |scrape| {
        value(scrape, "seshat_open_long_polls", &[]) == 1.0
    })
    .await;

    let chat_id = deployment
        .accept_offer(&mut alice, "Where is my order?")
        .await;
    let answered = waiting.await.unwrap();
    assert_eq!(answered["messages"][0]["text"], texts::CHAT_STARTED);
    let after = answered["messages"][0]["id"].as_i64().unwrap();
    alice.send_chat(&bot, "It ships today").await.unwrap();
    let reply: Json = http
        .get(chat(&format!("recvmessage/{token}?wait=30&after={after}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["messages"][0]["text"], "It ships today");
    assert_eq!(reply["messages"][0]["name"], "Alice");

    let web = scrape(web_port).await;
    assert_eq!(value(&web, "seshat_open_long_polls", &[]), 0.0);
    assert_eq!(
        value(&web, "seshat_visitor_delivery_seconds_count", &[]),
        1.0
    );
    assert_eq!(
        value(
            &web,
            "seshat_http_requests_total",
            &[("route", "/chat/start"), ("status", "200")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &web,
            "seshat_http_requests_total",
            &[("route", "/chat/recvmessage/:token"), ("status", "200")]
        ),
        3.0
    );
    let daemon = scrape_until(daemon_port, "the relayed reply", |scrape| {
        value(
            scrape,
            "seshat_messages_relayed_total",
            &[("direction", "to_visitor")],
        ) == 1.0
    })
    .await;
    assert_eq!(value(&daemon, "seshat_offers_total", &[]), 1.0);
    assert_eq!(value(&daemon, "seshat_accepts_total", &[]), 1.0);
    assert_eq!(value(&daemon, "seshat_xmpp_connected", &[]), 1.0);
    assert_eq!(value(&daemon, "seshat_chats", &[("status", "open")]), 1.0);
    assert!(chat_id > 0);

    // Past the write budget, the web app refuses and counts it.
    let mut statuses = Vec::new();
    for n in 0..4 {
        let sent = http
            .post(chat(&format!("sendmessage/{token}")))
            .form(&[("text", format!("line {n}"))])
            .send()
            .await
            .unwrap();
        statuses.push(sent.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    let web = scrape(web_port).await;
    assert_eq!(value(&web, "seshat_rate_limit_refusals_total", &[]), 1.0);

    // The store goes away: health says so; it comes back: health is fine.
    let moved = deployment.database.with_extension("moved");
    std::fs::rename(&deployment.database, &moved).unwrap();
    let health = http
        .get(format!("{}healthz", deployment.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 503);
    assert!(
        health
            .text()
            .await
            .unwrap()
            .starts_with("the store does not answer: "),
        "503 gives the reason"
    );
    std::fs::rename(&moved, &deployment.database).unwrap();
    let health = http
        .get(format!("{}healthz", deployment.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}
