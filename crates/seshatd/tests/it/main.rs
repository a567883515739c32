//! The daemon's integration tests, one binary with a module per subject.
//! Each test runs the real `seshatd` binary against a real XMPP server with
//! staff as real XMPP clients ([`common`] is the rig they share):
//!
//! - [`session`]: whole chats, the README's example session included;
//! - [`commands`]: every staff command and every error reply;
//! - [`presence`]: who gets offered a chat;
//! - [`agent`]: the line while staff are busy, rescuing a visitor whose
//!   handler dropped, stale offers and staff names;
//! - [`cli`]: the command line and `--check-config`;
//! - [`metrics`]: the Prometheus endpoint during a chat;
//! - [`reload`], [`service`]: SIGHUP, and readiness and watchdog for systemd;
//! - [`library`]: the daemon run from a program of its own;
//! - [`resilience`], [`keepalive`], [`after_kill`]: restarts, frozen
//!   servers and `kill -9`;
//! - [`volume`]: a thousand messages each way;
//! - [`corpus`]: the bad-input corpus on every ini key and command;
//! - [`log_secrets`]: no secret in a trace log;
//! - [`ejabberd`]: the second server sites commonly run.
//!
//! The TLS test is a binary of its own (`tests/tls.rs`): it sets
//! `SSL_CERT_FILE` for its whole process.

mod after_kill;
mod agent;
mod cli;
mod commands;
mod common;
mod corpus;
mod ejabberd;
mod keepalive;
mod library;
mod log_secrets;
mod metrics;
mod presence;
mod reload;
mod resilience;
mod service;
mod session;
mod tls_ca;
mod volume;
