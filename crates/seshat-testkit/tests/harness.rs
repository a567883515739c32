//! The kit against a real Prosody: messages, presence subscriptions,
//! restarts and account creation.

use std::time::Duration;

use seshat_testkit::{Prosody, Show, StaffClient};

/// Generous deadline for anything that normally takes milliseconds.
const WAIT: Duration = Duration::from_secs(10);

/// Starts a plain instance with `users`, each with password "pw".
fn prosody_with(users: &[&str]) -> Prosody {
    let prosody = Prosody::start().expect("start prosody");
    let accounts: Vec<(&str, &str)> = users.iter().map(|user| (*user, "pw")).collect();
    prosody.register_many(&accounts).expect("register accounts");
    prosody
}

#[tokio::test]
async fn two_staff_exchange_messages_both_ways() {
    let prosody = prosody_with(&["alice", "bob"]);
    let mut alice = StaffClient::connect(&prosody, "alice", "pw", "desk")
        .await
        .unwrap();
    let mut bob = StaffClient::connect(&prosody, "bob", "pw", "desk")
        .await
        .unwrap();
    assert_eq!(alice.jid(), &prosody.jid("alice"));
    assert_eq!(
        bob.bound_jid().unwrap().to_string(),
        "bob@localhost/desk",
        "the server binds the requested resource"
    );

    alice.send_chat(bob.jid(), "hello bob").await.unwrap();
    let received = bob.expect_message_from(alice.jid(), WAIT).await.unwrap();
    assert_eq!(received.body, "hello bob");
    assert_eq!(received.from.to_string(), "alice@localhost/desk");

    bob.send_chat(alice.jid(), "hello alice").await.unwrap();
    let received = alice.next_message(WAIT).await.unwrap();
    assert_eq!(received.body, "hello alice");
    assert_eq!(received.from_bare(), prosody.jid("bob"));

    // Nothing else is on its way: both messages were acknowledged by the
    // server before we got here.
    alice
        .expect_no_message(Duration::from_millis(200))
        .await
        .unwrap();

    alice.disconnect().await.unwrap();
    bob.disconnect().await.unwrap();
}

#[tokio::test]
async fn waiting_for_a_message_containing_text_skips_the_others() {
    let prosody = prosody_with(&["alice", "bob"]);
    let alice = StaffClient::connect(&prosody, "alice", "pw", "desk")
        .await
        .unwrap();
    let mut bob = StaffClient::connect(&prosody, "bob", "pw", "desk")
        .await
        .unwrap();

    for body in ["one", "two", "the third one"] {
        alice.send_chat(bob.jid(), body).await.unwrap();
    }
    let found = bob
        .wait_for_message_containing("third", WAIT)
        .await
        .unwrap();
    assert_eq!(found.body, "the third one");

    let error = bob
        .expect_message_from(&prosody.jid("nobody"), Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no message from nobody@localhost"),
        "{error}"
    );
}

#[tokio::test]
async fn subscription_handshake_lets_each_see_the_other() {
    let prosody = prosody_with(&["alice", "bob"]);
    let mut alice = StaffClient::connect(&prosody, "alice", "pw", "desk")
        .await
        .unwrap();
    let mut bob = StaffClient::connect(&prosody, "bob", "pw", "desk")
        .await
        .unwrap();

    // Bob approves automatically and asks back; Alice approves that too.
    alice.subscribe_to(bob.jid()).await.unwrap();
    let seen_by_alice = alice
        .wait_for_available_from(bob.jid(), WAIT)
        .await
        .unwrap();
    assert_eq!(seen_by_alice.show, None);
    bob.wait_for_available_from(alice.jid(), WAIT)
        .await
        .unwrap();

    // From now on presence changes flow both ways.
    bob.set_away().await.unwrap();
    let bob_jid = bob.jid().clone();
    let away = alice
        .wait_for_presence("bob away", WAIT, |presence| {
            presence.from_bare() == bob_jid && presence.show == Some(Show::Away)
        })
        .await
        .unwrap();
    assert!(away.is_available());

    alice.go_unavailable().await.unwrap();
    let alice_jid = alice.jid().clone();
    bob.wait_for_presence("alice unavailable", WAIT, |presence| {
        presence.from_bare() == alice_jid && !presence.is_available()
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn clients_connect_again_after_a_restart() {
    let mut prosody = prosody_with(&["alice", "bob"]);
    let port = prosody.port();
    let mut alice =
        StaffClient::connect_with_show(&prosody, "alice", "pw", "desk", Some(Show::Dnd))
            .await
            .unwrap();
    assert_eq!(alice.session_count(), 1);

    prosody.restart().unwrap();
    assert_eq!(prosody.port(), port, "a restart keeps the port");
    assert!(prosody.is_running());

    // Accounts survive, so a fresh client can log in...
    let mut bob = StaffClient::connect(&prosody, "bob", "pw", "desk")
        .await
        .unwrap();
    // ...and the old one logs in again by itself (with growing back-off).
    alice
        .wait_for_session_count(2, Duration::from_secs(30))
        .await
        .unwrap();

    alice.send_chat(bob.jid(), "still here").await.unwrap();
    let received = bob.expect_message_from(alice.jid(), WAIT).await.unwrap();
    assert_eq!(received.body, "still here");
    bob.send_chat(alice.jid(), "welcome back").await.unwrap();
    assert_eq!(alice.next_message(WAIT).await.unwrap().body, "welcome back");
}

#[tokio::test]
async fn many_accounts_are_registered_in_one_go() {
    let users: Vec<String> = (0..20).map(|i| format!("staff{i}")).collect();
    let names: Vec<&str> = users.iter().map(String::as_str).collect();
    let prosody = prosody_with(&names);

    let first = StaffClient::connect(&prosody, "staff0", "pw", "desk")
        .await
        .unwrap();
    let mut last = StaffClient::connect(&prosody, "staff19", "pw", "desk")
        .await
        .unwrap();
    first.send_chat(last.jid(), "hi").await.unwrap();
    assert_eq!(last.next_message(WAIT).await.unwrap().body, "hi");
}

#[test]
fn a_stopped_server_refuses_connections_and_drop_cleans_up() {
    let mut prosody = Prosody::start().unwrap();
    let dir = prosody.dir().to_path_buf();
    assert!(prosody.config_path().exists());
    assert_eq!(prosody.addr(), format!("127.0.0.1:{}", prosody.port()));
    assert_eq!(prosody.domain(), "localhost");
    assert_eq!(prosody.certificate_path(), None);

    prosody.stop().unwrap();
    assert!(!prosody.is_running());
    assert!(std::net::TcpStream::connect(prosody.addr()).is_err());
    // Read once Prosody has exited: while it runs, the port can accept
    // before this line reaches the file.
    assert!(prosody.log().contains("Activated service 'c2s'"));

    drop(prosody);
    assert!(!dir.exists(), "drop removes {}", dir.display());
}

/// Two clients sending to each other at once, from a multi-threaded
/// runtime. This stalled (tokio-xmpp's worker missing a wake-up, see
/// `staff/runtime.rs`) before the connections got a thread of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_flow_both_ways_at_once_without_stalling() {
    const COUNT: u32 = 300;
    let prosody = prosody_with(&["alice", "bob"]);
    let mut alice = StaffClient::connect(&prosody, "alice", "pw", "desk")
        .await
        .unwrap();
    let mut bob = StaffClient::connect(&prosody, "bob", "pw", "desk")
        .await
        .unwrap();
    let (alice_jid, bob_jid) = (alice.jid().clone(), bob.jid().clone());

    tokio::join!(
        async {
            for i in 0..COUNT {
                alice.send_chat(&bob_jid, &format!("a{i}")).await.unwrap();
            }
        },
        async {
            for i in 0..COUNT {
                bob.send_chat(&alice_jid, &format!("b{i}")).await.unwrap();
            }
        },
    );

    for i in 0..COUNT {
        assert_eq!(
            alice.next_message(WAIT).await.unwrap().body,
            format!("b{i}")
        );
        assert_eq!(bob.next_message(WAIT).await.unwrap().body, format!("a{i}"));
    }
}

#[tokio::test]
async fn a_chosen_port_is_used_and_reachable_by_address() {
    let port = seshat_testkit::free_port().unwrap();
    let prosody = Prosody::start_on_port(port).unwrap();
    assert_eq!(prosody.port(), port);
    prosody.register("alice", "pw").unwrap();

    // A client that knows only the address and the account, as a test of
    // another program's printed instructions does.
    let mut alice = StaffClient::connect_to(&prosody.addr(), &prosody.jid("alice"), "pw", "desk")
        .await
        .unwrap();
    assert_eq!(
        alice.bound_jid().unwrap().to_string(),
        "alice@localhost/desk"
    );
    alice
        .send_chat(&prosody.jid("alice"), "to myself")
        .await
        .unwrap();
    assert_eq!(alice.next_message(WAIT).await.unwrap().body, "to myself");

    // The same port again is taken now, and said so before Prosody starts.
    let error = Prosody::start_on_port(port).unwrap_err();
    match &error {
        seshat_testkit::Error::Io { source, .. } => {
            assert_eq!(source.kind(), std::io::ErrorKind::AddrInUse, "{error}")
        }
        other => panic!("expected an I/O error, got {other}"),
    }
}
