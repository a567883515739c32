//! The store's integration tests, one binary with a module per subject (a
//! single link step and a single process per `cargo test` run):
//!
//! - [`store_api`]: the client API as a web app and the daemon use it;
//! - [`staff_bound_to`]: staff-bound messages for chosen staff members;
//! - [`migration`]: databases of the original Python Seshat and older schemas;
//! - [`wakeups`]: targeted wake-ups between two stores on one file;
//! - [`processes`]: real processes sharing one file (the binary re-runs
//!   itself as the children);
//! - [`checkpoint`]: the WAL copied back in the background.

mod checkpoint;
mod migration;
mod processes;
mod staff_bound_to;
mod store_api;
mod wakeups;
