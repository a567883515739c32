//! The files of a private ejabberd instance: its YAML configuration and
//! its own `ejabberdctl.cfg`.
//!
//! Debian's `/etc/ejabberd/ejabberdctl.cfg` sets `EJABBERD_CONFIG_PATH`,
//! and `ejabberdctl` reads that file after its command line, so
//! `--config` is overridden. An instance therefore passes `--ctl-config`
//! with a file of its own that names its configuration, pid file, Erlang
//! node and distribution port.

use std::fmt::Write as _;
use std::path::Path;

/// The virtual host every instance serves.
pub(crate) const DOMAIN: &str = "localhost";

/// Renders `ejabberd.yml` for an instance listening for clients on
/// 127.0.0.1:`port` only, over plain TCP, with stream management (and
/// resumption) on, as sites commonly run it.
pub(crate) fn render_yaml(port: u16) -> String {
    let mut config = String::new();
    // Writing to a String cannot fail.
    writeln!(
        config,
        "loglevel: info\n\
         log_rotate_count: 0\n\
         hosts:\n  - {DOMAIN}\n\
         listen:\n  -\n    port: {port}\n    ip: \"127.0.0.1\"\n    module: ejabberd_c2s\n    \
         max_stanza_size: 262144\n\
         auth_method: internal\n\
         auth_password_format: plain\n\
         acl:\n  local:\n    user_regexp: \"\"\n\
         access_rules:\n  local:\n    allow: local\n  c2s:\n    allow: all\n\
         api_permissions:\n  \"console commands\":\n    from:\n      - ejabberd_ctl\n    \
         who: all\n    what: \"*\"\n\
         shaper_rules:\n  max_user_sessions: 10\n\
         modules:\n  mod_roster: {{}}\n  mod_disco: {{}}\n  mod_ping: {{}}\n  \
         mod_carboncopy: {{}}\n  mod_offline: {{}}\n  mod_stream_mgmt:\n    resume_timeout: 300"
    )
    .unwrap();
    config
}

/// Renders the instance's `ejabberdctl.cfg`: its configuration and pid
/// file in `dir`, the Erlang node `node`, and distribution on
/// `dist_port` so that no shared `epmd` daemon is started.
pub(crate) fn render_ctl(dir: &Path, node: &str, dist_port: u16) -> String {
    format!(
        "ERL_OPTIONS=\"-env ERL_CRASH_DUMP_BYTES 0\"\n\
         EJABBERD_CONFIG_PATH={}\n\
         EJABBERD_PID_PATH={}\n\
         ERLANG_NODE={node}\n\
         ERL_DIST_PORT={dist_port}\n",
        dir.join("ejabberd.yml").display(),
        dir.join("ejabberd.pid").display(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_yaml_listens_on_loopback_with_stream_management() {
        let yaml = render_yaml(45678);
        assert!(
            yaml.contains("port: 45678\n    ip: \"127.0.0.1\""),
            "{yaml}"
        );
        assert!(yaml.contains("mod_stream_mgmt:"), "{yaml}");
        assert!(yaml.contains("hosts:\n  - localhost\n"), "{yaml}");
    }

    #[test]
    fn the_ctl_file_names_our_own_configuration_and_node() {
        let ctl = render_ctl(Path::new("/tmp/x"), "seshat1@localhost", 4370);
        assert!(ctl.contains("EJABBERD_CONFIG_PATH=/tmp/x/ejabberd.yml\n"));
        assert!(ctl.contains("ERLANG_NODE=seshat1@localhost\n"));
        assert!(ctl.contains("ERL_DIST_PORT=4370\n"));
    }
}
