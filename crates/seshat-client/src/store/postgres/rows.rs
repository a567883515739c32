//! Reading rows into the crate's types.

use tokio_postgres::Row;

use crate::error::Result;
use crate::model::{Author, Chat, StaffMessage, VisitorMessage};
use crate::status::ChatStatus;

/// The columns [`read_chat`] reads, in its order, as a literal for `concat!`.
macro_rules! chat_columns {
    () => {
        "chatid, remoteuser, localuser, status, startmessage, email, starttime, offertime"
    };
}
pub(super) use chat_columns;

/// A status code as stored. A code no version writes (or NULL) is treated
/// as over: nothing acts on it, as in the SQLite store.
pub(super) fn read_status(code: Option<i64>) -> ChatStatus {
    code.map_or(ChatStatus::Closed, ChatStatus::from_stored_code)
}

/// A row of [`chat_columns`].
pub(super) fn read_chat(row: &Row) -> Result<Chat> {
    Ok(Chat {
        id: row.try_get(0)?,
        visitor: row.try_get::<_, Option<String>>(1)?.unwrap_or_default(),
        staff: row.try_get(2)?,
        status: read_status(row.try_get(3)?),
        start_message: row
            .try_get::<_, Option<String>>(4)?
            .filter(|message| !message.is_empty()),
        email: row.try_get(5)?,
        started_at: row.try_get::<_, Option<f64>>(6)?.unwrap_or(0.0),
        offered_at: row.try_get(7)?,
    })
}

/// `messageid, chatid, localuser, message, posttime` of a staff-bound message.
pub(super) fn read_staff_message(row: &Row) -> Result<StaffMessage> {
    Ok(StaffMessage {
        id: row.try_get(0)?,
        chat_id: row.try_get::<_, Option<i64>>(1)?.unwrap_or(0),
        staff: row.try_get::<_, Option<String>>(2)?.unwrap_or_default(),
        text: row.try_get::<_, Option<String>>(3)?.unwrap_or_default(),
        posted_at: row.try_get::<_, Option<f64>>(4)?.unwrap_or(0.0),
    })
}

/// `messageid, message, posttime, author` of a visitor-bound message, in
/// the columns from `first` on.
pub(super) fn read_visitor_message(row: &Row, first: usize) -> Result<VisitorMessage> {
    Ok(VisitorMessage {
        id: row.try_get(first)?,
        text: row
            .try_get::<_, Option<String>>(first + 1)?
            .unwrap_or_default(),
        posted_at: row.try_get::<_, Option<f64>>(first + 2)?.unwrap_or(0.0),
        author: Author::from_column(row.try_get(first + 3)?),
    })
}
