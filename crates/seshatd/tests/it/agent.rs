//! What a help desk needs beyond the original's texts: the line while
//! everyone online is busy, rescuing a visitor whose handler dropped,
//! telling staff what became of their offers, and names instead of JIDs.
//! Real daemon, real Prosody, staff as real XMPP clients.

use crate::common::{accept_offered, command, expect_from_bot, Rig, WAIT};
use seshat_client::texts as visitor_texts;
use seshat_client::ChatStatus;
use seshat_testkit::{BareJid, StaffClient};

const HELP: &str = " Send '!HELP' for more options.";
const SOMEONE_WAITING: &str =
    "A visitor is waiting in line. Their chat will be offered to you when you send '!FINISH'.";

/// The next message `staff` gets, which must come from the bot.
async fn next_from_bot(staff: &mut StaffClient, bot: &BareJid) -> String {
    staff.expect_message_from(bot, WAIT).await.unwrap().body
}

#[tokio::test]
async fn busy_staff_put_visitors_in_line_and_finish_takes_the_oldest() {
    let rig = Rig::builder().staff(&["alice"]).build();
    let bot = rig.bot();
    let mut alice = rig.connect_available("alice", "desk").await;
    let mut first = rig.visitor("first", None).await;
    accept_offered(&mut alice, &bot, &mut first).await;

    let mut second = rig.visitor("second", None).await;
    second
        .expect(&[visitor_texts::CHAT_REQUESTED, "You are number 1 in line."])
        .await;
    expect_from_bot(&mut alice, &bot, SOMEONE_WAITING).await;
    let mut third = rig.visitor("third", Some("Hi")).await;
    third
        .expect(&[visitor_texts::CHAT_REQUESTED, "You are number 2 in line."])
        .await;

    // The line moves when the visitor ahead leaves; Alice was told once.
    second.end().await;
    second.expect(&[visitor_texts::CHAT_CLOSED]).await;
    third.expect(&["You are number 1 in line."]).await;
    assert_eq!(
        rig.web.status(third.token()).await.unwrap(),
        ChatStatus::Waiting
    );

    // Finishing offers the oldest waiting chat at once.
    command(&mut alice, &bot, "!FINISH", visitor_texts::CHAT_CLOSED).await;
    let offer = next_from_bot(&mut alice, &bot).await;
    assert!(
        offer.starts_with("Remote user 'third' wants to start a conversation.")
            && offer.contains(&format!("'!ACCEPT {}'", third.id())),
        "Alice got {offer:?}"
    );
    first.expect(&[visitor_texts::CHAT_CLOSED]).await;
    command(
        &mut alice,
        &bot,
        &format!("!ACCEPT {}", third.id()),
        &format!(
            "You are now handling chat #{}. Send '!FINISH' when you are done.",
            third.id()
        ),
    )
    .await;
    third.expect(&[visitor_texts::CHAT_STARTED]).await;
}

#[tokio::test]
async fn a_full_line_and_the_original_rule_fail_new_chats_at_once() {
    for (setting, value) in [("max_queue", "1"), ("queue_when_busy", "false")] {
        let rig = Rig::builder()
            .staff(&["alice"])
            .setting(setting, value)
            .build();
        let bot = rig.bot();
        let mut alice = rig.connect_available("alice", "desk").await;
        let mut first = rig.visitor("first", None).await;
        accept_offered(&mut alice, &bot, &mut first).await;
        if setting == "max_queue" {
            let mut in_line = rig.visitor("second", None).await;
            in_line
                .expect(&[visitor_texts::CHAT_REQUESTED, "You are number 1 in line."])
                .await;
        }
        let mut late = rig.visitor("late", None).await;
        late.expect(&[
            visitor_texts::CHAT_REQUESTED,
            visitor_texts::NOBODY_AVAILABLE,
        ])
        .await;
        assert_eq!(
            rig.web.status(late.token()).await.unwrap(),
            ChatStatus::Failed,
            "{setting} = {value}"
        );
    }
}

#[tokio::test]
async fn a_visitor_whose_handler_drops_is_told_and_offered_to_a_colleague_with_the_history() {
    let rig = Rig::builder()
        .staff(&["alice", "bob"])
        .staff_name("alice", "Alice")
        .setting("handler_grace", "1")
        .build();
    let bot = rig.bot();
    let mut alice = rig.connect_available("alice", "desk").await;
    let mut bob = rig.connect_available("bob", "desk").await;
    let mut chat = rig.visitor("Dana", Some("My order is late")).await;
    accept_offered(&mut alice, &bot, &mut chat).await;
    chat.say("It was due Monday").await;
    alice
        .wait_for_message_containing("It was due Monday", WAIT)
        .await
        .unwrap();
    alice.send_chat(&bot, "Let me check").await.unwrap();
    chat.expect(&["Let me check"]).await;

    alice.disconnect().await.unwrap();
    chat.say("Hello? Are you still there?").await;
    chat.expect(&[visitor_texts::HANDLER_LOST]).await;

    // Bob first heard that Alice took the chat, then gets it again.
    bob.wait_for_message_containing(&format!("Chat #{} was taken by Alice.", chat.id()), WAIT)
        .await
        .unwrap();
    let reoffer = next_from_bot(&mut bob, &bot).await;
    assert_eq!(
        reoffer,
        format!(
            "Offered again: Alice lost their connection during this chat. Remote user 'Dana' \
             wants to start a conversation. The starting message is: 'My order is late' To \
             accept this request, reply with the message '!ACCEPT {id}'.\n\
             The conversation so far:\n\
             Dana: It was due Monday\n\
             Alice: Let me check\n\
             Dana: Hello? Are you still there?",
            id = chat.id()
        )
    );
    command(
        &mut bob,
        &bot,
        &format!("!ACCEPT {}", chat.id()),
        &format!(
            "You are now handling chat #{}. Send '!FINISH' when you are done.",
            chat.id()
        ),
    )
    .await;
    chat.expect(&[visitor_texts::CHAT_STARTED]).await;
    // What the visitor wrote while nobody had the chat is in the history,
    // not sent a second time.
    bob.send_chat(&bot, "Bob here, it ships today")
        .await
        .unwrap();
    chat.expect(&["Bob here, it ships today"]).await;
    chat.say("Thanks").await;
    expect_from_bot(&mut bob, &bot, "Thanks").await;
}

#[tokio::test]
async fn a_handler_back_within_the_grace_period_keeps_the_chat() {
    let rig = Rig::builder().staff(&["alice"]).build();
    let bot = rig.bot();
    let mut alice = rig.connect_available("alice", "desk").await;
    let mut chat = rig.visitor("Dana", None).await;
    accept_offered(&mut alice, &bot, &mut chat).await;

    alice.disconnect().await.unwrap();
    chat.say("Hello? Are you still there?").await;
    let mut alice = rig.connect("alice", "desk").await;
    expect_from_bot(&mut alice, &bot, "Hello? Are you still there?").await;
    alice.send_chat(&bot, "Yes, sorry").await.unwrap();
    chat.expect(&["Yes, sorry"]).await;
    let stored = rig.web.run({
        let token = chat.token().clone();
        move |store| store.chat_by_token(&token)
    });
    let stored = stored.await.unwrap();
    assert_eq!(
        (stored.status, stored.staff),
        (ChatStatus::Open, Some(rig.jid("alice").to_string()))
    );
}

#[tokio::test]
async fn everyone_offered_a_chat_hears_once_what_became_of_it() {
    let rig = Rig::builder()
        .staff(&["alice", "bob"])
        .staff_name("alice", "Alice")
        .staff_name("bob", "Bob")
        .build();
    let bot = rig.bot();
    let mut alice = rig.connect_available("alice", "desk").await;
    let mut bob = rig.connect_available("bob", "desk").await;

    // Taken: the offer names the colleague; Bob hears who took it.
    let mut taken = rig.visitor("taken", None).await;
    let offer = next_from_bot(&mut alice, &bot).await;
    assert!(
        offer.ends_with(" Requests were also sent to: Bob."),
        "Alice got {offer:?}"
    );
    command(
        &mut alice,
        &bot,
        &format!("!ACCEPT {}", taken.id()),
        &format!(
            "You are now handling chat #{}. Send '!FINISH' when you are done.",
            taken.id()
        ),
    )
    .await;
    taken
        .expect(&[visitor_texts::CHAT_REQUESTED, visitor_texts::CHAT_STARTED])
        .await;
    expect_from_bot(&mut bob, &bot, &offer.replace(" Bob.", " Alice.")).await;
    expect_from_bot(
        &mut bob,
        &bot,
        &format!("Chat #{} was taken by Alice.", taken.id()),
    )
    .await;
    command(
        &mut bob,
        &bot,
        &format!("!ACCEPT {}", taken.id()),
        &format!("Chat #{} is already handled by Alice.{HELP}", taken.id()),
    )
    .await;
    command(&mut alice, &bot, "!FINISH", visitor_texts::CHAT_CLOSED).await;
    rig.wait_until_available("alice").await;

    // Withdrawn by the visitor: both hear it.
    let withdrawn = rig.visitor("withdrawn", None).await;
    let id = withdrawn.id();
    for staff in [&mut alice, &mut bob] {
        staff
            .wait_for_message_containing(&format!("'!ACCEPT {id}'"), WAIT)
            .await
            .unwrap();
    }
    withdrawn.end().await;
    for staff in [&mut alice, &mut bob] {
        expect_from_bot(
            staff,
            &bot,
            &format!("Chat #{id} was withdrawn by the visitor."),
        )
        .await;
    }

    // Canceled by Bob: Alice hears it, Bob only gets his reply.
    let canceled = rig.visitor("canceled", None).await;
    let id = canceled.id();
    for staff in [&mut alice, &mut bob] {
        staff
            .wait_for_message_containing(&format!("'!ACCEPT {id}'"), WAIT)
            .await
            .unwrap();
    }
    command(
        &mut bob,
        &bot,
        &format!("!CANCEL {id}"),
        &format!("You canceled chat #{id}."),
    )
    .await;
    expect_from_bot(
        &mut alice,
        &bot,
        &format!("Chat #{id} was canceled by Bob."),
    )
    .await;
    command(
        &mut bob,
        &bot,
        "!STATUS",
        &format!("You are not in a chat.{HELP}\nOn duty: Alice (free)."),
    )
    .await;
}

#[tokio::test]
async fn offer_notices_can_be_turned_off() {
    let rig = Rig::builder()
        .staff(&["alice", "bob"])
        .setting("offer_notices", "false")
        .build();
    let bot = rig.bot();
    let mut alice = rig.connect_available("alice", "desk").await;
    let mut bob = rig.connect_available("bob", "desk").await;
    let mut taken = rig.visitor("taken", None).await;
    bob.wait_for_message_containing("wants to start", WAIT)
        .await
        .unwrap();
    accept_offered(&mut alice, &bot, &mut taken).await;
    // The next thing Bob hears is the answer to his own command.
    command(
        &mut bob,
        &bot,
        "!STATUS",
        &format!("You are not in a chat.{HELP}"),
    )
    .await;
}
