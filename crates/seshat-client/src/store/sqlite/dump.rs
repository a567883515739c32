//! Reading every row of a database, for the copy to PostgreSQL
//! ([`crate::store::copy`]), without changing the file.

use std::path::Path;
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Row};

use super::rows::{read_text, status_code};
use super::SqliteStore;
use crate::clock::read_time;
use crate::error::{Error, Result};
use crate::store::copy::{ChatRow, Dump, PresenceRow, QueueRow};
use crate::store::schema;

impl SqliteStore {
    /// Every row of the database at `path`, migrated to the current schema
    /// in memory: the file itself is only read.
    pub(crate) fn dump(path: &Path) -> Result<Dump> {
        if !path.is_file() {
            return Err(Error::Database(
                format!("{} is not a file", path.display()).into(),
            ));
        }
        let source = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        source.busy_timeout(Duration::from_secs(30))?;
        let mut copy = Connection::open_in_memory()?;
        rusqlite::backup::Backup::new(&source, &mut copy)?.run_to_completion(
            1024,
            Duration::ZERO,
            None,
        )?;
        drop(source);
        schema::prepare(&mut copy)?;
        let mut dump = Dump {
            chats: rows(
                &copy,
                "SELECT chatid, localuser, remoteuser, starttime, endtime, status, startmessage,
                        token, email, offertime FROM chat ORDER BY chatid",
                |row| {
                    Ok(ChatRow {
                        id: row.get(0)?,
                        staff: read_text(row.get_ref(1)?),
                        visitor: read_text(row.get_ref(2)?),
                        started_at: read_time(row.get_ref(3)?),
                        ended_at: read_time(row.get_ref(4)?),
                        status: status_code(row.get_ref(5)?),
                        start_message: read_text(row.get_ref(6)?),
                        token: read_text(row.get_ref(7)?),
                        email: read_text(row.get_ref(8)?),
                        offered_at: read_time(row.get_ref(9)?),
                    })
                },
            )?,
            to_staff: queue(&copy, "localmessagequeue")?,
            to_visitors: queue(&copy, "remotemessagequeue")?,
            ..Dump::default()
        };
        let presence = rows(
            &copy,
            "SELECT localuser, resource, online FROM onlinestatus ORDER BY localuser, resource",
            |row| {
                Ok((
                    read_text(row.get_ref(0)?),
                    read_text(row.get_ref(1)?),
                    integer(row.get_ref(2)?),
                ))
            },
        )?;
        for (staff, resource, online) in presence {
            match (staff, resource) {
                (Some(staff), Some(resource)) => dump.presence.push(PresenceRow {
                    staff,
                    resource,
                    online,
                }),
                _ => dump.presence_skipped += 1,
            }
        }
        Ok(dump)
    }
}

/// Every row of one message queue.
fn queue(connection: &Connection, table: &str) -> Result<Vec<QueueRow>> {
    rows(
        connection,
        &format!(
            "SELECT messageid, posttime, sendtime, chatid, message, author FROM {table}
             ORDER BY messageid"
        ),
        |row| {
            Ok(QueueRow {
                id: row.get(0)?,
                posted_at: read_time(row.get_ref(1)?),
                sent_at: read_time(row.get_ref(2)?),
                chat_id: integer(row.get_ref(3)?),
                text: read_text(row.get_ref(4)?),
                author: read_text(row.get_ref(5)?),
            })
        },
    )
}

fn rows<T>(
    connection: &Connection,
    sql: &str,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    Ok(connection
        .prepare(sql)?
        .query_map([], read)?
        .collect::<rusqlite::Result<_>>()?)
}

/// An integer column as another program may have written it; anything
/// else is none.
fn integer(value: ValueRef<'_>) -> Option<i64> {
    match value {
        ValueRef::Integer(number) => Some(number),
        _ => None,
    }
}
