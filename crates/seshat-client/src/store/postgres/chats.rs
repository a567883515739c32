//! Statements on the `chat` table.

use deadpool_postgres::GenericClient;

use super::rows::{chat_columns, read_chat, read_status};
use super::session::Session;
use crate::clock;
use crate::error::{Error, Result};
use crate::model::Chat;
use crate::status::ChatStatus;
use crate::store::statements::ChatStatements;
use crate::token::ChatToken;

impl<C: GenericClient> ChatStatements for Session<'_, C> {
    fn id_of(&self, token: &ChatToken) -> Result<i64> {
        self.row(
            "SELECT chatid FROM chat WHERE token = $1",
            &[&token.as_str()],
        )?
        .ok_or(Error::NoSuchChat)?
        .try_get(0)
        .map_err(Error::from)
    }

    fn chat_by_id(&self, chat_id: i64) -> Result<Option<Chat>> {
        self.row(
            concat!("SELECT ", chat_columns!(), " FROM chat WHERE chatid = $1"),
            &[&chat_id],
        )?
        .as_ref()
        .map(read_chat)
        .transpose()
    }

    fn chat_by_token(&self, token: &ChatToken) -> Result<Chat> {
        let row = self
            .row(
                concat!("SELECT ", chat_columns!(), " FROM chat WHERE token = $1"),
                &[&token.as_str()],
            )?
            .ok_or(Error::NoSuchChat)?;
        read_chat(&row)
    }

    fn status_of(&self, chat_id: i64) -> Result<ChatStatus> {
        let row = self
            .row("SELECT status FROM chat WHERE chatid = $1", &[&chat_id])?
            .ok_or(Error::NoSuchChat)?;
        Ok(read_status(row.try_get(0)?))
    }

    fn open_chat_of(&self, staff: &str) -> Result<Option<Chat>> {
        self.row(
            concat!(
                "SELECT ",
                chat_columns!(),
                " FROM chat WHERE localuser = $1 AND status = $2 ORDER BY chatid LIMIT 1"
            ),
            &[&staff, &ChatStatus::Open.code()],
        )?
        .as_ref()
        .map(read_chat)
        .transpose()
    }

    fn pending_chats(&self) -> Result<Vec<Chat>> {
        self.rows(
            concat!(
                "SELECT ",
                chat_columns!(),
                " FROM chat WHERE status IN ($1, $2) ORDER BY chatid"
            ),
            &[&ChatStatus::Waiting.code(), &ChatStatus::Notified.code()],
        )?
        .iter()
        .map(read_chat)
        .collect()
    }

    fn insert_chat(
        &self,
        visitor: &str,
        start_message: Option<&str>,
        token: &ChatToken,
    ) -> Result<i64> {
        let row = self
            .row(
                "INSERT INTO chat (localuser, remoteuser, starttime, endtime, status, startmessage, token)
                 VALUES (NULL, $1, $2, NULL, $3, $4, $5) RETURNING chatid",
                &[
                    &visitor,
                    &clock::now(),
                    &ChatStatus::Waiting.code(),
                    &start_message.unwrap_or(""),
                    &token.as_str(),
                ],
            )?
            .ok_or_else(|| Error::Database("INSERT ... RETURNING returned no row".into()))?;
        Ok(row.try_get(0)?)
    }

    fn set_status(&self, chat_id: i64, status: ChatStatus) -> Result<()> {
        let ends = status.is_over().then(clock::now);
        self.execute(
            "UPDATE chat SET status = $1, endtime = coalesce($2, endtime) WHERE chatid = $3",
            &[&status.code(), &ends, &chat_id],
        )?;
        Ok(())
    }

    fn mark_offered(&self, chat_id: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE chat SET status = $1, offertime = $2 WHERE chatid = $3 AND status = $4",
            &[
                &ChatStatus::Notified.code(),
                &clock::now(),
                &chat_id,
                &ChatStatus::Waiting.code(),
            ],
        )? == 1)
    }

    fn fail_pending(&self, chat_id: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE chat SET status = $1, endtime = $2 WHERE chatid = $3 AND status IN ($4, $5)",
            &[
                &ChatStatus::Failed.code(),
                &clock::now(),
                &chat_id,
                &ChatStatus::Waiting.code(),
                &ChatStatus::Notified.code(),
            ],
        )? == 1)
    }

    fn hand_to(&self, chat_id: i64, staff: &str) -> Result<()> {
        self.execute(
            "UPDATE chat SET status = $1, localuser = $2, endtime = NULL WHERE chatid = $3",
            &[&ChatStatus::Open.code(), &staff, &chat_id],
        )?;
        Ok(())
    }

    fn take_back(&self, chat_id: i64, staff: &str) -> Result<bool> {
        Ok(self.execute(
            "UPDATE chat SET status = $1, localuser = NULL, offertime = NULL
              WHERE chatid = $2 AND status = $3 AND localuser = $4",
            &[
                &ChatStatus::Waiting.code(),
                &chat_id,
                &ChatStatus::Open.code(),
                &staff,
            ],
        )? == 1)
    }

    fn set_email(&self, chat_id: i64, email: &str) -> Result<()> {
        self.execute(
            "UPDATE chat SET email = $1 WHERE chatid = $2",
            &[&email, &chat_id],
        )?;
        Ok(())
    }

    fn token_of(&self, chat_id: i64) -> Result<Option<Option<String>>> {
        self.row("SELECT token FROM chat WHERE chatid = $1", &[&chat_id])?
            .map(|row| row.try_get(0))
            .transpose()
            .map_err(Error::from)
    }

    fn give_token(&self, chat_id: i64) -> Result<ChatToken> {
        self.execute(
            "UPDATE chat SET token = $1 WHERE chatid = $2 AND token IS NULL",
            &[&ChatToken::generate().as_str(), &chat_id],
        )?;
        let token: String = self
            .row("SELECT token FROM chat WHERE chatid = $1", &[&chat_id])?
            .ok_or(Error::NoSuchChatId(chat_id))?
            .try_get(0)?;
        token.parse()
    }

    fn chat_counts(&self) -> Result<Vec<(ChatStatus, u64)>> {
        let mut summed: Vec<(ChatStatus, u64)> = Vec::new();
        for row in self.rows(
            "SELECT status, count(*) FROM chat GROUP BY status ORDER BY status",
            &[],
        )? {
            let status = read_status(row.try_get(0)?);
            let count = u64::try_from(row.try_get::<_, i64>(1)?).unwrap_or(0);
            // Unknown statuses read as one status; add them up.
            match summed.iter_mut().find(|(known, _)| *known == status) {
                Some((_, total)) => *total += count,
                None => summed.push((status, count)),
            }
        }
        Ok(summed)
    }
}
