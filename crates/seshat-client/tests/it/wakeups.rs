//! Targeted wake-ups between two stores on one database, each with its own
//! connections, change detector or listener, and waiters, as two
//! processes (or hosts) have: a waiter is woken by changes to what it
//! waits for, and by nothing else. On SQLite and on PostgreSQL.

use std::time::Duration;

use seshat_client::{
    Limits, PostgresStore, SqliteOptions, SqliteStore, Store, Subscription, Topic,
};

use crate::engines::{Engine, Fixture};

/// Generous: a wake-up normally takes well under a millisecond.
const DEADLINE: Duration = Duration::from_secs(20);

const STAFF: &str = "joe@example.com";

/// Handles the chat whose commit, made last, shows that everything
/// committed before it has been read.
const FENCE_STAFF: &str = "carol@example.com";

struct TwoSides {
    /// The web application's side: the waiters live here.
    web: Box<dyn Store>,
    /// The daemon's side: commits from "another process".
    daemon: Box<dyn Store>,
    /// The database both open, for writes by another program.
    database: Fixture,
}

/// Two stores on one new database. SQLite's web side has no safety-net
/// poll, so it hears of the daemon's commits only through the wake-up
/// path; PostgreSQL has none to turn off.
fn two_sides(engine: Engine) -> TwoSides {
    let database = Fixture::open(engine, Limits::default());
    let (web, daemon): (Box<dyn Store>, Box<dyn Store>) = match engine {
        Engine::Sqlite => (
            Box::new(
                SqliteStore::open_with(
                    database.sqlite_path(),
                    SqliteOptions {
                        safety_poll: Duration::from_secs(3600),
                        ..SqliteOptions::default()
                    },
                )
                .unwrap(),
            ),
            Box::new(SqliteStore::open(database.sqlite_path()).unwrap()),
        ),
        Engine::Postgres => (
            Box::new(PostgresStore::open(database.postgres_url()).unwrap()),
            Box::new(PostgresStore::open(database.postgres_url()).unwrap()),
        ),
    };
    TwoSides {
        web,
        daemon,
        database,
    }
}

impl TwoSides {
    /// Returns once the web side has heard of every commit made so far,
    /// its own included (PostgreSQL tells a process of its own commits
    /// through its listener too): a reply on a chat of its own, committed
    /// last, has woken its waiter.
    fn settle(&self) {
        let fence_chat = open_chat_for(self.web.as_ref(), "settle@example.com");
        let mut fence = self.web.wakeups().subscribe(Topic::Chat(fence_chat.id));
        self.daemon
            .reply_from_staff("settle@example.com", "settled")
            .unwrap();
        until_woken(&mut fence, "the settling reply");
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
fn last_text_for_visitor(store: &dyn Store, chat: &seshat_client::NewChat) -> String {
    let messages = store.take_for_visitor(&chat.token).unwrap();
    messages
        .last()
        .expect("a message for the visitor")
        .text
        .clone()
}

/// An open chat handled by [`STAFF`].
fn open_chat(store: &dyn Store) -> seshat_client::NewChat {
    open_chat_for(store, STAFF)
}

/// An open chat handled by `staff`.
fn open_chat_for(store: &dyn Store, staff: &str) -> seshat_client::NewChat {
    let chat = store.start_chat("Visitor", None).unwrap();
    store.accept(chat.id, staff).unwrap();
    chat
}

fn a_waiter_is_not_woken_by_commits_on_another_chat(engine: Engine) {
    let sides = two_sides(engine);
    // Set up on the waiters' side, whose own commits are read before the
    // commit returns: nothing of the setup can arrive late.
    let chat_a = open_chat(sides.web.as_ref());
    let chat_b = sides.web.start_chat("B", None).unwrap();
    sides.web.accept(chat_b.id, "bob@example.com").unwrap();
    let fence_chat = open_chat_for(sides.web.as_ref(), FENCE_STAFF);
    sides.settle();

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

fn a_reply_from_the_other_side_wakes_its_chat_at_once(engine: Engine) {
    let sides = two_sides(engine);
    let chat = open_chat(sides.web.as_ref());
    let mut waiter = sides.web.wakeups().subscribe(Topic::Chat(chat.id));
    sides.daemon.reply_from_staff(STAFF, "Hello").unwrap();
    until_woken(&mut waiter, "the staff reply");
    assert_eq!(last_text_for_visitor(sides.web.as_ref(), &chat), "Hello");
}

fn acknowledgements_and_other_silent_changes_wake_nobody(engine: Engine) {
    let sides = two_sides(engine);
    // Set up on the waiters' side (see above).
    let chat = open_chat(sides.web.as_ref());
    sides.web.reply_from_staff(STAFF, "one").unwrap();
    sides.web.reply_from_staff(STAFF, "two").unwrap();
    sides.web.send_from_visitor(&chat.token, "hello").unwrap();
    let shown = sides.web.peek_for_visitor(&chat.token).unwrap();
    let fence_chat = open_chat_for(sides.web.as_ref(), FENCE_STAFF);
    sides.settle();

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

fn the_daemon_wakes_for_new_chats_and_visitor_messages(engine: Engine) {
    let sides = two_sides(engine);
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

fn rows_another_program_writes_wake_their_waiters(engine: Engine) {
    // SQLite's web side finds another program's commits with its safety
    // poll, as that program knows nothing of the wake file; PostgreSQL's
    // triggers notify for every writer.
    let sides = match engine {
        Engine::Sqlite => {
            let sides = two_sides(engine);
            TwoSides {
                web: Box::new(
                    SqliteStore::open_with(
                        sides.database.sqlite_path(),
                        SqliteOptions {
                            safety_poll: Duration::from_millis(20),
                            ..SqliteOptions::default()
                        },
                    )
                    .unwrap(),
                ),
                ..sides
            }
        }
        Engine::Postgres => two_sides(engine),
    };
    let chat = open_chat(sides.daemon.as_ref());
    let mut waiter = sides.web.wakeups().subscribe(Topic::Chat(chat.id));
    // As the 2011 Python server writes a staff reply.
    let now = match engine {
        Engine::Sqlite => "strftime('%s', 'now')",
        Engine::Postgres => "extract(epoch from now())",
    };
    sides.database.execute_raw(&format!(
        "INSERT INTO remotemessagequeue (posttime, sendtime, chatid, message)
         VALUES ({now}, NULL, {}, 'from Python')",
        chat.id
    ));
    until_woken(&mut waiter, "a row written by another program");
    assert_eq!(
        last_text_for_visitor(sides.web.as_ref(), &chat),
        "from Python"
    );
}

on_both_engines!(
    a_waiter_is_not_woken_by_commits_on_another_chat,
    a_reply_from_the_other_side_wakes_its_chat_at_once,
    acknowledgements_and_other_silent_changes_wake_nobody,
    the_daemon_wakes_for_new_chats_and_visitor_messages,
    rows_another_program_writes_wake_their_waiters,
);
