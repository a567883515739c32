//! [`Store`] on one SQLite file shared by the web application's processes
//! and the daemon.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use tokio::sync::watch::Receiver;

use super::pool::{retry_while_busy, Pool};
use super::schema;
use super::watch::ChangeSignal;
use super::Store;
use crate::clock::{self, read_time};
use crate::error::{Error, Result};
use crate::limits::{check_email, Limits};
use crate::model::{
    AcceptOutcome, Author, CancelOutcome, Chat, HistoryEntry, NewChat, SendOutcome, StaffMessage,
    VisitorMessage,
};
use crate::status::ChatStatus;
use crate::texts;
use crate::token::ChatToken;

/// How an [`SqliteStore`] opens and shares its file.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// Size limits on names and messages.
    pub limits: Limits,
    /// How long a write waits for another process's lock before failing.
    pub busy_timeout: Duration,
    /// How often the change detector looks for commits while someone waits.
    pub poll_interval: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            limits: Limits::default(),
            busy_timeout: Duration::from_secs(30),
            poll_interval: Duration::from_millis(1),
        }
    }
}

/// The SQLite store. Cheap to share behind an `Arc`; every method runs a
/// short transaction on a pooled connection.
pub struct SqliteStore {
    path: PathBuf,
    options: SqliteOptions,
    pool: Pool,
    signal: Arc<ChangeSignal>,
}

const CHAT_COLUMNS: &str =
    "chatid, remoteuser, localuser, status, startmessage, email, starttime, offertime";

fn read_chat(row: &Row<'_>) -> rusqlite::Result<Chat> {
    let code: i64 = row.get(3)?;
    Ok(Chat {
        id: row.get(0)?,
        visitor: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
        staff: row.get(2)?,
        // A status no version writes is treated as over: nothing acts on it.
        status: ChatStatus::from_code(code).unwrap_or(ChatStatus::Closed),
        start_message: row
            .get::<_, Option<String>>(4)?
            .filter(|message| !message.is_empty()),
        email: row.get(5)?,
        started_at: read_time(row.get_ref(6)?).unwrap_or(0.0),
        offered_at: read_time(row.get_ref(7)?),
    })
}

/// `values` as a JSON array of strings, for `json_each`.
fn json_array(values: &[String]) -> String {
    let mut json = String::from("[");
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push('"');
        for c in value.chars() {
            match c {
                '"' => json.push_str("\\\""),
                '\\' => json.push_str("\\\\"),
                c if (c as u32) < 0x20 => json.push_str(&format!("\\u{:04x}", c as u32)),
                c => json.push(c),
            }
        }
        json.push('"');
    }
    json.push(']');
    json
}

fn read_staff_message(row: &Row<'_>) -> rusqlite::Result<StaffMessage> {
    Ok(StaffMessage {
        id: row.get(0)?,
        chat_id: row.get(1)?,
        staff: row.get(2)?,
        text: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
    })
}

fn read_visitor_message(row: &Row<'_>) -> rusqlite::Result<VisitorMessage> {
    Ok(VisitorMessage {
        id: row.get(0)?,
        text: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
        posted_at: read_time(row.get_ref(2)?).unwrap_or(0.0),
        author: match row.get::<_, Option<String>>(3)? {
            Some(staff) => Author::Staff(staff),
            None => Author::Seshat,
        },
    })
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` with default
    /// options, migrating an older schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Opens the database with explicit options.
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let pool = Pool::new(path.clone(), options.busy_timeout);
        {
            let mut connection = pool.open()?;
            let before = retry_while_busy(options.busy_timeout, || {
                let before = schema_version_of(&connection)?;
                schema::prepare(&mut connection)?;
                Ok(before)
            })?;
            if let Some(old) = before.filter(|&version| version < schema::SCHEMA_VERSION) {
                let (to_staff, to_visitors, open_chats) = schema::describe_pending(&connection)?;
                tracing::info!(
                    from = old,
                    to = schema::SCHEMA_VERSION,
                    to_staff,
                    to_visitors,
                    open_chats,
                    "migrated the database; undelivered messages and open chats kept"
                );
            }
        }
        Ok(SqliteStore {
            path,
            options,
            pool,
            signal: ChangeSignal::new(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The size limits in force.
    pub fn limits(&self) -> Limits {
        self.options.limits
    }

    /// Runs `work` in an immediate (write-locking) transaction, commits, and
    /// wakes this process's waiters.
    fn write<T>(&self, work: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut connection = self.pool.get()?;
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&transaction)?;
        transaction.commit()?;
        self.signal.bump();
        Ok(value)
    }

    fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let connection = self.pool.get()?;
        work(&connection)
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.signal.stop();
    }
}

/// The version recorded in the file, if it has one (before migrating).
fn schema_version_of(connection: &Connection) -> Result<Option<i64>> {
    let exists: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'dbversion')",
        [],
        |row| row.get(0),
    )?;
    if !exists {
        return Ok(None);
    }
    Ok(connection
        .query_row("SELECT max(version) FROM dbversion", [], |row| row.get(0))
        .optional()?
        .flatten())
}

fn chat_id_of(connection: &Connection, token: &ChatToken) -> Result<i64> {
    connection
        .prepare_cached("SELECT chatid FROM chat WHERE token = ?1")?
        .query_row([token.as_str()], |row| row.get(0))
        .optional()?
        .ok_or(Error::NoSuchChat)
}

fn chat_by_id(connection: &Connection, chat_id: i64) -> Result<Option<Chat>> {
    Ok(connection
        .prepare_cached(&format!(
            "SELECT {CHAT_COLUMNS} FROM chat WHERE chatid = ?1"
        ))?
        .query_row([chat_id], read_chat)
        .optional()?)
}

fn open_chat_of(connection: &Connection, staff: &str) -> Result<Option<Chat>> {
    Ok(connection
        .prepare_cached(&format!(
            "SELECT {CHAT_COLUMNS} FROM chat WHERE localuser = ?1 AND status = 2
             ORDER BY chatid LIMIT 1"
        ))?
        .query_row([staff], read_chat)
        .optional()?)
}

fn queue_for_visitor(
    connection: &Connection,
    chat_id: i64,
    text: &str,
    author: Option<&str>,
) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO remotemessagequeue (posttime, sendtime, chatid, message, author)
             VALUES (?1, NULL, ?2, ?3, ?4)",
        )?
        .execute((clock::now(), chat_id, text, author))?;
    Ok(())
}

/// Queues `text` for the staff member of the chat. `author` is `None` for
/// what the visitor wrote and [`schema::AUTHOR_SESHAT`] for Seshat's own
/// notices, which history leaves out (the visitor has their own copy).
fn queue_for_staff(
    connection: &Connection,
    chat_id: i64,
    text: &str,
    author: Option<&str>,
) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO localmessagequeue (posttime, sendtime, chatid, message, author)
             VALUES (?1, NULL, ?2, ?3, ?4)",
        )?
        .execute((clock::now(), chat_id, text, author))?;
    Ok(())
}

fn set_status(connection: &Connection, chat_id: i64, status: ChatStatus) -> Result<()> {
    let ends = status.is_over().then(clock::now);
    connection
        .prepare_cached(
            "UPDATE chat SET status = ?1, endtime = coalesce(?2, endtime) WHERE chatid = ?3",
        )?
        .execute((status.code(), ends, chat_id))?;
    Ok(())
}

fn pending_for_visitor(connection: &Connection, chat_id: i64) -> Result<Vec<VisitorMessage>> {
    let messages = connection
        .prepare_cached(
            "SELECT messageid, message, posttime, author FROM remotemessagequeue
             WHERE chatid = ?1 AND sendtime IS NULL ORDER BY messageid",
        )?
        .query_map([chat_id], read_visitor_message)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(messages)
}

fn mark_visitor_delivered(connection: &Connection, chat_id: i64, up_to: i64) -> Result<usize> {
    Ok(connection
        .prepare_cached(
            "UPDATE remotemessagequeue SET sendtime = ?1
             WHERE chatid = ?2 AND sendtime IS NULL AND messageid <= ?3",
        )?
        .execute((clock::now(), chat_id, up_to))?)
}

fn list_chats(connection: &Connection, condition: &str, value: Option<f64>) -> Result<Vec<Chat>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {CHAT_COLUMNS} FROM chat WHERE status IN (0, 1) AND {condition} ORDER BY chatid"
    ))?;
    let chats: rusqlite::Result<Vec<Chat>> = match value {
        Some(value) => statement.query_map([value], read_chat)?.collect(),
        None => statement.query_map([], read_chat)?.collect(),
    };
    Ok(chats?)
}

impl Store for SqliteStore {
    fn start_chat(&self, visitor: &str, start_message: Option<&str>) -> Result<NewChat> {
        let limits = self.options.limits;
        limits.check_name(visitor)?;
        let start_message = start_message.filter(|message| !message.trim().is_empty());
        if let Some(message) = start_message {
            limits.check_message(message)?;
        }
        let token = ChatToken::generate();
        let id = self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO chat (localuser, remoteuser, starttime, endtime, status, startmessage, token)
                 VALUES (NULL, ?1, ?2, NULL, 0, ?3, ?4)",
            )?
            .execute((visitor, clock::now(), start_message.unwrap_or(""), token.as_str()))?;
            let id = tx.last_insert_rowid();
            queue_for_visitor(tx, id, texts::CHAT_REQUESTED, None)?;
            Ok(id)
        })?;
        tracing::info!(chat = id, "chat started");
        Ok(NewChat { id, token })
    }

    fn send_from_visitor(&self, token: &ChatToken, text: &str) -> Result<SendOutcome> {
        self.options.limits.check_message(text)?;
        self.write(|tx| {
            let chat_id = chat_id_of(tx, token)?;
            let chat = chat_by_id(tx, chat_id)?.ok_or(Error::NoSuchChat)?;
            Ok(match chat.status {
                status if status.is_over() => {
                    queue_for_visitor(tx, chat_id, texts::ALREADY_CLOSED, None)?;
                    SendOutcome::ChatIsOver
                }
                ChatStatus::Open => {
                    queue_for_staff(tx, chat_id, text, None)?;
                    SendOutcome::Sent
                }
                _ => {
                    queue_for_visitor(tx, chat_id, texts::DELIVERED_WHEN_STARTED, None)?;
                    queue_for_staff(tx, chat_id, text, None)?;
                    SendOutcome::HeldUntilAccepted
                }
            })
        })
    }

    fn take_for_visitor(&self, token: &ChatToken) -> Result<Vec<VisitorMessage>> {
        // A cheap read first, so that idle polls never take the write lock.
        let chat_id = self.read(|connection| {
            let chat_id = chat_id_of(connection, token)?;
            let has_pending: bool = connection
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM remotemessagequeue
                     WHERE chatid = ?1 AND sendtime IS NULL)",
                )?
                .query_row([chat_id], |row| row.get(0))?;
            Ok(has_pending.then_some(chat_id))
        })?;
        let Some(chat_id) = chat_id else {
            return Ok(Vec::new());
        };
        self.write(|tx| {
            let messages = pending_for_visitor(tx, chat_id)?;
            if let Some(last) = messages.last() {
                mark_visitor_delivered(tx, chat_id, last.id)?;
            }
            Ok(messages)
        })
    }

    fn peek_for_visitor(&self, token: &ChatToken) -> Result<Vec<VisitorMessage>> {
        self.read(|connection| {
            let chat_id = chat_id_of(connection, token)?;
            pending_for_visitor(connection, chat_id)
        })
    }

    fn acknowledge(&self, token: &ChatToken, message_id: i64) -> Result<usize> {
        self.write(|tx| {
            let chat_id = chat_id_of(tx, token)?;
            mark_visitor_delivered(tx, chat_id, message_id)
        })
    }

    fn end_chat(&self, token: &ChatToken) -> Result<bool> {
        let ended = self.write(|tx| {
            let chat_id = chat_id_of(tx, token)?;
            let chat = chat_by_id(tx, chat_id)?.ok_or(Error::NoSuchChat)?;
            match chat.status {
                ChatStatus::Open => {
                    set_status(tx, chat_id, ChatStatus::Closed)?;
                    queue_for_staff(tx, chat_id, texts::CHAT_CLOSED, Some(schema::AUTHOR_SESHAT))?;
                    queue_for_visitor(tx, chat_id, texts::CHAT_CLOSED, None)?;
                    Ok(Some(chat_id))
                }
                status if status.is_pending() => {
                    set_status(tx, chat_id, ChatStatus::Closed)?;
                    queue_for_visitor(tx, chat_id, texts::CHAT_CLOSED, None)?;
                    Ok(Some(chat_id))
                }
                _ => Ok(None),
            }
        })?;
        if let Some(chat_id) = ended {
            tracing::info!(chat = chat_id, "chat ended by the visitor");
        }
        Ok(ended.is_some())
    }

    fn chat_by_token(&self, token: &ChatToken) -> Result<Chat> {
        self.read(|connection| {
            connection
                .prepare_cached(&format!("SELECT {CHAT_COLUMNS} FROM chat WHERE token = ?1"))?
                .query_row([token.as_str()], read_chat)
                .optional()?
                .ok_or(Error::NoSuchChat)
        })
    }

    fn set_email(&self, token: &ChatToken, email: &str) -> Result<()> {
        let email = check_email(email)?;
        self.write(|tx| {
            let chat_id = chat_id_of(tx, token)?;
            tx.prepare_cached("UPDATE chat SET email = ?1 WHERE chatid = ?2")?
                .execute((email, chat_id))?;
            Ok(())
        })
    }

    fn history(
        &self,
        token: &ChatToken,
        before: Option<(f64, i64)>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>> {
        let (time, id) = before.unwrap_or((f64::INFINITY, i64::MAX));
        let time = if time.is_finite() { time } else { f64::MAX };
        self.read(|connection| {
            let chat_id = chat_id_of(connection, token)?;
            // Staff-bound rows with an author are Seshat's notices to staff,
            // not the visitor's words; the visitor-bound copy stands for them.
            let entries = connection
                .prepare_cached(
                    "SELECT direction, messageid, message, posttime, author FROM (
                         SELECT 0 AS direction, messageid, message, posttime, NULL AS author
                           FROM localmessagequeue WHERE chatid = ?1 AND author IS NULL
                         UNION ALL
                         SELECT 1, messageid, message, posttime, author
                           FROM remotemessagequeue WHERE chatid = ?1)
                     WHERE posttime < ?2 OR (posttime = ?2 AND messageid < ?3)
                     ORDER BY posttime DESC, messageid DESC LIMIT ?4",
                )?
                .query_map((chat_id, time, id, limit as i64), |row| {
                    let direction: i64 = row.get(0)?;
                    let id: i64 = row.get(1)?;
                    let text = row.get::<_, Option<String>>(2)?.unwrap_or_default();
                    let posted_at = read_time(row.get_ref(3)?).unwrap_or(0.0);
                    Ok(if direction == 0 {
                        HistoryEntry::FromVisitor {
                            id,
                            text,
                            posted_at,
                        }
                    } else {
                        HistoryEntry::ToVisitor(VisitorMessage {
                            id,
                            text,
                            posted_at,
                            author: match row.get::<_, Option<String>>(4)? {
                                Some(staff) => Author::Staff(staff),
                                None => Author::Seshat,
                            },
                        })
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(entries)
        })
    }

    fn is_available(&self) -> Result<bool> {
        self.read(|connection| {
            Ok(connection
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM onlinestatus AS o WHERE o.online = 1
                       AND NOT EXISTS (SELECT 1 FROM chat AS c
                                       WHERE c.localuser = o.localuser AND c.status = 2))",
                )?
                .query_row([], |row| row.get(0))?)
        })
    }

    fn token_of(&self, chat_id: i64) -> Result<ChatToken> {
        let existing: Option<Option<String>> = self.read(|connection| {
            Ok(connection
                .prepare_cached("SELECT token FROM chat WHERE chatid = ?1")?
                .query_row([chat_id], |row| row.get(0))
                .optional()?)
        })?;
        match existing {
            None => Err(Error::NoSuchChatId(chat_id)),
            Some(Some(token)) => token.parse(),
            Some(None) => self.write(|tx| {
                tx.prepare_cached(
                    "UPDATE chat SET token = ?1 WHERE chatid = ?2 AND token IS NULL",
                )?
                .execute((ChatToken::generate().as_str(), chat_id))?;
                let token: String = tx
                    .prepare_cached("SELECT token FROM chat WHERE chatid = ?1")?
                    .query_row([chat_id], |row| row.get(0))?;
                token.parse()
            }),
        }
    }

    fn chat(&self, chat_id: i64) -> Result<Option<Chat>> {
        self.read(|connection| chat_by_id(connection, chat_id))
    }

    fn chats_to_offer(&self) -> Result<Vec<Chat>> {
        self.read(|connection| list_chats(connection, "status = 0", None))
    }

    fn waiting_chats(&self) -> Result<Vec<Chat>> {
        self.read(|connection| list_chats(connection, "1", None))
    }

    fn offers_older_than(&self, cutoff: f64) -> Result<Vec<Chat>> {
        self.read(|connection| {
            list_chats(connection, "status = 1 AND offertime < ?1", Some(cutoff))
        })
    }

    fn mark_notified(&self, chat_id: i64) -> Result<bool> {
        self.write(|tx| {
            Ok(tx
                .prepare_cached(
                    "UPDATE chat SET status = 1, offertime = ?1 WHERE chatid = ?2 AND status = 0",
                )?
                .execute((clock::now(), chat_id))?
                == 1)
        })
    }

    fn fail_chat(&self, chat_id: i64, notice: &str) -> Result<bool> {
        let failed = self.write(|tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE chat SET status = 4, endtime = ?1 WHERE chatid = ?2 AND status IN (0, 1)",
                )?
                .execute((clock::now(), chat_id))?;
            if changed == 1 {
                queue_for_visitor(tx, chat_id, notice, None)?;
            }
            Ok(changed == 1)
        })?;
        if failed {
            tracing::info!(chat = chat_id, "chat failed: {notice}");
        }
        Ok(failed)
    }

    fn accept(&self, chat_id: i64, staff: &str) -> Result<AcceptOutcome> {
        let outcome = self.write(|tx| {
            if let Some(current) = open_chat_of(tx, staff)? {
                return Ok(AcceptOutcome::BusyWith(current));
            }
            let Some(chat) = chat_by_id(tx, chat_id)? else {
                return Ok(AcceptOutcome::NoSuchChat);
            };
            Ok(match chat.status {
                ChatStatus::Open => match chat.staff {
                    Some(owner) if owner == staff => AcceptOutcome::AlreadyYours,
                    owner => AcceptOutcome::HandledBy(owner.unwrap_or_default()),
                },
                ChatStatus::Closed | ChatStatus::CanceledLocally => AcceptOutcome::AlreadyFinished,
                // Its visitor was told nobody could answer, and the widget
                // stopped waiting: nobody would read the staff member.
                ChatStatus::Failed => AcceptOutcome::Failed,
                ChatStatus::Waiting | ChatStatus::Notified => {
                    tx.prepare_cached(
                        "UPDATE chat SET status = 2, localuser = ?1, endtime = NULL WHERE chatid = ?2",
                    )?
                    .execute((staff, chat_id))?;
                    queue_for_visitor(tx, chat_id, texts::CHAT_STARTED, None)?;
                    AcceptOutcome::Accepted(Chat {
                        status: ChatStatus::Open,
                        staff: Some(staff.to_owned()),
                        ..chat
                    })
                }
            })
        })?;
        if let AcceptOutcome::Accepted(chat) = &outcome {
            tracing::info!(chat = chat.id, staff, "chat accepted");
        }
        Ok(outcome)
    }

    fn cancel(&self, chat_id: i64, staff: &str) -> Result<CancelOutcome> {
        let outcome = self.write(|tx| {
            let Some(chat) = chat_by_id(tx, chat_id)? else {
                return Ok(CancelOutcome::NoSuchChat);
            };
            Ok(match chat.status {
                ChatStatus::Open => match chat.staff {
                    Some(owner) if owner == staff => CancelOutcome::AcceptedBySelf,
                    owner => CancelOutcome::AcceptedBy(owner.unwrap_or_default()),
                },
                ChatStatus::Closed | ChatStatus::CanceledLocally => CancelOutcome::AlreadyClosed,
                ChatStatus::Waiting | ChatStatus::Notified | ChatStatus::Failed => {
                    set_status(tx, chat_id, ChatStatus::CanceledLocally)?;
                    queue_for_visitor(tx, chat_id, texts::CHAT_CANCELED, None)?;
                    CancelOutcome::Canceled(Chat {
                        status: ChatStatus::CanceledLocally,
                        ..chat
                    })
                }
            })
        })?;
        if let CancelOutcome::Canceled(chat) = &outcome {
            tracing::info!(chat = chat.id, staff, "chat canceled");
        }
        Ok(outcome)
    }

    fn finish(&self, staff: &str) -> Result<Option<Chat>> {
        let finished = self.write(|tx| {
            let Some(chat) = open_chat_of(tx, staff)? else {
                return Ok(None);
            };
            set_status(tx, chat.id, ChatStatus::Closed)?;
            queue_for_visitor(tx, chat.id, texts::CHAT_CLOSED, None)?;
            Ok(Some(Chat {
                status: ChatStatus::Closed,
                ..chat
            }))
        })?;
        if let Some(chat) = &finished {
            tracing::info!(chat = chat.id, staff, "chat finished");
        }
        Ok(finished)
    }

    fn open_chat_of(&self, staff: &str) -> Result<Option<Chat>> {
        self.read(|connection| open_chat_of(connection, staff))
    }

    fn reply_from_staff(&self, staff: &str, text: &str) -> Result<Option<i64>> {
        self.options.limits.check_message(text)?;
        self.write(|tx| {
            let Some(chat) = open_chat_of(tx, staff)? else {
                return Ok(None);
            };
            queue_for_visitor(tx, chat.id, text, Some(staff))?;
            Ok(Some(chat.id))
        })
    }

    fn staff_bound(&self, limit: usize) -> Result<Vec<StaffMessage>> {
        self.read(|connection| {
            let messages = connection
                .prepare_cached(
                    "SELECT m.messageid, m.chatid, c.localuser, m.message
                       FROM localmessagequeue AS m JOIN chat AS c ON c.chatid = m.chatid
                      WHERE m.sendtime IS NULL AND c.localuser IS NOT NULL
                      ORDER BY m.messageid LIMIT ?1",
                )?
                .query_map([limit as i64], read_staff_message)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(messages)
        })
    }

    fn staff_bound_to(&self, staff: &[String], limit: usize) -> Result<Vec<StaffMessage>> {
        if staff.is_empty() {
            return Ok(Vec::new());
        }
        // The recipients as one JSON array parameter: one statement (and one
        // cached plan) whatever the number of staff, and SQLite looks each
        // row's staff member up in it instead of scanning a list.
        let recipients = json_array(staff);
        self.read(|connection| {
            let messages = connection
                .prepare_cached(
                    "SELECT m.messageid, m.chatid, c.localuser, m.message
                       FROM localmessagequeue AS m JOIN chat AS c ON c.chatid = m.chatid
                      WHERE m.sendtime IS NULL
                        AND c.localuser IN (SELECT value FROM json_each(?1))
                      ORDER BY m.messageid LIMIT ?2",
                )?
                .query_map((recipients.as_str(), limit as i64), read_staff_message)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(messages)
        })
    }

    fn mark_all_delivered(&self, message_ids: &[i64]) -> Result<()> {
        if message_ids.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            let now = clock::now();
            let mut statement = tx.prepare_cached(
                "UPDATE localmessagequeue SET sendtime = ?1 WHERE messageid = ?2 AND sendtime IS NULL",
            )?;
            for &message_id in message_ids {
                statement.execute((now, message_id))?;
            }
            Ok(())
        })
    }

    fn mark_delivered(&self, message_id: i64) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "UPDATE localmessagequeue SET sendtime = ?1 WHERE messageid = ?2 AND sendtime IS NULL",
            )?
            .execute((clock::now(), message_id))?;
            Ok(())
        })
    }

    fn set_presence(&self, staff: &str, resource: &str, online: bool) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO onlinestatus (localuser, resource, online) VALUES (?1, ?2, ?3)",
            )?
            .execute((staff, resource, online as i64))?;
            Ok(())
        })
    }

    fn reset_presence(&self) -> Result<()> {
        self.write(|tx| {
            tx.execute("UPDATE onlinestatus SET online = 0 WHERE online <> 0", [])?;
            Ok(())
        })
    }

    fn available_staff(&self) -> Result<Vec<String>> {
        self.read(|connection| {
            let staff = connection
                .prepare_cached(
                    "SELECT DISTINCT o.localuser FROM onlinestatus AS o WHERE o.online = 1
                       AND NOT EXISTS (SELECT 1 FROM chat AS c
                                       WHERE c.localuser = o.localuser AND c.status = 2)
                     ORDER BY o.localuser",
                )?
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(staff)
        })
    }

    fn changes(&self) -> Receiver<u64> {
        self.signal.subscribe(self.options.poll_interval, || {
            self.pool
                .open()
                .map_err(|error| tracing::warn!(%error, "the change detector could not open the database"))
                .ok()
        })
    }
}
