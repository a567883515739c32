//! The values the store hands out: chats, messages, and the outcome of each
//! staff action.

use crate::status::ChatStatus;
use crate::token::ChatToken;

/// A chat as staff and the daemon see it. The numeric `id` is for staff
/// (`!ACCEPT 42`); the web side uses the token instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Chat {
    /// Sequential id, shown to staff.
    pub id: i64,
    /// The visitor's display name (`remoteuser` in the schema).
    pub visitor: String,
    /// The staff JID handling the chat, once accepted (`localuser`).
    pub staff: Option<String>,
    /// Where the chat stands.
    pub status: ChatStatus,
    /// What the visitor wrote when starting, if anything.
    pub start_message: Option<String>,
    /// The visitor's email address, if they gave one.
    pub email: Option<String>,
    /// When the chat started, Unix seconds.
    pub started_at: f64,
    /// When the chat was offered to staff, Unix seconds.
    pub offered_at: Option<f64>,
}

/// What [`crate::Store::start_chat`] returns: the id for staff and the token for the web.
#[derive(Debug, Clone, PartialEq)]
pub struct NewChat {
    /// Sequential id, shown to staff.
    pub id: i64,
    /// The web token that names this chat in URLs.
    pub token: ChatToken,
}

/// Who wrote a message queued for the visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Author {
    /// A staff member, by bare JID.
    Staff(String),
    /// Seshat itself ("Your chat has started.", ...), or a writer that did
    /// not record an author (the original Python server).
    Seshat,
}

impl Author {
    /// The author a queue's `author` column records: a staff member's bare
    /// JID, or NULL for Seshat.
    pub fn from_column(column: Option<String>) -> Self {
        match column {
            Some(staff) => Author::Staff(staff),
            None => Author::Seshat,
        }
    }
}

/// A message on its way to the visitor.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitorMessage {
    /// Message id, increasing in the order messages were queued.
    pub id: i64,
    /// The text exactly as written; escaping is the renderer's job.
    pub text: String,
    /// When it was queued, Unix seconds.
    pub posted_at: f64,
    /// Who wrote it.
    pub author: Author,
}

/// A message on its way to a staff member over XMPP.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffMessage {
    /// Message id, increasing in the order messages were queued.
    pub id: i64,
    /// The chat it belongs to.
    pub chat_id: i64,
    /// The bare JID to deliver it to.
    pub staff: String,
    /// The text exactly as the visitor wrote it.
    pub text: String,
    /// When it was committed, Unix seconds (0 when another program wrote
    /// no time).
    pub posted_at: f64,
}

/// One entry of a chat's history, in either direction.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryEntry {
    /// Written by the visitor.
    FromVisitor {
        /// Message id in the staff-bound queue.
        id: i64,
        /// The text.
        text: String,
        /// When it was queued, Unix seconds.
        posted_at: f64,
    },
    /// Written by staff or Seshat.
    ToVisitor(VisitorMessage),
}

/// What happened to a message the visitor sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// Queued for the staff member handling the chat.
    Sent,
    /// Queued; it reaches staff once someone accepts the chat. The visitor
    /// was told so.
    HeldUntilAccepted,
    /// The chat is over; nothing was queued for staff and the visitor was told so.
    ChatIsOver,
}

impl SendOutcome {
    /// Whether the message will reach staff (the original's return value).
    pub fn was_queued(self) -> bool {
        !matches!(self, SendOutcome::ChatIsOver)
    }
}

/// The result of a staff member's `!ACCEPT n`.
#[derive(Debug, Clone, PartialEq)]
pub enum AcceptOutcome {
    /// The chat is now theirs; the visitor was told.
    Accepted(Chat),
    /// They are already in another open chat.
    BusyWith(Chat),
    /// No chat has that id.
    NoSuchChat,
    /// They already accepted this very chat.
    AlreadyYours,
    /// Another staff member has it.
    HandledBy(String),
    /// The chat is closed or was canceled.
    AlreadyFinished,
    /// The chat failed (nobody could answer in time): its visitor was told
    /// so and no longer waits, so it cannot be accepted.
    Failed,
}

/// The result of a staff member's `!CANCEL n`.
#[derive(Debug, Clone, PartialEq)]
pub enum CancelOutcome {
    /// The request is canceled; the visitor was told.
    Canceled(Chat),
    /// No chat has that id.
    NoSuchChat,
    /// They accepted it themselves; `!FINISH` is how to end it.
    AcceptedBySelf,
    /// Another staff member accepted it.
    AcceptedBy(String),
    /// The chat is already closed or canceled.
    AlreadyClosed,
}

/// What a visitor's transport shows next, read from one snapshot: the
/// chat's status and its undelivered messages, consistent with each other
/// (every status change queues its notice in the same transaction, so a
/// closing notice never comes with "open", nor "closed" without it).
#[derive(Debug, Clone, PartialEq)]
pub struct Inbox {
    /// The chat's numeric id, for waiting on its wake-ups.
    pub chat_id: i64,
    /// The chat's status.
    pub status: ChatStatus,
    /// Undelivered visitor-bound messages newer than the id asked for,
    /// oldest first.
    pub messages: Vec<VisitorMessage>,
    /// Undelivered messages at or before that id: shown by the caller
    /// already, so theirs to acknowledge.
    pub unacknowledged: usize,
}
