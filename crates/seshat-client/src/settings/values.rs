//! Value readers for keys both programs read, so that each reads them the
//! same way.

use std::net::SocketAddr;

/// Reads `HOST:PORT` with a numeric host, such as `127.0.0.1:9464` or
/// `[::1]:9464`: where to listen (`metrics_listen`).
pub fn listen_address(value: &str) -> Result<SocketAddr, String> {
    value
        .parse()
        .map_err(|_| format!("\"{value}\" is not an address to listen on, such as 127.0.0.1:9464"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_numeric_addresses_with_a_port_are_listened_on() {
        assert_eq!(
            listen_address("[::1]:9464").unwrap(),
            "[::1]:9464".parse::<SocketAddr>().unwrap()
        );
        assert!(listen_address("localhost:9464").is_err());
        assert!(listen_address("127.0.0.1").is_err());
    }
}
