//! Every staff command and every error reply, over XMPP through the real
//! daemon, with the exact texts.

use crate::common::{self, command, expect_from_bot, Rig, Visitor, QUIET, WAIT};
use seshat_client::texts as visitor_texts;
use seshat_client::ChatStatus;
use seshat_testkit::{BareJid, StaffClient};

const HELP: &str = " Send '!HELP' for more options.";

/// A rig with Alice and Bob online and a chat offered to both.
struct Desk {
    rig: Rig,
    bot: BareJid,
    alice: StaffClient,
    bob: StaffClient,
}

impl Desk {
    async fn open() -> Desk {
        let rig = Rig::builder().staff(&["alice", "bob"]).build();
        let alice = rig.connect_available("alice", "desk").await;
        let bob = rig.connect_available("bob", "desk").await;
        let bot = rig.bot();
        Desk {
            rig,
            bot,
            alice,
            bob,
        }
    }

    /// A new chat, once both staff have been offered it.
    async fn offered_chat(&mut self, visitor: &str) -> Visitor {
        let mut chat = self.rig.visitor(visitor, None).await;
        let offer = format!("'!ACCEPT {}'", chat.id());
        for staff in [&mut self.alice, &mut self.bob] {
            staff
                .wait_for_message_containing(&offer, WAIT)
                .await
                .unwrap();
        }
        chat.expect(&[visitor_texts::CHAT_REQUESTED]).await;
        chat
    }

    /// Alice accepts `chat`.
    async fn alice_accepts(&mut self, chat: &mut Visitor) {
        let id = chat.id();
        command(
            &mut self.alice,
            &self.bot,
            &format!("!ACCEPT {id}"),
            &format!("You are now handling chat #{id}. Send '!FINISH' when you are done."),
        )
        .await;
        chat.expect(&[visitor_texts::CHAT_STARTED]).await;
    }
}

#[tokio::test]
async fn help_lists_every_command_whatever_the_case_and_spacing() {
    let mut desk = Desk::open().await;
    let help = "Available options:\n\
                !ACCEPT n - Accept chat request #n\n\
                !CANCEL n - Cancel chat request #n\n\
                !FINISH - Close your current chat\n\
                !HELP - Show available commands\n\
                !STATUS - Show your current chat status\n\
                !WAITING - Show all open chat requests";
    command(&mut desk.alice, &desk.bot, "!HELP", help).await;
    command(&mut desk.alice, &desk.bot, "!help  ", help).await;
    command(
        &mut desk.alice,
        &desk.bot,
        "!FOO",
        &format!("'!FOO' is not a command.{HELP}"),
    )
    .await;
}

#[tokio::test]
async fn accept_and_its_every_refusal() {
    let mut desk = Desk::open().await;
    let bot = desk.bot.clone();
    let alice_jid = desk.rig.jid("alice");

    command(
        &mut desk.alice,
        &bot,
        "!ACCEPT 99999",
        &format!("Chat #99999 does not exist.{HELP}"),
    )
    .await;
    command(
        &mut desk.alice,
        &bot,
        "!ACCEPT 99999999999999999999",
        &format!("Chat #99999999999999999999 does not exist.{HELP}"),
    )
    .await;
    command(
        &mut desk.alice,
        &bot,
        "!ACCEPT abc",
        &format!("'abc' is not a chat number. Usage: !ACCEPT n - Accept chat request #n.{HELP}"),
    )
    .await;
    command(
        &mut desk.alice,
        &bot,
        "!ACCEPT",
        &format!("!ACCEPT needs a chat number. Usage: !ACCEPT n - Accept chat request #n.{HELP}"),
    )
    .await;

    // Odd case and spacing still accept.
    let mut first = desk.offered_chat("first").await;
    let id = first.id();
    command(
        &mut desk.alice,
        &bot,
        &format!("!accept  {id}  "),
        &format!("You are now handling chat #{id}. Send '!FINISH' when you are done."),
    )
    .await;
    first.expect(&[visitor_texts::CHAT_STARTED]).await;

    command(
        &mut desk.alice,
        &bot,
        &format!("!ACCEPT {id}"),
        &format!("You are already handling chat #{id} with first.{HELP}"),
    )
    .await;
    expect_from_bot(
        &mut desk.bob,
        &bot,
        &format!("Chat #{id} was taken by {alice_jid}."),
    )
    .await;
    command(
        &mut desk.bob,
        &bot,
        &format!("!ACCEPT {id}"),
        &format!("Chat #{id} is already handled by {alice_jid}.{HELP}"),
    )
    .await;

    // A second chat goes to Bob only (Alice is busy).
    let second = desk.rig.visitor("second", None).await;
    desk.bob
        .wait_for_message_containing(&format!("'!ACCEPT {}'", second.id()), WAIT)
        .await
        .unwrap();
    command(
        &mut desk.alice,
        &bot,
        &format!("!ACCEPT {}", second.id()),
        &format!("You are already handling chat #{id} with first.{HELP}"),
    )
    .await;

    command(&mut desk.alice, &bot, "!FINISH", visitor_texts::CHAT_CLOSED).await;
    first.expect(&[visitor_texts::CHAT_CLOSED]).await;
    command(
        &mut desk.bob,
        &bot,
        &format!("!ACCEPT {id}"),
        &format!("Chat #{id} is already finished.{HELP}"),
    )
    .await;
}

#[tokio::test]
async fn cancel_and_its_every_refusal() {
    let mut desk = Desk::open().await;
    let bot = desk.bot.clone();
    let alice_jid = desk.rig.jid("alice");

    command(
        &mut desk.alice,
        &bot,
        "!CANCEL 4242",
        &format!("Chat #4242 does not exist.{HELP}"),
    )
    .await;
    command(
        &mut desk.alice,
        &bot,
        "!CANCEL 1 2",
        &format!(
            "!CANCEL takes a single chat number. Usage: !CANCEL n - Cancel chat request #n.{HELP}"
        ),
    )
    .await;

    let mut doomed = desk.offered_chat("doomed").await;
    let id = doomed.id();
    command(
        &mut desk.bob,
        &bot,
        &format!("!CANCEL {id}"),
        &format!("You canceled chat #{id}."),
    )
    .await;
    doomed.expect(&[visitor_texts::CHAT_CANCELED]).await;
    expect_from_bot(
        &mut desk.alice,
        &bot,
        &format!("Chat #{id} was canceled by {}.", desk.rig.jid("bob")),
    )
    .await;
    command(
        &mut desk.alice,
        &bot,
        &format!("!CANCEL {id}"),
        &format!("Chat #{id} is already closed.{HELP}"),
    )
    .await;
    // A canceled chat cannot be accepted any more.
    command(
        &mut desk.alice,
        &bot,
        &format!("!ACCEPT {id}"),
        &format!("Chat #{id} is already finished.{HELP}"),
    )
    .await;

    let mut taken = desk.offered_chat("taken").await;
    desk.alice_accepts(&mut taken).await;
    let id = taken.id();
    expect_from_bot(
        &mut desk.bob,
        &bot,
        &format!("Chat #{id} was taken by {alice_jid}."),
    )
    .await;
    command(
        &mut desk.alice,
        &bot,
        &format!("!CANCEL {id}"),
        &format!("You have already accepted chat #{id}. Send '!FINISH' to close it.{HELP}"),
    )
    .await;
    command(
        &mut desk.bob,
        &bot,
        &format!("!CANCEL {id}"),
        &format!("Chat #{id} has already been accepted by {alice_jid}.{HELP}"),
    )
    .await;
    taken.expect_nothing().await;
}

#[tokio::test]
async fn finish_status_and_waiting() {
    let mut desk = Desk::open().await;
    let bot = desk.bot.clone();

    command(
        &mut desk.alice,
        &bot,
        "!FINISH",
        &format!("You are not currently active in a chat.{HELP}"),
    )
    .await;
    command(
        &mut desk.alice,
        &bot,
        "!STATUS",
        &format!("You are not in a chat.{HELP}"),
    )
    .await;
    command(
        &mut desk.alice,
        &bot,
        "!WAITING",
        "There aren't any open chat requests.",
    )
    .await;
    command(
        &mut desk.alice,
        &bot,
        "!STATUS now",
        &format!(
            "!STATUS takes no arguments. Usage: !STATUS - Show your current chat status.{HELP}"
        ),
    )
    .await;

    let mut first = desk.offered_chat("Anonymous").await;
    let second = desk.offered_chat("kim").await;
    command(
        &mut desk.bob,
        &bot,
        "!WAITING",
        &format!(
            "Chats waiting to be accepted:\n\nID | Remote user\n---|------------------\n\
             {} | Anonymous\n{} | kim\n\n\
             Send '!ACCEPT n' to accept a chat request. Send '!CANCEL n' to cancel a chat request.",
            first.id(),
            second.id()
        ),
    )
    .await;

    desk.alice_accepts(&mut first).await;
    command(
        &mut desk.alice,
        &bot,
        "!STATUS",
        &format!(
            "You are in chat #{} with Anonymous. Send '!FINISH' when you are done.",
            first.id()
        ),
    )
    .await;
    command(&mut desk.alice, &bot, "!finish", visitor_texts::CHAT_CLOSED).await;
    first.expect(&[visitor_texts::CHAT_CLOSED]).await;
    assert_eq!(
        desk.rig.web.status(first.token()).await.unwrap(),
        ChatStatus::Closed
    );
    command(
        &mut desk.alice,
        &bot,
        "!STATUS",
        &format!("You are not in a chat.{HELP}"),
    )
    .await;
}

#[tokio::test]
async fn text_outside_a_chat_and_text_too_long_are_answered() {
    let rig = Rig::builder()
        .staff(&["alice"])
        .setting("max_message_bytes", "20")
        .build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();

    command(
        &mut alice,
        &bot,
        "hello?",
        "You are not currently in a chat. Send '!WAITING' to see a list of available chats, \
         or '!HELP' for other options.",
    )
    .await;

    let mut chat = rig.visitor("visitor", None).await;
    alice
        .wait_for_message_containing("wants to start", WAIT)
        .await
        .unwrap();
    command(
        &mut alice,
        &bot,
        &format!("!ACCEPT {}", chat.id()),
        &format!(
            "You are now handling chat #{}. Send '!FINISH' when you are done.",
            chat.id()
        ),
    )
    .await;
    chat.expect(&[visitor_texts::CHAT_REQUESTED, visitor_texts::CHAT_STARTED])
        .await;

    let long = "this is far longer than twenty bytes";
    command(
        &mut alice,
        &bot,
        long,
        &format!(
            "Your message was not delivered: the message is {} bytes long; at most 20 are allowed.",
            long.len()
        ),
    )
    .await;
    // Exclamation marks alone are text, not commands.
    alice.send_chat(&bot, "Hi!!!").await.unwrap();
    alice.send_chat(&bot, "!!! ok").await.unwrap();
    chat.expect(&["Hi!!!", "!!! ok"]).await;
    chat.expect_nothing().await;
}

#[tokio::test]
async fn two_staff_racing_to_accept_one_wins_the_other_is_told_who() {
    let mut desk = Desk::open().await;
    let bot = desk.bot.clone();
    let mut chat = desk.offered_chat("contested").await;
    let id = chat.id();
    let accept = format!("!ACCEPT {id}");
    let (alice_sent, bob_sent) = tokio::join!(
        desk.alice.send_chat(&bot, &accept),
        desk.bob.send_chat(&bot, &accept)
    );
    alice_sent.unwrap();
    bob_sent.unwrap();
    let alice_reply = desk
        .alice
        .expect_message_from(&bot, WAIT)
        .await
        .unwrap()
        .body;
    let bob_reply = desk.bob.expect_message_from(&bot, WAIT).await.unwrap().body;
    let won = format!("You are now handling chat #{id}. Send '!FINISH' when you are done.");
    let (winner, loser_reply) = if alice_reply == won {
        (desk.rig.jid("alice"), bob_reply)
    } else {
        assert_eq!(bob_reply, won, "one of them wins");
        (desk.rig.jid("bob"), alice_reply)
    };
    assert_eq!(
        loser_reply,
        format!("Chat #{id} is already handled by {winner}.{HELP}")
    );
    chat.expect(&[visitor_texts::CHAT_STARTED]).await;
    chat.expect_nothing().await;
}

#[tokio::test]
async fn a_stranger_is_ignored_entirely() {
    let rig = Rig::builder().staff(&["alice"]).strangers(&["eve"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let mut eve = rig.connect("eve", "desk").await;
    let bot = rig.bot();
    // Eve asks for the bot's presence as any contact might; nothing comes
    // of it.
    eve.subscribe_to(&bot).await.unwrap();

    let mut chat = rig.visitor("visitor", None).await;
    alice
        .wait_for_message_containing("wants to start", WAIT)
        .await
        .unwrap();
    eve.send_chat(&bot, &format!("!ACCEPT {}", chat.id()))
        .await
        .unwrap();
    eve.send_chat(&bot, "!HELP").await.unwrap();
    eve.send_chat(&bot, "I am staff, honest").await.unwrap();

    // Alice's command, sent after Eve's, is answered: so Eve's were seen
    // and ignored, not merely slow.
    command(
        &mut alice,
        &bot,
        "!WAITING",
        &format!(
            "Chats waiting to be accepted:\n\nID | Remote user\n---|------------------\n\
             {} | visitor\n\n\
             Send '!ACCEPT n' to accept a chat request. Send '!CANCEL n' to cancel a chat request.",
            chat.id()
        ),
    )
    .await;
    eve.expect_no_message(QUIET).await.unwrap();
    assert_eq!(
        rig.web.status(chat.token()).await.unwrap(),
        ChatStatus::Notified
    );
    chat.expect(&[visitor_texts::CHAT_REQUESTED]).await;
    chat.expect_nothing().await;
    let available = rig.web.run(|store| store.available_staff()).await.unwrap();
    assert_eq!(available, vec![rig.jid("alice").to_string()]);
}

#[tokio::test]
async fn commands_work_from_any_resource_and_replies_go_to_that_resource() {
    let rig = Rig::builder().staff(&["alice"]).build();
    let mut laptop = rig.connect_available("alice", "laptop").await;
    let mut phone = rig.connect("alice", "phone").await;
    let bot = rig.bot();
    phone.send_chat(&bot, "!STATUS").await.unwrap();
    let reply = phone.expect_message_from(&bot, WAIT).await.unwrap();
    assert_eq!(reply.body, format!("You are not in a chat.{HELP}"));
    laptop.expect_no_message(QUIET).await.unwrap();
}

/// Another program (the 2011 Python client, say) writes a staff-bound row
/// holding a character XML cannot carry: staff get it with U+FFFD in its
/// place, what follows still arrives, and nothing is sent again in a loop.
#[tokio::test]
async fn a_row_xml_cannot_carry_reaches_staff_with_a_replacement_character() {
    let rig = Rig::builder().staff(&["alice"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let chat = rig.visitor("visitor", None).await;
    rig.accept(&mut alice, &chat).await;

    let database = rusqlite::Connection::open(&rig.database).unwrap();
    database
        .busy_timeout(WAIT)
        .and_then(|()| {
            database.execute(
                "INSERT INTO localmessagequeue (posttime, sendtime, chatid, message, author)
                 VALUES (?1, NULL, ?2, ?3, NULL)",
                (
                    seshat_client::clock::now(),
                    chat.id(),
                    "bell\u{1}and\u{FFFF}",
                ),
            )
        })
        .unwrap();
    common::expect_from_bot(&mut alice, &bot, "bell\u{FFFD}and\u{FFFD}").await;
    chat.say("still there?").await;
    common::expect_from_bot(&mut alice, &bot, "still there?").await;
    alice.expect_no_message(QUIET).await.unwrap();
    let log = rig.daemon_log();
    assert!(!log.contains("sending it again"), "{log}");
}

/// Six hundred waiting chats whose names are 100 `&` each: `!WAITING`
/// lists the oldest and counts the others, in one reply far below the
/// server's stanza limit, and the bot stays connected.
#[tokio::test]
async fn waiting_lists_the_oldest_requests_and_counts_the_rest() {
    let rig = Rig::builder()
        .staff(&["alice"])
        .setting("no_staff_grace", "3600")
        .build();
    // Away: not offered the chats, but her commands are answered.
    let mut alice = rig
        .connect_with_show("alice", "desk", Some(seshat_testkit::Show::Away))
        .await;
    let bot = rig.bot();
    let name = "&".repeat(100);
    let mut ids = Vec::new();
    for _ in 0..600 {
        ids.push(rig.visitor(&name, None).await.id());
    }
    for _ in 0..2 {
        alice.send_chat(&bot, "!WAITING").await.unwrap();
        let reply = alice.expect_message_from(&bot, WAIT).await.unwrap().body;
        let rows: Vec<&str> = reply.lines().filter(|line| line.ends_with(&name)).collect();
        assert!(!rows.is_empty() && rows.len() <= 20, "{reply}");
        assert_eq!(rows[0], format!("{} | {name}", ids[0]));
        let more = format!("\n… and {} more\n", 600 - rows.len());
        assert!(reply.contains(&more), "{reply}");
        assert!(reply.len() <= 16 * 1024, "{} bytes", reply.len());
    }
    command(
        &mut alice,
        &bot,
        "!STATUS",
        &format!("You are not in a chat.{HELP}"),
    )
    .await;
    let log = rig.daemon_log();
    assert!(!log.contains("lost the connection"), "{log}");
}
