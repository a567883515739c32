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

/// Reads a yes/no setting the way Python's ConfigParser did: `true`,
/// `yes`, `on`, `1` or `false`, `no`, `off`, `0`, in any case.
pub fn boolean(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(format!(
            "\"{value}\" is not true or false (also accepted: yes/no, on/off, 1/0)"
        )),
    }
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

    #[test]
    fn yes_and_no_are_read_as_configparser_read_them() {
        for yes in ["true", "Yes", "ON", "1"] {
            assert_eq!(boolean(yes), Ok(true));
        }
        for no in ["false", "no", "Off", "0"] {
            assert_eq!(boolean(no), Ok(false));
        }
        assert!(boolean("maybe").is_err());
    }
}
