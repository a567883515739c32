//! Statements on `onlinestatus`, and who is free to take a chat.

use rusqlite::Connection;

use crate::error::Result;
use crate::status::ChatStatus;
use crate::store::statements::PresenceStatements;

impl PresenceStatements for Connection {
    /// Records whether one resource of a staff member is available.
    fn set_presence(&self, staff: &str, resource: &str, online: bool) -> Result<()> {
        self.prepare_cached(
            "INSERT OR REPLACE INTO onlinestatus (localuser, resource, online) VALUES (?1, ?2, ?3)",
        )?
        .execute((staff, resource, i64::from(online)))?;
        Ok(())
    }

    /// Marks every resource of every staff member offline.
    fn reset_presence(&self) -> Result<()> {
        self.execute("UPDATE onlinestatus SET online = 0 WHERE online <> 0", [])?;
        Ok(())
    }

    /// Staff members online and not in an open chat, sorted.
    fn available_staff(&self) -> Result<Vec<String>> {
        let staff = self
            .prepare_cached(
                "SELECT DISTINCT o.localuser FROM onlinestatus AS o WHERE o.online = 1
               AND NOT EXISTS (SELECT 1 FROM chat AS c
                               WHERE c.localuser = o.localuser AND c.status = ?1)
             ORDER BY o.localuser",
            )?
            .query_map([ChatStatus::Open], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(staff)
    }

    /// Whether anyone is online and not in an open chat.
    fn anyone_available(&self) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM onlinestatus AS o WHERE o.online = 1
               AND NOT EXISTS (SELECT 1 FROM chat AS c
                               WHERE c.localuser = o.localuser AND c.status = ?1))",
            )?
            .query_row([ChatStatus::Open], |row| row.get(0))?)
    }

    /// Staff members online, sorted, each with the open chat they handle.
    fn staff_on_duty(&self) -> Result<Vec<(String, Option<i64>)>> {
        let staff = self
            .prepare_cached(
                "SELECT o.localuser,
                    (SELECT min(c.chatid) FROM chat AS c
                      WHERE c.localuser = o.localuser AND c.status = ?1)
               FROM onlinestatus AS o WHERE o.online = 1
              GROUP BY o.localuser ORDER BY o.localuser",
            )?
            .query_map([ChatStatus::Open], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(staff)
    }
}
