//! Real parts for Seshat's integration tests, benchmarks and demo.
//!
//! Nothing here is a mock: tests talk to a real Prosody server over real
//! sockets, through real XMPP clients.
//!
//! # Layout
//!
//! - [`prosody`]: [`Prosody`], a private Prosody server in a temporary
//!   directory on a free loopback port, plain TCP or STARTTLS with a
//!   self-signed certificate; accounts, stop and restart.
//! - [`ejabberd`]: [`Ejabberd`], a private ejabberd (Debian's package) the
//!   same way, for the smoke tests against a second server; stop, kill -9
//!   and restart.
//! - [`postgres`]: [`Postgres`], a private PostgreSQL cluster (Debian's
//!   package) in a temporary directory on a free loopback port, password
//!   authentication on TCP; databases, stop, kill -9 and start again, and
//!   one cluster shared by a whole test binary.
//! - [`server`]: [`XmppServer`], what staff clients and test rigs need of
//!   either server.
//! - [`staff`]: [`StaffClient`], a real XMPP client standing in for a staff
//!   member's Jabber client; it approves subscription requests like a normal
//!   client and lets a test send chat messages, change presence and wait
//!   for what arrives.
//! - [`wait`]: [`wait_until`] and [`wait_until_async`], the standard way to
//!   wait for a condition with a deadline instead of sleeping.
//! - [`ports`]: [`free_port`], a free TCP port on loopback.
//! - [`usage`]: what a process costs (CPU time, resident memory, from
//!   `/proc`) and the open-files limit, for the benchmarks.
//! - [`latency`]: [`Latencies`], percentiles of latency samples, for the
//!   benchmarks' tables.
//! - [`hostile`]: the bad-input corpus, the hostile values every entry
//!   point's corpus test is fed.
//! - [`error`]: [`Error`], everything that can go wrong, in a test
//!   author's terms.
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use seshat_testkit::{Prosody, StaffClient};
//!
//! # async fn example() -> Result<(), seshat_testkit::Error> {
//! let prosody = Prosody::start()?;
//! prosody.register_many(&[("alice", "pw"), ("bob", "pw")])?;
//! let alice = StaffClient::connect(&prosody, "alice", "pw", "test").await?;
//! let mut bob = StaffClient::connect(&prosody, "bob", "pw", "test").await?;
//! alice.send_chat(&prosody.jid("bob"), "hello").await?;
//! let message = bob.next_message(Duration::from_secs(5)).await?;
//! assert_eq!(message.body, "hello");
//! # Ok(())
//! # }
//! ```

pub mod ejabberd;
pub mod error;
pub mod hostile;
pub mod latency;
pub mod metrics;
pub mod ports;
pub mod postgres;
pub mod prosody;
pub mod server;
pub mod staff;
pub mod usage;
pub mod wait;

pub use ejabberd::Ejabberd;
pub use error::Error;
pub use latency::Latencies;
pub use ports::free_port;
pub use postgres::Postgres;
pub use prosody::Prosody;
pub use server::XmppServer;
pub use staff::{ReceivedMessage, ReceivedPresence, StaffClient};
pub use wait::{wait_until, wait_until_async};

/// The XMPP crates this kit is built on, re-exported so that tests use the
/// very same versions (JIDs, presence `Show`, message types).
pub use tokio_xmpp;
pub use xmpp_parsers;
pub use xmpp_parsers::jid::{BareJid, FullJid, Jid};
pub use xmpp_parsers::presence::Show;
