//! Statements on the two message queues: `remotemessagequeue` (to the
//! visitor) and `localmessagequeue` (to staff).

use rusqlite::Connection;

use super::rows::{json_array, read_staff_message, read_text, read_visitor_message};
use crate::clock::{self, read_time};
use crate::error::Result;
use crate::model::Author;
use crate::model::{HistoryEntry, StaffMessage, VisitorMessage};
use crate::store::statements::sql_limit;
use crate::store::statements::{MessageStatements, Queue};

impl MessageStatements for Connection {
    /// Queues `text` on `queue` for the chat.
    fn queue(&self, queue: Queue, chat_id: i64, text: &str, author: Option<&str>) -> Result<()> {
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
        self.prepare_cached(statement)?
            .execute((clock::now(), chat_id, text, author))?;
        Ok(())
    }

    /// The chat's undelivered visitor-bound messages, oldest first.
    fn pending_for_visitor(&self, chat_id: i64) -> Result<Vec<VisitorMessage>> {
        let messages = self
            .prepare_cached(
                "SELECT messageid, message, posttime, author FROM remotemessagequeue
             WHERE chatid = ?1 AND sendtime IS NULL ORDER BY messageid",
            )?
            .query_map([chat_id], read_visitor_message)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(messages)
    }

    /// Marks the chat's visitor-bound messages up to `up_to` delivered; returns
    /// how many were newly marked.
    fn mark_visitor_delivered(&self, chat_id: i64, up_to: i64) -> Result<usize> {
        Ok(self
            .prepare_cached(
                "UPDATE remotemessagequeue SET sendtime = ?1
             WHERE chatid = ?2 AND sendtime IS NULL AND messageid <= ?3",
            )?
            .execute((clock::now(), chat_id, up_to))?)
    }

    /// Up to `limit` entries of the chat's history strictly before the
    /// `(time, id)` cursor, newest first.
    fn history(
        &self,
        chat_id: i64,
        (time, id): (f64, i64),
        limit: usize,
    ) -> Result<Vec<HistoryEntry>> {
        // Staff-bound rows with an author are Seshat's notices to staff, not
        // the visitor's words; the visitor-bound copy stands for them.
        let entries = self
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
                        author: Author::from_column(row.get(4)?),
                    })
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(entries)
    }

    /// Up to `limit` undelivered staff-bound messages of accepted chats, oldest first.
    fn staff_bound(&self, limit: usize) -> Result<Vec<StaffMessage>> {
        let messages = self
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
    fn staff_bound_to(&self, staff: &[String], limit: usize) -> Result<Vec<StaffMessage>> {
        // The recipients as one JSON array parameter: one statement (and one
        // cached plan) whatever the number of staff, and SQLite looks each
        // row's staff member up in it instead of scanning a list.
        let recipients = json_array(staff);
        let messages = self
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
    fn mark_staff_delivered(&self, message_ids: &[i64]) -> Result<()> {
        let now = clock::now();
        let mut statement = self.prepare_cached(
            "UPDATE localmessagequeue SET sendtime = ?1 WHERE messageid = ?2 AND sendtime IS NULL",
        )?;
        for &message_id in message_ids {
            statement.execute((now, message_id))?;
        }
        Ok(())
    }

    /// Marks every undelivered staff-bound message of chat `chat_id` as
    /// delivered; returns how many were.
    fn mark_chat_staff_delivered(&self, chat_id: i64) -> Result<usize> {
        Ok(self
            .prepare_cached(
                "UPDATE localmessagequeue SET sendtime = ?1 WHERE chatid = ?2 AND sendtime IS NULL",
            )?
            .execute((clock::now(), chat_id))?)
    }
}
