//! The part of `seshat-webapp` that other programs need: its command line
//! ([`cli::Arguments`]), from which `xtask man` writes its manual page.
//! The application itself is the binary (`src/main.rs`).

#![warn(missing_docs)]

pub mod cli;
