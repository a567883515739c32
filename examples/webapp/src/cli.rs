//! The command line: `seshat-webapp CONFIG SECTION [--listen ADDR]`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// Seshat's example web app: a demo page with the chat widget, backed by
/// the database that seshatd uses.
#[derive(Debug, Parser)]
#[command(name = "seshat-webapp", version)]
pub struct Arguments {
    /// The ini file seshatd reads (keys sqlitedb, rate_limit_per_minute,
    /// static_dir, jquery_dir, staff_names, client_address_header, each
    /// also with a seshat_ prefix; see seshat.sample.ini).
    pub config: PathBuf,
    /// The section of the file to read, such as Seshat.
    pub section: String,
    /// Address and port to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn the_listen_address_defaults_to_loopback() {
        let arguments = Arguments::try_parse_from(["seshat-webapp", "s.ini", "Seshat"]).unwrap();
        assert_eq!(arguments.listen, "127.0.0.1:8080".parse().unwrap());
        Arguments::command().debug_assert();
    }
}
