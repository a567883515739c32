//! Where and how the bot connects: the `server` and `tls` settings.

use std::fmt;

/// The XMPP client port every server listens on unless told otherwise.
pub const DEFAULT_XMPP_PORT: u16 = 5222;

/// A host and TCP port to connect to (the `server` setting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddress {
    /// Host name or IP address, without brackets for IPv6.
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl ServerAddress {
    /// Reads `HOST`, `HOST:PORT`, `[IPV6]` or `[IPV6]:PORT`; the port
    /// defaults to 5222. Returns the problem in words on failure.
    pub fn parse(value: &str) -> Result<Self, String> {
        let (host, port) = if let Some(bracketed) = value.strip_prefix('[') {
            let (host, after) = bracketed
                .split_once(']')
                .ok_or_else(|| format!("\"{value}\" has '[' without ']'"))?;
            match after {
                "" => (host, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None => return Err(format!("\"{value}\" is not HOST:PORT")),
                },
            }
        } else {
            match value.split_once(':') {
                Some((_, rest)) if rest.contains(':') => {
                    return Err(format!(
                        "\"{value}\" is not HOST:PORT (write IPv6 addresses as [ADDRESS]:PORT)"
                    ))
                }
                Some((host, port)) => (host, Some(port)),
                None => (value, None),
            }
        };
        if host.is_empty() || host.chars().any(char::is_whitespace) {
            return Err(format!("\"{value}\" does not name a host"));
        }
        let port = match port {
            None => DEFAULT_XMPP_PORT,
            Some(port) => match port.parse::<u16>() {
                Ok(port) if port != 0 => port,
                _ => return Err(format!("\"{port}\" is not a TCP port (1-65535)")),
            },
        };
        Ok(ServerAddress {
            host: host.to_owned(),
            port,
        })
    }
}

impl fmt::Display for ServerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Whether the connection to the XMPP server is encrypted (the `tls` setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsPolicy {
    /// `starttls`, the default: upgrade to TLS and verify the server's
    /// certificate; never fall back to plain text.
    StartTls,
    /// `none`: plain TCP, password and chats in clear text. Only for tests
    /// against a server on the loopback interface; the daemon logs a warning.
    PlainTcp,
}

impl TlsPolicy {
    /// Reads `starttls` or `none`, ignoring case.
    pub fn parse(value: &str) -> Result<Self, String> {
        if value.eq_ignore_ascii_case("starttls") {
            Ok(TlsPolicy::StartTls)
        } else if value.eq_ignore_ascii_case("none") {
            Ok(TlsPolicy::PlainTcp)
        } else {
            Err(format!("\"{value}\" is not one of: starttls, none"))
        }
    }

    /// The spelling used in the configuration file.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsPolicy::StartTls => "starttls",
            TlsPolicy::PlainTcp => "none",
        }
    }
}

impl fmt::Display for TlsPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(host: &str, port: u16) -> ServerAddress {
        ServerAddress {
            host: host.to_owned(),
            port,
        }
    }

    #[test]
    fn server_addresses_in_every_form() {
        assert_eq!(
            ServerAddress::parse("xmpp.example.com"),
            Ok(address("xmpp.example.com", 5222))
        );
        assert_eq!(
            ServerAddress::parse("127.0.0.1:15222"),
            Ok(address("127.0.0.1", 15222))
        );
        assert_eq!(ServerAddress::parse("[::1]:5223"), Ok(address("::1", 5223)));
        assert_eq!(ServerAddress::parse("[::1]"), Ok(address("::1", 5222)));
        assert_eq!(address("::1", 5223).to_string(), "[::1]:5223");
        assert_eq!(address("example.com", 5222).to_string(), "example.com:5222");
    }

    #[test]
    fn bad_server_addresses_say_why() {
        for (value, problem) in [
            ("example.com:0", "\"0\" is not a TCP port (1-65535)"),
            ("example.com:99999", "\"99999\" is not a TCP port (1-65535)"),
            ("example.com:http", "\"http\" is not a TCP port (1-65535)"),
            (":5222", "\":5222\" does not name a host"),
            ("ex ample.com", "\"ex ample.com\" does not name a host"),
            (
                "::1:5222",
                "\"::1:5222\" is not HOST:PORT (write IPv6 addresses as [ADDRESS]:PORT)",
            ),
            ("[::1", "\"[::1\" has '[' without ']'"),
            ("[::1]5222", "\"[::1]5222\" is not HOST:PORT"),
        ] {
            assert_eq!(
                ServerAddress::parse(value),
                Err(problem.to_owned()),
                "{value}"
            );
        }
    }

    #[test]
    fn tls_policies() {
        assert_eq!(TlsPolicy::parse("starttls"), Ok(TlsPolicy::StartTls));
        assert_eq!(TlsPolicy::parse("STARTTLS"), Ok(TlsPolicy::StartTls));
        assert_eq!(TlsPolicy::parse("none"), Ok(TlsPolicy::PlainTcp));
        assert_eq!(
            TlsPolicy::parse("tls"),
            Err("\"tls\" is not one of: starttls, none".to_owned())
        );
        assert_eq!(TlsPolicy::PlainTcp.to_string(), "none");
    }
}
