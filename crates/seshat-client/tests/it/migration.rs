//! Databases written by the original Python Seshat (schema version 1) open,
//! migrate losslessly, and keep working with Python-shaped writers.

use rusqlite::types::Value;
use rusqlite::Connection;
use seshat_client::{
    texts, Author, ChatStatus, ChatToken, Error, HistoryEntry, SqliteStore, Store, SCHEMA_VERSION,
};

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

/// The version-2 step exactly as the version-2 program ran it, kept here
/// as a literal so that a change to the program's migrations cannot change
/// what this test calls a version-2 file.
const VERSION_2_DDL: &str = "
ALTER TABLE chat ADD COLUMN token TEXT;
ALTER TABLE chat ADD COLUMN email TEXT;
ALTER TABLE chat ADD COLUMN offertime REAL;
ALTER TABLE remotemessagequeue ADD COLUMN author TEXT;
CREATE UNIQUE INDEX chat_by_token ON chat (token);
CREATE INDEX chat_pending ON chat (chatid) WHERE status IN (0, 1);
CREATE INDEX chat_open_by_staff ON chat (localuser) WHERE status = 2;
CREATE INDEX visitor_bound_pending ON remotemessagequeue (chatid, messageid) WHERE sendtime IS NULL;
CREATE INDEX visitor_bound_by_chat ON remotemessagequeue (chatid, posttime, messageid);
CREATE INDEX staff_bound_pending ON localmessagequeue (messageid) WHERE sendtime IS NULL;
CREATE INDEX staff_bound_by_chat ON localmessagequeue (chatid, posttime, messageid);
CREATE INDEX online_staff ON onlinestatus (localuser) WHERE online = 1;
UPDATE dbversion SET version = 2;
";

/// Tokens of the version-2 file's chats (well-formed, 24 characters).
const ALICE: &str = "AliceAliceAliceAlice0001";
const BOB: &str = "BobBobBobBobBobBobBob002";
const CAROL: &str = "CarolCarolCarolCarol0003";

/// Rows shaped as the version-2 program writes them: a token on every chat,
/// an email and an offer time where it had them, the author of each
/// visitor-bound message (NULL for Seshat), and staff-bound rows with no
/// author, the visitor's words and the closing notice alike.
const VERSION_2_ROWS: &str = "
INSERT INTO chat VALUES (1, NULL, 'Alice', 1700000000.25, NULL, 1, 'Coming from page /', 'AliceAliceAliceAlice0001', 'alice@example.com', 1700000001.5);
INSERT INTO chat VALUES (2, 'joe@example.com', 'Bob', 1700000010.5, NULL, 2, '', 'BobBobBobBobBobBobBob002', NULL, 1700000011.0);
INSERT INTO chat VALUES (3, 'ann@example.com', 'Carol', 1700000020.75, 1700000090.125, 3, '', 'CarolCarolCarolCarol0003', NULL, 1700000021.0);
INSERT INTO remotemessagequeue VALUES (1, 1700000000.26, NULL, 1, 'Your chat request has been sent. Please wait while it is answered.', NULL);
INSERT INTO remotemessagequeue VALUES (2, 1700000010.6, 1700000010.7, 2, 'Your chat request has been sent. Please wait while it is answered.', NULL);
INSERT INTO remotemessagequeue VALUES (3, 1700000012.0, 1700000012.1, 2, 'Your chat has started.', NULL);
INSERT INTO remotemessagequeue VALUES (4, 1700000014.0, NULL, 2, 'How can I help?', 'joe@example.com');
INSERT INTO remotemessagequeue VALUES (5, 1700000090.126, NULL, 3, 'The chat is now closed.', NULL);
INSERT INTO localmessagequeue VALUES (1, 1700000001.0, NULL, 1, 'is anyone there?');
INSERT INTO localmessagequeue VALUES (2, 1700000013.0, 1700000013.1, 2, 'I have a question');
INSERT INTO localmessagequeue VALUES (3, 1700000015.0, NULL, 2, 'about shipping');
INSERT INTO localmessagequeue VALUES (4, 1700000030.0, 1700000030.1, 3, 'thanks');
INSERT INTO localmessagequeue VALUES (5, 1700000090.125, NULL, 3, 'The chat is now closed.');
INSERT INTO onlinestatus VALUES ('joe@example.com', 'laptop', 1);
INSERT INTO onlinestatus VALUES ('ann@example.com', 'desk', 1);
";

/// Every version-2 column of each table, for comparing a file before and
/// after migrating.
const VERSION_2_COLUMNS: [(&str, &str); 5] = [
    (
        "chat",
        "chatid, localuser, remoteuser, starttime, endtime, status, startmessage, token, email, offertime",
    ),
    (
        "localmessagequeue",
        "messageid, posttime, sendtime, chatid, message",
    ),
    (
        "remotemessagequeue",
        "messageid, posttime, sendtime, chatid, message, author",
    ),
    ("onlinestatus", "localuser, resource, online"),
    ("dbversion", "versionid"),
];

/// A version-2 file as the version-2 program left it: the original tables,
/// the version-2 step, and rows including undelivered messages both ways.
fn version_2_database(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("seshat.db");
    let connection = Connection::open(&path).unwrap();
    connection.execute_batch(ORIGINAL_DDL).unwrap();
    connection.execute_batch(VERSION_2_DDL).unwrap();
    connection.execute_batch(VERSION_2_ROWS).unwrap();
    path
}

/// Every row of `table` (the `columns` given), in rowid order, values as stored.
fn rows(path: &std::path::Path, table: &str, columns: &str) -> Vec<Vec<Value>> {
    let connection = Connection::open(path).unwrap();
    let mut statement = connection
        .prepare(&format!("SELECT {columns} FROM {table} ORDER BY rowid"))
        .unwrap();
    let width = statement.column_count();
    statement
        .query_map([], |row| (0..width).map(|i| row.get(i)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The layout of a file: every table's columns (name, type, nullability,
/// default, key) and every index's name, table and definition, sorted.
fn layout(path: &std::path::Path) -> Vec<String> {
    let connection = Connection::open(path).unwrap();
    let mut layout: Vec<String> = connection
        .prepare(
            "SELECT m.type || ' ' || m.tbl_name || ' ' || coalesce(c.name, m.name) || ' '
                    || coalesce(c.type, m.sql, '') || ' ' || coalesce(c.\"notnull\", '') || ' '
                    || coalesce(c.dflt_value, '') || ' ' || coalesce(c.pk, '')
               FROM sqlite_master AS m
               LEFT JOIN pragma_table_info(m.name) AS c ON m.type = 'table'
              WHERE m.name NOT LIKE 'sqlite_%'",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    layout.sort();
    layout
}

/// The `localmessagequeue.author` of every staff-bound row, in order.
fn staff_bound_authors(path: &std::path::Path) -> Vec<Option<String>> {
    Connection::open(path)
        .unwrap()
        .prepare("SELECT author FROM localmessagequeue ORDER BY messageid")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// What history shows the visitor wrote, oldest first.
fn visitor_lines(store: &SqliteStore, token: &ChatToken) -> Vec<String> {
    let mut lines: Vec<String> = store
        .history(token, None, 100)
        .unwrap()
        .into_iter()
        .filter_map(|entry| match entry {
            HistoryEntry::FromVisitor { text, .. } => Some(text),
            HistoryEntry::ToVisitor(_) => None,
        })
        .collect();
    lines.reverse();
    lines
}

pub(crate) fn original_database(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("seshat.db");
    let connection = Connection::open(&path).unwrap();
    connection.execute_batch(ORIGINAL_DDL).unwrap();
    connection.execute_batch(PYTHON_ROWS).unwrap();
    path
}

pub(crate) fn version_of(path: &std::path::Path) -> i64 {
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

    // Every staff-bound row the original wrote is the visitor's.
    let authors = staff_bound_authors(&path);
    assert_eq!(authors.len(), 3);
    assert!(authors.iter().all(Option::is_none));
    assert_eq!(
        visitor_lines(&store, &tokens[1]),
        ["I have a question", "about shipping"]
    );
}

#[test]
fn a_version_2_database_migrates_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = version_2_database(&dir);
    assert_eq!(version_of(&path), 2);
    let before: Vec<_> = VERSION_2_COLUMNS
        .iter()
        .map(|(table, columns)| rows(&path, table, columns))
        .collect();
    let layout_before = layout(&path);

    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(version_of(&path), SCHEMA_VERSION);

    // Every value of every version-2 column is still there, as stored.
    let after: Vec<_> = VERSION_2_COLUMNS
        .iter()
        .map(|(table, columns)| rows(&path, table, columns))
        .collect();
    assert_eq!(before, after);
    // Every version-2 column and index is still there; the staff-bound
    // queue gained a nullable author column, NULL (the visitor) on every row.
    let layout_after = layout(&path);
    // Version 4 replaced two partial status indexes with full ones.
    let replaced = ["index chat chat_pending", "index chat chat_open_by_staff"];
    for entry in &layout_before {
        if replaced.iter().any(|name| entry.starts_with(name)) {
            continue;
        }
        assert!(layout_after.contains(entry), "lost: {entry}");
    }
    assert!(layout_after
        .iter()
        .any(|entry| entry.starts_with("index chat chat_by_status")));
    assert!(layout_after.contains(&"table localmessagequeue author TEXT 0  0".to_owned()));
    let authors = staff_bound_authors(&path);
    assert_eq!(authors.len(), 5);
    assert!(authors.iter().all(Option::is_none));

    // Chats keep their tokens, emails and offer times.
    let alice: ChatToken = ALICE.parse().unwrap();
    let bob: ChatToken = BOB.parse().unwrap();
    let carol: ChatToken = CAROL.parse().unwrap();
    assert_eq!(store.token_of(1).unwrap(), alice);
    let offered = store.chat_by_token(&alice).unwrap();
    assert_eq!(offered.status, ChatStatus::Notified);
    assert_eq!(offered.email.as_deref(), Some("alice@example.com"));
    assert_eq!(offered.offered_at, Some(1700000001.5));
    assert_eq!(store.chat_by_token(&bob).unwrap().status, ChatStatus::Open);
    assert_eq!(
        store.chat_by_token(&carol).unwrap().status,
        ChatStatus::Closed
    );

    // Undelivered visitor-bound messages keep their order and authors.
    let to_bob = store.peek_for_visitor(&bob).unwrap();
    assert_eq!(to_bob.len(), 1);
    assert_eq!(to_bob[0].text, "How can I help?");
    assert_eq!(to_bob[0].author, Author::Staff("joe@example.com".into()));
    assert_eq!(
        store.peek_for_visitor(&alice).unwrap()[0].text,
        texts::CHAT_REQUESTED
    );
    assert_eq!(
        store.peek_for_visitor(&carol).unwrap()[0].text,
        texts::CHAT_CLOSED
    );

    // Undelivered staff-bound messages of accepted chats are still due, in
    // order, to their staff member; the unaccepted chat's still waits.
    let due: Vec<_> = store
        .staff_bound(100)
        .unwrap()
        .into_iter()
        .map(|m| (m.id, m.staff, m.text))
        .collect();
    assert_eq!(
        due,
        [
            (3, "joe@example.com".to_owned(), "about shipping".to_owned()),
            (
                5,
                "ann@example.com".to_owned(),
                texts::CHAT_CLOSED.to_owned()
            ),
        ]
    );

    // History reads as before: a version-2 row has no author, so it is the
    // visitor's (version 2 could not tell its own notice apart).
    assert_eq!(
        visitor_lines(&store, &bob),
        ["I have a question", "about shipping"]
    );
    assert_eq!(visitor_lines(&store, &alice), ["is anyone there?"]);

    // Presence survives: ann is free, joe is busy with Bob.
    assert_eq!(store.available_staff().unwrap(), ["ann@example.com"]);
    drop(store);

    // Reopening changes nothing more.
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(layout(&path), layout_after);
    assert_eq!(store.staff_bound(100).unwrap().len(), 2);
}

#[test]
fn migrated_and_new_files_have_the_same_layout() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.db");
    SqliteStore::open(&fresh).unwrap();
    let from_1 = original_database(&dir);
    SqliteStore::open(&from_1).unwrap();
    let dir_2 = tempfile::tempdir().unwrap();
    let from_2 = version_2_database(&dir_2);
    SqliteStore::open(&from_2).unwrap();
    assert_eq!(layout(&from_1), layout(&fresh));
    assert_eq!(layout(&from_2), layout(&fresh));
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
        .waiting_chats()
        .unwrap()
        .into_iter()
        .filter(|c| c.status == ChatStatus::Waiting)
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

    // A staff-bound message written the Python way (no author) is the
    // visitor's: due to staff, and the visitor's in history.
    python
        .execute(
            "INSERT INTO localmessagequeue (posttime, sendtime, chatid, message) VALUES (?1, NULL, ?2, ?3)",
            (1300000101.5, chat_id, "Do you ship abroad?"),
        )
        .unwrap();
    let due = store.staff_bound(100).unwrap();
    assert_eq!(due.last().unwrap().text, "Do you ship abroad?");
    assert_eq!(due.last().unwrap().staff, "bob@example.com");
    assert_eq!(visitor_lines(&store, &token), ["Do you ship abroad?"]);
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

/// Puts `blocker` in a version-1 file, checks that opening it fails, and
/// that the file is still at version 1 without version 2's `token` column.
fn assert_failed_migration_rolls_back(blocker: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = original_database(&dir);
    let connection = Connection::open(&path).unwrap();
    connection.execute_batch(blocker).unwrap();
    assert!(SqliteStore::open(&path).is_err());
    assert_eq!(version_of(&path), 1);
    let columns: i64 = connection
        .query_row(
            "SELECT count(*) FROM pragma_table_info('chat') WHERE name = 'token'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(columns, 0, "the migration was not rolled back");
}

#[test]
fn a_failed_migration_leaves_the_file_as_it_was() {
    // An index squatting on a name the migration needs makes it fail
    // after it has already added columns.
    assert_failed_migration_rolls_back("CREATE INDEX visitor_bound_by_chat ON chat (remoteuser);");
}

#[test]
fn a_failed_later_step_rolls_back_the_earlier_ones() {
    // A column squatting on the name version 3 adds makes the last step
    // fail after version 2's step has run.
    assert_failed_migration_rolls_back("ALTER TABLE localmessagequeue ADD COLUMN author TEXT;");
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
