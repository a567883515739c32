//! The private PostgreSQL cluster: it starts, keeps what was committed
//! across a clean restart and a kill -9, checks passwords on TCP, and
//! leaves nothing behind.

use std::process::Command;

use seshat_testkit::Postgres;

/// Runs psql over TCP with `password`, as a program on another host would.
fn psql_over_tcp(postgres: &Postgres, password: &str, sql: &str) -> std::process::Output {
    Command::new("psql")
        .args(["-h", "127.0.0.1", "-p", &postgres.port().to_string()])
        .args(["-U", "seshat", "-d", "seshat", "-X", "-A", "-t", "-c", sql])
        .env("PGPASSWORD", password)
        .output()
        .expect("psql runs")
}

#[test]
fn a_cluster_answers_on_tcp_with_its_password_only() {
    let postgres = Postgres::start().unwrap();
    let right = psql_over_tcp(&postgres, postgres.password(), "SELECT 40 + 2");
    assert!(right.status.success(), "{right:?}");
    assert_eq!(String::from_utf8_lossy(&right.stdout).trim(), "42");
    let wrong = psql_over_tcp(&postgres, "not-the-password", "SELECT 1");
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("password authentication failed"),
        "{wrong:?}"
    );
}

#[test]
fn databases_are_created_empty_and_separate() {
    let postgres = Postgres::start().unwrap();
    let url = postgres.create_database("first").unwrap();
    assert!(url.ends_with(&format!("127.0.0.1:{}/first", postgres.port())));
    postgres
        .psql_in("first", "CREATE TABLE t (n int); INSERT INTO t VALUES (1)")
        .unwrap();
    postgres.create_database("second").unwrap();
    assert!(postgres.psql_in("second", "SELECT n FROM t").is_err());
    assert_eq!(
        postgres.psql_in("first", "SELECT n FROM t").unwrap().trim(),
        "1"
    );
}

#[test]
fn committed_rows_survive_a_restart_and_a_kill() {
    let postgres = Postgres::start_durable().unwrap();
    postgres
        .psql_in("seshat", "CREATE TABLE t (n int); INSERT INTO t VALUES (1)")
        .unwrap();
    postgres.restart().unwrap();
    postgres
        .psql_in("seshat", "INSERT INTO t VALUES (2)")
        .unwrap();
    postgres.kill().unwrap();
    assert!(!postgres.is_listening());
    postgres.start_again().unwrap();
    assert_eq!(
        postgres
            .psql_in("seshat", "SELECT sum(n) FROM t")
            .unwrap()
            .trim(),
        "3"
    );
}

#[test]
fn dropping_the_cluster_stops_it_and_removes_its_directory() {
    let postgres = Postgres::start().unwrap();
    let directory = postgres.directory().to_path_buf();
    let port = postgres.port();
    assert!(directory.join("data").is_dir());
    drop(postgres);
    assert!(!directory.exists());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}
