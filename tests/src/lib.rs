//! What Seshat's end-to-end suite stands on. The suite itself is the test
//! binary `system` (`tests/system/`): the whole system as a site runs it,
//! every part a real process, staff in real XMPP clients, visitors in
//! headless Chromium or on real WebSockets.
//!
//! # Layout
//!
//! - [`binaries`]: finds the workspace's programs (`seshatd`,
//!   `seshat-webapp`, `seshat-demo`) that Cargo built beside the test.
//! - [`deployment`]: Prosody, `seshatd`, `seshat-webapp` and chromedriver,
//!   each in its own process, killed when its guard is dropped.
//! - [`browser`]: driving the widget in Chromium through WebDriver.
//! - [`socket_visitor`]: a visitor on a real WebSocket at `/wc/connect`.
//! - [`http_visitor`]: a visitor without a browser, on `POST /chat/start`
//!   and long polls, as the widget talks.
//!
//! The crates keep their own unit and integration tests; this package holds
//! only what needs the whole system.

#![warn(missing_docs)]

pub mod binaries;
pub mod browser;
pub mod deployment;
pub mod http_visitor;
pub mod socket_visitor;
