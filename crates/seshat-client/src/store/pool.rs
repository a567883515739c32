//! A few reusable connections to one database file.
//!
//! Opening an SQLite connection costs more than a short transaction, so
//! connections are kept and handed out again. Each process has its own
//! pool; SQLite's file locks coordinate the processes.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use super::checkpoint::FALLBACK_PAGES;
use crate::error::Result;

/// Connections kept idle at most; more can be open at busy moments.
const MAX_IDLE: usize = 8;

/// Opens connections configured for sharing one file between processes.
pub(crate) struct Pool {
    path: PathBuf,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
}

impl Pool {
    pub(crate) fn new(path: PathBuf, busy_timeout: Duration) -> Self {
        Pool {
            path,
            busy_timeout,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// A connection from the pool, or a new one.
    pub(crate) fn get(&self) -> Result<PooledConnection<'_>> {
        let reused = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let connection = match reused {
            Some(connection) => connection,
            None => self.open()?,
        };
        Ok(PooledConnection {
            pool: self,
            connection: Some(connection),
        })
    }

    /// A new connection: WAL journal, a busy timeout, and `synchronous =
    /// NORMAL`, which in WAL mode keeps the database consistent after a
    /// crash and loses at most the last commits on power loss.
    pub(crate) fn open(&self) -> Result<Connection> {
        retry_while_busy(self.busy_timeout, || self.open_once())
    }

    fn open_once(&self) -> Result<Connection> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(self.busy_timeout)?;
        let mode: String =
            connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, "the database refused WAL mode; concurrent access will be slower");
        }
        connection.execute_batch("PRAGMA synchronous = NORMAL;")?;
        connection.pragma_update(None, "wal_autocheckpoint", FALLBACK_PAGES)?;
        connection.set_prepared_statement_cache_capacity(64);
        Ok(connection)
    }
}

/// Runs `attempt` again while SQLite reports the database busy or locked,
/// until `timeout` has passed. Most statements wait in SQLite's own busy
/// handler, but a few return at once: switching a new file to WAL while
/// another process does the same, or reading the WAL index while another
/// process recovers it. Those are the moments several web workers and the
/// daemon start together on a fresh file.
pub(crate) fn retry_while_busy<T>(
    timeout: Duration,
    mut attempt: impl FnMut() -> Result<T>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        match attempt() {
            Err(error) if error.is_busy() && Instant::now() < deadline => {
                // Backoff between attempts, capped so a freed lock is noticed soon.
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            result => return result,
        }
    }
}

/// A borrowed connection that goes back to the pool when dropped.
pub(crate) struct PooledConnection<'pool> {
    pool: &'pool Pool,
    connection: Option<Connection>,
}

impl Deref for PooledConnection<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.connection
            .as_ref()
            .expect("connection present until drop")
    }
}

impl DerefMut for PooledConnection<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.connection
            .as_mut()
            .expect("connection present until drop")
    }
}

impl Drop for PooledConnection<'_> {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            // A connection left inside a transaction (a panic mid-way) is
            // not reused.
            if connection.is_autocommit() {
                let mut idle = self.pool.idle.lock().unwrap_or_else(|e| e.into_inner());
                if idle.len() < MAX_IDLE {
                    idle.push(connection);
                }
            }
        }
    }
}
