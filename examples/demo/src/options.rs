//! The command line: `seshat-demo [--listen ADDR] [--xmpp-port PORT]
//! [--staff-bot] [--bin-dir DIR]`.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::Parser;

/// Where the web app listens unless told otherwise.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// The private XMPP server's port unless told otherwise: fixed, so that a
/// Jabber client set up once keeps working, and not 5222, where a system
/// Prosody installed by the package may already listen.
pub const DEFAULT_XMPP_PORT: u16 = 15222;

/// What the person starting the demo asked for.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(
    name = "seshat-demo",
    version,
    about = "Seshat on this computer: a private XMPP server, seshatd and the example web app, \
             with staff accounts for any Jabber client. Ctrl-C stops everything and deletes \
             what it made."
)]
pub struct Options {
    /// Address and port for the web page [default: 127.0.0.1:8080, or a
    /// free port when 8080 is taken]. Port 0 picks a free one.
    #[arg(long, env = "SESHAT_DEMO_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// Port of the private XMPP server on 127.0.0.1 [default: 15222, or a
    /// free port when it is taken]. Port 0 picks a free one.
    #[arg(long, env = "SESHAT_DEMO_XMPP_PORT", value_name = "PORT")]
    pub xmpp_port: Option<u16>,

    /// Also run an automatic staff member, echo@localhost, that accepts
    /// every chat and repeats what the visitor writes: the whole loop
    /// without a Jabber client.
    #[arg(long)]
    pub staff_bot: bool,

    /// The directory holding seshatd and seshat-webapp [default: the one
    /// this program is in, as cargo builds them].
    #[arg(long, env = "SESHAT_DEMO_BIN_DIR", value_name = "DIR")]
    pub bin_dir: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn everything_is_optional() {
        let options = Options::try_parse_from(["seshat-demo"]).unwrap();
        assert_eq!(options.listen, None);
        assert_eq!(options.xmpp_port, None);
        assert!(!options.staff_bot);
        Options::command().debug_assert();
    }

    #[test]
    fn addresses_ports_and_the_bot_are_read() {
        let options = Options::try_parse_from([
            "seshat-demo",
            "--listen",
            "127.0.0.1:0",
            "--xmpp-port",
            "0",
            "--staff-bot",
        ])
        .unwrap();
        assert_eq!(options.listen, Some("127.0.0.1:0".parse().unwrap()));
        assert_eq!(options.xmpp_port, Some(0));
        assert!(options.staff_bot);
    }
}
