//! Statements on the two message queues: `remotemessagequeue` (to the
//! visitor) and `localmessagequeue` (to staff).

use rusqlite::Connection;

use super::chats;
use super::rows::{
    author_of, json_array, read_staff_message, read_text, read_visitor_message, sql_limit,
};
use crate::clock::{self, read_time};
use crate::error::Result;
use crate::model::{HistoryEntry, Inbox, StaffMessage, VisitorMessage};

/// The two queues, named after who reads them.
#[derive(Debug, Clone, Copy)]
pub(super) enum Queue {
    /// `remotemessagequeue`: to the visitor. The author is the staff member
    /// who wrote the text, or `None` for Seshat's own notices.
    ToVisitor,
    /// `localmessagequeue`: to the chat's staff member. The author is
    /// `None` for what the visitor wrote and
    /// [`crate::store::schema::AUTHOR_SESHAT`] for Seshat's own notices,
    /// which history leaves out (the visitor has their own copy).
    ToStaff,
}

/// Queues `text` on `queue` for the chat.
pub(super) fn queue(
    connection: &Connection,
    queue: Queue,
    chat_id: i64,
    text: &str,
    author: Option<&str>,
) -> Result<()> {
    let statement = match queue {
        Queue::ToVisitor => {
            "INSERT INTO remotemessagequeue (posttime, sendtime, chatid, message, author)
             VALUES (?1, NULL, ?2, ?3, ?4)"
        }
        Queue::ToStaff => {
            "INSERT INTO localmessagequeue (posttime, sendtime, chatid, message, author)
             VALUES (?1, NULL, ?2, ?3, ?4)"
        }
    };
    connection
        .prepare_cached(statement)?
        .execute((clock::now(), chat_id, text, author))?;
    Ok(())
}

/// The chat's undelivered visitor-bound messages, oldest first.
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

/// The chat's status and its undelivered visitor-bound messages newer than
/// `after`, as `connection` sees them (inside one transaction, one snapshot).
pub(super) fn inbox_of(connection: &Connection, chat_id: i64, after: Option<i64>) -> Result<Inbox> {
    let status = chats::status_of(connection, chat_id)?;
    let pending = pending_for_visitor(connection, chat_id)?;
    let after = after.unwrap_or(i64::MIN);
    let (acknowledgeable, messages): (Vec<_>, Vec<_>) =
        pending.into_iter().partition(|message| message.id <= after);
    Ok(Inbox {
        chat_id,
        status,
        messages,
        unacknowledged: acknowledgeable.len(),
    })
}

/// Marks the chat's visitor-bound messages up to `up_to` delivered; returns
/// how many were newly marked.
pub(super) fn mark_visitor_delivered(
    connection: &Connection,
    chat_id: i64,
    up_to: i64,
) -> Result<usize> {
    Ok(connection
        .prepare_cached(
            "UPDATE remotemessagequeue SET sendtime = ?1
             WHERE chatid = ?2 AND sendtime IS NULL AND messageid <= ?3",
        )?
        .execute((clock::now(), chat_id, up_to))?)
}

/// Up to `limit` entries of the chat's history strictly before the
/// `(time, id)` cursor, newest first.
pub(super) fn history(
    connection: &Connection,
    chat_id: i64,
    (time, id): (f64, i64),
    limit: usize,
) -> Result<Vec<HistoryEntry>> {
    // Staff-bound rows with an author are Seshat's notices to staff, not
    // the visitor's words; the visitor-bound copy stands for them.
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
        .query_map((chat_id, time, id, sql_limit(limit)), |row| {
            let direction: i64 = row.get(0)?;
            let id: i64 = row.get(1)?;
            let text = read_text(row.get_ref(2)?).unwrap_or_default();
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
                    author: author_of(row.get(4)?),
                })
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(entries)
}

/// Up to `limit` undelivered staff-bound messages of accepted chats, oldest first.
pub(super) fn staff_bound(connection: &Connection, limit: usize) -> Result<Vec<StaffMessage>> {
    let messages = connection
        .prepare_cached(
            "SELECT m.messageid, m.chatid, c.localuser, m.message, m.posttime
               FROM localmessagequeue AS m JOIN chat AS c ON c.chatid = m.chatid
              WHERE m.sendtime IS NULL AND c.localuser IS NOT NULL
              ORDER BY m.messageid LIMIT ?1",
        )?
        .query_map([sql_limit(limit)], read_staff_message)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(messages)
}

/// Like [`staff_bound`], for the staff members listed only.
pub(super) fn staff_bound_to(
    connection: &Connection,
    staff: &[String],
    limit: usize,
) -> Result<Vec<StaffMessage>> {
    // The recipients as one JSON array parameter: one statement (and one
    // cached plan) whatever the number of staff, and SQLite looks each
    // row's staff member up in it instead of scanning a list.
    let recipients = json_array(staff);
    let messages = connection
        .prepare_cached(
            "SELECT m.messageid, m.chatid, c.localuser, m.message, m.posttime
               FROM localmessagequeue AS m JOIN chat AS c ON c.chatid = m.chatid
              WHERE m.sendtime IS NULL
                AND c.localuser IN (SELECT value FROM json_each(?1))
              ORDER BY m.messageid LIMIT ?2",
        )?
        .query_map((recipients.as_str(), sql_limit(limit)), read_staff_message)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(messages)
}

/// Marks staff-bound messages delivered, now.
pub(super) fn mark_staff_delivered(connection: &Connection, message_ids: &[i64]) -> Result<()> {
    let now = clock::now();
    let mut statement = connection.prepare_cached(
        "UPDATE localmessagequeue SET sendtime = ?1 WHERE messageid = ?2 AND sendtime IS NULL",
    )?;
    for &message_id in message_ids {
        statement.execute((now, message_id))?;
    }
    Ok(())
}

/// Marks every undelivered staff-bound message of chat `chat_id` as
/// delivered; returns how many were.
pub(super) fn mark_chat_staff_delivered(connection: &Connection, chat_id: i64) -> Result<usize> {
    Ok(connection
        .prepare_cached(
            "UPDATE localmessagequeue SET sendtime = ?1 WHERE chatid = ?2 AND sendtime IS NULL",
        )?
        .execute((clock::now(), chat_id))?)
}
