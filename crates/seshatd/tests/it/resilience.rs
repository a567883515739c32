//! Nothing is lost when things break: the XMPP server restarting mid-chat,
//! the daemon killed outright.

use std::sync::Arc;
use std::time::Duration;

use crate::common::{expect_from_bot, Rig, RigBuilder, WAIT};
use seshat_testkit::Prosody;

/// Reconnecting takes the daemon's backoff (about a second) plus the staff
/// client's (tokio-xmpp's: 1 s, 2 s, 4 s...); allow for several rounds.
const RECONNECT: Duration = Duration::from_secs(45);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_survives_the_xmpp_server_restarting() {
    // A server of its own: restarting the shared one would disturb others.
    let prosody = Arc::new(Prosody::start().expect("start prosody"));
    let mut rig = RigBuilder::on(prosody).staff(&["alice"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let mut chat = rig.accepted_chat(&mut alice).await;
    chat.say("before").await;
    expect_from_bot(&mut alice, &bot, "before").await;
    // Once the server's acknowledgement is in, "before" is never sent again.
    rig.wait_until_all_delivered().await;

    let sessions = alice.session_count();
    let prosody = Arc::get_mut(&mut rig.prosody).expect("nobody else holds this server");
    prosody.stop().unwrap();
    // While the server is down the visitor keeps writing.
    for n in 0..5 {
        chat.say(&format!("while down {n}")).await;
    }
    prosody.restart().unwrap();
    alice
        .wait_for_session_count(sessions + 1, RECONNECT)
        .await
        .unwrap_or_else(|error| panic!("{error}; daemon log:\n{}", rig.daemon_log()));

    // Everything written while the server was down arrives, in order.
    // On a loaded machine Prosody may stop before alice's client has
    // acknowledged "before"; Prosody then stores it and delivers it again,
    // stamped with a delay, at her next login. That copy is the server's,
    // not a re-send by the daemon, which would carry no stamp.
    let mut n = 0;
    while n < 5 {
        let message = alice
            .expect_message_from(&bot, RECONNECT)
            .await
            .unwrap_or_else(|error| panic!("{error}; daemon log:\n{}", rig.daemon_log()));
        if message.delayed && message.body == "before" {
            continue;
        }
        assert_eq!(message.body, format!("while down {n}"));
        n += 1;
    }
    // And the chat goes on both ways.
    alice.send_chat(&bot, "still here").await.unwrap();
    chat.expect(&["still here"]).await;
    chat.say("after").await;
    expect_from_bot(&mut alice, &bot, "after").await;
    assert!(
        rig.daemon_log().contains("lost the connection"),
        "the daemon noticed the loss"
    );
}

#[tokio::test]
async fn a_message_queued_while_the_daemon_is_dead_arrives_after_restart() {
    let mut rig = Rig::builder().staff(&["alice"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let mut chat = rig.accepted_chat(&mut alice).await;

    rig.kill_daemon();
    chat.say("are you there?").await;
    rig.start_daemon();
    expect_from_bot(&mut alice, &bot, "are you there?").await;

    // The chat is still Alice's after the restart.
    alice.send_chat(&bot, "yes").await.unwrap();
    chat.expect(&["yes"]).await;
}

#[tokio::test]
async fn killing_the_daemon_mid_burst_loses_nothing() {
    const BURST: usize = 300;
    let mut rig = Rig::builder().staff(&["alice"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let chat = rig.accepted_chat(&mut alice).await;

    // Queue a burst and kill the daemon while it is relaying it: some
    // messages are out, some in flight, some not yet sent.
    chat.say_burst(BURST).await;
    let first = alice.expect_message_from(&bot, WAIT).await.unwrap();
    rig.kill_daemon();
    rig.start_daemon();

    let mut received = vec![first.body.parse::<usize>().unwrap()];
    while received.iter().max() != Some(&(BURST - 1)) {
        let message = alice
            .expect_message_from(&bot, WAIT)
            .await
            .unwrap_or_else(|error| panic!("{error}; got {received:?}"));
        received.push(message.body.parse().unwrap());
    }
    assert_is_resent_at_worst(&received, BURST);
}

/// `received` must be 0..total, except that after a crash the sender may
/// go back and send a stretch again: one run 0..a, then one run b..total
/// with b <= a.
fn assert_is_resent_at_worst(received: &[usize], total: usize) {
    let restart = (1..received.len())
        .find(|&i| received[i] != received[i - 1] + 1)
        .unwrap_or(received.len());
    let (before, after) = received.split_at(restart);
    assert!(
        before.iter().enumerate().all(|(i, &n)| i == n),
        "first run not 0, 1, 2...: {received:?}"
    );
    if let Some(&resumed_at) = after.first() {
        assert!(resumed_at <= before.len(), "a gap: {received:?}");
        assert!(
            after.iter().enumerate().all(|(i, &n)| n == resumed_at + i),
            "second run not contiguous: {received:?}"
        );
        assert_eq!(after.last(), Some(&(total - 1)), "{received:?}");
    } else {
        assert_eq!(before.len(), total, "{received:?}");
    }
}
