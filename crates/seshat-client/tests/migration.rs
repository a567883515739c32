//! Databases written by the original Python Seshat (schema version 1) open,
//! migrate losslessly, and keep working with Python-shaped writers.

use rusqlite::Connection;
use seshat_client::{Author, ChatStatus, Error, SqliteStore, Store, SCHEMA_VERSION};

/// The version-1 DDL exactly as Seshat 0.3.1's sqlitebackend creates it.
const ORIGINAL_DDL: &str = "
CREATE TABLE chat (chatid INTEGER PRIMARY KEY, localuser TEXT, remoteuser TEXT, starttime INTEGER, endtime INTEGER, status INTEGER, startmessage TEXT);
CREATE TABLE localmessagequeue (messageid INTEGER PRIMARY KEY, posttime INTEGER, sendtime INTEGER, chatid INTEGER, message TEXT);
CREATE TABLE remotemessagequeue (messageid INTEGER PRIMARY KEY, posttime INTEGER, sendtime INTEGER, chatid INTEGER, message TEXT);
CREATE TABLE onlinestatus (localuser TEXT, resource TEXT, online INTEGER, PRIMARY KEY (localuser, resource));
CREATE TABLE dbversion (versionid INTEGER PRIMARY KEY, version INTEGER);
INSERT INTO dbversion VALUES (1, 1);
";

/// Rows shaped as the Python code writes them: `time.time()` floats in the
/// INTEGER columns, '' for a missing start message, NULL sendtime for
/// undelivered messages.
const PYTHON_ROWS: &str = "
INSERT INTO chat VALUES (1, NULL, 'Anonymous', 1300000000.25, NULL, 0, '');
INSERT INTO chat VALUES (2, 'joe@example.com', 'Alice', 1300000010.5, NULL, 2, 'Coming from page http://shop/');
INSERT INTO chat VALUES (3, 'bob@example.com', 'Carol', 1300000020.75, 1300000090.125, 3, '');
INSERT INTO chat VALUES (4, NULL, 'Dave', 1300000030.0, NULL, 1, 'hello');
INSERT INTO remotemessagequeue VALUES (1, 1300000000.26, NULL, 1, 'Your chat request has been sent. Please wait while it is answered.');
INSERT INTO remotemessagequeue VALUES (2, 1300000011.0, 1300000012.0, 2, 'Your chat has started.');
INSERT INTO remotemessagequeue VALUES (3, 1300000013.5, NULL, 2, 'How can I help?');
INSERT INTO remotemessagequeue VALUES (4, 1300000014.5, NULL, 2, 'Still there?');
INSERT INTO localmessagequeue VALUES (1, 1300000011.5, 1300000011.6, 2, 'I have a question');
INSERT INTO localmessagequeue VALUES (2, 1300000015.5, NULL, 2, 'about shipping');
INSERT INTO localmessagequeue VALUES (3, 1300000031.5, NULL, 4, 'anyone?');
INSERT INTO onlinestatus VALUES ('joe@example.com', 'laptop', 1);
";

fn original_database(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("seshat.db");
    let connection = Connection::open(&path).unwrap();
    connection.execute_batch(ORIGINAL_DDL).unwrap();
    connection.execute_batch(PYTHON_ROWS).unwrap();
    path
}

fn version_of(path: &std::path::Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row("SELECT version FROM dbversion", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn a_version_1_database_migrates_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = original_database(&dir);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(version_of(&path), SCHEMA_VERSION);

    // Chats keep their ids, people, states and start times (read from floats).
    let waiting = store.chat(1).unwrap().unwrap();
    assert_eq!(waiting.status, ChatStatus::Waiting);
    assert_eq!(waiting.visitor, "Anonymous");
    assert_eq!(waiting.start_message, None);
    assert_eq!(waiting.started_at, 1300000000.25);
    let open = store.chat(2).unwrap().unwrap();
    assert_eq!(open.status, ChatStatus::Open);
    assert_eq!(open.staff.as_deref(), Some("joe@example.com"));
    assert_eq!(
        open.start_message.as_deref(),
        Some("Coming from page http://shop/")
    );
    assert_eq!(store.chat(3).unwrap().unwrap().status, ChatStatus::Closed);
    assert_eq!(store.chat(4).unwrap().unwrap().status, ChatStatus::Notified);

    // Every chat got a token at migration, and tokens are distinct.
    let tokens: Vec<_> = (1..=4).map(|id| store.token_of(id).unwrap()).collect();
    for (i, a) in tokens.iter().enumerate() {
        for b in &tokens[i + 1..] {
            assert_ne!(a, b);
        }
    }

    // Undelivered visitor-bound messages are still there, in order; the
    // delivered one is not handed out again.
    let to_alice = store.take_for_visitor(&tokens[1]).unwrap();
    let texts: Vec<_> = to_alice.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["How can I help?", "Still there?"]);
    assert_eq!(to_alice[0].posted_at, 1300000013.5);
    assert_eq!(to_alice[0].author, Author::Seshat);
    assert_eq!(
        store.take_for_visitor(&tokens[0]).unwrap()[0].text,
        "Your chat request has been sent. Please wait while it is answered."
    );

    // Undelivered staff-bound message of the accepted chat is still due; the
    // one of the unaccepted chat waits for an accept.
    let due = store.staff_bound(100).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].text, "about shipping");
    assert_eq!(due[0].staff, "joe@example.com");

    // Presence survives; joe is online but busy with chat 2.
    assert!(store.available_staff().unwrap().is_empty());
    assert_eq!(store.waiting_chats().unwrap().len(), 2);
}

#[test]
fn python_shaped_inserts_after_migration_are_seen_by_our_api() {
    let dir = tempfile::tempdir().unwrap();
    let path = original_database(&dir);
    let store = SqliteStore::open(&path).unwrap();

    // The original Python client keeps writing, unaware of our new columns.
    let python = Connection::open(&path).unwrap();
    python
        .execute(
            "INSERT INTO chat (localuser, remoteuser, starttime, endtime, status, startmessage)
             VALUES (NULL, ?1, ?2, NULL, 0, ?3)",
            ("Erin", 1300000100.5, "Coming from page /faq"),
        )
        .unwrap();
    let chat_id = python.last_insert_rowid();
    python
        .execute(
            "INSERT INTO remotemessagequeue (posttime, sendtime, chatid, message) VALUES (?1, NULL, ?2, ?3)",
            (1300000100.6, chat_id, "Your chat request has been sent. Please wait while it is answered."),
        )
        .unwrap();

    let offered: Vec<_> = store
        .chats_to_offer()
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(offered, [1, chat_id]);
    // The chat gets its token on first access, and keeps it.
    let token = store.token_of(chat_id).unwrap();
    assert_eq!(store.token_of(chat_id).unwrap(), token);
    let messages = store.take_for_visitor(&token).unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].author, Author::Seshat);

    // And our staff-side operations work on it.
    assert!(matches!(
        store.accept(chat_id, "bob@example.com").unwrap(),
        seshat_client::AcceptOutcome::Accepted(_)
    ));
}

#[test]
fn reopening_a_migrated_database_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = original_database(&dir);
    let token = SqliteStore::open(&path).unwrap().token_of(2).unwrap();
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.token_of(2).unwrap(), token);
    assert_eq!(store.peek_for_visitor(&token).unwrap().len(), 2);
}

#[test]
fn a_newer_database_is_refused_with_the_version_it_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = original_database(&dir);
    Connection::open(&path)
        .unwrap()
        .execute("UPDATE dbversion SET version = 99", [])
        .unwrap();
    match SqliteStore::open(&path) {
        Err(
            error @ Error::NewerSchema {
                found: 99,
                supported,
            },
        ) => {
            assert_eq!(supported, SCHEMA_VERSION);
            assert_eq!(
                error.to_string(),
                format!(
                    "database version 99 is newer than this program understands ({SCHEMA_VERSION})"
                )
            );
        }
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("a newer database was opened"),
    }
    // Nothing was touched.
    assert_eq!(version_of(&path), 99);
}

#[test]
fn a_failed_migration_leaves_the_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = original_database(&dir);
    // An index squatting on a name the migration needs makes it fail
    // after it has already added columns.
    let blocker = Connection::open(&path).unwrap();
    blocker
        .execute_batch("CREATE INDEX visitor_bound_by_chat ON chat (remoteuser);")
        .unwrap();
    assert!(SqliteStore::open(&path).is_err());
    assert_eq!(version_of(&path), 1);
    let columns: i64 = blocker
        .query_row(
            "SELECT count(*) FROM pragma_table_info('chat') WHERE name = 'token'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(columns, 0, "the migration was not rolled back");
}

#[test]
fn a_new_file_gets_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    SqliteStore::open(&path).unwrap();
    assert_eq!(version_of(&path), SCHEMA_VERSION);
    let mode: String = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn an_unrelated_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE invoices (id INTEGER);")
        .unwrap();
    assert!(matches!(
        SqliteStore::open(&path),
        Err(Error::NotASeshatDatabase(_))
    ));
}
