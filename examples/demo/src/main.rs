//! `seshat-demo`: Seshat running on this computer in one command. It
//! starts a private Prosody on loopback with a bot account and two staff
//! accounts, then `seshatd` and the example web app (`seshat-webapp`) on
//! one ini file, prints the page to open and the staff accounts to log in
//! with from any Jabber client, and on Ctrl-C (or SIGTERM) stops it all
//! and deletes what it made. `./scripts/demo` installs what is missing,
//! builds, and runs this.
//!
//! Exit status: 0 when stopped by Ctrl-C or SIGTERM, 1 when something
//! could not start or a part stopped by itself (the message says which).
//!
//! # Layout
//!
//! - `options`: the command line.
//! - `launcher`: start-up in order, the wait, and shutdown in order.
//! - `children`: `seshatd` and `seshat-webapp` as child processes, their
//!   logs, readiness and stopping.
//! - `ports`: the usual ports when free, free ones when not.
//! - `accounts`, `ini`: the demo's fixed accounts and its ini file.
//! - `banner`: what is printed once everything runs.
//! - `echo`: `--staff-bot`, an automatic staff member that echoes.
//! - `error`: everything that can go wrong, in a newcomer's terms.

mod accounts;
mod banner;
mod children;
mod echo;
mod error;
mod ini;
mod launcher;
mod options;
mod ports;

use std::process::ExitCode;

use clap::Parser as _;

use crate::options::Options;

fn main() -> ExitCode {
    let options = Options::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("seshat-demo: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(launcher::run(options))
}
