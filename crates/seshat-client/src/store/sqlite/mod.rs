//! [`Store`] on one SQLite file shared by the web application's processes
//! and the daemon.
//!
//! This file opens the store and runs each operation in its transaction;
//! the statements live with their tables: [`chats`], [`messages`],
//! [`presence`], with the row readers in [`rows`].

mod chats;
mod messages;
mod presence;
mod rows;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::checkpoint::Checkpointer;
use super::detector::{self, ChangeDetector};
use super::pool::{retry_while_busy, Pool};
use super::schema;
use super::wakeups::Wakeups;
use super::Store;
use crate::error::{Error, Result};
use crate::limits::{check_email, Limits};
use crate::model::{
    AcceptOutcome, CancelOutcome, Chat, HistoryEntry, Inbox, NewChat, SendOutcome, StaffMessage,
};
use crate::status::ChatStatus;
use crate::texts;
use crate::token::ChatToken;
use messages::{queue, Queue};

/// How an [`SqliteStore`] opens and shares its file.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// Size limits on names and messages.
    pub limits: Limits,
    /// How long a write waits for another process's lock before failing.
    pub busy_timeout: Duration,
    /// How often the change detector looks for other processes' commits
    /// when the kernel reported none: a safety net only, for writers that
    /// know nothing of the wake file (see [`crate::store`]).
    pub safety_poll: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            limits: Limits::default(),
            busy_timeout: Duration::from_secs(30),
            safety_poll: Duration::from_secs(1),
        }
    }
}

/// The SQLite store. Cheap to share behind an `Arc`; every method runs a
/// short transaction on a pooled connection.
pub struct SqliteStore {
    path: PathBuf,
    options: SqliteOptions,
    pool: Pool,
    wakeups: Wakeups,
    /// Reads the change log after every commit and wakes its waiters.
    detector: ChangeDetector,
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
        let wakeups = Wakeups::new();
        let detector = retry_while_busy(options.busy_timeout, || {
            let connection = detector::open_connection(&path, options.busy_timeout)?;
            Ok(ChangeDetector::start(
                &path,
                connection,
                wakeups.clone(),
                options.safety_poll,
                Checkpointer::start(path.clone(), options.busy_timeout),
            )?)
        })?;
        Ok(SqliteStore {
            path,
            options,
            pool,
            wakeups,
            detector,
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
    /// wakes the waiters of whatever the commit changed.
    fn write<T>(&self, work: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut connection = self.pool.get()?;
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&transaction)?;
        transaction.commit()?;
        self.detector.after_commit(&connection);
        Ok(value)
    }

    /// Runs `work`, one statement that reads, on a pooled connection.
    fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let connection = self.pool.get()?;
        work(&connection)
    }

    /// Runs `work` in one read transaction: everything it reads comes from
    /// one snapshot, whatever other connections commit meanwhile.
    fn read_snapshot<T>(&self, work: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut connection = self.pool.get()?;
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let value = work(&transaction)?;
        transaction.commit()?;
        Ok(value)
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

impl Store for SqliteStore {
    fn start_chat_with_email(
        &self,
        visitor: &str,
        start_message: Option<&str>,
        email: Option<&str>,
    ) -> Result<NewChat> {
        let email = email.map(check_email).transpose()?;
        let limits = self.options.limits;
        limits.check_name(visitor)?;
        let start_message = start_message.filter(|message| !message.trim().is_empty());
        if let Some(message) = start_message {
            limits.check_message(message)?;
        }
        let token = ChatToken::generate();
        let id = self.write(|tx| {
            let id = chats::insert(tx, visitor, start_message, &token)?;
            if let Some(email) = email {
                chats::set_email(tx, id, email)?;
            }
            queue(tx, Queue::ToVisitor, id, texts::CHAT_REQUESTED, None)?;
            Ok(id)
        })?;
        tracing::info!(chat = id, "chat started");
        Ok(NewChat { id, token })
    }

    fn send_from_visitor(&self, token: &ChatToken, text: &str) -> Result<SendOutcome> {
        self.options.limits.check_message(text)?;
        self.write(|tx| {
            let chat_id = chats::id_of(tx, token)?;
            Ok(match chats::status_of(tx, chat_id)? {
                status if status.is_over() => {
                    queue(tx, Queue::ToVisitor, chat_id, texts::ALREADY_CLOSED, None)?;
                    SendOutcome::ChatIsOver
                }
                ChatStatus::Open => {
                    queue(tx, Queue::ToStaff, chat_id, text, None)?;
                    SendOutcome::Sent
                }
                _ => {
                    queue(
                        tx,
                        Queue::ToVisitor,
                        chat_id,
                        texts::DELIVERED_WHEN_STARTED,
                        None,
                    )?;
                    queue(tx, Queue::ToStaff, chat_id, text, None)?;
                    SendOutcome::HeldUntilAccepted
                }
            })
        })
    }

    fn inbox(&self, token: &ChatToken, after: Option<i64>) -> Result<Inbox> {
        self.read_snapshot(|tx| {
            let chat_id = chats::id_of(tx, token)?;
            messages::inbox_of(tx, chat_id, after)
        })
    }

    fn take_inbox(&self, token: &ChatToken) -> Result<Inbox> {
        // A read first, so that idle polls never take the write lock.
        let seen = self.inbox(token, None)?;
        if seen.messages.is_empty() {
            return Ok(seen);
        }
        self.write(|tx| {
            let inbox = messages::inbox_of(tx, seen.chat_id, None)?;
            if let Some(last) = inbox.messages.last() {
                messages::mark_visitor_delivered(tx, inbox.chat_id, last.id)?;
            }
            Ok(inbox)
        })
    }

    fn acknowledge(&self, token: &ChatToken, message_id: i64) -> Result<usize> {
        self.write(|tx| {
            let chat_id = chats::id_of(tx, token)?;
            messages::mark_visitor_delivered(tx, chat_id, message_id)
        })
    }

    fn end_chat(&self, token: &ChatToken) -> Result<bool> {
        let ended = self.write(|tx| {
            let chat_id = chats::id_of(tx, token)?;
            match chats::status_of(tx, chat_id)? {
                ChatStatus::Open => {
                    chats::set_status(tx, chat_id, ChatStatus::Closed)?;
                    queue(
                        tx,
                        Queue::ToStaff,
                        chat_id,
                        texts::CHAT_CLOSED,
                        Some(schema::AUTHOR_SESHAT),
                    )?;
                    queue(tx, Queue::ToVisitor, chat_id, texts::CHAT_CLOSED, None)?;
                    Ok(Some(chat_id))
                }
                status if status.is_pending() => {
                    chats::set_status(tx, chat_id, ChatStatus::Closed)?;
                    queue(tx, Queue::ToVisitor, chat_id, texts::CHAT_CLOSED, None)?;
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
        self.read(|tx| chats::by_token(tx, token))
    }

    fn set_email(&self, token: &ChatToken, email: &str) -> Result<()> {
        let email = check_email(email)?;
        self.write(|tx| {
            let chat_id = chats::id_of(tx, token)?;
            chats::set_email(tx, chat_id, email)
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
        self.read_snapshot(|tx| {
            let chat_id = chats::id_of(tx, token)?;
            messages::history(tx, chat_id, (time, id), limit)
        })
    }

    fn is_available(&self) -> Result<bool> {
        self.read(presence::anyone_available)
    }

    fn token_of(&self, chat_id: i64) -> Result<ChatToken> {
        match self.read(|tx| chats::token_of(tx, chat_id))? {
            None => Err(Error::NoSuchChatId(chat_id)),
            Some(Some(token)) => token.parse(),
            Some(None) => self.write(|tx| chats::give_token(tx, chat_id)),
        }
    }

    fn chat(&self, chat_id: i64) -> Result<Option<Chat>> {
        self.read(|tx| chats::by_id(tx, chat_id))
    }

    fn waiting_chats(&self) -> Result<Vec<Chat>> {
        self.read(chats::pending)
    }

    fn mark_notified(&self, chat_id: i64) -> Result<bool> {
        self.write(|tx| chats::mark_offered(tx, chat_id))
    }

    fn fail_chat(&self, chat_id: i64, notice: &str) -> Result<bool> {
        let failed = self.write(|tx| {
            let failed = chats::fail_pending(tx, chat_id)?;
            if failed {
                queue(tx, Queue::ToVisitor, chat_id, notice, None)?;
            }
            Ok(failed)
        })?;
        if failed {
            tracing::info!(chat = chat_id, "chat failed: {notice}");
        }
        Ok(failed)
    }

    fn tell_visitor(&self, chat_id: i64, notice: &str) -> Result<bool> {
        self.write(|tx| {
            if chats::by_id(tx, chat_id)?.is_none() {
                return Ok(false);
            }
            queue(tx, Queue::ToVisitor, chat_id, notice, None)?;
            Ok(true)
        })
    }

    fn hand_back(&self, chat_id: i64, staff: &str, notice: &str) -> Result<Option<usize>> {
        let handed_back = self.write(|tx| {
            if !chats::take_back(tx, chat_id, staff)? {
                return Ok(None);
            }
            let undelivered = messages::mark_chat_staff_delivered(tx, chat_id)?;
            queue(tx, Queue::ToVisitor, chat_id, notice, None)?;
            Ok(Some(undelivered))
        })?;
        if handed_back.is_some() {
            tracing::info!(
                chat = chat_id,
                staff,
                "chat taken back from a disconnected staff member"
            );
        }
        Ok(handed_back)
    }

    fn accept(&self, chat_id: i64, staff: &str) -> Result<AcceptOutcome> {
        let outcome = self.write(|tx| {
            if let Some(current) = chats::open_chat_of(tx, staff)? {
                return Ok(AcceptOutcome::BusyWith(current));
            }
            let Some(chat) = chats::by_id(tx, chat_id)? else {
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
                    chats::hand_to(tx, chat_id, staff)?;
                    queue(tx, Queue::ToVisitor, chat_id, texts::CHAT_STARTED, None)?;
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
            let Some(chat) = chats::by_id(tx, chat_id)? else {
                return Ok(CancelOutcome::NoSuchChat);
            };
            Ok(match chat.status {
                ChatStatus::Open => match chat.staff {
                    Some(owner) if owner == staff => CancelOutcome::AcceptedBySelf,
                    owner => CancelOutcome::AcceptedBy(owner.unwrap_or_default()),
                },
                ChatStatus::Closed | ChatStatus::CanceledLocally => CancelOutcome::AlreadyClosed,
                ChatStatus::Waiting | ChatStatus::Notified | ChatStatus::Failed => {
                    chats::set_status(tx, chat_id, ChatStatus::CanceledLocally)?;
                    queue(tx, Queue::ToVisitor, chat_id, texts::CHAT_CANCELED, None)?;
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
            let Some(chat) = chats::open_chat_of(tx, staff)? else {
                return Ok(None);
            };
            chats::set_status(tx, chat.id, ChatStatus::Closed)?;
            queue(tx, Queue::ToVisitor, chat.id, texts::CHAT_CLOSED, None)?;
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
        self.read(|tx| chats::open_chat_of(tx, staff))
    }

    fn reply_from_staff(&self, staff: &str, text: &str) -> Result<Option<i64>> {
        self.options.limits.check_message(text)?;
        self.write(|tx| {
            let Some(chat) = chats::open_chat_of(tx, staff)? else {
                return Ok(None);
            };
            queue(tx, Queue::ToVisitor, chat.id, text, Some(staff))?;
            Ok(Some(chat.id))
        })
    }

    fn staff_bound(&self, limit: usize) -> Result<Vec<StaffMessage>> {
        self.read(|tx| messages::staff_bound(tx, limit))
    }

    fn staff_bound_to(&self, staff: &[String], limit: usize) -> Result<Vec<StaffMessage>> {
        if staff.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|tx| messages::staff_bound_to(tx, staff, limit))
    }

    fn mark_all_delivered(&self, message_ids: &[i64]) -> Result<()> {
        if message_ids.is_empty() {
            return Ok(());
        }
        self.write(|tx| messages::mark_staff_delivered(tx, message_ids))
    }

    fn set_presence(&self, staff: &str, resource: &str, online: bool) -> Result<()> {
        self.write(|tx| presence::set(tx, staff, resource, online))
    }

    fn reset_presence(&self) -> Result<()> {
        self.write(|tx| presence::reset(tx))
    }

    fn available_staff(&self) -> Result<Vec<String>> {
        self.read(presence::available_staff)
    }

    fn chat_counts(&self) -> Result<Vec<(ChatStatus, u64)>> {
        self.read(chats::counts)
    }

    fn check(&self) -> Result<()> {
        let connection = Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(self.options.busy_timeout)?;
        match schema_version_of(&connection)? {
            Some(_) => Ok(()),
            None => Err(Error::NotASeshatDatabase(format!(
                "{} has no Seshat version record",
                self.path.display()
            ))),
        }
    }

    fn staff_on_duty(&self) -> Result<Vec<(String, Option<i64>)>> {
        self.read(presence::on_duty)
    }

    fn wakeups(&self) -> &Wakeups {
        &self.wakeups
    }
}
