//! The `seshatd` command line: `--check-config`, broken configurations,
//! exit codes, and what the logs must never contain.

use std::ffi::OsStr;

use crate::common::{expect_from_bot, run_seshatd, Rig, PASSWORD, WAIT};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `seshatd --check-config CONFIG Seshat`: exit code, stdout, stderr.
fn check_config(config: &std::path::Path) -> (i32, String, String) {
    run_seshatd(&[
        OsStr::new("--check-config"),
        config.as_os_str(),
        OsStr::new("Seshat"),
    ])
}

const GOOD: &str = "[Seshat]\n\
                    sqlitedb = /tmp/seshat-cli-test.db\n\
                    localusers = joe@example.com, bob@customerservice.example.com\n\
                    xmppusername = webchat@example.com\n\
                    xmpppassword = mypassword\n";

#[test]
fn check_config_prints_the_effective_settings_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(&dir, "seshat.ini", GOOD);
    let (code, stdout, stderr) = check_config(&config);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(
        stdout.contains("username = webchat@example.com\n"),
        "{stdout}"
    );
    assert!(stdout.contains("password = ********\n"), "{stdout}");
    assert!(stdout.contains("server = example.com:5222\n"), "{stdout}");
    assert!(stdout.contains("tls = starttls\n"), "{stdout}");
    assert!(!stdout.contains("mypassword") && !stderr.contains("mypassword"));
}

#[test]
fn check_config_accepts_the_web_apps_keys_and_says_they_are_the_web_apps() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        &dir,
        "seshat.ini",
        &format!(
            "{GOOD}seshat_rate_limit_per_minute = 10\nstatic_dir = /srv/seshat/static\n\
             jquery_dir = /srv/jquery\n"
        ),
    );
    let (code, stdout, stderr) = check_config(&config);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(
        stdout.contains(
            "# read by the web app, not by seshatd: seshat_rate_limit_per_minute, \
             static_dir, jquery_dir\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("ignored"), "{stdout}");
}

#[test]
fn check_config_of_a_broken_file_says_what_is_wrong_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(&dir, "seshat.ini", &GOOD.replace("localusers", "localuser"));
    let (code, stdout, stderr) = check_config(&config);
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("seshat.ini [Seshat] localusers"),
        "{stderr}"
    );
}

#[test]
fn running_with_a_broken_configuration_exits_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, expected) in [
        (
            "missing-key.ini",
            GOOD.replace("xmpppassword", "pass"),
            "password",
        ),
        ("bad-tls.ini", format!("{GOOD}tls = maybe\n"), "tls"),
        (
            "bad-section.ini",
            GOOD.replace("[Seshat]", "[Other]"),
            "[Seshat]",
        ),
        (
            "not-ini.ini",
            "this is [not an ini file\n".to_owned(),
            "not-ini.ini",
        ),
    ] {
        let config = write(&dir, name, &text);
        let (code, _stdout, stderr) = run_seshatd(&[config.as_os_str(), OsStr::new("Seshat")]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
    let (code, _, stderr) = run_seshatd(&[
        dir.path().join("absent.ini").as_os_str(),
        OsStr::new("Seshat"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("absent.ini"), "{stderr}");
}

#[test]
fn help_and_version() {
    let (code, stdout, _) = run_seshatd(&[OsStr::new("--help")]);
    assert_eq!(code, 0);
    assert!(stdout.contains("--check-config"), "{stdout}");
    let (code, stdout, _) = run_seshatd(&[OsStr::new("--version")]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout.trim(),
        format!("seshatd {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_database_that_cannot_be_opened_is_reported_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("no such directory").join("seshat.db");
    let config = write(
        &dir,
        "seshat.ini",
        &GOOD.replace("/tmp/seshat-cli-test.db", &database.display().to_string()),
    );
    let (code, _stdout, stderr) = run_seshatd(&[config.as_os_str(), OsStr::new("Seshat")]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no such directory"), "{stderr}");
}

#[test]
fn a_postgresql_database_is_checked_shown_and_refused_without_its_password() {
    let postgres = seshat_testkit::Postgres::shared();
    let dir = tempfile::tempdir().unwrap();
    let wrong = postgres
        .url()
        .replacen(postgres.password(), "hunter2-wrong", 1);
    let text = GOOD.replace(
        "sqlitedb = /tmp/seshat-cli-test.db",
        &format!("database = {wrong}"),
    ) + "log_level = trace\n";
    let config = write(&dir, "seshat.ini", &text);

    let (code, stdout, stderr) = check_config(&config);
    assert_eq!(code, 0, "stderr: {stderr}");
    let shown = format!(
        "database = postgresql://seshat:***@127.0.0.1:{}/",
        postgres.port()
    );
    assert!(stdout.contains(&shown), "{stdout}");

    let (code, stdout, stderr) = run_seshatd(&[config.as_os_str(), OsStr::new("Seshat")]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("password authentication failed"),
        "{stderr}"
    );
    assert!(stderr.contains(":***@127.0.0.1:"), "{stderr}");
    for output in [&stdout, &stderr] {
        assert!(!output.contains("hunter2"), "{output}");
    }
}

#[test]
fn check_config_names_the_role_the_store_allows() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = write(&dir, "sqlite.ini", GOOD);
    let (_, stdout, _) = check_config(&sqlite);
    assert!(
        stdout.contains("# role: always on duty (an SQLite store has no standby)\n"),
        "{stdout}"
    );
    let postgres = write(
        &dir,
        "postgres.ini",
        &GOOD.replace(
            "sqlitedb = /tmp/seshat-cli-test.db",
            "database = postgresql://seshat@db.example.com/seshat",
        ),
    );
    let (_, stdout, _) = check_config(&postgres);
    assert!(
        stdout.contains("# role: on duty while it holds the store's duty lease, standing by"),
        "{stdout}"
    );
}

#[test]
fn copy_from_sqlite_moves_a_site_once_and_refuses_a_second_time() {
    let postgres = seshat_testkit::Postgres::shared();
    let target = postgres.create_database("cli_copy").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("old.db");
    let token = {
        let store = seshat_client::SqliteStore::open(&source).unwrap();
        let chat = store.start_chat("Visitor", Some("Hello")).unwrap();
        store
            .send_from_visitor(&chat.token, "Anyone there?")
            .unwrap();
        chat.token
    };
    let config = write(
        &dir,
        "seshat.ini",
        &GOOD.replace(
            "sqlitedb = /tmp/seshat-cli-test.db",
            &format!("database = {target}"),
        ),
    );
    let copy = |config: &std::path::Path| {
        run_seshatd(&[
            OsStr::new("--copy-from-sqlite"),
            source.as_os_str(),
            config.as_os_str(),
        ])
    };
    let (code, stdout, stderr) = copy(&config);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "1 chats, 1 messages to staff, 2 messages to visitors, 0 presence rows\n"
    );
    let copied = seshat_client::PostgresStore::open(&target.parse().unwrap()).unwrap();
    use seshat_client::Store as _;
    // The visitor's token goes on working on the new store.
    let chat = copied.chat_by_token(&token).unwrap();
    assert_eq!(chat.start_message.as_deref(), Some("Hello"));

    let (code, stdout, stderr) = copy(&config);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stderr.contains("the target database is not empty"),
        "{stderr}"
    );
    assert!(!stderr.contains(postgres.password()), "{stderr}");

    let (code, _, stderr) = copy(&write(&dir, "sqlite.ini", GOOD));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("the copy goes into the PostgreSQL database named by `database`"),
        "{stderr}"
    );
}

#[tokio::test]
async fn logs_hold_neither_the_password_nor_message_bodies_at_info() {
    let mut rig = Rig::builder()
        .staff(&["alice"])
        .setting("log_level", "info")
        .build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let mut chat = rig.visitor("visitor", Some("private start message")).await;
    rig.accept(&mut alice, &chat).await;
    chat.say("visitor secret 4711").await;
    expect_from_bot(&mut alice, &bot, "visitor secret 4711").await;
    alice.send_chat(&bot, "staff secret 0815").await.unwrap();
    chat.expect(&[
        seshat_client::texts::CHAT_REQUESTED,
        seshat_client::texts::CHAT_STARTED,
        "staff secret 0815",
    ])
    .await;
    assert!(rig.stop_daemon().success());

    let log = rig.daemon_log();
    assert!(log.contains("chat offered"), "lifecycle at info: {log}");
    for secret in [PASSWORD, "visitor secret", "staff secret", "private start"] {
        assert!(!log.contains(secret), "{secret:?} in the log:\n{log}");
    }
}

#[tokio::test]
async fn a_refused_login_is_reported_plainly_and_retried() {
    let rig = Rig::builder()
        .staff(&["alice"])
        .setting("password", "not the password")
        .build();
    let give_up_at = tokio::time::Instant::now() + WAIT;
    loop {
        let log = rig.daemon_log();
        if log.contains("the server refused the login; check username and password") {
            assert!(!log.contains("not the password"), "{log}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < give_up_at,
            "no refused login in the log:\n{log}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
