//! Targeted wake-ups between two stores on one file, each with its own
//! connections, change detector and waiters, as two processes have: a
//! waiter is woken by changes to what it waits for, and by nothing else.

use std::time::Duration;

use rusqlite::Connection;
use seshat_client::{SqliteOptions, SqliteStore, Store, Subscription, Topic};

/// Generous: a wake-up normally takes well under a millisecond.
const DEADLINE: Duration = Duration::from_secs(20);

const STAFF: &str = "joe@example.com";

/// Handles the chat whose commit, made last, shows that everything
/// committed before it has been read.
const FENCE_STAFF: &str = "carol@example.com";

struct TwoSides {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    /// The web application's side: the waiters live here.
    web: SqliteStore,
    /// The daemon's side: commits from "another process".
    daemon: SqliteStore,
}

fn two_sides(web_options: SqliteOptions) -> TwoSides {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seshat.db");
    let daemon = SqliteStore::open(&path).unwrap();
    let web = SqliteStore::open_with(&path, web_options).unwrap();
    TwoSides {
        _dir: dir,
        path,
        web,
        daemon,
    }
}

/// Without its safety-net poll the web side hears of the daemon's commits
/// only through the wake-up path.
fn no_safety_poll() -> SqliteOptions {
    SqliteOptions {
        safety_poll: Duration::from_secs(3600),
        ..SqliteOptions::default()
    }
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(future)
}

/// Waits for `subscription` to be woken, failing the test at the deadline.
fn until_woken(subscription: &mut Subscription, what: &str) {
    block_on(async {
        tokio::time::timeout(DEADLINE, subscription.changed())
            .await
            .unwrap_or_else(|_| panic!("never woken: {what}"));
    });
}

/// The newest message the visitor of `chat` has waiting, taken.
fn last_text_for_visitor(store: &SqliteStore, chat: &seshat_client::NewChat) -> String {
    let messages = store.take_for_visitor(&chat.token).unwrap();
    messages
        .last()
        .expect("a message for the visitor")
        .text
        .clone()
}

/// An open chat handled by [`STAFF`].
fn open_chat(store: &SqliteStore) -> seshat_client::NewChat {
    open_chat_for(store, STAFF)
}

/// An open chat handled by `staff`.
fn open_chat_for(store: &SqliteStore, staff: &str) -> seshat_client::NewChat {
    let chat = store.start_chat("Visitor", None).unwrap();
    store.accept(chat.id, staff).unwrap();
    chat
}

#[test]
fn a_waiter_is_not_woken_by_commits_on_another_chat() {
    let sides = two_sides(no_safety_poll());
    // Set up on the waiters' side, whose own commits are read before the
    // commit returns: nothing of the setup can arrive late.
    let chat_a = open_chat(&sides.web);
    let chat_b = sides.web.start_chat("B", None).unwrap();
    sides.web.accept(chat_b.id, "bob@example.com").unwrap();
    let fence_chat = open_chat_for(&sides.web, FENCE_STAFF);

    let wakeups = sides.web.wakeups();
    let a = wakeups.subscribe(Topic::Chat(chat_a.id));
    let mut fence = wakeups.subscribe(Topic::Chat(fence_chat.id));
    let woken_before = wakeups.woken();

    // A conversation on chat B, from the other side: replies, the visitor's
    // messages, taking and acknowledging them.
    for n in 0..50 {
        sides
            .daemon
            .reply_from_staff("bob@example.com", &format!("reply {n}"))
            .unwrap();
        sides.web.send_from_visitor(&chat_b.token, "hi").unwrap();
        sides.web.take_for_visitor(&chat_b.token).unwrap();
    }
    // The change log is read in order, so once the fence is woken every
    // commit before it has been dispatched.
    sides.daemon.reply_from_staff(FENCE_STAFF, "fence").unwrap();
    until_woken(&mut fence, "a reply on the fence chat");

    assert_eq!(wakeups.broadcasts(), 0, "everyone was woken at once");
    assert!(!a.has_changed(), "chat A's waiter was woken by chat B");
    assert_eq!(
        wakeups.woken() - woken_before,
        1,
        "only the fence's waiter was woken"
    );
}

#[test]
fn a_reply_from_the_other_side_wakes_its_chat_at_once() {
    let sides = two_sides(no_safety_poll());
    let chat = open_chat(&sides.web);
    let mut waiter = sides.web.wakeups().subscribe(Topic::Chat(chat.id));
    sides.daemon.reply_from_staff(STAFF, "Hello").unwrap();
    until_woken(&mut waiter, "the staff reply");
    assert_eq!(last_text_for_visitor(&sides.web, &chat), "Hello");
}

#[test]
fn acknowledgements_and_other_silent_changes_wake_nobody() {
    let sides = two_sides(no_safety_poll());
    // Set up on the waiters' side (see above).
    let chat = open_chat(&sides.web);
    sides.web.reply_from_staff(STAFF, "one").unwrap();
    sides.web.reply_from_staff(STAFF, "two").unwrap();
    sides.web.send_from_visitor(&chat.token, "hello").unwrap();
    let shown = sides.web.peek_for_visitor(&chat.token).unwrap();
    let fence_chat = open_chat_for(&sides.web, FENCE_STAFF);

    let wakeups = sides.web.wakeups();
    let watched = wakeups.subscribe(Topic::Chat(chat.id));
    let staff = wakeups.subscribe(Topic::Staff);
    let mut fence = wakeups.subscribe(Topic::Chat(fence_chat.id));
    let woken_before = wakeups.woken();

    // From both sides: acknowledging what was shown, marking staff-bound
    // messages delivered, storing an e-mail address.
    let last_shown = shown.last().unwrap().id;
    sides.daemon.acknowledge(&chat.token, last_shown).unwrap();
    sides.web.acknowledge(&chat.token, last_shown).unwrap();
    let staff_bound: Vec<i64> = sides
        .daemon
        .staff_bound(100)
        .unwrap()
        .into_iter()
        .map(|message| message.id)
        .collect();
    sides.daemon.mark_all_delivered(&staff_bound).unwrap();
    sides
        .web
        .set_email(&chat.token, "visitor@example.com")
        .unwrap();

    // The fence: a reply on another chat, read after everything above.
    sides.daemon.reply_from_staff(FENCE_STAFF, "fence").unwrap();
    until_woken(&mut fence, "the fence");
    assert!(!watched.has_changed(), "an acknowledgement woke the chat");
    assert!(!staff.has_changed(), "a delivery mark woke the daemon");
    assert_eq!(
        wakeups.woken() - woken_before,
        1,
        "only the fence woke (broadcasts: {})",
        wakeups.broadcasts()
    );
}

#[test]
fn the_daemon_wakes_for_new_chats_and_visitor_messages() {
    let sides = two_sides(no_safety_poll());
    let mut staff = sides.daemon.wakeups().subscribe(Topic::Staff);
    staff.mark_seen();
    let chat = sides.web.start_chat("Visitor", None).unwrap();
    until_woken(&mut staff, "a new chat");
    staff.mark_seen();
    sides.web.send_from_visitor(&chat.token, "hello?").unwrap();
    until_woken(&mut staff, "a visitor's message");
    staff.mark_seen();
    sides.web.end_chat(&chat.token).unwrap();
    until_woken(&mut staff, "the visitor leaving");
}

#[test]
fn rows_another_program_writes_wake_their_waiters() {
    // A short safety poll: another program knows nothing of the wake file,
    // so this is how its commits are found.
    let sides = two_sides(SqliteOptions {
        safety_poll: Duration::from_millis(20),
        ..SqliteOptions::default()
    });
    let chat = open_chat(&sides.daemon);
    let mut waiter = sides.web.wakeups().subscribe(Topic::Chat(chat.id));
    // As the 2011 Python server writes a staff reply.
    Connection::open(&sides.path)
        .unwrap()
        .execute(
            "INSERT INTO remotemessagequeue (posttime, sendtime, chatid, message)
             VALUES (strftime('%s', 'now'), NULL, ?1, 'from Python')",
            [chat.id],
        )
        .unwrap();
    until_woken(&mut waiter, "a row written by another program");
    assert_eq!(last_text_for_visitor(&sides.web, &chat), "from Python");
}
