//! Seshat's rules, written once for every storage engine.
//!
//! An engine implements [`Backend`]: how it runs a read, a snapshot and a
//! write transaction over its [`Statements`], how it checks its health
//! and how it wakes waiters. Every [`Backend`] is a [`Store`], with the
//! rules below: what a visitor's message does to a waiting chat, who may
//! accept or cancel what, which notices each step queues. So the SQLite
//! and PostgreSQL stores cannot drift apart; the store contract tests run
//! against both.

use std::time::Duration;

use super::statements::{Queue, Statements, AUTHOR_SESHAT};
use super::wakeups::Wakeups;
use super::Store;
use crate::error::{Error, Result};
use crate::limits::{check_email, Limits};
use crate::model::{
    AcceptOutcome, CancelOutcome, Chat, HistoryEntry, Inbox, NewChat, SendOutcome, StaffMessage,
};
use crate::status::ChatStatus;
use crate::texts;
use crate::token::ChatToken;

/// A storage engine: transactions over its [`Statements`].
pub(crate) trait Backend: Send + Sync + 'static {
    /// The size limits in force.
    fn limits(&self) -> Limits;

    /// Runs `work` in a write transaction that no other writer interleaves
    /// with, commits, and wakes the waiters of what it changed.
    fn write<T>(&self, work: impl Fn(&dyn Statements) -> Result<T>) -> Result<T>;

    /// Runs `work`, one statement that reads.
    fn read<T>(&self, work: impl Fn(&dyn Statements) -> Result<T>) -> Result<T>;

    /// Runs `work` in one read transaction: everything it reads comes from
    /// one snapshot, whatever other connections commit meanwhile.
    fn read_snapshot<T>(&self, work: impl Fn(&dyn Statements) -> Result<T>) -> Result<T>;

    /// See [`Store::check`].
    fn check(&self) -> Result<()>;

    /// See [`Store::wakeups`].
    fn wakeups(&self) -> &Wakeups;

    /// See [`Store::claim_duty`].
    fn claim_duty(&self, _holder: &str, _lease: Duration) -> Result<bool> {
        Ok(true)
    }

    /// See [`Store::release_duty`].
    fn release_duty(&self, _holder: &str) -> Result<()> {
        Ok(())
    }

    /// See [`Store::has_standby`].
    fn has_standby(&self) -> bool {
        false
    }
}

/// The status and undelivered visitor-bound messages newer than `after`,
/// as `statements` see them (in one snapshot).
fn inbox_of(statements: &dyn Statements, chat_id: i64, after: Option<i64>) -> Result<Inbox> {
    let status = statements.status_of(chat_id)?;
    let pending = statements.pending_for_visitor(chat_id)?;
    let after = after.unwrap_or(i64::MIN);
    let (acknowledgeable, messages): (Vec<_>, Vec<_>) =
        pending.into_iter().partition(|message| message.id <= after);
    Ok(Inbox {
        chat_id,
        status,
        messages,
        unacknowledged: acknowledgeable.len(),
    })
}

impl<B: Backend> Store for B {
    fn start_chat_with_email(
        &self,
        visitor: &str,
        start_message: Option<&str>,
        email: Option<&str>,
    ) -> Result<NewChat> {
        let email = email.map(check_email).transpose()?;
        let limits = self.limits();
        limits.check_name(visitor)?;
        let start_message = start_message.filter(|message| !message.trim().is_empty());
        if let Some(message) = start_message {
            limits.check_message(message)?;
        }
        let token = ChatToken::generate();
        let id = self.write(|tx| {
            let id = tx.insert_chat(visitor, start_message, &token)?;
            if let Some(email) = email {
                tx.set_email(id, email)?;
            }
            tx.queue(Queue::ToVisitor, id, texts::CHAT_REQUESTED, None)?;
            Ok(id)
        })?;
        tracing::info!(chat = id, "chat started");
        Ok(NewChat { id, token })
    }

    fn send_from_visitor(&self, token: &ChatToken, text: &str) -> Result<SendOutcome> {
        self.limits().check_message(text)?;
        self.write(|tx| {
            let chat_id = tx.id_of(token)?;
            Ok(match tx.status_of(chat_id)? {
                status if status.is_over() => {
                    tx.queue(Queue::ToVisitor, chat_id, texts::ALREADY_CLOSED, None)?;
                    SendOutcome::ChatIsOver
                }
                ChatStatus::Open => {
                    tx.queue(Queue::ToStaff, chat_id, text, None)?;
                    SendOutcome::Sent
                }
                _ => {
                    tx.queue(
                        Queue::ToVisitor,
                        chat_id,
                        texts::DELIVERED_WHEN_STARTED,
                        None,
                    )?;
                    tx.queue(Queue::ToStaff, chat_id, text, None)?;
                    SendOutcome::HeldUntilAccepted
                }
            })
        })
    }

    fn inbox(&self, token: &ChatToken, after: Option<i64>) -> Result<Inbox> {
        self.read_snapshot(|tx| {
            let chat_id = tx.id_of(token)?;
            inbox_of(tx, chat_id, after)
        })
    }

    fn take_inbox(&self, token: &ChatToken) -> Result<Inbox> {
        // A read first, so that idle polls never take the write lock.
        let seen = self.inbox(token, None)?;
        if seen.messages.is_empty() {
            return Ok(seen);
        }
        self.write(|tx| {
            let inbox = inbox_of(tx, seen.chat_id, None)?;
            if let Some(last) = inbox.messages.last() {
                tx.mark_visitor_delivered(inbox.chat_id, last.id)?;
            }
            Ok(inbox)
        })
    }

    fn acknowledge(&self, token: &ChatToken, message_id: i64) -> Result<usize> {
        self.write(|tx| {
            let chat_id = tx.id_of(token)?;
            tx.mark_visitor_delivered(chat_id, message_id)
        })
    }

    fn end_chat(&self, token: &ChatToken) -> Result<bool> {
        let ended = self.write(|tx| {
            let chat_id = tx.id_of(token)?;
            match tx.status_of(chat_id)? {
                ChatStatus::Open => {
                    tx.set_status(chat_id, ChatStatus::Closed)?;
                    tx.queue(
                        Queue::ToStaff,
                        chat_id,
                        texts::CHAT_CLOSED,
                        Some(AUTHOR_SESHAT),
                    )?;
                    tx.queue(Queue::ToVisitor, chat_id, texts::CHAT_CLOSED, None)?;
                    Ok(Some(chat_id))
                }
                status if status.is_pending() => {
                    tx.set_status(chat_id, ChatStatus::Closed)?;
                    tx.queue(Queue::ToVisitor, chat_id, texts::CHAT_CLOSED, None)?;
                    Ok(Some(chat_id))
                }
                _ => Ok(None),
            }
        })?;
        if let Some(chat_id) = ended {
            tracing::info!(chat = chat_id, "chat ended by the visitor");
        }
        Ok(ended.is_some())
    }

    fn chat_by_token(&self, token: &ChatToken) -> Result<Chat> {
        self.read(|tx| tx.chat_by_token(token))
    }

    fn set_email(&self, token: &ChatToken, email: &str) -> Result<()> {
        let email = check_email(email)?;
        self.write(|tx| {
            let chat_id = tx.id_of(token)?;
            tx.set_email(chat_id, email)
        })
    }

    fn history(
        &self,
        token: &ChatToken,
        before: Option<(f64, i64)>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>> {
        let (time, id) = before.unwrap_or((f64::INFINITY, i64::MAX));
        let time = if time.is_finite() { time } else { f64::MAX };
        self.read_snapshot(|tx| {
            let chat_id = tx.id_of(token)?;
            tx.history(chat_id, (time, id), limit)
        })
    }

    fn is_available(&self) -> Result<bool> {
        self.read(|tx| tx.anyone_available())
    }

    fn token_of(&self, chat_id: i64) -> Result<ChatToken> {
        match self.read(|tx| tx.token_of(chat_id))? {
            None => Err(Error::NoSuchChatId(chat_id)),
            Some(Some(token)) => token.parse(),
            Some(None) => self.write(|tx| tx.give_token(chat_id)),
        }
    }

    fn chat(&self, chat_id: i64) -> Result<Option<Chat>> {
        self.read(|tx| tx.chat_by_id(chat_id))
    }

    fn waiting_chats(&self) -> Result<Vec<Chat>> {
        self.read(|tx| tx.pending_chats())
    }

    fn mark_notified(&self, chat_id: i64) -> Result<bool> {
        self.write(|tx| tx.mark_offered(chat_id))
    }

    fn fail_chat(&self, chat_id: i64, notice: &str) -> Result<bool> {
        let failed = self.write(|tx| {
            let failed = tx.fail_pending(chat_id)?;
            if failed {
                tx.queue(Queue::ToVisitor, chat_id, notice, None)?;
            }
            Ok(failed)
        })?;
        if failed {
            tracing::info!(chat = chat_id, "chat failed: {notice}");
        }
        Ok(failed)
    }

    fn tell_visitor(&self, chat_id: i64, notice: &str) -> Result<bool> {
        self.write(|tx| {
            if tx.chat_by_id(chat_id)?.is_none() {
                return Ok(false);
            }
            tx.queue(Queue::ToVisitor, chat_id, notice, None)?;
            Ok(true)
        })
    }

    fn hand_back(&self, chat_id: i64, staff: &str, notice: &str) -> Result<Option<usize>> {
        let handed_back = self.write(|tx| {
            if !tx.take_back(chat_id, staff)? {
                return Ok(None);
            }
            let undelivered = tx.mark_chat_staff_delivered(chat_id)?;
            tx.queue(Queue::ToVisitor, chat_id, notice, None)?;
            Ok(Some(undelivered))
        })?;
        if handed_back.is_some() {
            tracing::info!(
                chat = chat_id,
                staff,
                "chat taken back from a disconnected staff member"
            );
        }
        Ok(handed_back)
    }

    fn accept(&self, chat_id: i64, staff: &str) -> Result<AcceptOutcome> {
        let outcome = self.write(|tx| {
            if let Some(current) = tx.open_chat_of(staff)? {
                return Ok(AcceptOutcome::BusyWith(current));
            }
            let Some(chat) = tx.chat_by_id(chat_id)? else {
                return Ok(AcceptOutcome::NoSuchChat);
            };
            Ok(match chat.status {
                ChatStatus::Open => match chat.staff {
                    Some(owner) if owner == staff => AcceptOutcome::AlreadyYours,
                    owner => AcceptOutcome::HandledBy(owner.unwrap_or_default()),
                },
                ChatStatus::Closed | ChatStatus::CanceledLocally => AcceptOutcome::AlreadyFinished,
                // Its visitor was told nobody could answer, and the widget
                // stopped waiting: nobody would read the staff member.
                ChatStatus::Failed => AcceptOutcome::Failed,
                ChatStatus::Waiting | ChatStatus::Notified => {
                    tx.hand_to(chat_id, staff)?;
                    tx.queue(Queue::ToVisitor, chat_id, texts::CHAT_STARTED, None)?;
                    AcceptOutcome::Accepted(Chat {
                        status: ChatStatus::Open,
                        staff: Some(staff.to_owned()),
                        ..chat
                    })
                }
            })
        })?;
        if let AcceptOutcome::Accepted(chat) = &outcome {
            tracing::info!(chat = chat.id, staff, "chat accepted");
        }
        Ok(outcome)
    }

    fn cancel(&self, chat_id: i64, staff: &str) -> Result<CancelOutcome> {
        let outcome = self.write(|tx| {
            let Some(chat) = tx.chat_by_id(chat_id)? else {
                return Ok(CancelOutcome::NoSuchChat);
            };
            Ok(match chat.status {
                ChatStatus::Open => match chat.staff {
                    Some(owner) if owner == staff => CancelOutcome::AcceptedBySelf,
                    owner => CancelOutcome::AcceptedBy(owner.unwrap_or_default()),
                },
                ChatStatus::Closed | ChatStatus::CanceledLocally => CancelOutcome::AlreadyClosed,
                ChatStatus::Waiting | ChatStatus::Notified | ChatStatus::Failed => {
                    tx.set_status(chat_id, ChatStatus::CanceledLocally)?;
                    tx.queue(Queue::ToVisitor, chat_id, texts::CHAT_CANCELED, None)?;
                    CancelOutcome::Canceled(Chat {
                        status: ChatStatus::CanceledLocally,
                        ..chat
                    })
                }
            })
        })?;
        if let CancelOutcome::Canceled(chat) = &outcome {
            tracing::info!(chat = chat.id, staff, "chat canceled");
        }
        Ok(outcome)
    }

    fn finish(&self, staff: &str) -> Result<Option<Chat>> {
        let finished = self.write(|tx| {
            let Some(chat) = tx.open_chat_of(staff)? else {
                return Ok(None);
            };
            tx.set_status(chat.id, ChatStatus::Closed)?;
            tx.queue(Queue::ToVisitor, chat.id, texts::CHAT_CLOSED, None)?;
            Ok(Some(Chat {
                status: ChatStatus::Closed,
                ..chat
            }))
        })?;
        if let Some(chat) = &finished {
            tracing::info!(chat = chat.id, staff, "chat finished");
        }
        Ok(finished)
    }

    fn open_chat_of(&self, staff: &str) -> Result<Option<Chat>> {
        self.read(|tx| tx.open_chat_of(staff))
    }

    fn reply_from_staff(&self, staff: &str, text: &str) -> Result<Option<i64>> {
        self.limits().check_message(text)?;
        self.write(|tx| {
            let Some(chat) = tx.open_chat_of(staff)? else {
                return Ok(None);
            };
            tx.queue(Queue::ToVisitor, chat.id, text, Some(staff))?;
            Ok(Some(chat.id))
        })
    }

    fn staff_bound(&self, limit: usize) -> Result<Vec<StaffMessage>> {
        self.read(|tx| tx.staff_bound(limit))
    }

    fn staff_bound_to(&self, staff: &[String], limit: usize) -> Result<Vec<StaffMessage>> {
        if staff.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|tx| tx.staff_bound_to(staff, limit))
    }

    fn mark_all_delivered(&self, message_ids: &[i64]) -> Result<()> {
        if message_ids.is_empty() {
            return Ok(());
        }
        self.write(|tx| tx.mark_staff_delivered(message_ids))
    }

    fn set_presence(&self, staff: &str, resource: &str, online: bool) -> Result<()> {
        self.write(|tx| tx.set_presence(staff, resource, online))
    }

    fn reset_presence(&self) -> Result<()> {
        self.write(|tx| tx.reset_presence())
    }

    fn available_staff(&self) -> Result<Vec<String>> {
        self.read(|tx| tx.available_staff())
    }

    fn chat_counts(&self) -> Result<Vec<(ChatStatus, u64)>> {
        self.read(|tx| tx.chat_counts())
    }

    fn check(&self) -> Result<()> {
        Backend::check(self)
    }

    fn staff_on_duty(&self) -> Result<Vec<(String, Option<i64>)>> {
        self.read(|tx| tx.staff_on_duty())
    }

    fn claim_duty(&self, holder: &str, lease: Duration) -> Result<bool> {
        Backend::claim_duty(self, holder, lease)
    }

    fn release_duty(&self, holder: &str) -> Result<()> {
        Backend::release_duty(self, holder)
    }

    fn has_standby(&self) -> bool {
        Backend::has_standby(self)
    }

    fn wakeups(&self) -> &Wakeups {
        Backend::wakeups(self)
    }
}
