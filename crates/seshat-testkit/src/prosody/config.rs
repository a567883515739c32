//! The Lua configuration file of a private Prosody instance.

use std::fmt::Write as _;
use std::path::Path;

use super::cert::TlsFiles;

/// The single virtual host every instance serves.
pub(crate) const DOMAIN: &str = "localhost";

/// Renders the configuration for an instance living in `dir`, listening for
/// clients on 127.0.0.1:`port` only.
///
/// Without `tls` the server speaks plain TCP (loopback tests); with it, the
/// server offers STARTTLS with the given certificate and refuses clients
/// that do not use it, as in production. With `only_plain_sasl` it offers
/// no SASL mechanism but PLAIN, so a client's `<auth>` carries the
/// password itself (base64-encoded).
pub(crate) fn render(
    dir: &Path,
    port: u16,
    tls: Option<&TlsFiles>,
    only_plain_sasl: bool,
) -> String {
    let path = |name: &str| lua_string(&dir.join(name).to_string_lossy());
    let mut config = String::new();
    // Writing to a String cannot fail, hence the unwraps below.
    writeln!(config, "pidfile = {}", path("prosody.pid")).unwrap();
    writeln!(config, "data_path = {}", path("data")).unwrap();
    // Pointing at our own directory silences the "no certificates" error in
    // plain mode, and lets Prosody find localhost.crt/.key in TLS mode.
    writeln!(
        config,
        "certificates = {}",
        lua_string(&dir.to_string_lossy())
    )
    .unwrap();
    writeln!(config, "log = {{ info = {} }}", path("prosody.log")).unwrap();
    // Tests may run as root (containers); Prosody refuses that by default.
    config.push_str("run_as_root = true\n");
    config.push_str("interfaces = { \"127.0.0.1\" }\n");
    writeln!(config, "c2s_ports = {{ {port} }}").unwrap();
    // Every other listener off: nothing to collide with other instances.
    config.push_str(
        "s2s_ports = { }\n\
         c2s_direct_tls_ports = { }\n\
         legacy_ssl_ports = { }\n\
         http_ports = { }\n\
         https_ports = { }\n",
    );
    match tls {
        None => config.push_str(
            "c2s_require_encryption = false\n\
             allow_unencrypted_plain_auth = true\n",
        ),
        Some(files) => {
            writeln!(
                config,
                "ssl = {{ certificate = {}; key = {} }}",
                lua_string(&files.certificate.to_string_lossy()),
                lua_string(&files.key.to_string_lossy()),
            )
            .unwrap();
            config.push_str(
                "c2s_require_encryption = true\n\
                 allow_unencrypted_plain_auth = false\n",
            );
        }
    }
    config.push_str("authentication = \"internal_plain\"\n");
    if only_plain_sasl {
        config.push_str(
            "disable_sasl_mechanisms = { \"SCRAM-SHA-1\"; \"SCRAM-SHA-1-PLUS\"; \"SCRAM-SHA-256\"; \"SCRAM-SHA-256-PLUS\"; \"DIGEST-MD5\" }\n",
        );
    }
    // mod_tls offers STARTTLS; it is not loaded unless listed.
    let tls_module = if tls.is_some() { " \"tls\";" } else { "" };
    writeln!(
        config,
        "modules_enabled = {{ \"roster\"; \"saslauth\";{tls_module} \"disco\"; \"ping\"; \
         \"presence\"; \"posix\"; \"carbons\"; \"smacks\" }}"
    )
    .unwrap();
    writeln!(config, "VirtualHost {}", lua_string(DOMAIN)).unwrap();
    config
}

/// Quotes `text` as a Lua string literal.
fn lua_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn plain_config_listens_on_the_given_port_without_encryption() {
        let config = render(Path::new("/tmp/x"), 45678, None, false);
        assert!(config.contains("c2s_ports = { 45678 }"));
        assert!(config.contains("data_path = \"/tmp/x/data\""));
        assert!(config.contains("c2s_require_encryption = false"));
        assert!(config.contains("\"smacks\""));
        assert!(!config.contains("ssl ="));
        assert!(config.ends_with("VirtualHost \"localhost\"\n"));
    }

    #[test]
    fn tls_config_requires_encryption_and_names_the_certificate() {
        let files = TlsFiles {
            certificate: PathBuf::from("/tmp/x/localhost.crt"),
            key: PathBuf::from("/tmp/x/localhost.key"),
            trust: PathBuf::from("/tmp/x/localhost.crt"),
        };
        let config = render(Path::new("/tmp/x"), 1, Some(&files), false);
        assert!(config.contains(
            "ssl = { certificate = \"/tmp/x/localhost.crt\"; key = \"/tmp/x/localhost.key\" }"
        ));
        assert!(config.contains("c2s_require_encryption = true"));
        assert!(config.contains("\"tls\";"));
    }

    #[test]
    fn plain_sasl_only_disables_every_other_mechanism() {
        let config = render(Path::new("/tmp/x"), 1, None, true);
        assert!(config.contains("disable_sasl_mechanisms = { \"SCRAM-SHA-1\";"));
        assert!(!render(Path::new("/tmp/x"), 1, None, false).contains("disable_sasl"));
    }

    #[test]
    fn lua_strings_are_escaped() {
        assert_eq!(lua_string(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
