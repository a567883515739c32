//! The web routes' integration tests, one binary with a module per subject,
//! each against a real server on a real port over a real SQLite file, with
//! a second store on the same file playing the daemon's part:
//!
//! - [`contract`]: the HTTP contract, request by request;
//! - [`long_poll`]: `recvmessage?wait=S` answers as soon as staff reply;
//! - [`websocket`]: the WebSocket transport from the outside;
//! - [`protections`]: origin checks, rate limits, body caps;
//! - [`staff_names`]: the long poll names the staff member who wrote;
//! - [`start_email`]: `POST /start` with the visitor's email address;
//! - [`corpus`]: the bad-input corpus on every route and command;
//! - [`support`]: the server, client and daemon stand-in they share.

mod contract;
mod corpus;
mod long_poll;
mod protections;
mod staff_names;
mod start_email;
mod support;
mod websocket;
