//! `cargo run -p xtask -- man DIR`: Seshat's build chores that need the
//! programs' own code, run by `./scripts/package`.
//!
//! # Layout
//!
//! - [`man`]: the manual pages of `seshatd` and `seshat-webapp`, rendered
//!   from the very `clap` definitions the programs parse their arguments
//!   with, so a page never drifts from `--help`.
//!
//! A workspace binary rather than a `build.rs`: the pages are needed only
//! when packaging, and `seshatd`'s command line lives in its library
//! (with its section default from the config module), which a build
//! script of that same crate cannot use.

mod man;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Seshat's build chores.
#[derive(Debug, Parser)]
#[command(name = "xtask")]
enum Chore {
    /// Write seshatd.1 and seshat-webapp.1 into DIR (created if missing).
    Man {
        /// Where the pages go, such as target/man.
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    match Chore::parse() {
        Chore::Man { dir } => match man::write_pages(&dir) {
            Ok(pages) => {
                for page in pages {
                    println!("{}", page.display());
                }
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("xtask man: {error}");
                ExitCode::FAILURE
            }
        },
    }
}
