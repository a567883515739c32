//! Which store the section names: `sqlitedb` (an SQLite file, one host)
//! or `database` (a PostgreSQL connection string, several hosts). Both
//! programs read it here, so they always agree.

use std::path::PathBuf;

use super::error::SettingsError;
use super::keys;
use super::section::IniSection;
use crate::database::{Database, DatabaseUrl};

/// The store the section configures: exactly one of `sqlitedb` and
/// `database` must be set. A refused `database` value is described
/// without its password.
pub fn read_database(section: &IniSection) -> Result<Database, SettingsError> {
    let set = |key| section.get(key).filter(|found| !found.value.is_empty());
    match (set(&keys::SQLITEDB), set(&keys::DATABASE)) {
        (Some(sqlite), Some(postgres)) => Err(section.error(
            postgres.key,
            format!(
                "is set together with {}; set only one: {} for an SQLite file, \
                 or {} for a PostgreSQL database",
                sqlite.key, sqlite.key, postgres.key
            ),
        )),
        (Some(sqlite), None) => Ok(Database::Sqlite(PathBuf::from(sqlite.value))),
        (None, Some(postgres)) => section.check(postgres, |value| {
            value
                .parse::<DatabaseUrl>()
                .map(Database::Postgres)
                .map_err(|error| error.to_string())
        }),
        (None, None) => match section
            .get(&keys::SQLITEDB)
            .or_else(|| section.get(&keys::DATABASE))
        {
            Some(empty) => Err(section.error(empty.key, "is empty")),
            None => Err(section.error(
                keys::SQLITEDB.main_name(),
                "missing; set sqlitedb (an SQLite file) or database \
                 (a PostgreSQL connection string), either with a seshat_ prefix or without",
            )),
        },
    }
}
