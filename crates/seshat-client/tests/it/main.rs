//! The store's integration tests, one binary with a module per subject (a
//! single link step and a single process per `cargo test` run):
//!
//! - [`store_api`]: the store contract, the client API as a web app and
//!   the daemon use it, on SQLite and on PostgreSQL ([`engines`]);
//! - [`staff_bound_to`]: staff-bound messages for chosen staff members;
//! - [`migration`]: databases of the original Python Seshat and older schemas;
//! - [`postgres`]: what only the PostgreSQL store has (schema versions,
//!   concurrent creation, the copy of an SQLite site);
//! - [`wakeups`]: targeted wake-ups between two stores on one file;
//! - [`processes`]: real processes sharing one file (the binary re-runs
//!   itself as the children);
//! - [`checkpoint`]: the WAL copied back in the background.

/// Runs each test function named, which takes an
/// [`engines::Engine`], once per engine: as `<module>::sqlite::<name>` and
/// `<module>::postgres::<name>`.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(crate::engines::Engine::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $name() { super::$name(crate::engines::Engine::Postgres) })*
        }
    };
}

mod checkpoint;
mod engines;
mod migration;
mod postgres;
mod processes;
mod staff_bound_to;
mod store_api;
mod wakeups;
