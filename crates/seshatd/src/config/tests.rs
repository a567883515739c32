//! Tests of reading configuration files: spellings, precedence, defaults
//! and the exact text of every error.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

/// The original seed's section, with its spellings of the account keys.
const SEED_000: &str = "\
[Seshat]
xmppusername = bot@example.com
xmpppassword = secret
localusers = joe@example.com, bob@example.com
sqlitedb = seshat.db
";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("seshat.ini"), "Seshat")
}

fn error_text(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

fn jid(text: &str) -> BareJid {
    BareJid::new(text).unwrap()
}

/// A valid section with one line replaced (or dropped, when `line` is empty).
fn seed_with(key: &str, line: &str) -> String {
    SEED_000
        .lines()
        .filter(|existing| !existing.starts_with(key))
        .chain((!line.is_empty()).then_some(line))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn the_original_seed_file_reads_with_every_default() {
    let config = parse(SEED_000).unwrap();
    assert_eq!(config.file, Path::new("seshat.ini"));
    assert_eq!(config.section, "Seshat");
    assert_eq!(config.account, jid("bot@example.com"));
    assert_eq!(config.password.expose(), "secret");
    assert_eq!(
        config.staff,
        vec![jid("joe@example.com"), jid("bob@example.com")]
    );
    assert_eq!(
        config.database,
        Database::Sqlite(PathBuf::from("seshat.db"))
    );
    assert_eq!(
        config.server,
        ServerAddress {
            host: "example.com".to_owned(),
            port: 5222
        }
    );
    assert_eq!(config.tls, TlsPolicy::StartTls);
    assert_eq!(config.offer_timeout, Some(Duration::from_secs(300)));
    assert_eq!(config.no_staff_grace, Duration::ZERO);
    assert_eq!(config.presence_settle, Duration::from_secs(5));
    assert_eq!(config.max_message_bytes, 4096);
    assert_eq!(config.limits().max_message_bytes, 4096);
    assert_eq!(config.log_level, "info");
    assert!(config.staff_names.is_empty());
    assert_eq!(config.resource, "seshat");
    assert!(config.ignored_keys.is_empty());
    assert_eq!(config.insecure_transport_warning(), None);
}

#[test]
fn every_spelling_of_the_account_keys_is_accepted() {
    for (user_key, password_key) in [
        ("username", "password"),
        ("xmppusername", "xmpppassword"),
        ("seshat_username", "seshat_password"),
        ("seshat_xmppusername", "seshat_xmpppassword"),
        ("UserName", "PASSWORD"),
        ("Seshat_XmppUsername", "SESHAT_PASSWORD"),
    ] {
        let text = format!(
            "[Seshat]\n{user_key} = bot@example.com\n{password_key} = pw\n\
             seshat_localusers = joe@example.com\nSESHAT_SQLITEDB = /tmp/s.db\n"
        );
        let config = parse(&text).unwrap_or_else(|error| panic!("{user_key}: {error}"));
        assert_eq!(config.account, jid("bot@example.com"), "{user_key}");
        assert_eq!(config.password.expose(), "pw", "{password_key}");
        assert_eq!(config.staff, vec![jid("joe@example.com")]);
        assert_eq!(
            config.database,
            Database::Sqlite(PathBuf::from("/tmp/s.db"))
        );
    }
}

#[test]
fn the_seshat_prefix_wins_over_the_bare_key_wherever_it_is() {
    let text = "\
[app:main]
seshat_xmppusername = seshat@example.com
username = webapp@example.com
password = web-secret
seshat_password = bot-secret
localusers = web@example.com
seshat_localusers = joe@example.com
sqlitedb = web.db
seshat_sqlitedb = seshat.db
server = web.example.com
seshat_server = xmpp.example.com:5223
";
    let config = Config::parse(text, Path::new("production.ini"), "app:main").unwrap();
    assert_eq!(config.account, jid("seshat@example.com"));
    assert_eq!(config.password.expose(), "bot-secret");
    assert_eq!(config.staff, vec![jid("joe@example.com")]);
    assert_eq!(
        config.database,
        Database::Sqlite(PathBuf::from("seshat.db"))
    );
    assert_eq!(config.server.to_string(), "xmpp.example.com:5223");
    assert!(config.ignored_keys.is_empty());
}

#[test]
fn the_main_spelling_wins_over_the_seed_spelling_and_the_last_line_wins() {
    let text = "\
[Seshat]
xmppusername = old@example.com
username = new@example.com
password = first
password = second
localusers = joe@example.com
sqlitedb = seshat.db
";
    let config = parse(text).unwrap();
    assert_eq!(config.account, jid("new@example.com"));
    assert_eq!(config.password.expose(), "second");
}

#[test]
fn every_optional_key_is_read() {
    let text = format!(
        "{SEED_000}\
server = 127.0.0.1:15222
tls = none
offer_timeout = 60
no_staff_grace = 30
presence_settle = 0.5
max_message_bytes = 1000
log_level = info,seshatd=debug
staff_names = joe@example.com = Joe, bob@example.com = Bob
resource = desk
"
    );
    let config = parse(&text).unwrap();
    assert_eq!(config.server.to_string(), "127.0.0.1:15222");
    assert_eq!(config.tls, TlsPolicy::PlainTcp);
    assert_eq!(config.offer_timeout, Some(Duration::from_secs(60)));
    assert_eq!(config.no_staff_grace, Duration::from_secs(30));
    assert_eq!(config.presence_settle, Duration::from_millis(500));
    assert_eq!(config.max_message_bytes, 1000);
    assert_eq!(config.limits().max_message_bytes, 1000);
    assert_eq!(config.log_level, "info,seshatd=debug");
    assert_eq!(config.display_name(&jid("joe@example.com")), Some("Joe"));
    assert_eq!(config.display_name(&jid("Bob@Example.com")), Some("Bob"));
    assert_eq!(config.resource, "desk");
    assert_eq!(
        config.insecure_transport_warning().unwrap(),
        "seshat.ini [Seshat] tls = none: the password and every chat cross the network to \
         127.0.0.1:15222 unencrypted; use this only for tests on the loopback interface"
    );
}

#[test]
fn optional_keys_take_the_seshat_prefix_too() {
    let text = format!("{SEED_000}seshat_tls = none\nseshat_resource = web\n");
    let config = parse(&text).unwrap();
    assert_eq!(config.tls, TlsPolicy::PlainTcp);
    assert_eq!(config.resource, "web");
}

#[test]
fn an_offer_timeout_of_zero_means_forever_and_empty_values_mean_the_default() {
    let config = parse(&format!("{SEED_000}offer_timeout = 0\n")).unwrap();
    assert_eq!(config.offer_timeout, None);
    let config = parse(&format!("{SEED_000}offer_timeout =\ntls =\nserver =\n")).unwrap();
    assert_eq!(config.offer_timeout, Some(DEFAULT_OFFER_TIMEOUT));
    assert_eq!(config.tls, TlsPolicy::StartTls);
    assert_eq!(config.server.host, "example.com");
}

#[test]
fn staff_jids_are_normalised_and_matched_without_regard_to_case() {
    let config = parse(&seed_with(
        "localusers",
        "localusers = Joe@Example.COM ,\n    bob@example.com,",
    ))
    .unwrap();
    assert_eq!(
        config.staff,
        vec![jid("joe@example.com"), jid("bob@example.com")]
    );
    assert_eq!(
        config.staff_member(&jid("JOE@example.com")),
        Some(&jid("joe@example.com"))
    );
    assert_eq!(config.staff_member(&jid("eve@example.com")), None);
}

#[test]
fn values_are_taken_literally() {
    let config = parse(&seed_with(
        "xmpppassword",
        r#"xmpppassword = "p\a;s#s=w:o'rd""#,
    ))
    .unwrap();
    assert_eq!(config.password.expose(), r#""p\a;s#s=w:o'rd""#);
}

#[test]
fn other_keys_are_ignored_but_listed_and_unknown_seshat_keys_are_refused() {
    let config = parse(&format!(
        "{SEED_000}pyramid.reload_templates = true\nuse = egg:myapp\n"
    ))
    .unwrap();
    assert_eq!(config.ignored_keys, vec!["pyramid.reload_templates", "use"]);
    assert!(config
        .effective_settings()
        .ends_with("# ignored (not Seshat settings): pyramid.reload_templates, use\n"));

    assert_eq!(
        error_text(&format!("{SEED_000}seshat_offer_timout = 10\n")),
        "seshat.ini [Seshat] seshat_offer_timout: not a Seshat setting (check the spelling)"
    );
}

#[test]
fn the_web_apps_keys_are_accepted_and_listed_as_the_web_apps() {
    let config = parse(&format!(
        "{SEED_000}seshat_rate_limit_per_minute = 10\nstatic_dir = /srv/seshat/static\n\
         jquery_dir = /srv/jquery\nClient_Address_Header = x-forwarded-for\nuse = egg:shop\n"
    ))
    .unwrap();
    assert_eq!(
        config.web_app_keys,
        vec![
            "seshat_rate_limit_per_minute",
            "static_dir",
            "jquery_dir",
            "Client_Address_Header"
        ]
    );
    assert_eq!(config.ignored_keys, vec!["use"]);
    assert!(config.effective_settings().ends_with(
        "# read by the web app, not by seshatd: seshat_rate_limit_per_minute, static_dir, \
         jquery_dir, Client_Address_Header\n# ignored (not Seshat settings): use\n"
    ));
}

#[test]
fn the_password_never_shows_in_debug_or_in_the_effective_settings() {
    let config = parse(&seed_with("xmpppassword", "xmpppassword = hunter2")).unwrap();
    assert!(!format!("{config:?}").contains("hunter2"));
    assert!(!format!("{config:#?}").contains("hunter2"));
    assert!(!config.effective_settings().contains("hunter2"));
}

#[test]
fn a_postgresql_database_is_shown_without_its_password_and_never_beside_sqlitedb() {
    let with_postgres = SEED_000.replace(
        "sqlitedb = seshat.db",
        "database = postgresql://seshat:hunter2@db.example.com/chat?sslmode=require",
    );
    let config = parse(&with_postgres).unwrap();
    let settings = config.effective_settings();
    assert!(
        settings.contains(
            "\ndatabase = postgresql://seshat:***@db.example.com:5432/chat?sslmode=require\n"
        ),
        "{settings}"
    );
    assert!(!settings.contains("sqlitedb"), "{settings}");
    for shown in [settings, format!("{config:?}"), format!("{config:#?}")] {
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    assert_eq!(
        error_text(&format!(
            "{SEED_000}seshat_database = postgresql://db/chat\n"
        )),
        "seshat.ini [Seshat] seshat_database: is set together with sqlitedb; set only one: \
         sqlitedb for an SQLite file, or seshat_database for a PostgreSQL database"
    );
}

#[test]
fn the_effective_settings_list_every_key() {
    let config = parse(&format!(
        "{SEED_000}staff_names = joe@example.com = Joe\npresence_settle = 0.25\n"
    ))
    .unwrap();
    assert_eq!(
        config.effective_settings(),
        "\
# seshat.ini [Seshat]
username = bot@example.com
password = ********
localusers = joe@example.com, bob@example.com
sqlitedb = seshat.db
server = example.com:5222
tls = starttls
tls_ca_file = 
offer_timeout = 300
no_staff_grace = 0
presence_settle = 0.25
max_message_bytes = 4096
log_level = info
log_format = text
staff_names = joe@example.com = Joe
resource = seshat
handler_grace = 60
queue_when_busy = true
max_queue = 20
offer_notices = true
metrics_listen = 
"
    );
}

#[test]
fn the_agent_settings_are_read_and_bad_values_named() {
    let config = parse(&format!(
        "{SEED_000}handler_grace = 2.5\nqueue_when_busy = No\nmax_queue = 3\noffer_notices = off\n"
    ))
    .unwrap();
    assert_eq!(config.handler_grace, Duration::from_millis(2500));
    assert!(!config.queue_when_busy);
    assert_eq!(config.max_queue, 3);
    assert!(!config.offer_notices);
    assert_eq!(
        parse(&format!("{SEED_000}queue_when_busy = maybe\n"))
            .unwrap_err()
            .to_string(),
        "seshat.ini [Seshat] queue_when_busy: \"maybe\" is not true or false \
         (also accepted: yes/no, on/off, 1/0)"
    );
    assert_eq!(
        parse(&format!("{SEED_000}metrics_listen = [::1]:9464\n"))
            .unwrap()
            .metrics_listen,
        Some("[::1]:9464".parse().unwrap())
    );
    assert_eq!(
        parse(&format!("{SEED_000}metrics_listen = localhost\n"))
            .unwrap_err()
            .to_string(),
        "seshat.ini [Seshat] metrics_listen: \"localhost\" is not an address to listen on, \
         such as 127.0.0.1:9464"
    );
    assert!(parse(&format!("{SEED_000}max_queue = 0\n"))
        .unwrap_err()
        .to_string()
        .contains("max_queue"));
}

#[test]
fn a_file_on_disk_is_read_and_a_missing_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seshat.ini");
    std::fs::write(&path, SEED_000).unwrap();
    let config = Config::load(&path, "Seshat").unwrap();
    assert_eq!(config.file, path);
    assert_eq!(config.account, jid("bot@example.com"));

    let missing = dir.path().join("nope.ini");
    let error = Config::load(&missing, "Seshat").unwrap_err().to_string();
    assert!(
        error.starts_with(&format!(
            "{}: cannot read the configuration file: ",
            missing.display()
        )),
        "{error}"
    );
    assert!(!error.contains('\n'));
}

#[test]
fn a_broken_ini_file_is_reported_with_its_position() {
    assert_eq!(
        error_text("[Seshat]\n= value\n"),
        "seshat.ini: not a valid ini file: line 2, column 2: missing key"
    );
}

#[test]
fn a_missing_section_lists_the_sections_there_are() {
    assert_eq!(
        error_text("[seshat]\nusername = a@b.c\n[app:main]\n"),
        "seshat.ini [Seshat]: no such section; the file has [seshat], [app:main]"
    );
    assert_eq!(
        error_text("username = a@b.c\n"),
        "seshat.ini [Seshat]: no such section; the file has no sections"
    );
}

#[test]
fn each_missing_required_key_is_named_with_its_spellings() {
    for (key, message) in [
        (
            "xmppusername",
            "seshat.ini [Seshat] username: missing; set one of: username, xmppusername, \
             seshat_username, seshat_xmppusername",
        ),
        (
            "xmpppassword",
            "seshat.ini [Seshat] password: missing; set one of: password, xmpppassword, \
             seshat_password, seshat_xmpppassword",
        ),
        (
            "localusers",
            "seshat.ini [Seshat] localusers: missing; set one of: localusers, seshat_localusers",
        ),
        (
            "sqlitedb",
            "seshat.ini [Seshat] sqlitedb: missing; set sqlitedb (an SQLite file) or database \
             (a PostgreSQL connection string), either with a seshat_ prefix or without",
        ),
    ] {
        assert_eq!(error_text(&seed_with(key, "")), message);
    }
}

#[test]
fn each_bad_value_is_named_with_the_key_as_written() {
    for (line, message) in [
        (
            "localusers = joe@example.com, bob",
            r#"seshat.ini [Seshat] localusers: "bob" is not a bare JID (user@domain)"#,
        ),
        (
            "localusers = ,",
            "seshat.ini [Seshat] localusers: lists no staff JID; give at least one, \
             e.g. joe@example.com",
        ),
        (
            "localusers = bot@example.com",
            "seshat.ini [Seshat] localusers: bot@example.com is the bot's own account \
             and cannot be staff",
        ),
        (
            "xmppusername = bot@example.com/desk",
            r#"seshat.ini [Seshat] xmppusername: "bot@example.com/desk" is not a bare JID (user@domain)"#,
        ),
        (
            "xmppusername = example.com",
            r#"seshat.ini [Seshat] xmppusername: "example.com" is not a bare JID (user@domain)"#,
        ),
        (
            "xmpppassword =",
            "seshat.ini [Seshat] xmpppassword: is empty",
        ),
        ("sqlitedb =", "seshat.ini [Seshat] sqlitedb: is empty"),
    ] {
        let first_word = line.split_whitespace().next().unwrap();
        assert_eq!(error_text(&seed_with(first_word, line)), message, "{line}");
    }
}

#[test]
fn each_bad_optional_value_is_named_with_the_key_as_written() {
    for (line, message) in [
        (
            "server = example.com:0",
            r#"seshat.ini [Seshat] server: "0" is not a TCP port (1-65535)"#,
        ),
        (
            "seshat_tls = ssl",
            r#"seshat.ini [Seshat] seshat_tls: "ssl" is not one of: starttls, none"#,
        ),
        (
            "offer_timeout = 5m",
            r#"seshat.ini [Seshat] offer_timeout: "5m" is not a number of seconds (0 or more)"#,
        ),
        (
            "no_staff_grace = -1",
            r#"seshat.ini [Seshat] no_staff_grace: "-1" is not a number of seconds (0 or more)"#,
        ),
        (
            "Presence_Settle = soon",
            r#"seshat.ini [Seshat] Presence_Settle: "soon" is not a number of seconds (0 or more)"#,
        ),
        (
            "max_message_bytes = 0",
            r#"seshat.ini [Seshat] max_message_bytes: "0" is not a whole number of at least 1"#,
        ),
        (
            "log_level = loud",
            r#"seshat.ini [Seshat] log_level: "loud" is not a log level (off, error, warn, info, debug, trace) or a filter like info,seshatd=debug"#,
        ),
        (
            "staff_names = eve@example.com = Eve",
            "seshat.ini [Seshat] staff_names: eve@example.com is not one of localusers",
        ),
        (
            "resource = a\u{7}b",
            "seshat.ini [Seshat] resource: \"a\u{7}b\" is not a valid XMPP resource",
        ),
    ] {
        let text = format!("{SEED_000}{line}\n");
        assert_eq!(error_text(&text), message, "{line}");
    }
}

#[test]
fn the_readme_example_is_a_complete_valid_config() {
    let text = "\
[Seshat]
sqlitedb = /tmp/seshat.db
localusers = joe@example.com, bob@customerservice.example.com
xmppusername = webchat@example.com
xmpppassword = mypassword
";
    let config = parse(text).unwrap();
    assert_eq!(config.account, jid("webchat@example.com"));
    assert_eq!(
        config.staff,
        vec![
            jid("joe@example.com"),
            jid("bob@customerservice.example.com")
        ]
    );
    assert_eq!(
        config.database,
        Database::Sqlite(PathBuf::from("/tmp/seshat.db"))
    );
}

/// The sample file shipped at the repository root.
fn sample_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seshat.sample.ini")
}

#[test]
fn the_sample_file_is_valid() {
    let config = Config::load(&sample_file(), DEFAULT_SECTION).unwrap();
    assert_eq!(config.account, jid("webchat@example.com"));
    assert_eq!(
        config.database,
        Database::Sqlite(PathBuf::from("/var/lib/seshat/seshat.db"))
    );
    assert!(config.ignored_keys.is_empty());
    assert!(config.web_app_keys.is_empty());
}

#[test]
fn the_defaults_the_sample_file_documents_are_the_real_ones() {
    let sample = std::fs::read_to_string(sample_file()).unwrap();
    let uncommented: String = sample
        .lines()
        .map(|line| match line.strip_prefix(';') {
            // The CA file is an example path, which must exist to be read.
            Some(setting) if setting.starts_with("tls_ca_file") => format!("{line}\n"),
            Some(setting) if setting.contains(" = ") => format!("{setting}\n"),
            _ => format!("{line}\n"),
        })
        .collect();
    let documented = parse(&uncommented).unwrap();
    let mut defaults = Config::load(&sample_file(), DEFAULT_SECTION).unwrap();
    // The sample shows a server and staff names as examples, not defaults.
    assert_eq!(documented.server.to_string(), "xmpp.example.com:5222");
    defaults.server = documented.server.clone();
    defaults.staff_names = documented.staff_names.clone();
    // And a metrics address: without one, there is no endpoint.
    assert_eq!(
        documented.metrics_listen,
        Some("127.0.0.1:9464".parse().unwrap())
    );
    defaults.metrics_listen = documented.metrics_listen;
    defaults.file = documented.file.clone();
    // The web app's keys are documented too, and are not the daemon's.
    assert_eq!(
        documented.web_app_keys,
        vec![
            "rate_limit_per_minute",
            "static_dir",
            "jquery_dir",
            "client_address_header",
            "web_metrics_listen"
        ]
    );
    defaults.web_app_keys = documented.web_app_keys.clone();
    assert_eq!(documented, defaults);
}

#[test]
fn a_reload_names_the_changes_it_cannot_apply() {
    let running = parse(SEED_000).unwrap();
    let reread =
        parse(&SEED_000.replace("localusers = ", "localusers = ann@example.com, ")).unwrap();
    assert!(reread.changes_needing_restart(&running).is_empty());
    let reread = parse(&format!("{SEED_000}log_level = debug\nmax_queue = 3\n")).unwrap();
    assert_eq!(reread.changes_needing_restart(&running), ["max_queue"]);
}

#[test]
fn a_ca_file_that_is_missing_or_holds_no_certificate_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("ca.pem");
    let error = parse(&format!("{SEED_000}tls_ca_file = {}\n", missing.display()))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(&format!(
            "seshat.ini [Seshat] tls_ca_file: cannot read {}: ",
            missing.display()
        )),
        "{error}"
    );
    std::fs::write(&missing, "not a certificate\n").unwrap();
    let error = parse(&format!("{SEED_000}tls_ca_file = {}\n", missing.display()))
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        format!(
            "seshat.ini [Seshat] tls_ca_file: {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            missing.display()
        )
    );
}
