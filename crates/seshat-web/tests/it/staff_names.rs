//! `recvmessage` names the staff member who wrote each message, with the
//! name the WebSocket gives in `msg_out.user.name`; notices name nobody.

use serde_json::Value;
use seshat_client::Store;
use seshat_web::Options;

use crate::support::{naming_staff, TestServer, STAFF};

/// A chat accepted by [`STAFF`], its notices read, then one reply from
/// them; returns every message of the answer that carries the reply.
async fn a_reply_through(server: &TestServer) -> Vec<Value> {
    let (token, id) = server.start_chat().await;
    server.accept(id);
    server
        .staff
        .reply_from_staff(STAFF, "How can I help?")
        .unwrap();
    let (status, body) = server.receive(&token, &[("after", "0")]).await;
    assert_eq!(status, 200);
    body["messages"].as_array().expect("messages").clone()
}

#[tokio::test]
async fn a_staff_message_carries_the_configured_name() {
    let server = TestServer::start(naming_staff("Alice Example")).await;
    let messages = a_reply_through(&server).await;
    let reply = messages.last().expect("the reply");
    assert_eq!(reply["text"], "How can I help?");
    assert_eq!(reply["from"], "staff");
    assert_eq!(reply["name"], "Alice Example");
}

#[tokio::test]
async fn without_a_configured_name_the_jids_local_part_is_used() {
    let server = TestServer::start(Options::default()).await;
    let messages = a_reply_through(&server).await;
    let reply = messages.last().expect("the reply");
    assert_eq!(reply["from"], "staff");
    assert_eq!(reply["name"], "alice");
}

#[tokio::test]
async fn notices_carry_no_name() {
    let server = TestServer::start(naming_staff("Alice Example")).await;
    let messages = a_reply_through(&server).await;
    let notices: Vec<&Value> = messages
        .iter()
        .filter(|message| message["from"] == "seshat")
        .collect();
    // "Your chat request has been sent..." and "Your chat has started."
    assert_eq!(notices.len(), 2, "{messages:?}");
    for notice in notices {
        assert!(notice.get("name").is_none(), "{notice}");
    }
}
