//! `recvmessage?wait=S`: the long poll answers as soon as a reply is
//! committed by another store on the same file (the daemon's side), and
//! not later.

mod support;

use std::sync::Arc;
use std::time::Duration;

use seshat_client::{Client, SqliteStore, Store};
use seshat_web::Options;
use support::observed_store::ObservedStore;
use support::{TestServer, STAFF};
use tokio::sync::Notify;

/// Starts a server whose store reports empty receives; returns it and the signal.
async fn observed_server() -> (TestServer, Arc<Notify>) {
    let mut signal = None;
    let server = TestServer::start_with(
        Options::default(),
        |path| {
            let store = ObservedStore::new(SqliteStore::open(path).unwrap());
            signal = Some(Arc::clone(&store.found_nothing));
            Client::from_store(Arc::new(store))
        },
        |app, _| app,
    )
    .await;
    (server, signal.unwrap())
}

/// Waits for the server to find nothing (the long poll is then waiting),
/// failing the test after a generous deadline.
async fn until_the_poll_waits(signal: &Notify) {
    tokio::time::timeout(Duration::from_secs(10), signal.notified())
        .await
        .expect("the long poll never started waiting");
}

#[tokio::test]
async fn a_waiting_poll_answers_as_soon_as_staff_reply() {
    let (server, found_nothing) = observed_server().await;
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
    until_the_poll_waits(&found_nothing).await;
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
    let (server, found_nothing) = observed_server().await;
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
    until_the_poll_waits(&found_nothing).await;
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
    let (server, found_nothing) = observed_server().await;
    let (token, id) = server.start_chat().await;
    server.accept(id);
    server.receive(&token, &[]).await;
    // A day-long wait is capped, not refused, and the reply still wakes it.
    let poll = tokio::spawn({
        let http = server.http.clone();
        let url = server.url(&format!("/recvmessage/{token}"));
        async move { http.get(url).query(&[("wait", "86400")]).send().await }
    });
    until_the_poll_waits(&found_nothing).await;
    server.staff.reply_from_staff(STAFF, "Still here.").unwrap();
    let body: serde_json::Value = poll.await.unwrap().unwrap().json().await.unwrap();
    assert_eq!(TestServer::texts(&body), ["Still here."]);
}
