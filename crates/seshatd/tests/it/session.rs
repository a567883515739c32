//! Whole chats through the real daemon: the README's example session, text
//! for text, and offers to the right staff members.

use crate::common::{self, expect_from_bot, Rig, WAIT};
use seshat_client::texts as visitor_texts;

/// One line of the README's "Example chat session".
enum Step {
    /// The visitor opens a chat (as `customer`).
    VisitorStarts,
    /// `>`: the staff member receives this text from the bot.
    ToStaff(&'static str),
    /// `<`: the visitor receives this text.
    ToVisitor(&'static str),
    /// "User types": the staff member sends this to the bot.
    StaffTypes(&'static str),
    /// "Visitor types": the visitor sends this.
    VisitorTypes(&'static str),
}

use Step::*;

/// The README's example session, line for line.
const README_SESSION: &[Step] = &[
    VisitorStarts,
    ToStaff("Remote user 'customer' wants to start a conversation. To accept this request, reply with the message '!ACCEPT 42'."),
    StaffTypes("!ACCEPT 42"),
    ToStaff("You are now handling chat #42. Send '!FINISH' when you are done."),
    ToVisitor("Your chat has started."),
    VisitorTypes("Hi!"),
    ToStaff("Hi!"),
    StaffTypes("Hello, customer."),
    ToVisitor("Hello, customer."),
    VisitorTypes("Talk to you later!"),
    ToStaff("Talk to you later!"),
    StaffTypes("!FINISH"),
    ToStaff("The chat is now closed."),
    ToVisitor("The chat is now closed."),
];

#[tokio::test]
async fn the_readme_example_session_text_for_text() {
    let rig = Rig::builder().staff(&["joe"]).build();
    // The README's chat is #42: 41 earlier visitors came and went.
    for n in 1..42 {
        let earlier = rig
            .web
            .start_chat(&format!("earlier{n}"), None)
            .await
            .unwrap();
        rig.web.end_chat(&earlier.token).await.unwrap();
    }
    let mut joe = rig.connect_available("joe", "desk").await;
    let bot = rig.bot();

    let mut visitor = None;
    for step in README_SESSION {
        match step {
            VisitorStarts => {
                let mut started = rig.visitor("customer", None).await;
                assert_eq!(started.id(), 42);
                started.expect(&[visitor_texts::CHAT_REQUESTED]).await;
                visitor = Some(started);
            }
            ToStaff(text) => expect_from_bot(&mut joe, &bot, text).await,
            ToVisitor(text) => visitor.as_mut().unwrap().expect(&[text]).await,
            StaffTypes(text) => joe.send_chat(&bot, text).await.unwrap(),
            VisitorTypes(text) => visitor.as_ref().unwrap().say(text).await,
        }
    }
    let mut visitor = visitor.unwrap();
    visitor.expect_nothing().await;
    joe.expect_no_message(common::QUIET).await.unwrap();
}

#[tokio::test]
async fn an_offer_names_the_other_staff_and_the_start_message() {
    let rig = Rig::builder().staff(&["alice", "bob", "carol"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let mut bob = rig.connect_available("bob", "desk").await;
    // Carol is configured but offline: she is not offered the chat.
    let bot = rig.bot();

    let visitor = rig
        .visitor("Anonymous", Some("Coming from page /pricing"))
        .await;
    let id = visitor.id();
    let (a, b) = (rig.jid("alice"), rig.jid("bob"));
    expect_from_bot(
        &mut alice,
        &bot,
        &format!(
            "Remote user 'Anonymous' wants to start a conversation. The starting message is: \
             'Coming from page /pricing' To accept this request, reply with the message \
             '!ACCEPT {id}'. Requests were also sent to: {b}."
        ),
    )
    .await;
    expect_from_bot(
        &mut bob,
        &bot,
        &format!(
            "Remote user 'Anonymous' wants to start a conversation. The starting message is: \
             'Coming from page /pricing' To accept this request, reply with the message \
             '!ACCEPT {id}'. Requests were also sent to: {a}."
        ),
    )
    .await;
}

#[tokio::test]
async fn messages_sent_before_the_chat_is_accepted_arrive_after_it_in_order() {
    let rig = Rig::builder().staff(&["alice"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let mut visitor = rig.visitor("early", None).await;
    alice
        .wait_for_message_containing("wants to start", WAIT)
        .await
        .unwrap();
    visitor.say("first").await;
    visitor.say("second").await;
    visitor
        .expect(&[
            visitor_texts::CHAT_REQUESTED,
            visitor_texts::DELIVERED_WHEN_STARTED,
            visitor_texts::DELIVERED_WHEN_STARTED,
        ])
        .await;
    // Held until accepted: nothing reaches Alice yet.
    alice.expect_no_message(common::QUIET).await.unwrap();

    alice
        .send_chat(&bot, &format!("!ACCEPT {}", visitor.id()))
        .await
        .unwrap();
    let accepted = format!(
        "You are now handling chat #{}. Send '!FINISH' when you are done.",
        visitor.id()
    );
    expect_from_bot(&mut alice, &bot, &accepted).await;
    expect_from_bot(&mut alice, &bot, "first").await;
    expect_from_bot(&mut alice, &bot, "second").await;
    visitor.expect(&[visitor_texts::CHAT_STARTED]).await;
}
