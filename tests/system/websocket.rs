//! The WebSocket transport with every real part running: Prosody,
//! `seshatd` and `seshat-webapp` as processes, a staff member in a real
//! XMPP client, and visitors on real WebSocket clients at `/wc/connect`.
//!
//! Needs the `seshatd` binary (see `seshat_system_tests::binaries`) and
//! jQuery from `npm ci` (the web app checks for it at start-up).

use serde_json::json;
use seshat_client::{texts, ChatToken, Client as SeshatClient, Topic};
use seshat_testkit::StaffClient;
use tokio_tungstenite::tungstenite::Message;

use seshat_system_tests::deployment::{Deployment, DEADLINE, PASSWORD};
use seshat_system_tests::socket_visitor::{texts_of, Visitor};

/// The display name the ini file gives alice.
const ALICE_NAME: &str = "Alice Liddell";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_chat_over_the_websocket_with_real_staff() {
    let deployment = Deployment::start_with_settings(
        &["alice"],
        &format!("staff_names = alice@localhost = {ALICE_NAME}\n"),
    );
    let bot = deployment.prosody.jid("bot");
    let socket_url = format!("{}wc/connect", deployment.url.replacen("http", "ws", 1));
    let mut alice = StaffClient::connect(&deployment.prosody, "alice", PASSWORD, "desk")
        .await
        .expect("alice logs in");
    let store = SeshatClient::open(&deployment.database).expect("open the shared database");
    deployment.wait_until_staff_available(&store).await;

    // ----- the visitor starts a chat and gives an email address -----------
    let mut visitor = Visitor::connect(&socket_url).await;
    visitor
        .send(json!({"type": "start_chat", "message": "Hello over the socket"}))
        .await;
    let started = visitor.next_event().await;
    assert_eq!(started["type"], "chat_started", "{started}");
    let token = started["chat_id"].as_str().unwrap().to_owned();
    let requested = visitor.wait_for_text(texts::CHAT_REQUESTED).await;
    assert_eq!(requested["msg_out"]["origin"], "system");

    visitor
        .send(json!({"type": "set_email", "email": "not-an-address"}))
        .await;
    assert_eq!(
        visitor.wait_for_type("error").await["code"],
        "invalid_email"
    );
    visitor
        .send(json!({"type": "set_email", "email": "visitor@example.com"}))
        .await;
    visitor.round_trip().await;

    // ----- staff accept -----------------------------------------------------
    let chat_id = deployment
        .accept_offer(&mut alice, "Hello over the socket")
        .await;
    let started = visitor.wait_for_text(texts::CHAT_STARTED).await;
    assert_eq!(started["msg_out"]["origin"], "system");
    assert_eq!(visitor.wait_for_type("chat_status").await["status"], "open");

    // ----- staff see the email address --------------------------------------
    alice
        .send_chat(&bot, "!STATUS")
        .await
        .expect("send !STATUS");
    let status = alice
        .wait_for_message_containing(&format!("You are in chat #{chat_id}"), DEADLINE)
        .await
        .expect("the !STATUS reply");
    assert!(
        status
            .body
            .contains("Their email address is visitor@example.com."),
        "{}",
        status.body
    );

    // ----- messages both ways -----------------------------------------------
    visitor
        .send(json!({"type": "send_msg", "text": "Hello from the socket <b>!</b>"}))
        .await;
    let relayed = alice
        .wait_for_message_containing("Hello from the socket", DEADLINE)
        .await
        .expect("the visitor's line reaches staff");
    assert_eq!(relayed.body, "Hello from the socket <b>!</b>");

    alice
        .send_chat(&bot, "Hi, Alice here")
        .await
        .expect("alice answers");
    let reply = visitor.wait_for_text("Hi, Alice here").await;
    assert_eq!(reply["msg_out"]["origin"], "chat");
    assert_eq!(
        reply["msg_out"]["user"],
        json!({"name": ALICE_NAME, "email": "alice@localhost"})
    );
    visitor
        .send(json!({"type": "ack_chat", "msg_id": reply["msg_out"]["id"]}))
        .await;

    // ----- resume after a disconnect: what was not acknowledged comes again --
    alice.send_chat(&bot, "one").await.expect("send");
    alice.send_chat(&bot, "two").await.expect("send");
    visitor.wait_for_text("two").await;
    visitor.close().await;
    alice.send_chat(&bot, "three").await.expect("send");
    let parsed: ChatToken = token.parse().unwrap();
    let chat_id = store
        .store()
        .inbox(&parsed, None)
        .expect("the chat")
        .chat_id;
    let stored = store
        .wait_for(Topic::Chat(chat_id), DEADLINE, move |store| {
            let pending = store.peek_for_visitor(&parsed)?;
            Ok(pending
                .iter()
                .any(|message| message.text == "three")
                .then_some(()))
        })
        .await
        .expect("read the store");
    assert!(stored.is_some(), "\"three\" never reached the store");

    let mut visitor = Visitor::connect(&socket_url).await;
    visitor
        .send(json!({"type": "start_chat", "chat_id": token}))
        .await;
    assert_eq!(
        visitor.next_event().await,
        json!({"type": "chat_resumed", "chat_id": token, "email": "visitor@example.com"})
    );
    let resent = visitor.round_trip().await;
    assert_eq!(texts_of(&resent), ["one", "two", "three"], "{resent:?}");
    let last = resent
        .iter()
        .rev()
        .find(|event| event["type"] == "chat_out")
        .unwrap();
    visitor
        .send(json!({"type": "ack_chat", "msg_id": last["msg_out"]["id"]}))
        .await;

    // ----- history, paged with before -----------------------------------------
    for n in 0..25 {
        alice
            .send_chat(&bot, &format!("line {n}"))
            .await
            .expect("send a line");
    }
    visitor.wait_for_text("line 24").await;
    let mut expected: Vec<String> = [
        texts::CHAT_REQUESTED,
        texts::CHAT_STARTED,
        "Hello from the socket <b>!</b>",
        "Hi, Alice here",
        "one",
        "two",
        "three",
    ]
    .iter()
    .map(|text| (*text).to_owned())
    .chain((0..25).map(|n| format!("line {n}")))
    .collect();
    expected.reverse();
    let mut seen = Vec::new();
    let mut request = json!({"type": "get_history", "before": "2999-01-01T00:00:00Z"});
    for page_number in 1.. {
        visitor.send(request.clone()).await;
        let page = visitor.wait_for_type("history").await;
        let entries = page["history"].as_array().unwrap().clone();
        assert!(entries.len() <= 25);
        for entry in &entries {
            let message = entry
                .get("msg_in")
                .or_else(|| entry.get("msg_out"))
                .expect("msg_in or msg_out");
            seen.push(message["text"].as_str().unwrap().to_owned());
        }
        if page["has_more"] == false {
            assert_eq!(page_number, 2);
            break;
        }
        let oldest = entries.last().unwrap();
        let oldest = oldest
            .get("msg_in")
            .or_else(|| oldest.get("msg_out"))
            .unwrap();
        request =
            json!({"type": "get_history", "before": oldest["time"], "before_id": oldest["id"]});
    }
    assert_eq!(seen, expected);

    // ----- bad frames: refused, and nobody else's socket suffers -------------
    let mut sloppy = Visitor::connect(&socket_url).await;
    sloppy.send_frame(Message::text("not JSON at all")).await;
    assert_eq!(sloppy.next_event().await["code"], "not_json");
    sloppy.send(json!({"type": "launch_rockets"})).await;
    assert_eq!(sloppy.next_event().await["code"], "unknown_type");
    sloppy.send(json!({"type": "start_chat"})).await;
    sloppy.wait_for_type("chat_started").await;
    sloppy.send(json!({"type": "send_msg"})).await;
    assert_eq!(sloppy.wait_for_type("error").await["code"], "missing_field");
    sloppy.send(json!({"type": "ack_chat"})).await;
    assert_eq!(sloppy.wait_for_type("error").await["code"], "missing_field");
    sloppy
        .send_frame(Message::binary(vec![0xde, 0xad, 0xbe, 0xef]))
        .await;
    assert_eq!(sloppy.wait_for_type("error").await["code"], "binary_frame");
    sloppy
        .send_frame(Message::text("x".repeat(1024 * 1024)))
        .await;
    assert_eq!(sloppy.close_code().await, 1009);

    alice.send_chat(&bot, "still working").await.expect("send");
    visitor.wait_for_text("still working").await;
    visitor
        .send(json!({"type": "send_msg", "text": "me too"}))
        .await;
    alice
        .wait_for_message_containing("me too", DEADLINE)
        .await
        .expect("the visitor's socket still works");

    // ----- staff finish; the app stops and closes the socket cleanly ---------
    alice
        .send_chat(&bot, "!FINISH")
        .await
        .expect("send !FINISH");
    visitor.wait_for_text(texts::CHAT_CLOSED).await;
    assert_eq!(
        visitor.wait_for_type("chat_status").await["status"],
        "closed"
    );
    let Deployment {
        webapp,
        daemon,
        prosody,
        dir,
        ..
    } = deployment;
    // SIGTERM, then wait for a successful exit, while the visitor reads.
    let stopping = std::thread::spawn(move || webapp.stop());
    assert_eq!(visitor.close_code().await, 1000);
    stopping.join().expect("the web app stops cleanly");
    alice.disconnect().await.expect("alice logs out");
    daemon.stop();
    drop((prosody, dir));
}
