//! Statements on `onlinestatus`, and who is free to take a chat.

use deadpool_postgres::GenericClient;

use super::session::Session;
use crate::error::Result;
use crate::status::ChatStatus;
use crate::store::statements::PresenceStatements;

impl<C: GenericClient> PresenceStatements for Session<'_, C> {
    fn set_presence(&self, staff: &str, resource: &str, online: bool) -> Result<()> {
        self.execute(
            "INSERT INTO onlinestatus (localuser, resource, online) VALUES ($1, $2, $3)
             ON CONFLICT (localuser, resource) DO UPDATE SET online = EXCLUDED.online",
            &[&staff, &resource, &i64::from(online)],
        )?;
        Ok(())
    }

    fn reset_presence(&self) -> Result<()> {
        self.execute("UPDATE onlinestatus SET online = 0 WHERE online <> 0", &[])?;
        Ok(())
    }

    fn available_staff(&self) -> Result<Vec<String>> {
        self.rows(
            "SELECT DISTINCT o.localuser FROM onlinestatus AS o WHERE o.online = 1
               AND NOT EXISTS (SELECT 1 FROM chat AS c
                               WHERE c.localuser = o.localuser AND c.status = $1)
             ORDER BY o.localuser",
            &[&ChatStatus::Open.code()],
        )?
        .iter()
        .map(|row| Ok(row.try_get(0)?))
        .collect()
    }

    fn anyone_available(&self) -> Result<bool> {
        Ok(self
            .rows(
                "SELECT EXISTS (SELECT 1 FROM onlinestatus AS o WHERE o.online = 1
                   AND NOT EXISTS (SELECT 1 FROM chat AS c
                                   WHERE c.localuser = o.localuser AND c.status = $1))",
                &[&ChatStatus::Open.code()],
            )?
            .first()
            .map(|row| row.try_get(0))
            .transpose()?
            .unwrap_or(false))
    }

    fn staff_on_duty(&self) -> Result<Vec<(String, Option<i64>)>> {
        self.rows(
            "SELECT o.localuser,
                    (SELECT min(c.chatid) FROM chat AS c
                      WHERE c.localuser = o.localuser AND c.status = $1)
               FROM onlinestatus AS o WHERE o.online = 1
              GROUP BY o.localuser ORDER BY o.localuser",
            &[&ChatStatus::Open.code()],
        )?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
    }
}
