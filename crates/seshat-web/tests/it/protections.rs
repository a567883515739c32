//! What keeps the routes safe on the open web: cross-origin refusal,
//! rate limits with `Retry-After`, capped request bodies, and unknown
//! tokens that never wait for the write lock.

use std::time::Duration;

use crate::support::TestServer;
use axum::http::HeaderName;
use seshat_client::{ChatToken, Client, SqliteOptions, Store};
use seshat_web::Options;

fn limited(per_minute: u32) -> Options {
    Options {
        rate_limit_per_minute: per_minute,
        ..Options::default()
    }
}

#[tokio::test]
async fn posts_from_another_site_are_refused_and_change_nothing() {
    let server = TestServer::start(Options::default()).await;
    let (token, id) = server.start_chat().await;
    server.accept(id);

    let forged = [
        ("origin", "http://evil.example".to_owned()),
        ("sec-fetch-site", "cross-site".to_owned()),
        ("sec-fetch-site", "same-site".to_owned()),
        ("origin", "null".to_owned()),
    ];
    for (name, value) in &forged {
        for request in [
            server
                .http
                .post(server.url("/start"))
                .form(&[("name", "x")]),
            server
                .http
                .post(server.url(&format!("/sendmessage/{token}")))
                .form(&[("text", "forged")]),
            server.http.post(server.url(&format!("/end/{token}"))),
        ] {
            let response = request.header(*name, value).send().await.unwrap();
            assert_eq!(response.status(), 403, "{name}: {value}");
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["error"], "requests from other sites are refused");
        }
    }
    assert!(server.staff_inbox(id).is_empty());
    assert_eq!(
        server.staff.chat(id).unwrap().unwrap().status.as_str(),
        "open"
    );
    assert_eq!(server.staff.waiting_chats().unwrap().len(), 0);

    // The site's own pages pass, by either header.
    let own_origin = format!("http://{}", server.host);
    let response = server
        .http
        .post(server.url(&format!("/sendmessage/{token}")))
        .header("origin", own_origin)
        .form(&[("text", "genuine")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = server
        .http
        .post(server.url(&format!("/sendmessage/{token}")))
        .header("sec-fetch-site", "same-origin")
        .form(&[("text", "also genuine")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.staff_inbox(id), ["genuine", "also genuine"]);
}

#[tokio::test]
async fn reads_from_another_site_are_answered() {
    // Reading needs the token, which another site does not have; and
    // availability is public anyway.
    let server = TestServer::start(Options::default()).await;
    let response = server
        .http
        .get(server.url("/available"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn starts_are_limited_per_client_address_with_retry_after() {
    let server = TestServer::start(limited(3)).await;
    for _ in 0..3 {
        server.start_chat().await;
    }
    let response = server
        .http
        .post(server.url("/start"))
        .form(&[("name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // Three a minute: the next one is about twenty seconds away.
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["error"]
        .as_str()
        .unwrap()
        .starts_with("too many requests"));

    // The page starts nothing, so it is never held back.
    let response = server.http.get(server.url("")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.staff.waiting_chats().unwrap().len(), 3);
}

#[tokio::test]
async fn behind_a_proxy_each_forwarded_address_has_its_own_limit() {
    let server = TestServer::start(Options {
        client_address_header: Some(HeaderName::from_static("x-forwarded-for")),
        ..limited(2)
    })
    .await;
    let start_from = |address: &'static str| {
        server
            .http
            .post(server.url("/start"))
            .header("x-forwarded-for", address)
            .form(&[("name", "x")])
            .send()
    };
    assert_eq!(start_from("198.51.100.1").await.unwrap().status(), 200);
    assert_eq!(start_from("198.51.100.1").await.unwrap().status(), 200);
    assert_eq!(start_from("198.51.100.1").await.unwrap().status(), 429);
    assert_eq!(start_from("198.51.100.2").await.unwrap().status(), 200);
}

#[tokio::test]
async fn sends_and_ends_are_limited_per_client_address_whatever_the_token() {
    let server = TestServer::start(Options {
        client_address_header: Some(HeaderName::from_static("x-forwarded-for")),
        ..limited(3)
    })
    .await;
    let (token, _) = server.start_chat().await;
    let post = |path: String, address: &'static str| {
        server
            .http
            .post(server.url(&path))
            .header("x-forwarded-for", address)
            .form(&[("text", "hello")])
            .send()
    };
    // Guessed tokens name no chat, and every guess costs from one budget:
    // a fresh token must not bring a fresh one.
    for _ in 0..3 {
        let guess = ChatToken::generate();
        let response = post(format!("/sendmessage/{guess}"), "198.51.100.1").await;
        assert_eq!(response.unwrap().status(), 404);
    }
    for path in [
        format!("/sendmessage/{}", ChatToken::generate()),
        format!("/end/{}", ChatToken::generate()),
        format!("/sendmessage/{token}"),
        format!("/end/{token}"),
    ] {
        let response = post(path.clone(), "198.51.100.1").await.unwrap();
        assert_eq!(response.status(), 429, "{path}");
        assert!(response.headers().contains_key("retry-after"));
    }
    assert!(server.staff_inbox(1).is_empty());
    // Another address has its own budget.
    let response = post(format!("/sendmessage/{token}"), "198.51.100.2").await;
    assert_eq!(response.unwrap().status(), 200);
    assert_eq!(
        server
            .staff
            .status(&token.parse().unwrap())
            .unwrap()
            .as_str(),
        "waiting"
    );
}

/// Routes whose writes give up on a held lock after a short while, so
/// that a request that needed the lock fails (503) instead of waiting.
async fn server_that_waits_briefly_for_locks() -> TestServer {
    let store_options = SqliteOptions {
        busy_timeout: Duration::from_millis(200),
        ..SqliteOptions::default()
    };
    TestServer::start_with(
        Options::default(),
        |path| Client::open_with(path, store_options).unwrap(),
        |app, _| app,
    )
    .await
}

/// Takes the write lock on the database, as another process in the middle
/// of a write holds it, until `ROLLBACK`.
fn hold_the_write_lock(server: &TestServer) -> rusqlite::Connection {
    let writer = rusqlite::Connection::open(&server.db_path).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    writer
}

#[tokio::test]
async fn unknown_tokens_are_answered_while_another_process_holds_the_write_lock() {
    let server = server_that_waits_briefly_for_locks().await;
    let (token, _) = server.start_chat().await;

    // Another process (the daemon, say) is in the middle of a write.
    let writer = hold_the_write_lock(&server);
    let unknown = ChatToken::generate();
    let (status, body) = server.send(unknown.as_str(), "hello").await;
    assert_eq!(status, 404, "{body}");
    let response = server
        .http
        .post(server.url(&format!("/end/{unknown}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    // The lock really is held: a real line has to wait for it, and gives
    // up once the busy timeout is over, with 503 so that the widget tries
    // again.
    let (status, body) = server.send(&token, "real").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.to_string().contains("try again"), "{body}");

    writer.execute_batch("ROLLBACK").unwrap();
    let (status, _) = server.send(&token, "real").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn ending_a_chat_that_is_over_needs_no_write_lock() {
    let server = server_that_waits_briefly_for_locks().await;
    let (token, _) = server.start_chat().await;
    let end = || {
        server
            .http
            .post(server.url(&format!("/end/{token}")))
            .send()
    };
    assert_eq!(
        end()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()["ended"],
        true
    );

    let writer = hold_the_write_lock(&server);
    let response = end().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["ended"],
        false
    );
    writer.execute_batch("ROLLBACK").unwrap();
}

#[tokio::test]
async fn a_limit_of_zero_turns_limits_off() {
    let server = TestServer::start(limited(0)).await;
    let (token, _) = server.start_chat().await;
    for _ in 0..60 {
        server.start_chat().await;
        let (status, _) = server.send(&token, "again").await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn bodies_larger_than_the_cap_are_413() {
    let server = TestServer::start(Options {
        max_body_bytes: 1024,
        ..Options::default()
    })
    .await;
    let (token, id) = server.start_chat().await;
    server.accept(id);
    // Under the message limit, but its encoding is over the body cap.
    let (status, body) = server.send(&token, &"é".repeat(500)).await;
    assert_eq!(status, 413);
    assert_eq!(body["error"], "the request body is too large");
    let response = server
        .http
        .post(server.url("/start"))
        .form(&[("message", "x".repeat(2000))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert!(server.staff_inbox(id).is_empty());
}

#[tokio::test]
async fn the_default_cap_refuses_a_megabyte() {
    let server = TestServer::start(Options::default()).await;
    let (token, _) = server.start_chat().await;
    let (status, _) = server.send(&token, &"x".repeat(1 << 20)).await;
    assert_eq!(status, 413);
}
