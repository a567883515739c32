//! `seshatd CONFIG [SECTION]`: the Seshat broker daemon. Everything here is
//! start-up plumbing; the daemon itself is the library's [`Daemon`].
//!
//! Exit status: 0 after SIGTERM or Ctrl-C (and for a valid
//! `--check-config`, or a finished `--copy-from-sqlite`), 1 when the
//! daemon fails while running (or `--check-config` finds the
//! configuration invalid, or the copy fails), 2 when the configuration
//! cannot be used.

use std::process::ExitCode;

use clap::Parser;
use seshatd::cli::Cli;
use seshatd::config::Config;
use seshatd::daemon::Daemon;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(&cli.config, &cli.section) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("seshatd: {error}");
            return ExitCode::from(if cli.check_config { 1 } else { 2 });
        }
    };
    if cli.check_config {
        print!("{}", config.effective_settings());
        println!(
            "# role: {}",
            seshatd::daemon::role_description(config.database.allows_standby())
        );
        return ExitCode::SUCCESS;
    }
    if let Some(source) = &cli.copy_from_sqlite {
        return match seshatd::copy::copy_from_sqlite(source, &config) {
            Ok(report) => {
                println!("{report}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("seshatd: {error}");
                ExitCode::from(1)
            }
        };
    }

    // The configuration checked that the filter parses.
    let log_level_setter = seshatd::logging::init(&config.log_level, config.log_format);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("seshatd: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let daemon = Daemon::new(config).with_log_level_setter(log_level_setter);
    match runtime.block_on(daemon.run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::from(1)
        }
    }
}
