//! Seshat's client library: the shared chat database and the API a web
//! application calls to let visitors chat with staff who sit in their
//! Jabber clients.
//!
//! ```text
//! Visitor <-> your website <-> broker bot <-> Jabber server <-> staff
//!             ^^^^^^^^^^^^ this crate, and the bot's half of the database
//! ```
//!
//! # Layout
//!
//! - [`client`]: [`Client`], the async API for web handlers: start a chat,
//!   send, receive (all pending messages, or wait for the next), end, ask
//!   whether anyone is available.
//! - [`store`]: the [`Store`] trait, the one seam to the database, and
//!   [`SqliteStore`], which holds every SQL statement of the system
//!   (schema, migrations, queries) and the change detector that wakes
//!   the waiters of exactly the chats a commit changed, within
//!   milliseconds, whichever process made it ([`Wakeups`], [`Topic`]).
//! - [`model`], [`status`], [`token`]: the values that cross the API.
//! - [`texts`]: the notices queued to visitors, word for word as the
//!   original Seshat wrote them.
//! - [`limits`]: input checks (sizes, blank text, characters XMPP cannot carry).
//! - [`error`]: [`Error`], what can go wrong, in terms a caller can act on.
//! - [`signals`]: SIGTERM and Ctrl-C, on which both programs stop.
//! - [`settings`]: Seshat's section of the ini file, read by the same
//!   rules in the daemon and the web application, and [`staff_names`],
//!   the names visitors see for staff, which both read from it.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use seshat_client::{Client, SendOutcome};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), seshat_client::Error> {
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("seshat.db");
//! let client = Client::open(&path)?;
//! let chat = client.start_chat("Anonymous", Some("Coming from page /pricing")).await?;
//!
//! // Nobody accepted yet: the message waits, and the visitor is told so.
//! assert_eq!(client.send(&chat.token, "Hello?").await?, SendOutcome::HeldUntilAccepted);
//!
//! let messages = client.receive_waiting(&chat.token, Duration::from_secs(1)).await?;
//! assert_eq!(messages[0].text, "Your chat request has been sent. Please wait while it is answered.");
//! assert_eq!(messages[1].text, "Your message will be delivered when the chat begins.");
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

pub mod client;
pub mod clock;
pub mod database;
pub mod error;
pub mod limits;
#[cfg(feature = "metrics")]
pub mod metrics;
pub mod model;
pub mod settings;
pub mod signals;
pub mod staff_names;
pub mod status;
pub mod store;
pub mod texts;
pub mod token;

pub use client::Client;
pub use database::{Database, DatabaseUrl};
pub use error::{Error, Result};
pub use limits::Limits;
pub use model::{
    AcceptOutcome, Author, CancelOutcome, Chat, HistoryEntry, Inbox, NewChat, SendOutcome,
    StaffMessage, VisitorMessage,
};
pub use staff_names::StaffNames;
pub use status::ChatStatus;
pub use store::{
    PostgresOptions, PostgresStore, SqliteOptions, SqliteStore, Store, Subscription, Topic,
    Wakeups, POSTGRES_SCHEMA_VERSION, SCHEMA_VERSION,
};
pub use token::ChatToken;
