//! Moving a site from SQLite to PostgreSQL: every row of an SQLite
//! database, copied into an empty PostgreSQL one.
//!
//! The source may be any version the SQLite store opens, the original
//! Python Seshat's included. It is never changed: it is read into memory
//! through SQLite's backup API and migrated there, so the copy has what
//! the SQLite store would see (tokens for the original's chats, say).
//! The target gets the rows with their ids, delivery marks, times and
//! authors, in one transaction, and its id sequences continue after the
//! highest id copied. A target that holds any chat, message or presence
//! row is refused, so nothing is ever merged or overwritten.
//!
//! Rows only another program could have written are carried as both
//! stores read them: a status no version writes becomes closed, a time
//! that is not a number becomes none, text that is not UTF-8 gets U+FFFD,
//! and a NUL character (which PostgreSQL text cannot hold) becomes U+FFFD.

use std::path::Path;

use crate::database::DatabaseUrl;
use crate::error::Result;
use crate::store::{PostgresStore, SqliteStore};

/// One `chat` row, as both schemas hold it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChatRow {
    pub(crate) id: i64,
    pub(crate) staff: Option<String>,
    pub(crate) visitor: Option<String>,
    pub(crate) started_at: Option<f64>,
    pub(crate) ended_at: Option<f64>,
    pub(crate) status: i64,
    pub(crate) start_message: Option<String>,
    pub(crate) token: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) offered_at: Option<f64>,
}

/// One row of either message queue.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueueRow {
    pub(crate) id: i64,
    pub(crate) posted_at: Option<f64>,
    pub(crate) sent_at: Option<f64>,
    pub(crate) chat_id: Option<i64>,
    pub(crate) text: Option<String>,
    pub(crate) author: Option<String>,
}

/// One `onlinestatus` row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PresenceRow {
    pub(crate) staff: String,
    pub(crate) resource: String,
    pub(crate) online: Option<i64>,
}

/// Every row of a database.
#[derive(Debug, Default)]
pub(crate) struct Dump {
    pub(crate) chats: Vec<ChatRow>,
    pub(crate) to_staff: Vec<QueueRow>,
    pub(crate) to_visitors: Vec<QueueRow>,
    pub(crate) presence: Vec<PresenceRow>,
    /// Presence rows without a staff member or resource: they mean nothing
    /// and PostgreSQL's key cannot hold them.
    pub(crate) presence_skipped: usize,
}

/// What [`copy_sqlite_to_postgres`] carried over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyReport {
    /// Chats, every status.
    pub chats: usize,
    /// Staff-bound messages, delivered or not.
    pub to_staff: usize,
    /// Visitor-bound messages, delivered or not.
    pub to_visitors: usize,
    /// Staff presence rows.
    pub presence: usize,
    /// Presence rows left out because they name no staff member or resource.
    pub presence_skipped: usize,
}

impl std::fmt::Display for CopyReport {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{} chats, {} messages to staff, {} messages to visitors, {} presence rows",
            self.chats, self.to_staff, self.to_visitors, self.presence
        )?;
        if self.presence_skipped > 0 {
            write!(
                formatter,
                " ({} presence rows without a staff member left out)",
                self.presence_skipped
            )?;
        }
        Ok(())
    }
}

/// Copies every row of the SQLite database at `source` into the empty
/// PostgreSQL database `target`, creating its schema. Both programs must
/// be stopped. Fails, changing nothing, when the target holds rows
/// ([`crate::Error::TargetNotEmpty`]) or the source is no Seshat database.
pub fn copy_sqlite_to_postgres(source: &Path, target: &DatabaseUrl) -> Result<CopyReport> {
    let dump = SqliteStore::dump(source)?;
    let report = CopyReport {
        chats: dump.chats.len(),
        to_staff: dump.to_staff.len(),
        to_visitors: dump.to_visitors.len(),
        presence: dump.presence.len(),
        presence_skipped: dump.presence_skipped,
    };
    PostgresStore::open(target)?.load(&dump)?;
    tracing::info!(target = %target, "copied the SQLite database: {report}");
    Ok(report)
}

/// Text as PostgreSQL can hold it: NUL replaced by U+FFFD.
pub(crate) fn without_nul(text: Option<String>) -> Option<String> {
    text.map(|text| {
        if text.contains('\0') {
            text.replace('\0', "\u{fffd}")
        } else {
            text
        }
    })
}
