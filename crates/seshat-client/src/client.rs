//! The async API a web application calls.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::model::{Inbox, NewChat, SendOutcome, VisitorMessage};
use crate::status::ChatStatus;
use crate::store::{SqliteOptions, SqliteStore, Store, Topic};
use crate::token::ChatToken;

/// A handle on the store for async code. Cloning is cheap; every call runs
/// on tokio's blocking pool so the runtime's threads never wait on SQLite.
#[derive(Clone)]
pub struct Client {
    store: Arc<dyn Store>,
}

impl Client {
    /// Opens the SQLite database at `path` (creating or migrating it).
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Ok(Self::from_store(Arc::new(SqliteStore::open(path)?)))
    }

    /// Opens the SQLite database with explicit options (size limits...).
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self> {
        Ok(Self::from_store(Arc::new(SqliteStore::open_with(
            path, options,
        )?)))
    }

    /// Wraps any [`Store`] implementation.
    pub fn from_store(store: Arc<dyn Store>) -> Self {
        Client { store }
    }

    /// The blocking store underneath, for plain threads.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Runs any store operation on the blocking pool.
    pub async fn run<T, F>(&self, operation: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || operation(store.as_ref()))
            .await
            .map_err(|_| Error::TaskCancelled)?
    }

    /// Starts a chat; returns its id (for staff) and token (for the web).
    pub async fn start_chat(&self, visitor: &str, start_message: Option<&str>) -> Result<NewChat> {
        let visitor = visitor.to_owned();
        let start_message = start_message.map(str::to_owned);
        self.run(move |store| store.start_chat(&visitor, start_message.as_deref()))
            .await
    }

    /// Sends a visitor's message to staff.
    pub async fn send(&self, token: &ChatToken, text: &str) -> Result<SendOutcome> {
        let (token, text) = (token.clone(), text.to_owned());
        self.run(move |store| store.send_from_visitor(&token, &text))
            .await
    }

    /// Takes every message waiting for the visitor, oldest first (possibly none).
    pub async fn receive(&self, token: &ChatToken) -> Result<Vec<VisitorMessage>> {
        let token = token.clone();
        self.run(move |store| store.take_for_visitor(&token)).await
    }

    /// Like [`Client::receive`], but when nothing is waiting, waits up to
    /// `timeout` for a message to be committed by any process and returns
    /// as soon as one is. An empty result means the time ran out.
    pub async fn receive_waiting(
        &self,
        token: &ChatToken,
        timeout: Duration,
    ) -> Result<Vec<VisitorMessage>> {
        let token = token.clone();
        let first = self.take_inbox(&token).await?;
        if !first.messages.is_empty() {
            return Ok(first.messages);
        }
        Ok(self
            .wait_for(Topic::Chat(first.chat_id), timeout, move |store| {
                let messages = store.take_inbox(&token)?.messages;
                Ok((!messages.is_empty()).then_some(messages))
            })
            .await?
            .unwrap_or_default())
    }

    /// Takes every message waiting for the visitor with the chat's status,
    /// from one snapshot (see [`Store::take_inbox`]).
    pub async fn take_inbox(&self, token: &ChatToken) -> Result<Inbox> {
        let token = token.clone();
        self.run(move |store| store.take_inbox(&token)).await
    }

    /// Runs `check` now, then again each time `topic` is woken, until it
    /// returns `Some` or `timeout` passes (then `None`). Only commits that
    /// change the topic run it again: a crowd of waiters on other chats
    /// costs nothing.
    pub async fn wait_for<T, F>(
        &self,
        topic: Topic,
        timeout: Duration,
        check: F,
    ) -> Result<Option<T>>
    where
        T: Send + 'static,
        F: Fn(&dyn Store) -> Result<Option<T>> + Send + Sync + 'static,
    {
        let deadline = Instant::now() + timeout;
        let mut subscription = self.store.wakeups().subscribe(topic);
        let check = Arc::new(check);
        loop {
            subscription.mark_seen();
            let attempt = Arc::clone(&check);
            if let Some(found) = self.run(move |store| attempt(store)).await? {
                return Ok(Some(found));
            }
            if tokio::time::timeout_at(deadline, subscription.changed())
                .await
                .is_err()
            {
                return Ok(None);
            }
        }
    }

    /// Ends the chat from the visitor's side; false when it was already over.
    pub async fn end_chat(&self, token: &ChatToken) -> Result<bool> {
        let token = token.clone();
        self.run(move |store| store.end_chat(&token)).await
    }

    /// True when at least one staff member is online and free.
    pub async fn is_available(&self) -> Result<bool> {
        self.run(|store| store.is_available()).await
    }

    /// The chat's status.
    pub async fn status(&self, token: &ChatToken) -> Result<ChatStatus> {
        let token = token.clone();
        self.run(move |store| store.status(&token)).await
    }
}
