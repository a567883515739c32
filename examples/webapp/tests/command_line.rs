//! The `seshat-webapp` binary as an operator meets it: its errors, the
//! URL it prints, what it serves, and how it stops.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_seshat-webapp");

/// Generous: the binary starts in milliseconds; this only stops a hung
/// test.
const DEADLINE: Duration = Duration::from_secs(20);

fn write_config(dir: &Path, body: &str) -> std::path::PathBuf {
    let path = dir.join("site.ini");
    std::fs::write(&path, body).unwrap();
    path
}

/// Waits for the child to exit, failing the test at the deadline.
fn wait_for_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "seshat-webapp did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts the app on a free port and returns it with the URL it printed.
fn start(config: &Path, section: &str) -> (Child, String) {
    let mut child = Command::new(BINARY)
        .arg(config)
        .arg(section)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let url = first_line
        .trim()
        .strip_prefix("seshat-webapp listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first_line:?}"))
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    (child, url)
}

#[test]
fn a_missing_key_is_a_one_line_error_and_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[Seshat]\nusername = bot@example.com\n");
    let output = Command::new(BINARY)
        .arg(&config)
        .arg("Seshat")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "seshat-webapp: {} [Seshat] sqlitedb: missing; set sqlitedb (an SQLite file) or \
             database (a PostgreSQL connection string), either with a seshat_ prefix or without\n",
            config.display()
        )
    );
}

#[test]
fn a_postgresql_password_never_reaches_the_output_even_when_refused() {
    let postgres = seshat_testkit::Postgres::shared();
    let dir = tempfile::tempdir().unwrap();
    let wrong = postgres
        .url()
        .replacen(postgres.password(), "hunter2-wrong", 1);
    let config = write_config(dir.path(), &format!("[Seshat]\ndatabase = {wrong}\n"));
    let output = Command::new(BINARY)
        .arg(&config)
        .arg("Seshat")
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stderr.contains("seshat-webapp: cannot open the database postgresql://")
            && stderr.contains(":***@127.0.0.1:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("password authentication failed"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("hunter2") && !stdout.contains("hunter2"),
        "{stderr}"
    );
}

#[test]
fn a_missing_section_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[Seshat]\nsqlitedb = x.db\n");
    let output = Command::new(BINARY)
        .arg(&config)
        .arg("Shop")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.ends_with("[Shop]: no such section; the file has [Seshat]\n"),
        "{stderr}"
    );
}

#[tokio::test]
async fn it_prints_its_url_serves_the_demo_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("seshat.db");
    let config = write_config(
        dir.path(),
        &format!(
            "[Shop]\nsqlitedb = /nonexistent/elsewhere.db\nseshat_sqlitedb = {}\n",
            database.display()
        ),
    );
    let (mut child, url) = start(&config, "Shop");

    let http = reqwest::Client::builder()
        .timeout(DEADLINE)
        .build()
        .unwrap();
    let get = |path: &str| http.get(format!("{url}{path}")).send();
    let home = get("").await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home
        .text()
        .await
        .unwrap()
        .contains(r#"<div class="seshat-chat" data-seshat-base="/chat" hidden></div>"#));
    for asset in [
        "static/seshat.js",
        "static/chatstyle.css",
        "static/jquery/jquery.min.js",
        "demo.css",
    ] {
        assert_eq!(get(asset).await.unwrap().status(), 200, "{asset}");
    }
    let available = get("chat/available").await.unwrap().text().await.unwrap();
    assert_eq!(available, r#"{"available":false,"busy":false}"#);
    // The prefixed key won: the database is the one it names.
    assert!(database.exists());

    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    assert!(wait_for_exit(&mut child).success());
}

#[tokio::test]
async fn behind_a_proxy_the_configured_header_names_each_visitor() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[Seshat]\nsqlitedb = {}\nrate_limit_per_minute = 1\n\
             seshat_client_address_header = X-Forwarded-For\n",
            dir.path().join("seshat.db").display()
        ),
    );
    let (mut child, url) = start(&config, "Seshat");
    let http = reqwest::Client::builder()
        .timeout(DEADLINE)
        .build()
        .unwrap();
    let start_from = |visitor: &'static str| {
        http.post(format!("{url}chat/start"))
            .header("x-forwarded-for", visitor)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("name=visitor")
            .send()
    };
    // One start a minute per visitor: the second visitor behind the same
    // proxy has a limit of their own, the first has used theirs up.
    assert_eq!(start_from("198.51.100.1").await.unwrap().status(), 200);
    assert_eq!(start_from("198.51.100.2").await.unwrap().status(), 200);
    assert_eq!(start_from("198.51.100.1").await.unwrap().status(), 429);

    child.kill().unwrap();
    wait_for_exit(&mut child);
}
