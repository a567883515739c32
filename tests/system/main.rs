//! The end-to-end suite, one binary: the whole system as a site runs it.
//! Every part is a real process (Prosody, `seshatd`, `seshat-webapp`, the
//! demo launcher), staff sit in real XMPP clients, and visitors use the
//! widget in headless Chromium or a real WebSocket.
//!
//! - [`browser`]: the widget over long polls, at desktop and phone sizes;
//! - [`browser_socket`]: the widget in WebSocket mode;
//! - [`browser_name`]: the name prompt and staff names, on a phone;
//! - [`browser_queue`]: a visitor waiting in line sees their place;
//! - [`websocket`]: Chip's WebSocket protocol with every real part running;
//! - [`metrics`]: both programs' `/metrics` and the web app's `/healthz`
//!   during a chat;
//! - [`postgres`]: two web apps and two daemons (one on duty, one
//!   standing by) on one PostgreSQL, a daemon killed, PostgreSQL restarted;
//! - [`demo`]: `./scripts/demo` as a newcomer runs it;
//! - [`package`]: the Debian package installed, run as the `seshat` user
//!   and purged (as root; `./scripts/package` builds it first).
//!
//! Needs Debian's `chromium` and `chromium-driver`, jQuery from `npm ci`,
//! and the workspace's programs built beside this binary
//! ([`seshat_system_tests::binaries`]); `./scripts/test` provides all of it.

mod browser;
mod browser_name;
mod browser_queue;
mod browser_socket;
mod demo;
mod metrics;
mod package;
mod postgres;
mod websocket;
