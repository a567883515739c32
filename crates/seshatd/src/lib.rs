//! Seshat's broker daemon: it relays chats between the shared SQLite
//! database (written by the web application through `seshat-client`) and
//! staff members who sit in ordinary Jabber/XMPP clients.
//!
//! ```text
//! Visitor <-> your website <-> database <-> seshatd <-> Jabber server <-> staff
//!                                           ^^^^^^^ this crate
//! ```
//!
//! This crate is GPL-3.0-or-later because of its XMPP dependency; the
//! BSD-licensed `seshat-client` never depends on it.
//!
//! # Layout
//!
//! - [`config`]: reads the `.ini` file (every historical key spelling, the
//!   `seshat_` prefix, optional settings with defaults) into a validated
//!   [`config::Config`].
//! - [`cli`]: the command line, `seshatd <config.ini> <section>`.
//! - [`texts`]: every text the daemon sends to staff, word for word as the
//!   original Seshat wrote it, plus our few additions.
//! - [`commands`]: the staff commands (`!ACCEPT`, `!CANCEL`, `!FINISH`,
//!   `!HELP`, `!STATUS`, `!WAITING`), one file each, and the registry that
//!   parses a message and dispatches it; library users can register their own.
//! - [`xmpp`]: the connection to the XMPP server only: connect, send,
//!   receive, reconnect; no business logic.
//! - [`presence`]: which staff resources are online and available, from
//!   presence stanzas.
//! - [`broker`]: the event loop that ties the store, presence, commands and
//!   the XMPP connection together (offers, relaying, timeouts).
//! - [`daemon`]: start-up and shutdown of the whole process.
//! - [`logging`]: the log on stderr, and the cap that keeps the XMPP
//!   crates' wire dumps (and so the password) out of it at any level.

#![warn(missing_docs)]

pub mod broker;
pub mod cli;
pub mod commands;
pub mod config;
pub mod copy;
pub mod daemon;
pub mod duty;
pub mod logging;
pub mod metrics;
pub mod presence;
pub mod reload;
pub mod service;
pub mod texts;
pub mod xmpp;
