//! Several real processes sharing one database file, as web workers and the
//! daemon do. The test binary re-runs itself as the child processes: each
//! child runs the ignored test `processes::child_process` with its role in the
//! environment.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use seshat_client::{SqliteOptions, SqliteStore, Store, Topic};

const ROLE: &str = "SESHAT_CHILD_ROLE";
const DB: &str = "SESHAT_CHILD_DB";
const TOKEN: &str = "SESHAT_CHILD_TOKEN";
/// Seconds a waiter's process stays idle before it starts waiting.
const IDLE: &str = "SESHAT_CHILD_IDLE";

fn spawn_child(role: &str, db: &std::path::Path, token: Option<&str>) -> Child {
    spawn_child_with(role, db, token, &[])
}

fn spawn_child_with(
    role: &str,
    db: &std::path::Path,
    token: Option<&str>,
    env: &[(&str, &str)],
) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.envs(env.iter().copied());
    command
        .args([
            "--ignored",
            "--exact",
            "processes::child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ROLE, role)
        .env(DB, db)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(token) = token {
        command.env(TOKEN, token);
    }
    command.spawn().unwrap()
}

/// Prints a line for the parent, on a line of its own (the test harness
/// has already written "test child_process ... " without a newline).
fn report(line: impl std::fmt::Display) {
    println!("\n@{line}");
}

/// What the child reported with the given prefix, once it has exited.
fn lines_with(child: Child, prefix: &str) -> Vec<String> {
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "a child process failed");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            line.strip_prefix('@')?
                .strip_prefix(prefix)
                .map(str::to_owned)
        })
        .collect()
}

/// Reads the child's output until it reports that it is ready.
fn wait_until_ready(stdout: &mut impl BufRead) {
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "child exited before it was ready"
        );
        if line.trim_end() == "@ready" {
            return;
        }
    }
}

/// The body of every child process; does nothing unless started by a test
/// below with a role.
#[test]
#[ignore = "entry point of the child processes of the tests in this file"]
fn child_process() {
    let role = std::env::var(ROLE).expect("run by the tests in this file");
    // Without its safety-net poll, a child can only learn of another
    // process's commit from the kernel's report of the wake file.
    let options = SqliteOptions {
        safety_poll: Duration::from_secs(3600),
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open_with(std::env::var(DB).unwrap(), options).unwrap();
    match role.as_str() {
        "hammer" => {
            // A web worker's and a daemon's mix of reads and writes.
            for n in 0..40 {
                let chat = store.start_chat("Anonymous", Some("hammer")).unwrap();
                store
                    .send_from_visitor(&chat.token, &format!("message {n}"))
                    .unwrap();
                store.take_for_visitor(&chat.token).unwrap();
                store
                    .set_presence("joe@example.com", &format!("r{}", n % 3), n % 2 == 0)
                    .unwrap();
                store.is_available().unwrap();
                store.waiting_chats().unwrap();
                if let seshat_client::AcceptOutcome::Accepted(_) = store
                    .accept(chat.id, &format!("staff{}@example.com", std::process::id()))
                    .unwrap()
                {
                    store
                        .finish(&format!("staff{}@example.com", std::process::id()))
                        .unwrap();
                }
            }
            report("done");
        }
        "taker" => {
            let token = std::env::var(TOKEN).unwrap().parse().unwrap();
            report("ready");
            // Poll like a web worker until the chat is closed and drained;
            // print every id taken.
            loop {
                let messages = store.take_for_visitor(&token).unwrap();
                for message in &messages {
                    report(format!("took {}", message.id));
                }
                if messages.is_empty() {
                    if store.status(&token).unwrap().is_over() {
                        break;
                    }
                    // Pacing of the poll loop, as a web client's poll interval.
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
        "waiter" => {
            let token = std::env::var(TOKEN).unwrap().parse().unwrap();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                // Drain what is there.
                let chat_id = store.take_inbox(&token).unwrap().chat_id;
                if let Ok(idle) = std::env::var(IDLE) {
                    // The scenario itself, not a synchronisation: a quiet
                    // spell with nobody waiting, before the waiter arrives.
                    std::thread::sleep(Duration::from_secs(idle.parse().unwrap()));
                }
                // Subscribed before the parent is told to commit, so only a
                // wake-up can end the wait in time.
                let mut woken = store.wakeups().subscribe(Topic::Chat(chat_id));
                report("ready");
                if tokio::time::timeout(Duration::from_secs(60), woken.changed())
                    .await
                    .is_ok()
                {
                    for message in store.take_for_visitor(&token).unwrap() {
                        report(format!("got {}", message.text));
                    }
                }
            });
        }
        other => panic!("unknown role {other}"),
    }
}

#[test]
fn thirty_two_processes_share_one_file_without_lock_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seshat.db");
    SqliteStore::open(&path).unwrap();
    let children: Vec<_> = (0..32)
        .map(|_| spawn_child("hammer", &path, None))
        .collect();
    for child in children {
        // A child that hit "database is locked" panics and fails here.
        assert_eq!(lines_with(child, ""), ["done"]);
    }
    let connection = rusqlite::Connection::open(&path).unwrap();
    let (chats, staff_bound): (i64, i64) = connection
        .query_row(
            "SELECT (SELECT count(*) FROM chat), (SELECT count(*) FROM localmessagequeue)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(chats, 32 * 40, "every chat written is there");
    assert!(staff_bound >= 32 * 40, "every message written is there");
}

#[test]
fn thirty_two_processes_can_create_a_new_file_together() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    // Web workers and the daemon starting at the same moment on a file that
    // does not exist yet: each creates, migrates and switches it to WAL.
    let children: Vec<_> = (0..32)
        .map(|_| spawn_child("hammer", &path, None))
        .collect();
    for child in children {
        assert_eq!(lines_with(child, ""), ["done"]);
    }
    let chats: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM chat", [], |row| row.get(0))
        .unwrap();
    assert_eq!(chats, 32 * 40);
}

#[test]
fn each_message_is_taken_once_when_processes_poll_the_same_chat() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seshat.db");
    let store = SqliteStore::open(&path).unwrap();
    let chat = store.start_chat("Anonymous", None).unwrap();
    store.accept(chat.id, "joe@example.com").unwrap();
    let mut takers: Vec<_> = (0..4)
        .map(|_| spawn_child("taker", &path, Some(chat.token.as_str())))
        .collect();
    // Each taker keeps its reader so no buffered output is lost.
    let mut outputs = Vec::new();
    for taker in &mut takers {
        let mut stdout = BufReader::new(taker.stdout.take().unwrap());
        wait_until_ready(&mut stdout);
        outputs.push(stdout);
    }
    for n in 0..300 {
        store
            .reply_from_staff("joe@example.com", &format!("reply {n}"))
            .unwrap();
    }
    // Closing the chat tells the takers to stop once it is drained.
    store.finish("joe@example.com").unwrap();
    let mut taken = Vec::new();
    for (mut taker, mut stdout) in takers.into_iter().zip(outputs) {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
        assert!(taker.wait().unwrap().success(), "a taker failed");
        taken.extend(
            rest.lines()
                .filter_map(|l| l.strip_prefix("@took ").map(str::to_owned)),
        );
    }
    let unique: HashSet<_> = taken.iter().collect();
    assert_eq!(unique.len(), taken.len(), "a message was delivered twice");
    // The greeting, "chat started", 300 replies and "chat closed", each
    // taken once by some process (the last may still be pending).
    let left = store.take_for_visitor(&chat.token).unwrap().len();
    assert_eq!(taken.len() + left, 2 + 300 + 1, "a message was lost");
}

#[test]
fn a_waiter_in_another_process_wakes_when_a_reply_is_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seshat.db");
    let store = SqliteStore::open(&path).unwrap();
    let chat = store.start_chat("Anonymous", None).unwrap();
    store.accept(chat.id, "joe@example.com").unwrap();
    let mut waiter = spawn_child("waiter", &path, Some(chat.token.as_str()));
    let mut stdout = BufReader::new(waiter.stdout.take().unwrap());
    wait_until_ready(&mut stdout);

    store
        .reply_from_staff("joe@example.com", "Hello from staff")
        .unwrap();

    // The waiter's timeout is 60 s; it prints the reply only if it woke up.
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(waiter.wait().unwrap().success());
    assert!(
        rest.lines().any(|l| l == "@got Hello from staff"),
        "waiter printed: {rest}"
    );
}

#[test]
fn a_waiter_that_arrives_after_ten_idle_seconds_wakes_on_the_next_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seshat.db");
    let store = SqliteStore::open(&path).unwrap();
    let chat = store.start_chat("Anonymous", None).unwrap();
    store.accept(chat.id, "joe@example.com").unwrap();
    // The child has no safety-net poll: only the wake-up path can reach it
    // within its 60 s wait.
    let mut waiter = spawn_child_with("waiter", &path, Some(chat.token.as_str()), &[(IDLE, "10")]);
    let mut stdout = BufReader::new(waiter.stdout.take().unwrap());
    wait_until_ready(&mut stdout);

    store
        .reply_from_staff("joe@example.com", "After the quiet spell")
        .unwrap();

    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(waiter.wait().unwrap().success());
    assert!(
        rest.lines().any(|l| l == "@got After the quiet spell"),
        "waiter printed: {rest}"
    );
}
