//! `seshatd --copy-from-sqlite FILE CONFIG [SECTION]`: moving a site from
//! its SQLite file to the PostgreSQL database the configuration names.
//! The steps around it (stop both programs, copy, switch the ini file from
//! `sqlitedb` to `database`, start them again) are in the README.

use std::path::{Path, PathBuf};

use seshat_client::store::copy::{copy_sqlite_to_postgres, CopyReport};
use seshat_client::Database;

use crate::config::Config;

/// Why the copy did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The configuration names an SQLite file, not a PostgreSQL database.
    #[error(
        "{} [{section}]: the copy goes into the PostgreSQL database named by `database`, \
         but the section sets `sqlitedb`; set `database` (and not `sqlitedb`) first",
        file.display()
    )]
    NoPostgresTarget {
        /// The configuration file.
        file: PathBuf,
        /// Its section.
        section: String,
    },
    /// Reading the source or writing the target failed; nothing was
    /// committed to the target.
    #[error("cannot copy {} into {target}: {source}", from.display())]
    Copy {
        /// The SQLite file.
        from: PathBuf,
        /// The target, shown without its password.
        target: Database,
        /// What went wrong.
        #[source]
        source: seshat_client::Error,
    },
}

/// Copies the SQLite database `source` into `config`'s empty PostgreSQL
/// database and says what it copied.
pub fn copy_from_sqlite(source: &Path, config: &Config) -> Result<CopyReport, CopyError> {
    let Database::Postgres(url) = &config.database else {
        return Err(CopyError::NoPostgresTarget {
            file: config.file.clone(),
            section: config.section.clone(),
        });
    };
    copy_sqlite_to_postgres(source, url).map_err(|error| CopyError::Copy {
        from: source.to_path_buf(),
        target: config.database.clone(),
        source: error,
    })
}
