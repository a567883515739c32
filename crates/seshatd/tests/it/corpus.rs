//! The bad-input corpus against the daemon: every ini key with the hostile
//! values of [`seshat_testkit::hostile`] through `--check-config`, hostile
//! staff messages and commands over a real Prosody, and rows another
//! program wrote into the database. Nothing may panic or loop, the bot
//! stays connected, and another chat is left as it was.

use std::ffi::OsStr;
use std::time::Duration;

use crate::common::{self, run_seshatd, Rig, Visitor, SECTION, WAIT};
use seshat_client::settings::keys;
use seshat_client::{texts, Chat};
use seshat_testkit::hostile::{self, Hostile};
use seshat_testkit::StaffClient;

/// A configuration every key's hostile value is added to.
fn good_settings() -> Vec<(&'static str, &'static str)> {
    vec![
        ("sqlitedb", "/tmp/seshat-corpus-check.db"),
        ("localusers", "joe@example.com"),
        ("username", "webchat@example.com"),
        ("password", "mypassword"),
    ]
}

/// Values for an ini key: one line, no value breaking the file's own
/// syntax, each class of hostile text and every hostile number.
fn ini_values() -> Vec<Hostile> {
    let controls: String = hostile::xml_invalid_chars().into_iter().collect();
    let mut values: Vec<Hostile> = hostile::short_one_line_texts()
        .into_iter()
        .filter(|value| !value.label.contains("in a sentence"))
        .collect();
    values.push(Hostile {
        label: "every XML-invalid character".to_owned(),
        text: controls,
    });
    values.extend(hostile::numbers().into_iter().map(|number| Hostile {
        label: format!("the number {number:?}"),
        text: number.to_owned(),
    }));
    values
}

#[test]
fn every_ini_key_with_a_hostile_value_is_checked_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("seshat.ini");
    for key in keys::ALL {
        let name = key.main_name();
        for value in ini_values() {
            let mut text = format!("[{SECTION}]\n");
            for (other, good) in good_settings() {
                if !key.names.contains(&other) {
                    text.push_str(&format!("{other} = {good}\n"));
                }
            }
            text.push_str(&format!("{name} = {}\n", value.text));
            std::fs::write(&config, &text).unwrap();
            let (code, _, stderr) = run_seshatd(&[
                OsStr::new("--check-config"),
                config.as_os_str(),
                OsStr::new(SECTION),
            ]);
            let what = format!("{name} = {}", value.label);
            assert!(!stderr.contains("panicked"), "{what}: {stderr}");
            match code {
                0 => {}
                1 => {
                    assert_eq!(stderr.lines().count(), 1, "{what}: one line: {stderr}");
                    assert!(
                        stderr.contains(&format!("[{SECTION}] {name}")),
                        "{what}: the error names the key: {stderr}"
                    );
                }
                other => panic!("{what}: exit code {other}: {stderr}"),
            }
        }
    }
}

/// What the bystander's chat looks like to anyone reading the store.
fn state_of(rig: &Rig, chat: &Chat) -> (Option<Chat>, usize) {
    let store = rig.web.store();
    let token = store.token_of(chat.id).expect("token");
    let history = store.history(&token, None, 1000).expect("history");
    (store.chat(chat.id).expect("chat"), history.len())
}

/// A staff member's round trip through the bot: `!HELP` answered.
async fn bot_answers(staff: &mut StaffClient, rig: &Rig) {
    staff
        .send_chat(&rig.bot(), "!HELP")
        .await
        .expect("send !HELP");
    staff
        .wait_for_message_containing("!ACCEPT", WAIT)
        .await
        .unwrap_or_else(|error| panic!("the bot stopped answering: {error}"));
}

#[tokio::test]
async fn hostile_staff_messages_and_commands_get_a_reply_or_are_relayed_safely() {
    let rig = Rig::builder().staff(&["alice", "bob"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let mut bob = rig.connect_available("bob", "desk").await;
    let bot = rig.bot();
    let mut bystander = rig.visitor("Bystander", None).await;
    rig.accept(&mut bob, &bystander).await;
    let mut visitor = rig.visitor("Visitor", None).await;
    rig.accept(&mut alice, &visitor).await;
    greeted(&mut bystander).await;
    greeted(&mut visitor).await;
    let bystander_chat = rig.web.store().chat(bystander.id()).unwrap().unwrap();
    let before = state_of(&rig, &bystander_chat);

    // Bodies a Jabber client can send: XML can carry them.
    // A body that is a command (`!FINISH`) is walked with the commands.
    let bodies = hostile::texts().into_iter().filter(|hostile| {
        hostile.text.len() < 64 * 1024
            && !hostile.text.starts_with('!')
            && !hostile
                .text
                .chars()
                .any(|c| hostile::xml_invalid_chars().contains(&c))
    });
    for (n, body) in bodies.enumerate() {
        alice
            .send_chat(&bot, &body.text)
            .await
            .unwrap_or_else(|error| panic!("send {}: {error}", body.label));
        let marker = format!("marker {n}");
        alice.send_chat(&bot, &marker).await.expect("send a marker");
        // Until the marker arrives, the visitor sees the body exactly
        // or nothing (a refused body gets a reply to alice instead).
        loop {
            let text = visitor.next().await;
            if text == marker {
                break;
            }
            assert_eq!(text, body.text, "relayed {}", body.label);
        }
    }

    // Commands with hostile arguments: each gets a reply.
    let arguments = hostile::short_one_line_texts()
        .into_iter()
        .filter(|hostile| {
            !hostile
                .text
                .chars()
                .any(|c| hostile::xml_invalid_chars().contains(&c))
        })
        .map(|hostile| hostile.text)
        .chain(hostile::numbers().into_iter().map(str::to_owned));
    for argument in arguments {
        for command in [
            "!ACCEPT", "!CANCEL", "!STATUS", "!WAITING", "!HELP", "!NOSUCH",
        ] {
            let line = format!("{command} {argument}");
            alice.send_chat(&bot, &line).await.expect("send a command");
            alice
                .expect_message_from(&bot, WAIT)
                .await
                .unwrap_or_else(|error| panic!("no reply to {line:?}: {error}"));
        }
    }

    bot_answers(&mut alice, &rig).await;
    visitor.say("still there?").await;
    alice
        .wait_for_message_containing("still there?", WAIT)
        .await
        .expect("the visitor's line reaches alice");
    assert_eq!(
        state_of(&rig, &bystander_chat),
        before,
        "the bystander's chat changed"
    );
    bystander.expect_nothing().await;
    expect_nothing_from_bot(&mut bob).await;
}

/// What a visitor is told when the chat is requested and accepted.
async fn greeted(visitor: &mut Visitor) {
    visitor
        .expect(&[texts::CHAT_REQUESTED, texts::CHAT_STARTED])
        .await;
}

/// Bob, in the bystander's chat, heard nothing of the corpus.
async fn expect_nothing_from_bot(bob: &mut StaffClient) {
    bob.expect_no_message(common::QUIET)
        .await
        .expect("the bystander's staff member heard nothing");
}

#[tokio::test]
async fn rows_another_program_wrote_are_delivered_when_they_can_be_and_never_loop() {
    let rig = Rig::builder().staff(&["alice"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let mut visitor = rig.visitor("Visitor", None).await;
    rig.accept(&mut alice, &visitor).await;
    greeted(&mut visitor).await;
    let id = visitor.id();

    let writer = rusqlite::Connection::open(&rig.database).expect("open the database");
    writer
        .busy_timeout(Duration::from_secs(10))
        .expect("busy timeout");
    let now = "strftime('%s','now')";
    let huge = "y".repeat(hostile::HUGE_LEN);
    // Staff-bound rows as another program might write them.
    for (message, id_column) in [
        ("NULL".to_owned(), "NULL"),
        ("'before \u{1} after \u{FFFE}'".to_owned(), "NULL"),
        (format!("'{huge}'"), "NULL"),
        ("'a row with a negative id'".to_owned(), "-5"),
        ("''".to_owned(), "NULL"),
        // SQLite keeps whatever type a writer gives: bytes that are not
        // UTF-8 in a TEXT column, a blob, a number.
        ("CAST(X'61FF62' AS TEXT)".to_owned(), "NULL"),
        ("X'FF00'".to_owned(), "NULL"),
        ("42".to_owned(), "NULL"),
    ] {
        writer
            .execute_batch(&format!(
                "INSERT INTO localmessagequeue (messageid, posttime, sendtime, chatid, message) \
                 VALUES ({id_column}, {now}, NULL, {id}, {message})"
            ))
            .expect("insert a staff-bound row");
    }
    // Chats no program of ours would write.
    for row in [
        "(99, NULL, 'Unknown status', {now}, NULL, 99, 'status 99', 'Tok99aaaaaaaaaaaaaaaaaaa')",
        "(98, NULL, 'No status', {now}, NULL, NULL, NULL, 'Tok98aaaaaaaaaaaaaaaaaaa')",
        "(97, NULL, NULL, {now}, NULL, 0, NULL, NULL)",
        "(-3, NULL, 'Negative \u{1} id', {now}, NULL, 0, 'start \u{FFFF}', NULL)",
    ] {
        writer
            .execute_batch(&format!(
                "INSERT INTO chat (chatid, localuser, remoteuser, starttime, endtime, status, \
                 startmessage, token) VALUES {}",
                row.replace("{now}", now)
            ))
            .expect("insert a chat row");
    }
    // A line through the client, which tells the daemon of the commit
    // (another program's commits wake it only through its own writes).
    visitor.say("a proper line").await;

    // What can be delivered is delivered, made XML-safe, in the order of
    // the ids (the negative one first).
    let mut expected = vec![
        "a row with a negative id".to_owned(),
        "before \u{FFFD} after \u{FFFD}".to_owned(),
        "y".repeat(1024),
        "a\u{FFFD}b".to_owned(),
        "a proper line".to_owned(),
    ];
    while !expected.is_empty() {
        let message = alice
            .next_message(WAIT)
            .await
            .unwrap_or_else(|error| panic!("still expected {expected:?}: {error}"));
        expected.retain(|text| !message.body.contains(text.as_str()));
    }
    // The daemon still serves the bot's commands.
    bot_answers(&mut alice, &rig).await;
    alice.send_chat(&rig.bot(), "!WAITING").await.unwrap();
    alice
        .expect_message_from(&rig.bot(), WAIT)
        .await
        .expect("!WAITING is answered with the odd chats in the table");
    let log = rig.daemon_log();
    assert!(
        log.lines().count() < 500,
        "the daemon wrote {} log lines: a loop?\n{}",
        log.lines().count(),
        log.lines().take(50).collect::<Vec<_>>().join("\n")
    );
    assert!(!log.contains("panicked"), "{log}");
}
