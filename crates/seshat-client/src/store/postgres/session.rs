//! One connection (or transaction) of the pool, seen by Seshat's rules as
//! a set of blocking statements.
//!
//! The rules in `super::super::backend` are plain blocking code, as the
//! SQLite store's are. [`Session`] runs each statement's future to
//! completion on the calling thread; the connection itself is driven by
//! the store's own runtime, so this works from any thread, a tokio worker
//! included (where it blocks, as an SQLite call would).

use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::error::Result;

/// Statement parameters, as tokio-postgres takes them.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Statements on one pooled client or transaction.
pub(super) struct Session<'a, C> {
    client: &'a C,
}

impl<'a, C: GenericClient> Session<'a, C> {
    /// Statements on `client`.
    pub(super) fn new(client: &'a C) -> Self {
        Session { client }
    }

    /// Every row `sql` returns.
    pub(super) fn rows(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        futures::executor::block_on(async {
            let statement = self.client.prepare_cached(sql).await?;
            Ok(self.client.query(&statement, params).await?)
        })
    }

    /// The row `sql` returns, if any.
    pub(super) fn row(&self, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
        futures::executor::block_on(async {
            let statement = self.client.prepare_cached(sql).await?;
            Ok(self.client.query_opt(&statement, params).await?)
        })
    }

    /// Runs `sql`; returns how many rows it changed.
    pub(super) fn execute(&self, sql: &str, params: Params<'_>) -> Result<usize> {
        futures::executor::block_on(async {
            let statement = self.client.prepare_cached(sql).await?;
            let changed = self.client.execute(&statement, params).await?;
            Ok(usize::try_from(changed).unwrap_or(usize::MAX))
        })
    }
}
