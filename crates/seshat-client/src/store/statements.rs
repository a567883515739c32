//! The statements each storage engine provides, one at a time, inside a
//! transaction the engine opened.
//!
//! Seshat's rules (what a visitor's message does to a waiting chat, who
//! may accept what) are written once, in [`super::backend`], on top of
//! these. An engine only says how each statement reads or writes its
//! tables: SQLite in `sqlite`, PostgreSQL in `postgres`.

use crate::error::Result;
use crate::model::{Chat, HistoryEntry, StaffMessage, VisitorMessage};
use crate::status::ChatStatus;
use crate::token::ChatToken;

/// The `localmessagequeue.author` of a notice Seshat writes to staff.
pub(crate) const AUTHOR_SESHAT: &str = "seshat";

/// A row count for `LIMIT`: both engines take a signed 64-bit number.
pub(crate) fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// The two queues, named after who reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Queue {
    /// `remotemessagequeue`: to the visitor. The author is the staff member
    /// who wrote the text, or `None` for Seshat's own notices.
    ToVisitor,
    /// `localmessagequeue`: to the chat's staff member. The author is
    /// `None` for what the visitor wrote and
    /// [`AUTHOR_SESHAT`] for Seshat's own notices, which
    /// history leaves out (the visitor has their own copy).
    ToStaff,
}

/// Statements on the `chat` table.
pub(crate) trait ChatStatements {
    /// The id of the chat `token` names, or [`crate::Error::NoSuchChat`].
    fn id_of(&self, token: &ChatToken) -> Result<i64>;
    /// The chat with `chat_id`, if there is one.
    fn chat_by_id(&self, chat_id: i64) -> Result<Option<Chat>>;
    /// The chat `token` names, or [`crate::Error::NoSuchChat`].
    fn chat_by_token(&self, token: &ChatToken) -> Result<Chat>;
    /// The status of the chat with `chat_id`, or [`crate::Error::NoSuchChat`].
    fn status_of(&self, chat_id: i64) -> Result<ChatStatus>;
    /// The open chat `staff` handles, if any (the oldest, should there be several).
    fn open_chat_of(&self, staff: &str) -> Result<Option<Chat>>;
    /// Chats waiting to be accepted (offered or not), oldest first.
    fn pending_chats(&self) -> Result<Vec<Chat>>;
    /// Records a new chat, waiting for staff; returns its id.
    fn insert_chat(
        &self,
        visitor: &str,
        start_message: Option<&str>,
        token: &ChatToken,
    ) -> Result<i64>;
    /// Sets the chat's status, and its end time when the status is final.
    fn set_status(&self, chat_id: i64, status: ChatStatus) -> Result<()>;
    /// Marks a chat that is still waiting as offered, now; false if it was
    /// not waiting any more.
    fn mark_offered(&self, chat_id: i64) -> Result<bool>;
    /// Fails a chat that is still waiting or offered; false if it had moved on.
    fn fail_pending(&self, chat_id: i64) -> Result<bool>;
    /// Opens the chat with `staff` as its handler.
    fn hand_to(&self, chat_id: i64, staff: &str) -> Result<()>;
    /// Puts an open chat of `staff` back to waiting, with no handler and no
    /// offer yet; false if it is not open with `staff`.
    fn take_back(&self, chat_id: i64, staff: &str) -> Result<bool>;
    /// Stores the visitor's e-mail address.
    fn set_email(&self, chat_id: i64, email: &str) -> Result<()>;
    /// The chat's token: `None` for no such chat, `Some(None)` for a chat
    /// the original Python client created, which has none yet.
    fn token_of(&self, chat_id: i64) -> Result<Option<Option<String>>>;
    /// Gives the chat a token if it has none; returns the one it has then.
    fn give_token(&self, chat_id: i64) -> Result<ChatToken>;
    /// How many chats have each status.
    fn chat_counts(&self) -> Result<Vec<(ChatStatus, u64)>>;
}

/// Statements on the two message queues.
pub(crate) trait MessageStatements {
    /// Queues `text` on `queue` for the chat.
    fn queue(&self, queue: Queue, chat_id: i64, text: &str, author: Option<&str>) -> Result<()>;
    /// The chat's undelivered visitor-bound messages, oldest first.
    fn pending_for_visitor(&self, chat_id: i64) -> Result<Vec<VisitorMessage>>;
    /// Marks the chat's visitor-bound messages up to `up_to` delivered;
    /// returns how many were newly marked.
    fn mark_visitor_delivered(&self, chat_id: i64, up_to: i64) -> Result<usize>;
    /// Up to `limit` entries of the chat's history strictly before the
    /// `(time, id)` cursor, newest first; Seshat's notices to staff left out.
    fn history(&self, chat_id: i64, before: (f64, i64), limit: usize) -> Result<Vec<HistoryEntry>>;
    /// Up to `limit` undelivered staff-bound messages of accepted chats, oldest first.
    fn staff_bound(&self, limit: usize) -> Result<Vec<StaffMessage>>;
    /// Like [`MessageStatements::staff_bound`], for the staff members listed only.
    fn staff_bound_to(&self, staff: &[String], limit: usize) -> Result<Vec<StaffMessage>>;
    /// Marks staff-bound messages delivered, now.
    fn mark_staff_delivered(&self, message_ids: &[i64]) -> Result<()>;
    /// Marks every undelivered staff-bound message of the chat delivered;
    /// returns how many were.
    fn mark_chat_staff_delivered(&self, chat_id: i64) -> Result<usize>;
}

/// Statements on `onlinestatus`.
pub(crate) trait PresenceStatements {
    /// Records whether one resource of a staff member is available.
    fn set_presence(&self, staff: &str, resource: &str, online: bool) -> Result<()>;
    /// Marks every resource of every staff member offline.
    fn reset_presence(&self) -> Result<()>;
    /// Staff members online and not in an open chat, sorted.
    fn available_staff(&self) -> Result<Vec<String>>;
    /// Whether anyone is online and not in an open chat.
    fn anyone_available(&self) -> Result<bool>;
    /// Staff members online, sorted, each with the open chat they handle.
    fn staff_on_duty(&self) -> Result<Vec<(String, Option<i64>)>>;
}

/// Every statement: what Seshat's rules run on.
pub(crate) trait Statements:
    ChatStatements + MessageStatements + PresenceStatements
{
}

impl<T: ChatStatements + MessageStatements + PresenceStatements> Statements for T {}
