//! Reading rows into the crate's types, and the columns they come from.

use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::Row;

use crate::clock::read_time;
use crate::model::{Author, Chat, StaffMessage, VisitorMessage};
use crate::status::ChatStatus;

/// The columns [`read_chat`] reads, in its order, as a literal for
/// `concat!`, so that every statement is one constant string.
macro_rules! chat_columns {
    () => {
        "chatid, remoteuser, localuser, status, startmessage, email, starttime, offertime"
    };
}
pub(super) use chat_columns;

/// Statuses go to SQL as their stored codes.
impl ToSql for ChatStatus {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.code()))
    }
}

/// A status column as another program may have written it: NULL, text
/// or a real number is no code any version writes, so it is over too.
pub(super) fn read_status(value: ValueRef<'_>) -> ChatStatus {
    match value {
        ValueRef::Integer(code) => ChatStatus::from_stored_code(code),
        _ => ChatStatus::Closed,
    }
}

/// The code of [`read_status`]'s status: what a copy of the row stores.
pub(super) fn status_code(value: ValueRef<'_>) -> i64 {
    read_status(value).code()
}

/// A text column as another program may have written it (SQLite keeps
/// whatever type a writer gives): NULL is nothing, bytes that are not
/// UTF-8 (in a TEXT or BLOB value) get U+FFFD, a number its digits.
/// Refusing the row instead would fail every query that reads it, and
/// with it every row behind it in a queue.
pub(super) fn read_text(value: ValueRef<'_>) -> Option<String> {
    match value {
        ValueRef::Null => None,
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
            Some(String::from_utf8_lossy(bytes).into_owned())
        }
        ValueRef::Integer(number) => Some(number.to_string()),
        ValueRef::Real(number) => Some(number.to_string()),
    }
}

/// A row of [`chat_columns`].
pub(super) fn read_chat(row: &Row<'_>) -> rusqlite::Result<Chat> {
    Ok(Chat {
        id: row.get(0)?,
        visitor: read_text(row.get_ref(1)?).unwrap_or_default(),
        staff: read_text(row.get_ref(2)?),
        status: read_status(row.get_ref(3)?),
        start_message: read_text(row.get_ref(4)?).filter(|message| !message.is_empty()),
        email: read_text(row.get_ref(5)?),
        started_at: read_time(row.get_ref(6)?).unwrap_or(0.0),
        offered_at: read_time(row.get_ref(7)?),
    })
}

/// `messageid, chatid, localuser, message, posttime` of a staff-bound message.
pub(super) fn read_staff_message(row: &Row<'_>) -> rusqlite::Result<StaffMessage> {
    Ok(StaffMessage {
        id: row.get(0)?,
        chat_id: row.get(1)?,
        staff: read_text(row.get_ref(2)?).unwrap_or_default(),
        text: read_text(row.get_ref(3)?).unwrap_or_default(),
        posted_at: crate::clock::read_time(row.get_ref(4)?).unwrap_or(0.0),
    })
}

/// `messageid, message, posttime, author` of a visitor-bound message.
pub(super) fn read_visitor_message(row: &Row<'_>) -> rusqlite::Result<VisitorMessage> {
    Ok(VisitorMessage {
        id: row.get(0)?,
        text: read_text(row.get_ref(1)?).unwrap_or_default(),
        posted_at: read_time(row.get_ref(2)?).unwrap_or(0.0),
        author: Author::from_column(row.get(3)?),
    })
}

/// `values` as a JSON array of strings, for `json_each`.
pub(super) fn json_array(values: &[String]) -> String {
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
