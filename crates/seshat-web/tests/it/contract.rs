//! The HTTP contract, request by request, against a real server over a
//! real SQLite file; a second store on the file plays the daemon.

use crate::support::{TestServer, STAFF};
use axum::extract::Request;
use axum::middleware::{self, Next};
use seshat_client::{Client, Store};
use seshat_web::{Options, VisitorName};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

#[tokio::test]
async fn the_page_shows_a_chat_box_and_starts_no_chat() {
    let server = TestServer::start(Options::default()).await;
    // A link preview, a prefetch or another site's <img> loads the page
    // just like a visitor does, with whatever Referer it likes.
    for referer in [
        format!("http://{}/pricing", server.host),
        "http://evil.example/".to_owned(),
    ] {
        let response = server
            .http
            .get(server.url(""))
            .header("referer", referer)
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(policy.contains("script-src 'self'"), "{policy}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains(r#"<div class="seshat-chat" data-seshat-base="/chat"></div>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<script src="/static/seshat.js">"#),
            "{html}"
        );
    }
    // No row: no chat was started, nobody is paged.
    assert!(server.staff.chat(1).unwrap().is_none());
    assert!(server.staff.waiting_chats().unwrap().is_empty());

    // The visitor's first line starts the one chat.
    let (_, id) = server.start_chat().await;
    assert_eq!(id, 1);
}

#[tokio::test]
async fn start_answers_the_token_and_number_of_a_new_chat() {
    let server = TestServer::start(Options::default()).await;
    let response = server
        .http
        .post(server.url("/start"))
        .form(&[("name", "Bob"), ("message", "Do you ship to Mars?")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    let id = body["chatid"].as_i64().unwrap();
    assert_eq!(token.len(), 24);

    let chat = server.staff.chat(id).unwrap().unwrap();
    assert_eq!(chat.visitor, "Bob");
    assert_eq!(chat.start_message.as_deref(), Some("Do you ship to Mars?"));
    assert_eq!(server.staff.token_of(id).unwrap().as_str(), token);
}

/// Starts a chat with no fields but `referer`; returns what staff are shown.
async fn start_from_page(server: &TestServer, referer: &str) -> seshat_client::Chat {
    let response = server
        .http
        .post(server.url("/start"))
        .header("referer", referer)
        .form(&[("unrelated", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    server
        .staff
        .chat(body["chatid"].as_i64().unwrap())
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn start_with_no_fields_is_anonymous_and_quotes_a_page_of_this_site() {
    let server = TestServer::start(Options::default()).await;
    let page = format!("http://{}/pricing?plan=pro", server.host);
    let chat = start_from_page(&server, &page).await;
    assert_eq!(chat.visitor, "Anonymous");
    assert_eq!(chat.start_message, Some(format!("Coming from page {page}")));
}

#[tokio::test]
async fn a_referer_from_another_site_is_not_quoted() {
    let server = TestServer::start(Options::default()).await;
    for foreign in [
        "http://evil.example/Call+me+on+555-0100".to_owned(),
        format!("http://evil.example/{}", server.host),
        format!("http://{}.evil.example/", server.host),
        format!("http://{}@evil.example/", server.host),
    ] {
        let chat = start_from_page(&server, &foreign).await;
        assert_eq!(chat.start_message, None, "{foreign}");
    }
}

#[tokio::test]
async fn the_applications_visitor_name_wins_over_the_typed_one() {
    async fn logged_in_as_ada(mut request: Request, next: Next) -> axum::response::Response {
        request
            .extensions_mut()
            .insert(VisitorName("Ada Lovelace".to_owned()));
        next.run(request).await
    }
    let server = TestServer::start_with(
        Options::default(),
        |path| Client::open(path).unwrap(),
        |app, _| app.layer(middleware::from_fn(logged_in_as_ada)),
    )
    .await;
    let response = server
        .http
        .post(server.url("/start"))
        .form(&[("name", "Mallory")])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    let chat = server
        .staff
        .chat(body["chatid"].as_i64().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(chat.visitor, "Ada Lovelace");
}

#[tokio::test]
async fn a_start_that_is_not_a_form_is_415() {
    let server = TestServer::start(Options::default()).await;
    let response = server
        .http
        .post(server.url("/start"))
        .header("content-type", "application/json")
        .body(r#"{"name":"Bob"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["error"].is_string());
}

#[tokio::test]
async fn a_name_too_long_is_413() {
    let server = TestServer::start(Options::default()).await;
    let response = server
        .http
        .post(server.url("/start"))
        .form(&[("name", "n".repeat(101))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn receive_returns_every_pending_message_at_once_with_the_status() {
    let server = TestServer::start(Options::default()).await;
    let (token, id) = server.start_chat().await;
    server.accept(id);
    server
        .staff
        .reply_from_staff(STAFF, "Hi, I'm Alice.")
        .unwrap();
    server
        .staff
        .reply_from_staff(STAFF, "How can I help?")
        .unwrap();

    let (status, body) = server.receive(&token, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "open");
    assert_eq!(
        TestServer::texts(&body),
        [
            "Your chat request has been sent. Please wait while it is answered.",
            "Your chat has started.",
            "Hi, I'm Alice.",
            "How can I help?",
        ]
    );
    let messages = body["messages"].as_array().unwrap();
    let authors: Vec<&str> = messages
        .iter()
        .map(|m| m["from"].as_str().unwrap())
        .collect();
    assert_eq!(authors, ["seshat", "seshat", "staff", "staff"]);
    let ids: Vec<i64> = messages.iter().map(|m| m["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");
    for message in messages {
        let time = message["time"].as_str().unwrap();
        let parsed = OffsetDateTime::parse(time, &Rfc3339).expect(time);
        assert!((OffsetDateTime::now_utc() - parsed).whole_minutes().abs() < 5);
    }

    // Handed out once: the next call finds nothing.
    let (status, body) = server.receive(&token, &[]).await;
    assert_eq!(status, 200);
    assert!(TestServer::texts(&body).is_empty());
    assert_eq!(body["status"], "open");
}

#[tokio::test]
async fn with_after_messages_come_again_until_acknowledged() {
    let server = TestServer::start(Options::default()).await;
    let (token, id) = server.start_chat().await;
    server.accept(id);

    let (_, first) = server.receive(&token, &[("after", "0")]).await;
    let (_, again) = server.receive(&token, &[("after", "0")]).await;
    assert_eq!(TestServer::texts(&first).len(), 2);
    assert_eq!(first["messages"], again["messages"]);

    let last = first["messages"][1]["id"].as_i64().unwrap().to_string();
    let (_, acknowledged) = server.receive(&token, &[("after", &last)]).await;
    assert!(TestServer::texts(&acknowledged).is_empty());
    // Acknowledged messages are delivered for good, also for plain receives.
    let (_, plain) = server.receive(&token, &[]).await;
    assert!(TestServer::texts(&plain).is_empty());
}

#[tokio::test]
async fn a_malformed_wait_is_400() {
    let server = TestServer::start(Options::default()).await;
    let (token, _) = server.start_chat().await;
    for wait in ["soon", "-1", "2.5"] {
        let (status, body) = server.receive(&token, &[("wait", wait)]).await;
        assert_eq!(status, 400, "{wait}");
        assert!(body["error"].is_string());
    }
}

#[tokio::test]
async fn send_reaches_staff_and_says_whether_it_went_anywhere() {
    let server = TestServer::start(Options::default()).await;
    let (token, id) = server.start_chat().await;

    // Before anyone accepted: queued, and the visitor is told it waits.
    let (status, body) = server.send(&token, "Anyone there?").await;
    assert_eq!((status, &body), (200, &serde_json::json!({"sent": true})));

    server.accept(id);
    let (status, body) = server.send(&token, "Great, thanks.").await;
    assert_eq!((status, &body["sent"]), (200, &serde_json::json!(true)));
    assert_eq!(server.staff_inbox(id), ["Anyone there?", "Great, thanks."]);

    server.staff.finish(STAFF).unwrap();
    let (status, body) = server.send(&token, "Hello?").await;
    assert_eq!((status, &body["sent"]), (200, &serde_json::json!(false)));
    let (_, received) = server.receive(&token, &[]).await;
    assert!(TestServer::texts(&received).contains(&"This chat is already closed.".to_owned()));
}

#[tokio::test]
async fn blank_text_is_400_and_text_too_long_is_413() {
    let server = TestServer::start(Options::default()).await;
    let (token, id) = server.start_chat().await;
    server.accept(id);
    for blank in ["", "   ", "\n\t"] {
        let (status, body) = server.send(&token, blank).await;
        assert_eq!(status, 400, "{blank:?}");
        assert_eq!(body["error"], "the message is empty");
    }
    let (status, _) = server.send(&token, "nul\0byte").await;
    assert_eq!(status, 400);
    let (status, body) = server.send(&token, &"x".repeat(4097)).await;
    assert_eq!(status, 413);
    assert!(body["error"].as_str().unwrap().contains("4097"), "{body}");
    let (status, _) = server.send(&token, &"x".repeat(4096)).await;
    assert_eq!(status, 200);
    assert_eq!(server.staff_inbox(id).len(), 1);
}

#[tokio::test]
async fn a_send_without_a_text_field_is_400() {
    let server = TestServer::start(Options::default()).await;
    let (token, _) = server.start_chat().await;
    let response = server
        .http
        .post(server.url(&format!("/sendmessage/{token}")))
        .form(&[("message", "wrong field")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn end_closes_the_chat_once() {
    let server = TestServer::start(Options::default()).await;
    let (token, id) = server.start_chat().await;
    server.accept(id);
    let end = || async {
        let response = server
            .http
            .post(server.url(&format!("/end/{token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json::<serde_json::Value>().await.unwrap()
    };
    assert_eq!(end().await, serde_json::json!({"ended": true}));
    assert_eq!(end().await, serde_json::json!({"ended": false}));

    let (_, body) = server.receive(&token, &[]).await;
    assert_eq!(body["status"], "closed");
    assert_eq!(
        TestServer::texts(&body).last().unwrap(),
        "The chat is now closed."
    );
    assert_eq!(server.staff_inbox(id), ["The chat is now closed."]);
}

#[tokio::test]
async fn available_follows_staff_presence() {
    let server = TestServer::start(Options::default()).await;
    let available = || async {
        let response = server
            .http
            .get(server.url("/available"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json::<serde_json::Value>().await.unwrap()
    };
    let nobody = serde_json::json!({"available": false, "busy": false});
    assert_eq!(available().await, nobody);
    server.staff.set_presence(STAFF, "desk", true).unwrap();
    assert_eq!(
        available().await,
        serde_json::json!({"available": true, "busy": false})
    );
    // Busy staff are not available, but a new chat would wait in line.
    let (_, id) = server.start_chat().await;
    server.accept(id);
    assert_eq!(
        available().await,
        serde_json::json!({"available": false, "busy": true})
    );
    server.staff.set_presence(STAFF, "desk", false).unwrap();
    assert_eq!(available().await, nobody);
}

#[tokio::test]
async fn without_a_queue_busy_staff_are_simply_not_available() {
    let server = TestServer::start(Options {
        queue_when_busy: false,
        ..Options::default()
    })
    .await;
    server.staff.set_presence(STAFF, "desk", true).unwrap();
    let (_, id) = server.start_chat().await;
    server.accept(id);
    let answer: serde_json::Value = server
        .http
        .get(server.url("/available"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer,
        serde_json::json!({"available": false, "busy": false})
    );
}

#[tokio::test]
async fn unknown_and_malformed_tokens_are_404_with_a_json_error() {
    let server = TestServer::start(Options::default()).await;
    let (real, _) = server.start_chat().await;
    let unknown = seshat_client::ChatToken::generate().to_string();
    let changed_last_character = format!(
        "{}{}",
        &real[..23],
        if real.ends_with('A') { 'B' } else { 'A' }
    );
    for token in [
        unknown.as_str(),
        changed_last_character.as_str(),
        "short",
        "..%2F..%2Fetc%2Fpasswd",
        "%00",
    ] {
        let requests = [
            server
                .http
                .get(server.url(&format!("/recvmessage/{token}"))),
            server
                .http
                .get(server.url(&format!("/recvmessage/{token}")))
                .query(&[("wait", "30")]),
            server
                .http
                .post(server.url(&format!("/sendmessage/{token}")))
                .form(&[("text", "hello")]),
            server.http.post(server.url(&format!("/end/{token}"))),
        ];
        for request in requests {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 404, "{token}");
            assert!(response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"));
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body, serde_json::json!({"error": "no such chat"}));
        }
    }
}

#[tokio::test]
async fn the_token_of_one_chat_reaches_only_that_chat() {
    let server = TestServer::start(Options::default()).await;
    let (token_a, id_a) = server.start_chat().await;
    let (token_b, id_b) = server.start_chat().await;
    server.accept(id_a);
    server.staff.reply_from_staff(STAFF, "For A only").unwrap();

    let (_, b_sees) = server.receive(&token_b, &[]).await;
    assert_eq!(
        TestServer::texts(&b_sees),
        ["Your chat request has been sent. Please wait while it is answered."]
    );
    assert_eq!(b_sees["status"], "waiting");

    let (status, _) = server.send(&token_b, "From B").await;
    assert_eq!(status, 200);
    assert!(server.staff_inbox(id_a).is_empty());

    let response = server
        .http
        .post(server.url(&format!("/end/{token_b}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        server.staff.chat(id_a).unwrap().unwrap().status.as_str(),
        "open"
    );
    assert_eq!(
        server.staff.chat(id_b).unwrap().unwrap().status.as_str(),
        "closed"
    );

    let (_, a_sees) = server.receive(&token_a, &[]).await;
    assert!(TestServer::texts(&a_sees).contains(&"For A only".to_owned()));
}
