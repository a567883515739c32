//! `POST /start` with an `email`: a valid address is stored with the chat
//! (where the daemon puts it in the offer), an invalid one is refused with
//! 400 and starts nothing, by the rules of the socket's `set_email`.

use serde_json::Value;
use seshat_client::Store;
use seshat_web::Options;

use crate::support::TestServer;

/// `POST /start` with `fields`; returns (status code, JSON).
async fn start_with(server: &TestServer, fields: &[(&str, &str)]) -> (u16, Value) {
    let response = server
        .http
        .post(server.url("/start"))
        .form(fields)
        .send()
        .await
        .expect("POST /start");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn a_valid_address_is_stored_with_the_new_chat() {
    let server = TestServer::start(Options::default()).await;
    let (status, body) = start_with(
        &server,
        &[
            ("name", "Dana"),
            ("message", "Where is my order?"),
            ("email", " dana@example.org "),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["chatid"].as_i64().expect("chatid");
    let chat = server.staff.chat(id).unwrap().expect("the chat exists");
    assert_eq!(chat.visitor, "Dana");
    assert_eq!(chat.start_message.as_deref(), Some("Where is my order?"));
    assert_eq!(chat.email.as_deref(), Some("dana@example.org"));
    // The very chat the daemon will offer.
    let waiting = server.staff.waiting_chats().unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].email.as_deref(), Some("dana@example.org"));
}

#[tokio::test]
async fn an_invalid_address_is_refused_and_starts_nothing() {
    let server = TestServer::start(Options::default()).await;
    for bad in [
        "dana",
        "dana@",
        "@example.org",
        "dana@example",
        "da na@example.org",
        "a@b@example.org",
        "<dana>@example.org",
    ] {
        let (status, body) = start_with(&server, &[("message", "Hello"), ("email", bad)]).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"], "that is not a valid email address", "{bad}");
    }
    assert!(
        server.staff.waiting_chats().unwrap().is_empty(),
        "a refused start left a chat behind"
    );
}

#[tokio::test]
async fn a_blank_or_absent_address_is_none() {
    let server = TestServer::start(Options::default()).await;
    for fields in [
        &[("message", "Hello"), ("email", "  ")][..],
        &[("message", "Hello")][..],
    ] {
        let (status, body) = start_with(&server, fields).await;
        assert_eq!(status, 200, "{body}");
        let id = body["chatid"].as_i64().expect("chatid");
        let chat = server.staff.chat(id).unwrap().expect("the chat exists");
        assert_eq!(chat.email, None);
    }
}

#[tokio::test]
async fn a_refused_address_does_not_use_up_the_start_budget() {
    let server = TestServer::start(Options {
        rate_limit_per_minute: 1,
        ..Options::default()
    })
    .await;
    let (status, _) = start_with(&server, &[("message", "Hi"), ("email", "nope")]).await;
    assert_eq!(status, 400);
    let (status, body) =
        start_with(&server, &[("message", "Hi"), ("email", "dana@example.org")]).await;
    assert_eq!(status, 200, "the corrected start was refused: {body}");
}
