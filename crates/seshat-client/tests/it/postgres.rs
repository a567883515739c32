//! What only the PostgreSQL store has: its schema's versions, several
//! processes creating it at once, and the copy of an SQLite site.

use std::sync::{Arc, Barrier};

use seshat_client::store::copy::copy_sqlite_to_postgres;
use seshat_client::{
    ChatStatus, Error, PostgresStore, SqliteStore, Store, POSTGRES_SCHEMA_VERSION,
};
use seshat_testkit::Postgres;

use crate::engines::new_postgres_database;
use crate::migration::{original_database, version_of};

#[test]
fn processes_starting_at_once_on_an_empty_database_create_one_schema() {
    let (name, url) = new_postgres_database();
    let starting = 6;
    let barrier = Arc::new(Barrier::new(starting));
    let opened: Vec<_> = (0..starting)
        .map(|_| {
            let (url, barrier) = (url.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                PostgresStore::open(&url).map(|store| store.start_chat("Visitor", None).is_ok())
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|thread| thread.join().unwrap())
        .collect();
    for outcome in &opened {
        assert!(matches!(outcome, Ok(true)), "{outcome:?}");
    }
    let versions = Postgres::shared()
        .psql_in(&name, "SELECT count(*), max(version) FROM dbversion")
        .unwrap();
    assert_eq!(versions.trim(), format!("1|{POSTGRES_SCHEMA_VERSION}"));
    let chats = Postgres::shared()
        .psql_in(&name, "SELECT count(DISTINCT chatid) FROM chat")
        .unwrap();
    assert_eq!(chats.trim(), starting.to_string());
}

#[test]
fn a_newer_schema_and_unrelated_tables_are_refused() {
    let (name, url) = new_postgres_database();
    PostgresStore::open(&url).unwrap();
    Postgres::shared()
        .psql_in(&name, "UPDATE dbversion SET version = 99")
        .unwrap();
    match PostgresStore::open(&url) {
        Err(Error::NewerSchema { found, supported }) => {
            assert_eq!((found, supported), (99, POSTGRES_SCHEMA_VERSION));
        }
        other => panic!("a newer schema was not refused: {:?}", other.err()),
    }

    let (name, url) = new_postgres_database();
    Postgres::shared()
        .psql_in(&name, "CREATE TABLE invoices (id integer)")
        .unwrap();
    assert!(matches!(
        PostgresStore::open(&url),
        Err(Error::NotASeshatDatabase(_))
    ));
}

#[test]
fn a_wrong_password_is_a_clear_error_that_does_not_show_it() {
    let (_, url) = new_postgres_database();
    let wrong: seshat_client::DatabaseUrl = url
        .expose_secret()
        .replacen(Postgres::shared().password(), "not-the-password", 1)
        .parse()
        .unwrap();
    let error = PostgresStore::open(&wrong)
        .err()
        .expect("a wrong password was accepted");
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("password authentication failed"), "{shown}");
    assert!(!shown.contains("not-the-password"), "{shown}");
}

/// Everything a site's visitors and staff see of a chat, read through the store.
fn what_users_see(store: &dyn Store, chat_id: i64) -> String {
    let chat = store.chat(chat_id).unwrap().unwrap();
    let token = store.token_of(chat_id).unwrap();
    let history = store.history(&token, None, 1_000).unwrap();
    let inbox = store.peek_for_visitor(&token).unwrap();
    format!("{chat:?}\n{history:?}\n{inbox:?}")
}

#[test]
fn an_original_sqlite_site_is_copied_with_nothing_lost_and_the_source_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let source = original_database(&dir);
    // What the SQLite store itself makes of the file, on a copy of it.
    let migrated_path = dir.path().join("migrated.db");
    std::fs::copy(&source, &migrated_path).unwrap();
    let migrated = SqliteStore::open(&migrated_path).unwrap();

    let (_, url) = new_postgres_database();
    let report = copy_sqlite_to_postgres(&source, &url).unwrap();
    assert_eq!(
        (
            report.chats,
            report.to_staff,
            report.to_visitors,
            report.presence
        ),
        (4, 3, 4, 1)
    );
    assert_eq!(version_of(&source), 1, "the source was changed");

    let copied = PostgresStore::open(&url).unwrap();
    for chat_id in 1..=4 {
        // The original's chats had no tokens: the copy's migration gave
        // them new ones, as opening the file would.
        assert_eq!(
            what_users_see(&copied, chat_id),
            what_users_see(&migrated, chat_id)
        );
    }
    assert_eq!(
        copied.staff_bound(100).unwrap(),
        migrated.staff_bound(100).unwrap()
    );
    assert_eq!(
        copied.staff_on_duty().unwrap(),
        migrated.staff_on_duty().unwrap()
    );
    assert_eq!(
        copied.waiting_chats().unwrap(),
        migrated.waiting_chats().unwrap()
    );

    // The site goes on: new chats and messages get ids after the copied ones.
    let next = copied.start_chat("Erin", None).unwrap();
    assert_eq!(next.id, 5);
    let reply_to = copied.chat(2).unwrap().unwrap();
    assert_eq!(reply_to.status, ChatStatus::Open);
    copied
        .reply_from_staff("joe@example.com", "Shipping is free.")
        .unwrap();
    let inbox = copied.inbox(&copied.token_of(2).unwrap(), None).unwrap();
    let ids: Vec<i64> = inbox.messages.iter().map(|message| message.id).collect();
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");
    assert_eq!(inbox.messages.last().unwrap().text, "Shipping is free.");
}

#[test]
fn a_site_in_use_is_copied_with_its_tokens_delivery_marks_and_authors() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("seshat.db");
    let site = SqliteStore::open(&source).unwrap();
    site.set_presence("joe@example.com", "laptop", true)
        .unwrap();
    site.set_presence("ann@example.com", "phone", false)
        .unwrap();
    let open = site
        .start_chat_with_email("Alice", Some("from /pricing"), Some("a@example.com"))
        .unwrap();
    site.send_from_visitor(&open.token, "early words").unwrap();
    site.accept(open.id, "joe@example.com").unwrap();
    site.take_for_visitor(&open.token).unwrap();
    site.reply_from_staff("joe@example.com", "Hello Alice")
        .unwrap();
    site.send_from_visitor(&open.token, "\u{1F600} thanks <b>")
        .unwrap();
    let delivered: Vec<i64> = site.staff_bound(1).unwrap().iter().map(|m| m.id).collect();
    site.mark_all_delivered(&delivered).unwrap();
    let waiting = site.start_chat("Bob", None).unwrap();
    site.mark_notified(waiting.id).unwrap();
    let ended = site.start_chat("Carol", None).unwrap();
    site.end_chat(&ended.token).unwrap();
    drop(site);

    let (_, url) = new_postgres_database();
    copy_sqlite_to_postgres(&source, &url).unwrap();
    let site = SqliteStore::open(&source).unwrap();
    let copied = PostgresStore::open(&url).unwrap();
    for chat in [&open, &waiting, &ended] {
        // The visitor's token goes on working on the new database.
        assert_eq!(copied.chat_by_token(&chat.token).unwrap().id, chat.id);
        assert_eq!(
            what_users_see(&copied, chat.id),
            what_users_see(&site, chat.id)
        );
    }
    assert_eq!(
        copied.staff_bound(100).unwrap(),
        site.staff_bound(100).unwrap()
    );
    assert_eq!(
        copied.staff_on_duty().unwrap(),
        site.staff_on_duty().unwrap()
    );
    assert_eq!(copied.chat_counts().unwrap(), site.chat_counts().unwrap());
    assert_eq!(
        copied.inbox(&open.token, None).unwrap().messages,
        site.inbox(&open.token, None).unwrap().messages
    );
}

#[test]
fn a_copy_refuses_a_target_that_holds_rows_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let source = original_database(&dir);
    let (name, url) = new_postgres_database();
    let store = PostgresStore::open(&url).unwrap();
    store.start_chat("Already here", None).unwrap();
    match copy_sqlite_to_postgres(&source, &url) {
        Err(error @ Error::TargetNotEmpty(_)) => {
            assert!(error.to_string().contains("not empty"), "{error}");
        }
        other => panic!("a non-empty target was not refused: {other:?}"),
    }
    let chats = Postgres::shared()
        .psql_in(&name, "SELECT count(*) FROM chat")
        .unwrap();
    assert_eq!(chats.trim(), "1");
}

#[tokio::test]
async fn a_store_used_and_dropped_in_async_code_shuts_down_quietly() {
    let (_, url) = new_postgres_database();
    let client = seshat_client::Client::from_store(Arc::new(PostgresStore::open(&url).unwrap()));
    let chat = client.start_chat("Visitor", None).await.unwrap();
    assert_eq!(client.receive(&chat.token).await.unwrap().len(), 1);
    // The last handle goes inside the runtime, as at a web app's shutdown.
    drop(client);
}
