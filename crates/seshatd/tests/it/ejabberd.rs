//! The second server sites commonly run: ejabberd (Debian's package), with
//! stream management on. A chat end to end, and recovery after ejabberd
//! restarts or crashes mid-chat.
//!
//! Each test has a server of its own, since restarting one would disturb
//! the others.

use std::sync::Arc;
use std::time::Duration;

use crate::common::{expect_from_bot, Rig, RigBuilder, Visitor};
use seshat_testkit::{Ejabberd, StaffClient};

/// The deadline for the first visitor message after ejabberd is back: the
/// daemon must be in a fresh session by then. A deadline for waiting, not
/// a measurement.
const RECOVERY: Duration = Duration::from_secs(60);

/// A rig with staff member Alice on a fresh ejabberd.
fn rig() -> Rig<Ejabberd> {
    let ejabberd = Ejabberd::start().expect("start ejabberd");
    RigBuilder::on(Arc::new(ejabberd)).staff(&["alice"]).build()
}

/// Alice online and a visitor's chat she has accepted.
async fn accepted_chat(rig: &Rig<Ejabberd>) -> (StaffClient, Visitor) {
    let mut alice = rig.connect_available("alice", "desk").await;
    let chat = rig.accepted_chat(&mut alice).await;
    (alice, chat)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_runs_through_ejabberd() {
    let rig = rig();
    let (mut alice, mut chat) = accepted_chat(&rig).await;
    let bot = rig.bot();
    chat.say("hello from the web").await;
    expect_from_bot(&mut alice, &bot, "hello from the web").await;
    alice.send_chat(&bot, "hello from Jabber").await.unwrap();
    chat.expect(&["hello from Jabber"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_goes_on_after_ejabberd_restarts() {
    let mut rig = rig();
    let (alice, chat) = accepted_chat(&rig).await;
    let ejabberd = Arc::get_mut(&mut rig.prosody).expect("nobody else holds this server");
    ejabberd.restart().expect("restart ejabberd");
    chat_goes_on(&rig, alice, chat).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_goes_on_after_ejabberd_is_killed_and_started_again() {
    let mut rig = rig();
    let (alice, chat) = accepted_chat(&rig).await;
    let ejabberd = Arc::get_mut(&mut rig.prosody).expect("nobody else holds this server");
    ejabberd.kill().expect("kill ejabberd");
    ejabberd.restart().expect("start ejabberd again");
    chat_goes_on(&rig, alice, chat).await;
}

/// After ejabberd came back: the visitor's next message reaches Alice,
/// and her answer the visitor.
///
/// Alice logs in afresh: the test kit's staff client is built on the same
/// tokio-xmpp as the daemon and would meet the same unreadable resumption
/// answer, while what is tested here is the daemon's recovery.
async fn chat_goes_on(rig: &Rig<Ejabberd>, old_alice: StaffClient, mut chat: Visitor) {
    drop(old_alice);
    let mut alice = rig.connect("alice", "desk-again").await;
    let bot = rig.bot();
    chat.say("are you still there?").await;
    let message = alice
        .expect_message_from(&bot, RECOVERY)
        .await
        .unwrap_or_else(|error| panic!("{error}; daemon log:\n{}", rig.daemon_log()));
    assert_eq!(message.body, "are you still there?");
    alice.send_chat(&bot, "yes").await.unwrap();
    chat.expect(&["yes"]).await;
    // The admin reads at the default level why the link was lost.
    let log = rig.daemon_log();
    assert!(
        log.contains("WARN seshatd::xmpp: connection to the XMPP server lost: "),
        "the loss was not explained:\n{log}"
    );
}
