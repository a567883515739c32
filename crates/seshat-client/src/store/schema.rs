//! The database layout and its migrations.
//!
//! Version 1 is the original Seshat 0.3.1 schema. Every later version only
//! adds nullable columns, indexes, tables and triggers (version 4 also
//! replaces two partial indexes of version 2), so a database we migrated
//! still works with the original Python client and server. A new file is
//! built by creating version 1 and running every migration, so that fresh
//! and migrated databases are the same.

use rusqlite::{Connection, OptionalExtension, Transaction};

use crate::error::{Error, Result};
use crate::token::ChatToken;

/// The schema version this program writes and understands.
pub const SCHEMA_VERSION: i64 = 4;

/// The original tables, exactly as Seshat 0.3.1 created them.
const VERSION_1: &str = "
CREATE TABLE chat (chatid INTEGER PRIMARY KEY, localuser TEXT, remoteuser TEXT,
                   starttime INTEGER, endtime INTEGER, status INTEGER, startmessage TEXT);
CREATE TABLE localmessagequeue (messageid INTEGER PRIMARY KEY, posttime INTEGER,
                   sendtime INTEGER, chatid INTEGER, message TEXT);
CREATE TABLE remotemessagequeue (messageid INTEGER PRIMARY KEY, posttime INTEGER,
                   sendtime INTEGER, chatid INTEGER, message TEXT);
CREATE TABLE onlinestatus (localuser TEXT, resource TEXT, online INTEGER,
                   PRIMARY KEY (localuser, resource));
CREATE TABLE dbversion (versionid INTEGER PRIMARY KEY, version INTEGER);
INSERT INTO dbversion (versionid, version) VALUES (1, 1);
";

/// Version 1 -> 2: web tokens, the visitor's email, when a chat was offered,
/// who wrote each visitor-bound message (NULL: Seshat itself, or the
/// original server), and indexes that keep every hot query independent of
/// how many finished chats the file holds.
const TO_VERSION_2: &str = "
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
";

/// Version 2 -> 3: who wrote each staff-bound message. NULL is the visitor,
/// as for every row the original Python client and version 2 wrote;
/// [`AUTHOR_SESHAT`](super::statements::AUTHOR_SESHAT) marks a notice from Seshat itself (the visitor ended
/// the chat), which staff must still receive but which the visitor never
/// typed.
const TO_VERSION_3: &str = "
ALTER TABLE localmessagequeue ADD COLUMN author TEXT;
";

/// Version 3 -> 4: status indexes that statements can use with the status
/// as a parameter (a partial index `WHERE status = 2` serves only
/// statements that spell the 2 out), and the change log that targeted
/// wake-ups read. Triggers
/// write it in the same transaction as the change, so every writer is
/// covered, the original Python client and any other program included.
/// Each row names a chat and who should look again (the `wakes` bits of
/// [`super::wakeups`]: a status change concerns all
/// three, since it can make a staff member busy or free), or says that
/// staff presence changed (availability alone, chat 0). Changes that nobody waits for (delivery
/// marks, e-mail) write nothing. `AUTOINCREMENT` keeps
/// sequence numbers from ever being reused, so a reader that finds a gap
/// knows rows were pruned before it read them.
const TO_VERSION_4: &str = "
DROP INDEX chat_pending;
CREATE INDEX chat_by_status ON chat (status, chatid);
DROP INDEX chat_open_by_staff;
CREATE INDEX chat_by_staff ON chat (localuser, status);
CREATE TABLE changelog (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        chatid INTEGER NOT NULL, wakes INTEGER NOT NULL);
CREATE TRIGGER changelog_visitor_bound AFTER INSERT ON remotemessagequeue
BEGIN INSERT INTO changelog (chatid, wakes) VALUES (new.chatid, 1); END;
CREATE TRIGGER changelog_staff_bound AFTER INSERT ON localmessagequeue
BEGIN INSERT INTO changelog (chatid, wakes) VALUES (new.chatid, 2); END;
CREATE TRIGGER changelog_new_chat AFTER INSERT ON chat
BEGIN INSERT INTO changelog (chatid, wakes) VALUES (new.chatid, 2); END;
CREATE TRIGGER changelog_status AFTER UPDATE OF status ON chat
WHEN old.status IS NOT new.status
BEGIN INSERT INTO changelog (chatid, wakes) VALUES (new.chatid, 7); END;
CREATE TRIGGER changelog_presence_new AFTER INSERT ON onlinestatus
BEGIN INSERT INTO changelog (chatid, wakes) VALUES (0, 4); END;
CREATE TRIGGER changelog_presence AFTER UPDATE OF online ON onlinestatus
WHEN old.online IS NOT new.online
BEGIN INSERT INTO changelog (chatid, wakes) VALUES (0, 4); END;
";

/// Brings the database to [`SCHEMA_VERSION`] inside one immediate
/// transaction: creates it when empty, migrates an older one, refuses a
/// newer one. Either every step lands or none does.
pub(crate) fn prepare(connection: &mut Connection) -> Result<()> {
    let transaction =
        connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found = match stored_version(&transaction)? {
        Some(version) => version,
        None => {
            transaction.execute_batch(VERSION_1)?;
            1
        }
    };
    if found > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found < 1 {
        return Err(Error::NotASeshatDatabase(format!("dbversion says {found}")));
    }
    if found < 2 {
        migrate_to_2(&transaction)?;
    }
    if found < 3 {
        migrate_to_3(&transaction)?;
    }
    if found < 4 {
        migrate_to_4(&transaction)?;
    }
    transaction.commit()?;
    Ok(())
}

/// The recorded version, or `None` for an empty database.
fn stored_version(transaction: &Transaction<'_>) -> Result<Option<i64>> {
    let has_version_table: bool = transaction.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dbversion')",
        [],
        |row| row.get(0),
    )?;
    if !has_version_table {
        let tables: i64 = transaction.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |row| row.get(0),
        )?;
        return if tables == 0 {
            Ok(None)
        } else {
            Err(Error::NotASeshatDatabase(format!(
                "{tables} unrelated tables"
            )))
        };
    }
    let version: Option<i64> = transaction
        .query_row("SELECT max(version) FROM dbversion", [], |row| row.get(0))
        .optional()?
        .flatten();
    version
        .map(Some)
        .ok_or_else(|| Error::NotASeshatDatabase("dbversion is empty".to_owned()))
}

fn migrate_to_2(transaction: &Transaction<'_>) -> Result<()> {
    transaction.execute_batch(TO_VERSION_2)?;
    let chat_ids: Vec<i64> = transaction
        .prepare("SELECT chatid FROM chat WHERE token IS NULL")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut give_token = transaction.prepare("UPDATE chat SET token = ?1 WHERE chatid = ?2")?;
    for chat_id in chat_ids {
        give_token.execute((ChatToken::generate().as_str(), chat_id))?;
    }
    transaction.execute("UPDATE dbversion SET version = 2", [])?;
    Ok(())
}

fn migrate_to_3(transaction: &Transaction<'_>) -> Result<()> {
    // Existing rows keep NULL: the visitor's, which is what the original
    // client and version 2 meant by every staff-bound row they wrote.
    transaction.execute_batch(TO_VERSION_3)?;
    transaction.execute("UPDATE dbversion SET version = 3", [])?;
    Ok(())
}

fn migrate_to_4(transaction: &Transaction<'_>) -> Result<()> {
    transaction.execute_batch(TO_VERSION_4)?;
    transaction.execute("UPDATE dbversion SET version = 4", [])?;
    Ok(())
}

/// Reports, without changing anything, what a migration would carry over:
/// undelivered messages in both queues and chats not yet finished.
pub(crate) fn describe_pending(connection: &Connection) -> Result<(i64, i64, i64)> {
    Ok(connection.query_row(
        "SELECT (SELECT count(*) FROM localmessagequeue WHERE sendtime IS NULL),
                (SELECT count(*) FROM remotemessagequeue WHERE sendtime IS NULL),
                (SELECT count(*) FROM chat WHERE status IN (0, 1, 2))",
        [],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?)
}
