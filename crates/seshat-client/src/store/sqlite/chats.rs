//! Statements on the `chat` table: finding chats, and moving them through
//! their statuses.

use rusqlite::{Connection, OptionalExtension};

use super::rows::{chat_columns, read_chat, read_status};
use crate::clock;
use crate::error::{Error, Result};
use crate::model::Chat;
use crate::status::ChatStatus;
use crate::store::statements::ChatStatements;
use crate::token::ChatToken;

impl ChatStatements for Connection {
    /// The id of the chat `token` names.
    fn id_of(&self, token: &ChatToken) -> Result<i64> {
        self.prepare_cached("SELECT chatid FROM chat WHERE token = ?1")?
            .query_row([token.as_str()], |row| row.get(0))
            .optional()?
            .ok_or(Error::NoSuchChat)
    }

    /// The chat with `chat_id`, if there is one.
    fn chat_by_id(&self, chat_id: i64) -> Result<Option<Chat>> {
        Ok(self
            .prepare_cached(concat!(
                "SELECT ",
                chat_columns!(),
                " FROM chat WHERE chatid = ?1"
            ))?
            .query_row([chat_id], read_chat)
            .optional()?)
    }

    /// The chat `token` names.
    fn chat_by_token(&self, token: &ChatToken) -> Result<Chat> {
        self.prepare_cached(concat!(
            "SELECT ",
            chat_columns!(),
            " FROM chat WHERE token = ?1"
        ))?
        .query_row([token.as_str()], read_chat)
        .optional()?
        .ok_or(Error::NoSuchChat)
    }

    /// The status of the chat with `chat_id`.
    fn status_of(&self, chat_id: i64) -> Result<ChatStatus> {
        self.prepare_cached("SELECT status FROM chat WHERE chatid = ?1")?
            .query_row([chat_id], |row| Ok(read_status(row.get_ref(0)?)))
            .optional()?
            .ok_or(Error::NoSuchChat)
    }

    /// The open chat `staff` handles, if any.
    fn open_chat_of(&self, staff: &str) -> Result<Option<Chat>> {
        Ok(self
            .prepare_cached(concat!(
                "SELECT ",
                chat_columns!(),
                " FROM chat WHERE localuser = ?1 AND status = ?2 ORDER BY chatid LIMIT 1"
            ))?
            .query_row((staff, ChatStatus::Open), read_chat)
            .optional()?)
    }

    /// Chats waiting to be accepted (offered or not), oldest first.
    fn pending_chats(&self) -> Result<Vec<Chat>> {
        let chats = self
            .prepare_cached(concat!(
                "SELECT ",
                chat_columns!(),
                " FROM chat WHERE status IN (?1, ?2) ORDER BY chatid"
            ))?
            .query_map((ChatStatus::Waiting, ChatStatus::Notified), read_chat)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(chats)
    }

    /// Records a new chat, waiting for staff; returns its id.
    fn insert_chat(
        &self,
        visitor: &str,
        start_message: Option<&str>,
        token: &ChatToken,
    ) -> Result<i64> {
        self
        .prepare_cached(
            "INSERT INTO chat (localuser, remoteuser, starttime, endtime, status, startmessage, token)
             VALUES (NULL, ?1, ?2, NULL, ?3, ?4, ?5)",
        )?
        .execute((
            visitor,
            clock::now(),
            ChatStatus::Waiting,
            start_message.unwrap_or(""),
            token.as_str(),
        ))?;
        Ok(self.last_insert_rowid())
    }

    /// Sets the chat's status, and its end time when the status is final.
    fn set_status(&self, chat_id: i64, status: ChatStatus) -> Result<()> {
        let ends = status.is_over().then(clock::now);
        self.prepare_cached(
            "UPDATE chat SET status = ?1, endtime = coalesce(?2, endtime) WHERE chatid = ?3",
        )?
        .execute((status, ends, chat_id))?;
        Ok(())
    }

    /// Marks a chat that is still waiting as offered, now; false if it was not
    /// waiting any more.
    fn mark_offered(&self, chat_id: i64) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "UPDATE chat SET status = ?1, offertime = ?2 WHERE chatid = ?3 AND status = ?4",
            )?
            .execute((
                ChatStatus::Notified,
                clock::now(),
                chat_id,
                ChatStatus::Waiting,
            ))?
            == 1)
    }

    /// Fails a chat that is still waiting or offered; false if it had moved on.
    fn fail_pending(&self, chat_id: i64) -> Result<bool> {
        Ok(self
        .prepare_cached(
            "UPDATE chat SET status = ?1, endtime = ?2 WHERE chatid = ?3 AND status IN (?4, ?5)",
        )?
        .execute((
            ChatStatus::Failed,
            clock::now(),
            chat_id,
            ChatStatus::Waiting,
            ChatStatus::Notified,
        ))?
        == 1)
    }

    /// Opens the chat with `staff` as its handler.
    fn hand_to(&self, chat_id: i64, staff: &str) -> Result<()> {
        self.prepare_cached(
            "UPDATE chat SET status = ?1, localuser = ?2, endtime = NULL WHERE chatid = ?3",
        )?
        .execute((ChatStatus::Open, staff, chat_id))?;
        Ok(())
    }

    /// Puts an open chat of `staff` back to waiting, with no handler and no
    /// offer yet; false if it is not open with `staff`.
    fn take_back(&self, chat_id: i64, staff: &str) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "UPDATE chat SET status = ?1, localuser = NULL, offertime = NULL
              WHERE chatid = ?2 AND status = ?3 AND localuser = ?4",
            )?
            .execute((ChatStatus::Waiting, chat_id, ChatStatus::Open, staff))?
            == 1)
    }

    /// Stores the visitor's e-mail address.
    fn set_email(&self, chat_id: i64, email: &str) -> Result<()> {
        self.prepare_cached("UPDATE chat SET email = ?1 WHERE chatid = ?2")?
            .execute((email, chat_id))?;
        Ok(())
    }

    /// The chat's token: `None` for no such chat, `Some(None)` for a chat the
    /// original Python client created, which has none yet.
    fn token_of(&self, chat_id: i64) -> Result<Option<Option<String>>> {
        Ok(self
            .prepare_cached("SELECT token FROM chat WHERE chatid = ?1")?
            .query_row([chat_id], |row| row.get(0))
            .optional()?)
    }

    /// Gives the chat a token if it has none; returns the one it has then.
    fn give_token(&self, chat_id: i64) -> Result<ChatToken> {
        self.prepare_cached("UPDATE chat SET token = ?1 WHERE chatid = ?2 AND token IS NULL")?
            .execute((ChatToken::generate().as_str(), chat_id))?;
        let token: String = self
            .prepare_cached("SELECT token FROM chat WHERE chatid = ?1")?
            .query_row([chat_id], |row| row.get(0))?;
        token.parse()
    }

    /// How many chats have each status.
    fn chat_counts(&self) -> Result<Vec<(ChatStatus, u64)>> {
        let counts = self
            .prepare_cached("SELECT status, count(*) FROM chat GROUP BY status ORDER BY status")?
            .query_map([], |row| {
                Ok((read_status(row.get_ref(0)?), row.get::<_, i64>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // Unknown statuses written by another program read as one status; add them up.
        let mut summed: Vec<(ChatStatus, u64)> = Vec::new();
        for (status, count) in counts {
            let count = u64::try_from(count).unwrap_or(0);
            match summed.iter_mut().find(|(known, _)| *known == status) {
                Some((_, total)) => *total += count,
                None => summed.push((status, count)),
            }
        }
        Ok(summed)
    }
}
