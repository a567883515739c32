//! `recvmessage?wait=S`: the long poll answers as soon as a reply is
//! committed by another store on the same file (the daemon's side), and
//! not later.

use crate::support::{TestServer, STAFF};
use seshat_client::Store;
use seshat_web::Options;

#[tokio::test]
async fn a_waiting_poll_answers_as_soon_as_staff_reply() {
    let server = TestServer::start(Options::default()).await;
    let (token, id) = server.start_chat().await;
    server.accept(id);
    // Take the two notices, so that the next poll has to wait.
    let (_, drained) = server.receive(&token, &[]).await;
    assert_eq!(TestServer::texts(&drained).len(), 2);

    let poll = tokio::spawn({
        let http = server.http.clone();
        let url = server.url(&format!("/recvmessage/{token}"));
        // The server is asked to wait 30 s; the client gives up after
        // support::REQUEST_DEADLINE (20 s), so only a wake-up on the
        // commit can pass.
        async move { http.get(url).query(&[("wait", "30")]).send().await }
    });
    server.until_waiting(id, 1).await;
    server
        .staff
        .reply_from_staff(STAFF, "Sorry for the wait!")
        .unwrap();

    let response = poll.await.unwrap().expect("the long poll answered in time");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(TestServer::texts(&body), ["Sorry for the wait!"]);
    assert_eq!(body["status"], "open");
}

#[tokio::test]
async fn a_waiting_poll_sees_the_chat_close() {
    let server = TestServer::start(Options::default()).await;
    let (token, id) = server.start_chat().await;
    server.accept(id);
    server.receive(&token, &[]).await;

    let poll = tokio::spawn({
        let http = server.http.clone();
        let url = server.url(&format!("/recvmessage/{token}"));
        async move {
            http.get(url)
                .query(&[("wait", "30"), ("after", "0")])
                .send()
                .await
        }
    });
    server.until_waiting(id, 1).await;
    server.staff.finish(STAFF).unwrap();

    let body: serde_json::Value = poll.await.unwrap().unwrap().json().await.unwrap();
    assert_eq!(TestServer::texts(&body), ["The chat is now closed."]);
    assert_eq!(body["status"], "closed");
}

#[tokio::test]
async fn a_poll_with_nothing_to_say_answers_empty_when_its_wait_is_over() {
    let server = TestServer::start(Options::default()).await;
    let (token, _) = server.start_chat().await;
    server.receive(&token, &[]).await;
    let (status, body) = server.receive(&token, &[("wait", "1")]).await;
    assert_eq!(status, 200);
    assert!(TestServer::texts(&body).is_empty());
    assert_eq!(body["status"], "waiting");
}

#[tokio::test]
async fn pending_messages_are_answered_without_waiting() {
    let server = TestServer::start(Options::default()).await;
    let (token, _) = server.start_chat().await;
    // The request notice is pending: a 30 s wait must not hold it back
    // (the client's deadline is shorter than that).
    let (status, body) = server.receive(&token, &[("wait", "30")]).await;
    assert_eq!(status, 200);
    assert_eq!(TestServer::texts(&body).len(), 1);
}

#[tokio::test]
async fn an_absurdly_long_wait_is_accepted_and_still_woken() {
    let server = TestServer::start(Options::default()).await;
    let (token, id) = server.start_chat().await;
    server.accept(id);
    server.receive(&token, &[]).await;
    // A day-long wait is capped, not refused, and the reply still wakes it.
    let poll = tokio::spawn({
        let http = server.http.clone();
        let url = server.url(&format!("/recvmessage/{token}"));
        async move { http.get(url).query(&[("wait", "86400")]).send().await }
    });
    server.until_waiting(id, 1).await;
    server.staff.reply_from_staff(STAFF, "Still here.").unwrap();
    let body: serde_json::Value = poll.await.unwrap().unwrap().json().await.unwrap();
    assert_eq!(TestServer::texts(&body), ["Still here."]);
}

#[tokio::test]
async fn a_waiting_poll_is_woken_by_its_own_chat_only() {
    let server = TestServer::start(Options::default()).await;
    let (token_a, id_a) = server.start_chat().await;
    server.accept(id_a);
    server.receive(&token_a, &[]).await;
    let (token_b, id_b) = server.start_chat().await;
    let bob = "bob@example.test";
    server.staff.accept(id_b, bob).unwrap();

    let poll = tokio::spawn({
        let http = server.http.clone();
        let url = server.url(&format!("/recvmessage/{token_a}"));
        async move { http.get(url).query(&[("wait", "30")]).send().await }
    });
    server.until_waiting(id_a, 1).await;
    let woken_before = server.woken();

    // A whole conversation on chat B, as its widget would hold it:
    // replies, messages, and acknowledgements of what it showed.
    let mut last_shown = 0;
    for n in 0..20 {
        server
            .staff
            .reply_from_staff(bob, &format!("reply {n}"))
            .unwrap();
        server.send(&token_b, "thanks").await;
        let after = last_shown.to_string();
        let (_, body) = server.receive(&token_b, &[("after", &after)]).await;
        if let Some(id) = body["messages"]
            .as_array()
            .and_then(|messages| messages.last())
            .and_then(|message| message["id"].as_i64())
        {
            last_shown = id;
        }
    }
    // Then a reply on chat A: committed after all of B's, so it is read
    // after them.
    server.staff.reply_from_staff(STAFF, "For A").unwrap();

    let body: serde_json::Value = poll.await.unwrap().unwrap().json().await.unwrap();
    assert_eq!(TestServer::texts(&body), ["For A"]);
    assert_eq!(
        server.woken() - woken_before,
        1,
        "chat B's conversation woke chat A's waiting poll"
    );
}
