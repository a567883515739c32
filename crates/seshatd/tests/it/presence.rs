//! Who gets offered a chat: presence per resource, away and dnd, busy
//! staff, a brand-new bot account, and what happens when nobody is there.

use crate::common::{command as expect_reply, expect_from_bot, Rig, QUIET, WAIT};
use seshat_client::texts as visitor_texts;
use seshat_client::ChatStatus;
use seshat_testkit::Show;

#[tokio::test]
async fn a_fresh_bot_account_with_an_empty_roster_sees_staff_after_subscribing() {
    // Alice is online before the bot exists on her roster.
    let mut rig = Rig::builder().staff(&["alice"]).without_daemon().build();
    let mut alice = rig.connect("alice", "desk").await;
    let bot = rig.bot();
    rig.start_daemon();

    // The bot asks for Alice's presence; her client approves and asks back,
    // and the bot approves that (defect 4: no manual roster work).
    let request = alice
        .wait_for_presence("a subscription request from the bot", WAIT, |presence| {
            presence.from_bare() == bot
                && presence.kind == seshat_testkit::xmpp_parsers::presence::Type::Subscribe
        })
        .await
        .unwrap();
    assert_eq!(request.from_bare(), bot);
    rig.wait_until_available("alice").await;
    alice.wait_for_available_from(&bot, WAIT).await.unwrap();

    let chat = rig.visitor("visitor", None).await;
    alice
        .wait_for_message_containing(&format!("'!ACCEPT {}'", chat.id()), WAIT)
        .await
        .unwrap();

    // A restart finds the subscription in the roster and does not ask again.
    assert!(rig.stop_daemon().success());
    rig.start_daemon();
    rig.wait_until_available("alice").await;
    alice.wait_for_available_from(&bot, WAIT).await.unwrap();
    let asked_again = alice
        .wait_for_presence("another subscription request", QUIET, |presence| {
            presence.kind == seshat_testkit::xmpp_parsers::presence::Type::Subscribe
        })
        .await;
    assert!(asked_again.is_err(), "asked again: {asked_again:?}");
}

#[tokio::test]
async fn away_and_dnd_staff_are_not_offered_chats() {
    let rig = Rig::builder().staff(&["alice", "bob", "carol"]).build();
    let mut alice = rig
        .connect_with_show("alice", "desk", Some(Show::Away))
        .await;
    let mut bob = rig.connect_with_show("bob", "desk", Some(Show::Dnd)).await;
    let mut carol = rig.connect_available("carol", "desk").await;
    let bot = rig.bot();

    let chat = rig.visitor("visitor", None).await;
    expect_from_bot(
        &mut carol,
        &bot,
        &format!(
            "Remote user 'visitor' wants to start a conversation. To accept this request, \
             reply with the message '!ACCEPT {}'.",
            chat.id()
        ),
    )
    .await;
    alice.expect_no_message(QUIET).await.unwrap();
    bob.expect_no_message(QUIET).await.unwrap();

    // Back from lunch: Alice is offered the next chat too.
    alice.set_available().await.unwrap();
    rig.wait_until_available("alice").await;
    let next = rig.visitor("next", None).await;
    let offer = format!("'!ACCEPT {}'", next.id());
    alice
        .wait_for_message_containing(&offer, WAIT)
        .await
        .unwrap();
    carol
        .wait_for_message_containing(&offer, WAIT)
        .await
        .unwrap();
    bob.expect_no_message(QUIET).await.unwrap();
}

/// RFC 6121: `<show>chat</show>` is "actively interested in chatting", so
/// a staff member announcing it is offered chats like one with no `<show/>`.
#[tokio::test]
async fn staff_who_show_chat_are_available_and_offered_chats() {
    let rig = Rig::builder().staff(&["alice"]).build();
    let mut alice = rig
        .connect_with_show("alice", "desk", Some(Show::Chat))
        .await;
    rig.wait_until_available("alice").await;
    let chat = rig.visitor("visitor", None).await;
    rig.accept(&mut alice, &chat).await;
}

#[tokio::test]
async fn presence_is_tracked_per_resource() {
    let rig = Rig::builder().staff(&["alice"]).build();
    let laptop = rig
        .connect_with_show("alice", "laptop", Some(Show::Away))
        .await;
    let phone = rig.connect("alice", "phone").await;
    // One resource away, the other available: available.
    rig.wait_until_available("alice").await;

    // The available one leaves; the away one remains: not available.
    phone.disconnect().await.unwrap();
    rig.wait_until_unavailable("alice").await;

    // The remaining one comes back from away: available again.
    laptop.set_available().await.unwrap();
    rig.wait_until_available("alice").await;
    laptop.set_dnd().await.unwrap();
    rig.wait_until_unavailable("alice").await;
    laptop.set_available().await.unwrap();
    rig.wait_until_available("alice").await;
    laptop.go_unavailable().await.unwrap();
    rig.wait_until_unavailable("alice").await;
}

#[tokio::test]
async fn busy_staff_are_not_offered_new_chats() {
    let rig = Rig::builder().staff(&["alice", "bob"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let mut bob = rig.connect_available("bob", "desk").await;
    let bot = rig.bot();

    let first = rig.visitor("first", None).await;
    let offer = format!("'!ACCEPT {}'", first.id());
    alice
        .wait_for_message_containing(&offer, WAIT)
        .await
        .unwrap();
    bob.wait_for_message_containing(&offer, WAIT).await.unwrap();
    alice
        .send_chat(&bot, &format!("!ACCEPT {}", first.id()))
        .await
        .unwrap();
    alice
        .wait_for_message_containing("You are now handling", WAIT)
        .await
        .unwrap();
    rig.wait_until_unavailable("alice").await;
    expect_from_bot(
        &mut bob,
        &bot,
        &format!("Chat #{} was taken by {}.", first.id(), rig.jid("alice")),
    )
    .await;

    // Only Bob is free, so the offer names nobody else.
    let second = rig.visitor("second", None).await;
    expect_from_bot(
        &mut bob,
        &bot,
        &format!(
            "Remote user 'second' wants to start a conversation. To accept this request, \
             reply with the message '!ACCEPT {}'.",
            second.id()
        ),
    )
    .await;
    alice.expect_no_message(QUIET).await.unwrap();
}

#[tokio::test]
async fn with_nobody_online_the_visitor_is_told_at_once() {
    let rig = Rig::builder().staff(&["alice"]).build();
    let mut chat = rig.visitor("visitor", None).await;
    chat.expect(&[
        visitor_texts::CHAT_REQUESTED,
        visitor_texts::NOBODY_AVAILABLE,
    ])
    .await;
    assert_eq!(
        rig.web.status(chat.token()).await.unwrap(),
        ChatStatus::Failed
    );
}

#[tokio::test]
async fn a_grace_period_lets_staff_arrive_after_the_chat_started() {
    let rig = Rig::builder()
        .staff(&["alice"])
        .setting("no_staff_grace", "60")
        .build();
    let mut chat = rig.visitor("patient", None).await;
    chat.expect(&[visitor_texts::CHAT_REQUESTED]).await;
    chat.expect_nothing().await;
    assert_eq!(
        rig.web.status(chat.token()).await.unwrap(),
        ChatStatus::Waiting
    );

    let mut alice = rig.connect("alice", "desk").await;
    alice
        .wait_for_message_containing(&format!("'!ACCEPT {}'", chat.id()), WAIT)
        .await
        .unwrap();
}

#[tokio::test]
async fn chats_waiting_at_start_up_are_offered_not_failed() {
    // Defect 9: the original failed every waiting chat before presence arrived.
    let mut rig = Rig::builder()
        .staff(&["alice"])
        .setting("presence_settle", "5")
        .without_daemon()
        .build();
    let mut alice = rig.connect("alice", "desk").await;
    let mut chat = rig.visitor("early bird", None).await;
    rig.start_daemon();
    alice
        .wait_for_message_containing(&format!("'!ACCEPT {}'", chat.id()), WAIT)
        .await
        .unwrap();
    chat.expect(&[visitor_texts::CHAT_REQUESTED]).await;
    chat.expect_nothing().await;
    assert_eq!(
        rig.web.status(chat.token()).await.unwrap(),
        ChatStatus::Notified
    );
}

#[tokio::test]
async fn an_offer_nobody_accepts_runs_out() {
    let rig = Rig::builder()
        .staff(&["alice"])
        .setting("offer_timeout", "1")
        .build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let mut chat = rig.visitor("ignored", None).await;
    alice
        .wait_for_message_containing(&format!("'!ACCEPT {}'", chat.id()), WAIT)
        .await
        .unwrap();
    chat.expect(&[
        visitor_texts::CHAT_REQUESTED,
        visitor_texts::NOBODY_ANSWERED,
    ])
    .await;
    expect_from_bot(
        &mut alice,
        &bot,
        &format!(
            "Chat #{} was not accepted in time; the visitor has been told that no one was able to answer.",
            chat.id()
        ),
    )
    .await;
    // Its visitor was told and left: the chat cannot be accepted any more.
    let id = chat.id();
    expect_reply(
        &mut alice,
        &bot,
        &format!("!ACCEPT {id}"),
        &format!(
            "Chat #{id} has expired; the visitor was told that no one was able to answer. \
             Send '!HELP' for more options."
        ),
    )
    .await;
    assert_eq!(
        rig.web.status(chat.token()).await.unwrap(),
        ChatStatus::Failed
    );
    chat.expect_nothing().await;
}

#[tokio::test]
async fn the_web_side_sees_staff_go_offline_when_the_daemon_stops() {
    let mut rig = Rig::builder().staff(&["alice"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    alice.wait_for_available_from(&bot, WAIT).await.unwrap();
    assert!(rig.web.is_available().await.unwrap());

    let status = rig.stop_daemon();
    assert!(status.success(), "seshatd exited with {status}");
    // Its goodbye reached Alice, and the web side no longer offers chat.
    alice
        .wait_for_presence("the bot going offline", WAIT, |presence| {
            presence.from_bare() == bot
                && presence.kind == seshat_testkit::xmpp_parsers::presence::Type::Unavailable
        })
        .await
        .unwrap();
    assert!(!rig.web.is_available().await.unwrap());
}
