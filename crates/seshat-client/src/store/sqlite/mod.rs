//! [`super::Store`] on one SQLite file shared by the web application's processes
//! and the daemon.
//!
//! This file opens the store and runs transactions for Seshat's rules
//! ([`super::backend`]); the statements live with their tables: [`chats`], [`messages`],
//! [`presence`], with the row readers in [`rows`].

mod chats;
mod dump;
mod messages;
mod presence;
mod rows;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::backend::Backend;
use super::checkpoint::Checkpointer;
use super::detector::{self, ChangeDetector};
use super::pool::{retry_while_busy, Pool};
use super::schema;
use super::statements::Statements;
use super::wakeups::Wakeups;
use crate::error::{Error, Result};
use crate::limits::Limits;

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

impl Backend for SqliteStore {
    fn limits(&self) -> Limits {
        self.options.limits
    }

    /// An immediate (write-locking) transaction: SQLite lets one writer in
    /// at a time. After the commit, the change detector reads what changed.
    fn write<T>(&self, work: impl Fn(&dyn Statements) -> Result<T>) -> Result<T> {
        let mut connection = self.pool.get()?;
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&*transaction)?;
        transaction.commit()?;
        self.detector.after_commit(&connection);
        Ok(value)
    }

    fn read<T>(&self, work: impl Fn(&dyn Statements) -> Result<T>) -> Result<T> {
        let connection = self.pool.get()?;
        work(&*connection)
    }

    fn read_snapshot<T>(&self, work: impl Fn(&dyn Statements) -> Result<T>) -> Result<T> {
        let mut connection = self.pool.get()?;
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let value = work(&*transaction)?;
        transaction.commit()?;
        Ok(value)
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

    fn wakeups(&self) -> &Wakeups {
        &self.wakeups
    }
}
