//! The two stores the contract runs on, each on a real database: an
//! SQLite file in a temporary directory, or a fresh database on the test
//! kit's private PostgreSQL server.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use seshat_client::{
    DatabaseUrl, Limits, PostgresOptions, PostgresStore, SqliteOptions, SqliteStore, Store,
};
use seshat_testkit::Postgres;

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A store on a database of its own, and a way to look at its tables.
pub struct Fixture {
    pub store: Box<dyn Store>,
    database: Database,
}

enum Database {
    Sqlite {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres {
        name: String,
        url: DatabaseUrl,
    },
}

/// Names the databases of one test binary apart.
static DATABASES: AtomicUsize = AtomicUsize::new(0);

impl Fixture {
    /// A new, empty store on `engine` with `limits`.
    pub fn open(engine: Engine, limits: Limits) -> Fixture {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("seshat.db");
                let store = SqliteStore::open_with(
                    &path,
                    SqliteOptions {
                        limits,
                        ..SqliteOptions::default()
                    },
                )
                .unwrap();
                Fixture {
                    store: Box::new(store),
                    database: Database::Sqlite { _dir: dir, path },
                }
            }
            Engine::Postgres => {
                let (name, url) = new_postgres_database();
                let store = PostgresStore::open_with(
                    &url,
                    PostgresOptions {
                        limits,
                        ..PostgresOptions::default()
                    },
                )
                .unwrap();
                Fixture {
                    store: Box::new(store),
                    database: Database::Postgres { name, url },
                }
            }
        }
    }

    /// The SQLite file; panics for PostgreSQL.
    pub fn sqlite_path(&self) -> &Path {
        match &self.database {
            Database::Sqlite { path, .. } => path,
            Database::Postgres { .. } => panic!("not an SQLite fixture"),
        }
    }

    /// The PostgreSQL database; panics for SQLite.
    pub fn postgres_url(&self) -> &DatabaseUrl {
        match &self.database {
            Database::Postgres { url, .. } => url,
            Database::Sqlite { .. } => panic!("not a PostgreSQL fixture"),
        }
    }

    /// Runs SQL as another program would, outside the store.
    pub fn execute_raw(&self, sql: &str) {
        match &self.database {
            Database::Sqlite { path, .. } => rusqlite::Connection::open(path)
                .unwrap()
                .execute_batch(sql)
                .unwrap(),
            Database::Postgres { name, .. } => {
                Postgres::shared().psql_in(name, sql).unwrap();
            }
        }
    }

    /// How many rows `table` has.
    pub fn count(&self, table: &str) -> i64 {
        let query = format!("SELECT count(*) FROM {table}");
        match &self.database {
            Database::Sqlite { path, .. } => rusqlite::Connection::open(path)
                .unwrap()
                .query_row(&query, [], |row| row.get(0))
                .unwrap(),
            Database::Postgres { name, .. } => Postgres::shared()
                .psql_in(name, &query)
                .unwrap()
                .trim()
                .parse()
                .unwrap(),
        }
    }
}

/// A new empty database on the shared private server: its name and URL.
pub fn new_postgres_database() -> (String, DatabaseUrl) {
    let name = format!(
        "contract_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::SeqCst)
    );
    let url = Postgres::shared().create_database(&name).unwrap();
    (name, url.parse().unwrap())
}
