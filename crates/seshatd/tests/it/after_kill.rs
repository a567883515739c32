//! The daemon's two promises after a `kill -9`: it re-sends only what was
//! in flight (never a message the server had acknowledged), and a re-sent
//! message carries the stanza id of its first sending, `seshat-<message
//! id>`, so that a client or archive can tell the copies are one message.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::common::{Frozen, Rig, RigBuilder, QUIET, WAIT};
use seshat_testkit::{wait_until_async, Prosody, ReceivedMessage, StaffClient};

/// More staff-bound messages than any test here queues.
const OUTBOX_READ: usize = 10_000;

/// The staff-bound messages the store holds undelivered, by text.
async fn undelivered(rig: &Rig) -> HashMap<String, i64> {
    rig.web
        .run(|store| store.staff_bound(OUTBOX_READ))
        .await
        .expect("read the outbox")
        .into_iter()
        .map(|message| (message.text, message.id))
        .collect()
}

/// Waits until the store holds nothing undelivered, then takes what else
/// reaches `staff` (late copies) until it has been quiet for a moment.
async fn drain_after_delivery(rig: &Rig, staff: &mut StaffClient, into: &mut Vec<ReceivedMessage>) {
    rig.wait_until_all_delivered().await;
    while let Ok(message) = staff.expect_message_from(&rig.bot(), QUIET).await {
        into.push(message);
    }
}

#[tokio::test]
async fn after_a_kill_only_messages_in_flight_are_sent_again() {
    const BURST: usize = 300;
    let mut rig = Rig::builder().staff(&["alice"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let chat = rig.accepted_chat(&mut alice).await;

    chat.say_burst(BURST).await;
    // Kill the daemon once the server has acknowledged some of the burst.
    // Delivery marks wake nobody, so this looks at the store now and then.
    let store = Arc::clone(rig.web.store());
    wait_until_async(WAIT, "the server acknowledged some of the burst", || {
        store
            .staff_bound(OUTBOX_READ)
            .is_ok_and(|left| left.len() < BURST)
    })
    .await;
    rig.kill_daemon();
    // With the daemon dead, the store says exactly what it had settled.
    let in_flight = undelivered(&rig).await;
    rig.start_daemon();

    let mut received = Vec::new();
    while received.len() < BURST {
        let message = alice
            .expect_message_from(&bot, WAIT)
            .await
            .unwrap_or_else(|error| panic!("{error}; got {}", received.len()));
        received.push(message);
    }
    drain_after_delivery(&rig, &mut alice, &mut received).await;

    let mut copies: HashMap<String, usize> = HashMap::new();
    for message in &received {
        *copies.entry(message.body.clone()).or_default() += 1;
    }
    for n in 0..BURST {
        let text = n.to_string();
        let count = copies.get(&text).copied().unwrap_or(0);
        if in_flight.contains_key(&text) {
            assert!(
                (1..=2).contains(&count),
                "{text} (in flight) arrived {count} times"
            );
        } else {
            assert_eq!(
                count, 1,
                "{text} (acknowledged before the kill) arrived {count} times"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_again_after_a_kill_keeps_its_stanza_id() {
    // A server of its own: it is frozen for a moment.
    let prosody = Arc::new(Prosody::start().expect("start prosody"));
    let mut rig = RigBuilder::on(prosody).staff(&["alice"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let chat = rig.accepted_chat(&mut alice).await;

    // With the server frozen, the message leaves the daemon but cannot be
    // acknowledged: it is in flight when the daemon dies.
    let frozen = Frozen::freeze(&rig.prosody);
    chat.say("in flight").await;
    wait_until_async(WAIT, "the daemon sent the message", || {
        rig.daemon_log().contains("body=in flight")
    })
    .await;
    rig.kill_daemon();
    let message_id = *undelivered(&rig)
        .await
        .get("in flight")
        .expect("still undelivered after the kill");
    drop(frozen);
    rig.start_daemon();

    let mut received = vec![alice
        .expect_message_from(&bot, WAIT)
        .await
        .unwrap_or_else(|error| panic!("{error}; daemon log:\n{}", rig.daemon_log()))];
    drain_after_delivery(&rig, &mut alice, &mut received).await;
    let ids: HashSet<Option<String>> = received
        .iter()
        .inspect(|message| assert_eq!(message.body, "in flight"))
        .map(|message| message.id.clone())
        .collect();
    assert_eq!(
        ids,
        HashSet::from([Some(format!("seshat-{message_id}"))]),
        "{} copies",
        received.len()
    );
}
