//! Statements on the two message queues: `remotemessagequeue` (to the
//! visitor) and `localmessagequeue` (to staff).

use deadpool_postgres::GenericClient;

use super::rows::{read_staff_message, read_visitor_message};
use super::session::Session;
use crate::clock;
use crate::error::Result;
use crate::model::{HistoryEntry, StaffMessage, VisitorMessage};
use crate::store::statements::sql_limit;
use crate::store::statements::{MessageStatements, Queue};

impl<C: GenericClient> MessageStatements for Session<'_, C> {
    fn queue(&self, queue: Queue, chat_id: i64, text: &str, author: Option<&str>) -> Result<()> {
        let statement = match queue {
            Queue::ToVisitor => {
                "INSERT INTO remotemessagequeue (posttime, sendtime, chatid, message, author)
                 VALUES ($1, NULL, $2, $3, $4)"
            }
            Queue::ToStaff => {
                "INSERT INTO localmessagequeue (posttime, sendtime, chatid, message, author)
                 VALUES ($1, NULL, $2, $3, $4)"
            }
        };
        self.execute(statement, &[&clock::now(), &chat_id, &text, &author])?;
        Ok(())
    }

    fn pending_for_visitor(&self, chat_id: i64) -> Result<Vec<VisitorMessage>> {
        self.rows(
            "SELECT messageid, message, posttime, author FROM remotemessagequeue
             WHERE chatid = $1 AND sendtime IS NULL ORDER BY messageid",
            &[&chat_id],
        )?
        .iter()
        .map(|row| read_visitor_message(row, 0))
        .collect()
    }

    fn mark_visitor_delivered(&self, chat_id: i64, up_to: i64) -> Result<usize> {
        self.execute(
            "UPDATE remotemessagequeue SET sendtime = $1
             WHERE chatid = $2 AND sendtime IS NULL AND messageid <= $3",
            &[&clock::now(), &chat_id, &up_to],
        )
    }

    fn history(
        &self,
        chat_id: i64,
        (time, id): (f64, i64),
        limit: usize,
    ) -> Result<Vec<HistoryEntry>> {
        // Staff-bound rows with an author are Seshat's notices to staff, not
        // the visitor's words; the visitor-bound copy stands for them.
        self.rows(
            "SELECT direction, messageid, message, posttime, author FROM (
                 SELECT 0 AS direction, messageid, message, posttime, NULL::text AS author
                   FROM localmessagequeue WHERE chatid = $1 AND author IS NULL
                 UNION ALL
                 SELECT 1, messageid, message, posttime, author
                   FROM remotemessagequeue WHERE chatid = $1) AS entries
             WHERE posttime < $2 OR (posttime = $2 AND messageid < $3)
             ORDER BY posttime DESC, messageid DESC LIMIT $4",
            &[&chat_id, &time, &id, &sql_limit(limit)],
        )?
        .iter()
        .map(|row| {
            let direction: i32 = row.try_get(0)?;
            let message = read_visitor_message(row, 1)?;
            Ok(if direction == 0 {
                HistoryEntry::FromVisitor {
                    id: message.id,
                    text: message.text,
                    posted_at: message.posted_at,
                }
            } else {
                HistoryEntry::ToVisitor(message)
            })
        })
        .collect()
    }

    fn staff_bound(&self, limit: usize) -> Result<Vec<StaffMessage>> {
        self.rows(
            "SELECT m.messageid, m.chatid, c.localuser, m.message, m.posttime
               FROM localmessagequeue AS m JOIN chat AS c ON c.chatid = m.chatid
              WHERE m.sendtime IS NULL AND c.localuser IS NOT NULL
              ORDER BY m.messageid LIMIT $1",
            &[&sql_limit(limit)],
        )?
        .iter()
        .map(read_staff_message)
        .collect()
    }

    fn staff_bound_to(&self, staff: &[String], limit: usize) -> Result<Vec<StaffMessage>> {
        self.rows(
            "SELECT m.messageid, m.chatid, c.localuser, m.message, m.posttime
               FROM localmessagequeue AS m JOIN chat AS c ON c.chatid = m.chatid
              WHERE m.sendtime IS NULL AND c.localuser = ANY($1)
              ORDER BY m.messageid LIMIT $2",
            &[&staff, &sql_limit(limit)],
        )?
        .iter()
        .map(read_staff_message)
        .collect()
    }

    fn mark_staff_delivered(&self, message_ids: &[i64]) -> Result<()> {
        self.execute(
            "UPDATE localmessagequeue SET sendtime = $1
              WHERE messageid = ANY($2) AND sendtime IS NULL",
            &[&clock::now(), &message_ids],
        )?;
        Ok(())
    }

    fn mark_chat_staff_delivered(&self, chat_id: i64) -> Result<usize> {
        self.execute(
            "UPDATE localmessagequeue SET sendtime = $1 WHERE chatid = $2 AND sendtime IS NULL",
            &[&clock::now(), &chat_id],
        )
    }
}
