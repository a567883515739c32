//! Where the shared store lives: an SQLite file (`sqlitedb`) or a
//! PostgreSQL server (`database`), and opening it.
//!
//! Both programs read the same ini key into a [`Database`] and open it
//! with [`Database::open`], so they always agree on the store. A
//! [`DatabaseUrl`] never shows its password: its `Display` and `Debug`
//! forms leave it out, so it cannot reach a log or `--check-config`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::Result;
use crate::limits::Limits;
use crate::store::{PostgresOptions, PostgresStore, SqliteOptions, SqliteStore, Store};

/// The configured store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file shared by the programs of one host (`sqlitedb`).
    Sqlite(PathBuf),
    /// A PostgreSQL database that programs on several hosts share (`database`).
    Postgres(DatabaseUrl),
}

impl Database {
    /// Whether programs on several hosts can share this store, so that a
    /// second daemon can stand by (PostgreSQL, not SQLite).
    pub fn allows_standby(&self) -> bool {
        matches!(self, Database::Postgres(_))
    }

    /// Opens the store (creating or migrating its schema) with `limits`.
    pub fn open(&self, limits: Limits) -> Result<Arc<dyn Store>> {
        Ok(match self {
            Database::Sqlite(path) => Arc::new(SqliteStore::open_with(
                path,
                SqliteOptions {
                    limits,
                    ..SqliteOptions::default()
                },
            )?),
            Database::Postgres(url) => Arc::new(PostgresStore::open_with(
                url,
                PostgresOptions {
                    limits,
                    ..PostgresOptions::default()
                },
            )?),
        })
    }
}

impl fmt::Display for Database {
    /// The file, or the URL without its password.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(formatter, "{}", path.display()),
            Database::Postgres(url) => url.fmt(formatter),
        }
    }
}

/// Why a `database` value is not a PostgreSQL connection string.
#[derive(Debug, thiserror::Error)]
#[error(
    "not a PostgreSQL connection string (postgresql://user:password@host:port/dbname): {reason}"
)]
pub struct InvalidDatabaseUrl {
    reason: String,
}

/// A PostgreSQL connection string, in either libpq form: a URL
/// (`postgresql://user:password@host:port/dbname?sslmode=require`) or
/// `key=value` pairs (`host=db user=seshat password=... dbname=seshat`).
///
/// Shown, it reads as a URL without the password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    /// As written, password included: only for connecting.
    written: String,
    /// The same, password left out: for everything else.
    shown: String,
}

impl DatabaseUrl {
    /// The parsed connection settings, password included.
    pub fn config(&self) -> tokio_postgres::Config {
        self.written
            .parse()
            .expect("checked when the DatabaseUrl was made")
    }

    /// The connection string exactly as written, password included. Never
    /// log it; `Display` is the form to show.
    pub fn expose_secret(&self) -> &str {
        &self.written
    }
}

impl FromStr for DatabaseUrl {
    type Err = InvalidDatabaseUrl;

    fn from_str(written: &str) -> Result<Self, Self::Err> {
        let written = written.trim();
        let looks_like_url =
            written.starts_with("postgresql://") || written.starts_with("postgres://");
        if !looks_like_url && !written.contains('=') {
            return Err(InvalidDatabaseUrl {
                reason: "it starts with neither postgresql:// nor a key=value pair".to_owned(),
            });
        }
        let config: tokio_postgres::Config =
            written.parse().map_err(|error: tokio_postgres::Error| {
                // The parser's message names the option it refused, never
                // the value, so it cannot carry the password.
                InvalidDatabaseUrl {
                    reason: error.to_string(),
                }
            })?;
        Ok(DatabaseUrl {
            written: written.to_owned(),
            shown: shown_form(&config),
        })
    }
}

/// `config` as a URL without its password.
fn shown_form(config: &tokio_postgres::Config) -> String {
    let mut shown = String::from("postgresql://");
    if let Some(user) = config.get_user() {
        shown.push_str(user);
        if config.get_password().is_some() {
            shown.push_str(":***");
        }
        shown.push('@');
    }
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let name = match host {
                tokio_postgres::config::Host::Tcp(name) => name.clone(),
                tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
            };
            match ports.get(i).or(ports.first()) {
                Some(port) => format!("{name}:{port}"),
                None => name,
            }
        })
        .collect();
    shown.push_str(&hosts.join(","));
    shown.push('/');
    shown.push_str(config.get_dbname().unwrap_or(""));
    let ssl_mode = match config.get_ssl_mode() {
        tokio_postgres::config::SslMode::Disable => "disable",
        tokio_postgres::config::SslMode::Require => "require",
        _ => "prefer",
    };
    shown.push_str("?sslmode=");
    shown.push_str(ssl_mode);
    shown
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.shown)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "DatabaseUrl({})", self.shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_shown() {
        for written in [
            "postgresql://seshat:hunter2@db.example.com:5433/chat?sslmode=require",
            "host=db.example.com port=5433 user=seshat password=hunter2 dbname=chat sslmode=require",
        ] {
            let url: DatabaseUrl = written.parse().unwrap();
            let shown = format!("{url} {url:?} {:?}", Database::Postgres(url.clone()));
            assert!(!shown.contains("hunter2"), "{shown}");
            assert_eq!(
                url.to_string(),
                "postgresql://seshat:***@db.example.com:5433/chat?sslmode=require"
            );
            assert_eq!(url.config().get_password(), Some(&b"hunter2"[..]));
        }
    }

    #[test]
    fn what_is_no_connection_string_is_refused_with_a_reason() {
        for bad in [
            "seshat.db",
            "postgresql://seshat@db/chat?sslmode=sometimes",
            "postgresql://seshat@db/chat?colour=blue",
        ] {
            let error = bad.parse::<DatabaseUrl>().unwrap_err().to_string();
            assert!(
                error.starts_with("not a PostgreSQL connection string"),
                "{error}"
            );
        }
    }
}
