//! [`super::Store`] on a PostgreSQL database that web processes and
//! daemons on several hosts share.
//!
//! This file opens the store and runs transactions for Seshat's rules
//! ([`super::backend`]); the statements live with their tables
//! ([`chats`], [`messages`], [`presence`]), the layout in [`schema`], and
//! wake-ups come from [`listener`].
//!
//! - **Writes** hold one transaction-scoped advisory lock, so that writers
//!   follow one another as they do on SQLite and every rule sees the
//!   database as the previous writer left it. A write is a few short
//!   statements, so the lock is held for a millisecond or so.
//! - **Reads** run on any pooled connection; a snapshot is a read-only
//!   REPEATABLE READ transaction.
//! - **A lost connection** (the server restarted) is replaced: an
//!   operation that failed before it could commit is run once more on a
//!   new connection, for a while ([`PostgresOptions::retry_for`]). One that
//!   failed while committing is reported, since its outcome is unknown.
//! - **Duty**: one row, `duty`, says which daemon is on duty until when,
//!   by the database's clock (see [`super::Store::claim_duty`]).
//!
//! The store owns a small tokio runtime that drives its connections, so
//! its blocking methods work from any thread, as the SQLite store's do.

mod chats;
mod connect;
mod listener;
mod load;
mod messages;
mod presence;
mod rows;
mod schema;
mod session;

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio_postgres::IsolationLevel;

use super::backend::Backend;
use super::statements::Statements;
use super::wakeups::Wakeups;
use crate::database::DatabaseUrl;
use crate::error::{Error, Result};
use crate::limits::Limits;
pub use schema::POSTGRES_SCHEMA_VERSION;
use session::Session;

/// How a [`PostgresStore`] connects.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// Size limits on names and messages.
    pub limits: Limits,
    /// Most connections this process keeps open, the listener aside.
    pub pool_size: usize,
    /// How long connecting, or waiting for a free pooled connection, may
    /// take before the operation fails (and a web app answers 503).
    pub connect_timeout: Duration,
    /// How long an operation keeps trying while the server is out of reach
    /// (restarting, say) before it fails. Only operations that committed
    /// nothing are tried again, so none is applied twice.
    pub retry_for: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            limits: Limits::default(),
            pool_size: 16,
            connect_timeout: Duration::from_secs(10),
            retry_for: Duration::from_secs(10),
        }
    }
}

/// The PostgreSQL store. Cheap to share behind an `Arc`.
pub struct PostgresStore {
    url: DatabaseUrl,
    options: PostgresOptions,
    pool: Pool,
    wakeups: Wakeups,
    /// Drives the connections and the listener. Always `Some` until
    /// dropped, when it is shut down without blocking (see `Drop`).
    runtime: Option<tokio::runtime::Runtime>,
}

impl PostgresStore {
    /// Connects with default options, creating the schema in an empty
    /// database and refusing one of a newer version.
    pub fn open(url: &DatabaseUrl) -> Result<Self> {
        Self::open_with(url, PostgresOptions::default())
    }

    /// Connects with explicit options.
    pub fn open_with(url: &DatabaseUrl, options: PostgresOptions) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("seshat-postgres")
            .enable_all()
            .build()
            .map_err(|error| Error::Database(Box::new(error)))?;
        match Self::connect(&runtime, url, &options) {
            Ok((pool, wakeups)) => Ok(PostgresStore {
                url: url.clone(),
                options,
                pool,
                wakeups,
                runtime: Some(runtime),
            }),
            Err(error) => {
                // Dropped the usual way, it would panic in async code (see `Drop`).
                runtime.shutdown_background();
                Err(error)
            }
        }
    }

    /// Makes the pool, brings the schema up to date and starts the
    /// listener, on `runtime`.
    fn connect(
        runtime: &tokio::runtime::Runtime,
        url: &DatabaseUrl,
        options: &PostgresOptions,
    ) -> Result<(Pool, Wakeups)> {
        let mut config = url.config();
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.connect_timeout);
        }
        if config.get_application_name().is_none() {
            config.application_name("seshat");
        }
        let tls = connect::tls();
        let pool = {
            let _entered = runtime.enter();
            connect::pool(
                config.clone(),
                tls.clone(),
                options.pool_size,
                options.connect_timeout,
            )?
        };
        // Not `runtime.block_on`: that panics when the caller is async code
        // itself (a web app opening its store in `main`).
        let entered = runtime.enter();
        let found = futures::executor::block_on(async {
            let mut client = pool.get().await?;
            let transaction = client.transaction().await?;
            let found = schema::prepare(&transaction).await?;
            transaction.commit().await?;
            Ok::<_, Error>(found)
        })?;
        if found.is_none() {
            tracing::info!(database = %url, "created the Seshat schema");
        }
        let wakeups = Wakeups::new();
        let (listening, listener_ready) = tokio::sync::oneshot::channel();
        runtime.spawn(listener::run(config, tls, wakeups.clone(), listening));
        futures::executor::block_on(listener_ready)
            .map_err(|_| Error::Database("the listener stopped before it listened".into()))??;
        drop(entered);
        Ok((pool, wakeups))
    }

    /// The database, password left out when shown.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Runs `future` to completion on the calling thread, inside this
    /// store's runtime (which new connections need).
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _entered = self.runtime.as_ref().map(tokio::runtime::Runtime::enter);
        futures::executor::block_on(future)
    }

    /// Runs `attempt`, and again while it fails because the server could
    /// not be reached before anything was committed (a pooled connection
    /// the server closed, a restart in progress), for up to
    /// [`PostgresOptions::retry_for`].
    fn retrying<T>(&self, attempt: impl Fn() -> Result<T, Attempt>) -> Result<T> {
        let give_up = std::time::Instant::now() + self.options.retry_for;
        let mut pause = Duration::from_millis(20);
        loop {
            match attempt() {
                Ok(value) => return Ok(value),
                Err(Attempt::BeforeCommit(error))
                    if error.is_connection_lost() && std::time::Instant::now() < give_up =>
                {
                    tracing::debug!(%error, "PostgreSQL out of reach; trying again");
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
                Err(failed) => return Err(failed.into_error()),
            }
        }
    }
}

/// A runtime dropped the usual way blocks until its tasks end, which
/// tokio forbids inside async code, where a web app drops its last
/// [`crate::Client`]. Shutting it down in the background never blocks:
/// the listener and the connections are simply cancelled.
impl Drop for PostgresStore {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// How far a failed operation got.
enum Attempt {
    /// Nothing was committed.
    BeforeCommit(Error),
    /// The commit was sent; whether it landed is unknown.
    Committing(Error),
}

impl Attempt {
    fn into_error(self) -> Error {
        match self {
            Attempt::BeforeCommit(error) | Attempt::Committing(error) => error,
        }
    }
}

impl From<Error> for Attempt {
    fn from(error: Error) -> Self {
        Attempt::BeforeCommit(error)
    }
}

impl From<tokio_postgres::Error> for Attempt {
    fn from(error: tokio_postgres::Error) -> Self {
        Attempt::BeforeCommit(error.into())
    }
}

impl From<deadpool_postgres::PoolError> for Attempt {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        Attempt::BeforeCommit(error.into())
    }
}

impl Backend for PostgresStore {
    fn limits(&self) -> Limits {
        self.options.limits
    }

    fn write<T>(&self, work: impl Fn(&dyn Statements) -> Result<T>) -> Result<T> {
        self.retrying(|| {
            let mut client = self.block_on(self.pool.get())?;
            let transaction = self.block_on(client.transaction())?;
            self.block_on(
                transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::WRITE_LOCK]),
            )?;
            let value = work(&Session::new(&transaction))?;
            self.block_on(transaction.commit())
                .map_err(|error| Attempt::Committing(error.into()))?;
            Ok(value)
        })
    }

    fn read<T>(&self, work: impl Fn(&dyn Statements) -> Result<T>) -> Result<T> {
        self.retrying(|| {
            let client = self.block_on(self.pool.get())?;
            Ok(work(&Session::new(&client))?)
        })
    }

    fn read_snapshot<T>(&self, work: impl Fn(&dyn Statements) -> Result<T>) -> Result<T> {
        self.retrying(|| {
            let mut client = self.block_on(self.pool.get())?;
            let transaction = self.block_on(
                client
                    .build_transaction()
                    .isolation_level(IsolationLevel::RepeatableRead)
                    .read_only(true)
                    .start(),
            )?;
            let value = work(&Session::new(&transaction))?;
            self.block_on(transaction.commit())?;
            Ok(value)
        })
    }

    fn check(&self) -> Result<()> {
        self.block_on(async {
            let client = self.pool.get().await?;
            match schema::stored_version(&**client).await? {
                Some(_) => Ok(()),
                None => Err(Error::NotASeshatDatabase(format!(
                    "{} has no Seshat version record",
                    self.url
                ))),
            }
        })
    }

    fn wakeups(&self) -> &Wakeups {
        &self.wakeups
    }

    fn claim_duty(&self, holder: &str, lease: Duration) -> Result<bool> {
        let row = self.block_on(async {
            let client = self.pool.get().await?;
            let statement = client
                .prepare_cached(
                    "INSERT INTO duty (id, holder, until)
                     VALUES (1, $1, clock_timestamp() + make_interval(secs => $2))
                     ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
                      WHERE duty.holder = EXCLUDED.holder OR duty.until < clock_timestamp()
                     RETURNING holder",
                )
                .await?;
            Ok::<_, Error>(
                client
                    .query_opt(&statement, &[&holder, &lease.as_secs_f64()])
                    .await?,
            )
        })?;
        Ok(row.is_some())
    }

    fn release_duty(&self, holder: &str) -> Result<()> {
        self.block_on(async {
            let client = self.pool.get().await?;
            client
                .execute(
                    "UPDATE duty SET until = '-infinity' WHERE holder = $1",
                    &[&holder],
                )
                .await?;
            Ok(())
        })
    }

    fn has_standby(&self) -> bool {
        true
    }
}
