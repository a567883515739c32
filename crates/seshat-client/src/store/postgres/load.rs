//! Loading a whole database into an empty one: the PostgreSQL side of
//! [`crate::store::copy`].

use tokio_postgres::Transaction;

use super::schema::WRITE_LOCK;
use super::PostgresStore;
use crate::error::{Error, Result};
use crate::store::copy::{without_nul, Dump, QueueRow};

/// Rows sent per statement.
const ROWS_PER_STATEMENT: usize = 5_000;

impl PostgresStore {
    /// Loads every row of `dump`, with its ids, in one transaction, and
    /// moves the id sequences past them. Refuses a database that holds
    /// any row already.
    pub(crate) fn load(&self, dump: &Dump) -> Result<()> {
        self.block_on(async {
            let mut client = self.pool.get().await?;
            let transaction = client.transaction().await?;
            transaction
                .execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
                .await?;
            let held: i64 = transaction
                .query_one(
                    "SELECT (SELECT count(*) FROM chat) + (SELECT count(*) FROM localmessagequeue)
                          + (SELECT count(*) FROM remotemessagequeue) + (SELECT count(*) FROM onlinestatus)",
                    &[],
                )
                .await?
                .try_get(0)?;
            if held > 0 {
                return Err(Error::TargetNotEmpty(format!(
                    "{} already holds {held} chat, message or presence rows",
                    self.url
                )));
            }
            for chats in dump.chats.chunks(ROWS_PER_STATEMENT) {
                transaction
                    .execute(
                        "INSERT INTO chat (chatid, localuser, remoteuser, starttime, endtime, status,
                                           startmessage, token, email, offertime)
                         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::float8[],
                                              $5::float8[], $6::bigint[], $7::text[], $8::text[],
                                              $9::text[], $10::float8[])",
                        &[
                            &chats.iter().map(|c| c.id).collect::<Vec<_>>(),
                            &texts(chats.iter().map(|c| c.staff.clone())),
                            &texts(chats.iter().map(|c| c.visitor.clone())),
                            &chats.iter().map(|c| c.started_at).collect::<Vec<_>>(),
                            &chats.iter().map(|c| c.ended_at).collect::<Vec<_>>(),
                            &chats.iter().map(|c| c.status).collect::<Vec<_>>(),
                            &texts(chats.iter().map(|c| c.start_message.clone())),
                            &texts(chats.iter().map(|c| c.token.clone())),
                            &texts(chats.iter().map(|c| c.email.clone())),
                            &chats.iter().map(|c| c.offered_at).collect::<Vec<_>>(),
                        ],
                    )
                    .await?;
            }
            load_queue(&transaction, "localmessagequeue", &dump.to_staff).await?;
            load_queue(&transaction, "remotemessagequeue", &dump.to_visitors).await?;
            let presence = &dump.presence;
            transaction
                .execute(
                    "INSERT INTO onlinestatus (localuser, resource, online)
                     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])",
                    &[
                        &texts(presence.iter().map(|p| Some(p.staff.clone()))),
                        &texts(presence.iter().map(|p| Some(p.resource.clone()))),
                        &presence.iter().map(|p| p.online).collect::<Vec<_>>(),
                    ],
                )
                .await?;
            for (table, column) in [
                ("chat", "chatid"),
                ("localmessagequeue", "messageid"),
                ("remotemessagequeue", "messageid"),
            ] {
                transaction
                    .batch_execute(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                                       coalesce(max({column}), 0) + 1, false) FROM {table}"
                    ))
                    .await?;
            }
            transaction.commit().await?;
            Ok(())
        })
    }
}

/// One queue's rows.
async fn load_queue(transaction: &Transaction<'_>, table: &str, rows: &[QueueRow]) -> Result<()> {
    for rows in rows.chunks(ROWS_PER_STATEMENT) {
        transaction
            .execute(
                &format!(
                    "INSERT INTO {table} (messageid, posttime, sendtime, chatid, message, author)
                     SELECT * FROM unnest($1::bigint[], $2::float8[], $3::float8[], $4::bigint[],
                                          $5::text[], $6::text[])"
                ),
                &[
                    &rows.iter().map(|m| m.id).collect::<Vec<_>>(),
                    &rows.iter().map(|m| m.posted_at).collect::<Vec<_>>(),
                    &rows.iter().map(|m| m.sent_at).collect::<Vec<_>>(),
                    &rows.iter().map(|m| m.chat_id).collect::<Vec<_>>(),
                    &texts(rows.iter().map(|m| m.text.clone())),
                    &texts(rows.iter().map(|m| m.author.clone())),
                ],
            )
            .await?;
    }
    Ok(())
}

/// A text column as PostgreSQL can hold it.
fn texts(column: impl Iterator<Item = Option<String>>) -> Vec<Option<String>> {
    column.map(without_nul).collect()
}
