//! Both programs' `/metrics` during a real chat, read with a real
//! Prometheus text parser, and the web app's `/healthz` with the store
//! gone and back. Prosody, `seshatd` and `seshat-webapp` run as processes.

use serde_json::Value as Json;
use seshat_client::{texts, Client as SeshatClient, Topic};
use seshat_testkit::metrics::{scrape, scrape_until, value};
use seshat_testkit::ports::free_port;
use seshat_testkit::StaffClient;

use seshat_system_tests::deployment::{Deployment, DEADLINE, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_endpoints_follow_a_chat_and_health_follows_the_store() {
    let (daemon_port, web_port) = (free_port().unwrap(), free_port().unwrap());
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
    scrape_until(web_port, DEADLINE, "a waiting long poll", |scrape| {
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
    let daemon = scrape_until(daemon_port, DEADLINE, "the relayed reply", |scrape| {
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
