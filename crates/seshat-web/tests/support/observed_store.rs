//! A real [`SqliteStore`] that also tells the test when a visitor's
//! receive found nothing, which is the moment a long poll starts waiting.
//! The test commits its reply only then, so it proves the wake-up rather
//! than racing it.

use std::sync::Arc;

use seshat_client::{
    AcceptOutcome, CancelOutcome, Chat, ChatStatus, ChatToken, HistoryEntry, NewChat, Result,
    SendOutcome, SqliteStore, StaffMessage, Store, VisitorMessage,
};
use tokio::sync::watch::Receiver;
use tokio::sync::Notify;

/// Delegates every operation; signals `found_nothing` after a receive
/// that came back empty.
pub struct ObservedStore {
    inner: SqliteStore,
    /// Notified (a permit is stored if nobody waits yet) after each empty receive.
    pub found_nothing: Arc<Notify>,
}

impl ObservedStore {
    /// Wraps `inner`.
    pub fn new(inner: SqliteStore) -> Self {
        ObservedStore {
            inner,
            found_nothing: Arc::new(Notify::new()),
        }
    }

    fn observe(&self, messages: Result<Vec<VisitorMessage>>) -> Result<Vec<VisitorMessage>> {
        if matches!(&messages, Ok(list) if list.is_empty()) {
            self.found_nothing.notify_one();
        }
        messages
    }
}

impl Store for ObservedStore {
    fn start_chat(&self, visitor: &str, start_message: Option<&str>) -> Result<NewChat> {
        self.inner.start_chat(visitor, start_message)
    }
    fn send_from_visitor(&self, token: &ChatToken, text: &str) -> Result<SendOutcome> {
        self.inner.send_from_visitor(token, text)
    }
    fn take_for_visitor(&self, token: &ChatToken) -> Result<Vec<VisitorMessage>> {
        self.observe(self.inner.take_for_visitor(token))
    }
    fn peek_for_visitor(&self, token: &ChatToken) -> Result<Vec<VisitorMessage>> {
        self.observe(self.inner.peek_for_visitor(token))
    }
    fn acknowledge(&self, token: &ChatToken, message_id: i64) -> Result<usize> {
        self.inner.acknowledge(token, message_id)
    }
    fn end_chat(&self, token: &ChatToken) -> Result<bool> {
        self.inner.end_chat(token)
    }
    fn chat_by_token(&self, token: &ChatToken) -> Result<Chat> {
        self.inner.chat_by_token(token)
    }
    fn status(&self, token: &ChatToken) -> Result<ChatStatus> {
        self.inner.status(token)
    }
    fn set_email(&self, token: &ChatToken, email: &str) -> Result<()> {
        self.inner.set_email(token, email)
    }
    fn history(
        &self,
        token: &ChatToken,
        before: Option<(f64, i64)>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>> {
        self.inner.history(token, before, limit)
    }
    fn is_available(&self) -> Result<bool> {
        self.inner.is_available()
    }
    fn token_of(&self, chat_id: i64) -> Result<ChatToken> {
        self.inner.token_of(chat_id)
    }
    fn chat(&self, chat_id: i64) -> Result<Option<Chat>> {
        self.inner.chat(chat_id)
    }
    fn chats_to_offer(&self) -> Result<Vec<Chat>> {
        self.inner.chats_to_offer()
    }
    fn waiting_chats(&self) -> Result<Vec<Chat>> {
        self.inner.waiting_chats()
    }
    fn offers_older_than(&self, cutoff: f64) -> Result<Vec<Chat>> {
        self.inner.offers_older_than(cutoff)
    }
    fn mark_notified(&self, chat_id: i64) -> Result<bool> {
        self.inner.mark_notified(chat_id)
    }
    fn fail_chat(&self, chat_id: i64, notice: &str) -> Result<bool> {
        self.inner.fail_chat(chat_id, notice)
    }
    fn accept(&self, chat_id: i64, staff: &str) -> Result<AcceptOutcome> {
        self.inner.accept(chat_id, staff)
    }
    fn cancel(&self, chat_id: i64, staff: &str) -> Result<CancelOutcome> {
        self.inner.cancel(chat_id, staff)
    }
    fn finish(&self, staff: &str) -> Result<Option<Chat>> {
        self.inner.finish(staff)
    }
    fn open_chat_of(&self, staff: &str) -> Result<Option<Chat>> {
        self.inner.open_chat_of(staff)
    }
    fn reply_from_staff(&self, staff: &str, text: &str) -> Result<Option<i64>> {
        self.inner.reply_from_staff(staff, text)
    }
    fn staff_bound(&self, limit: usize) -> Result<Vec<StaffMessage>> {
        self.inner.staff_bound(limit)
    }
    fn mark_delivered(&self, message_id: i64) -> Result<()> {
        self.inner.mark_delivered(message_id)
    }
    fn set_presence(&self, staff: &str, resource: &str, online: bool) -> Result<()> {
        self.inner.set_presence(staff, resource, online)
    }
    fn reset_presence(&self) -> Result<()> {
        self.inner.reset_presence()
    }
    fn available_staff(&self) -> Result<Vec<String>> {
        self.inner.available_staff()
    }
    fn changes(&self) -> Receiver<u64> {
        self.inner.changes()
    }
}
