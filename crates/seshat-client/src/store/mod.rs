//! The store: every operation on the shared chat database, behind one trait.
//!
//! [`Store`] is the seam between Seshat's logic and its storage. Web routes
//! and the daemon only ever call these methods, so a PostgreSQL store for
//! sites with several web hosts can be added beside [`SqliteStore`]
//! without touching either. Methods block; use [`crate::Client`] from async
//! code.
//!
//! Waiting is targeted: [`Wakeups`] wakes the waiters of the chats a commit
//! changed, whichever process made it. The SQLite store reads a change log
//! that triggers write in each transaction (`detector`); another store can
//! feed the same registry from its own notifications.

mod backend;
mod checkpoint;
pub mod copy;
mod detector;
mod pool;
mod postgres;
mod schema;
mod sqlite;
mod statements;
pub mod wakeups;

pub use postgres::{PostgresOptions, PostgresStore, POSTGRES_SCHEMA_VERSION};
pub use schema::SCHEMA_VERSION;
pub use sqlite::{SqliteOptions, SqliteStore};
pub use wakeups::{Subscription, Topic, Wakeups};

use crate::error::Result;
use crate::model::{
    AcceptOutcome, CancelOutcome, Chat, HistoryEntry, Inbox, NewChat, SendOutcome, StaffMessage,
    VisitorMessage,
};
use crate::status::ChatStatus;
use crate::token::ChatToken;

/// Every operation Seshat performs on its shared database.
///
/// Visitor-side methods take the chat's [`ChatToken`] and fail with
/// [`crate::Error::NoSuchChat`] when it names no chat. Staff-side methods
/// take the numeric chat id and the staff member's bare JID.
pub trait Store: Send + Sync + 'static {
    // ----- visitor side -------------------------------------------------

    /// Starts a chat for `visitor` with an optional first message, queues
    /// [`crate::texts::CHAT_REQUESTED`] to the visitor and returns the id and token.
    fn start_chat(&self, visitor: &str, start_message: Option<&str>) -> Result<NewChat> {
        self.start_chat_with_email(visitor, start_message, None)
    }

    /// [`Store::start_chat`] with the visitor's email address stored in the
    /// same transaction, so that the offer staff get already shows it.
    /// The address is checked as [`Store::set_email`] checks it.
    fn start_chat_with_email(
        &self,
        visitor: &str,
        start_message: Option<&str>,
        email: Option<&str>,
    ) -> Result<NewChat>;

    /// Queues a visitor's message for staff (see [`SendOutcome`]).
    fn send_from_visitor(&self, token: &ChatToken, text: &str) -> Result<SendOutcome>;

    /// The chat's status and its undelivered visitor-bound messages with
    /// ids above `after` (all of them for `None`), from one snapshot,
    /// without marking anything: for transports that wait for the visitor's
    /// acknowledgement.
    fn inbox(&self, token: &ChatToken, after: Option<i64>) -> Result<Inbox>;

    /// Like [`Store::inbox`], but marks the messages returned as delivered
    /// in the same transaction: each message is returned by at most one
    /// call, whichever process makes it.
    fn take_inbox(&self, token: &ChatToken) -> Result<Inbox>;

    /// The messages of [`Store::take_inbox`], without the status.
    fn take_for_visitor(&self, token: &ChatToken) -> Result<Vec<VisitorMessage>> {
        Ok(self.take_inbox(token)?.messages)
    }

    /// The messages of [`Store::inbox`] with no lower bound, without the status.
    fn peek_for_visitor(&self, token: &ChatToken) -> Result<Vec<VisitorMessage>> {
        Ok(self.inbox(token, None)?.messages)
    }

    /// Marks visitor-bound messages up to and including `message_id` as
    /// delivered; returns how many were newly marked.
    fn acknowledge(&self, token: &ChatToken, message_id: i64) -> Result<usize>;

    /// Ends the chat from the visitor's side. An open chat is closed and
    /// both sides are told; a chat still waiting for staff is withdrawn so
    /// nobody accepts it later. Returns false when the chat was already over.
    fn end_chat(&self, token: &ChatToken) -> Result<bool>;

    /// The chat the token names.
    fn chat_by_token(&self, token: &ChatToken) -> Result<Chat>;

    /// The chat's status.
    fn status(&self, token: &ChatToken) -> Result<ChatStatus> {
        Ok(self.chat_by_token(token)?.status)
    }

    /// Stores the visitor's email address with the chat.
    fn set_email(&self, token: &ChatToken, email: &str) -> Result<()>;

    /// Up to `limit` history entries (both directions) posted strictly
    /// before the `(time, id)` cursor, newest first; `None` starts from now.
    /// Only what the visitor wrote counts as from the visitor: Seshat's own
    /// notices to staff are left out.
    fn history(
        &self,
        token: &ChatToken,
        before: Option<(f64, i64)>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>>;

    /// True when at least one staff member is online and not in an open chat.
    fn is_available(&self) -> Result<bool>;

    /// The token of a chat by id, giving one to chats that were created by
    /// the original Python client (which knew nothing of tokens).
    fn token_of(&self, chat_id: i64) -> Result<ChatToken>;

    // ----- staff side (the daemon) ---------------------------------------

    /// A chat by its numeric id.
    fn chat(&self, chat_id: i64) -> Result<Option<Chat>>;

    /// Chats waiting to be accepted (WAITING or NOTIFIED), oldest first.
    fn waiting_chats(&self) -> Result<Vec<Chat>>;

    /// Marks a WAITING chat as offered; false if it was no longer waiting.
    fn mark_notified(&self, chat_id: i64) -> Result<bool>;

    /// Fails a chat that is still waiting or offered, queueing `notice` to
    /// the visitor in the same transaction; false if it had moved on.
    fn fail_chat(&self, chat_id: i64, notice: &str) -> Result<bool>;

    /// Queues a notice from Seshat to the visitor of chat `chat_id` (such as
    /// their place in the queue); false when no such chat exists.
    fn tell_visitor(&self, chat_id: i64, notice: &str) -> Result<bool>;

    /// Takes an open chat back from `staff`, who lost their connection, so
    /// that it can be offered again: it waits for staff once more, with no
    /// handler, and `notice` is queued to the visitor, in one transaction.
    /// Staff-bound messages the handler never got are marked delivered, as
    /// the caller shows them in the new offer's history; returns how many,
    /// or `None` when the chat is not open with `staff` any more.
    fn hand_back(&self, chat_id: i64, staff: &str, notice: &str) -> Result<Option<usize>>;

    /// `!ACCEPT chat_id` by `staff`.
    fn accept(&self, chat_id: i64, staff: &str) -> Result<AcceptOutcome>;

    /// `!CANCEL chat_id` by `staff`.
    fn cancel(&self, chat_id: i64, staff: &str) -> Result<CancelOutcome>;

    /// `!FINISH` by `staff`: closes their open chat and tells the visitor.
    /// Returns the chat that was closed, if they had one.
    fn finish(&self, staff: &str) -> Result<Option<Chat>>;

    /// The open chat `staff` is handling, if any.
    fn open_chat_of(&self, staff: &str) -> Result<Option<Chat>>;

    /// Queues a staff member's text to the visitor of their open chat.
    /// Returns that chat's id, or `None` when they are in no chat.
    fn reply_from_staff(&self, staff: &str, text: &str) -> Result<Option<i64>>;

    /// Undelivered staff-bound messages of accepted chats, oldest first.
    fn staff_bound(&self, limit: usize) -> Result<Vec<StaffMessage>>;

    /// Like [`Store::staff_bound`], but only messages for the staff members
    /// listed (bare JIDs), so that messages held back for staff who are not
    /// connected do not crowd out the others.
    fn staff_bound_to(&self, staff: &[String], limit: usize) -> Result<Vec<StaffMessage>>;

    /// Marks staff-bound messages as delivered, in one transaction: what a
    /// daemon does with a batch of acknowledgements.
    fn mark_all_delivered(&self, message_ids: &[i64]) -> Result<()>;

    /// Records whether one resource of a staff member is available.
    fn set_presence(&self, staff: &str, resource: &str, online: bool) -> Result<()>;

    /// Marks every resource of every staff member offline (start-up, lost connection).
    fn reset_presence(&self) -> Result<()>;

    /// Staff members who are online and not in an open chat, sorted.
    fn available_staff(&self) -> Result<Vec<String>>;

    /// How many chats have each status, for metrics.
    fn chat_counts(&self) -> Result<Vec<(ChatStatus, u64)>>;

    /// Whether the database answers now as a newly opened connection sees
    /// it: an error when the file was moved or deleted, cannot be read, or
    /// is not a Seshat database any more. For health checks.
    fn check(&self) -> Result<()>;

    /// Every staff member who is online, sorted, each with the id of the
    /// open chat they handle, if any.
    fn staff_on_duty(&self) -> Result<Vec<(String, Option<i64>)>>;

    // ----- which daemon is on duty ----------------------------------------

    /// Claims, or renews, the one duty lease of the store for `holder` (a
    /// name unique to one daemon process) for `lease` from now, as the
    /// database's clock tells. True when `holder` holds it now: it was
    /// free, had run out, or was already `holder`'s. Only the holder logs
    /// in to XMPP; a daemon that cannot renew before its lease runs out
    /// must stop acting, because another may take over then.
    ///
    /// A store that only one host can open (SQLite) has no standby to hand
    /// over to: the default grants every claim.
    fn claim_duty(&self, holder: &str, lease: std::time::Duration) -> Result<bool> {
        let _ = (holder, lease);
        Ok(true)
    }

    /// Gives the duty lease up at once if `holder` holds it, so that a
    /// standby takes over without waiting for it to run out (a clean stop).
    fn release_duty(&self, holder: &str) -> Result<()> {
        let _ = holder;
        Ok(())
    }

    /// Whether several daemons, on several hosts, can share this store, so
    /// that one stands by while another is on duty.
    fn has_standby(&self) -> bool {
        false
    }

    // ----- wake-ups ---------------------------------------------------------

    /// This process's waiters. A waiter subscribes to a [`Topic`], checks
    /// its condition, and waits; it is woken soon after any process commits
    /// a change to that topic, and by nothing else.
    fn wakeups(&self) -> &Wakeups;
}
