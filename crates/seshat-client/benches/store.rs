//! Store benchmark: sends and takes per second on a file database, and the
//! wake-up latency from a commit in one process to a waiter in another.
//!
//! Run with `cargo bench -p seshat-client --bench store`. The waiter is this
//! same binary, started again with `SESHAT_BENCH_WAITER` set.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use seshat_client::{ChatToken, Client, SqliteStore, Store};

const SENDS: usize = 20_000;
const TAKES: usize = 10_000;
const WAKE_ROUNDS: usize = 1_000;
const WAITER: &str = "SESHAT_BENCH_WAITER";

fn main() {
    if let Ok(spec) = std::env::var(WAITER) {
        let (path, token) = spec.split_once('|').expect("path|token");
        run_waiter(path, token.parse().expect("token"));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let store = SqliteStore::open(&path).unwrap();

    let chat = store.start_chat("Anonymous", None).unwrap();
    store.accept(chat.id, "joe@example.com").unwrap();
    let started = Instant::now();
    for n in 0..SENDS {
        store
            .send_from_visitor(&chat.token, &format!("message {n}"))
            .unwrap();
    }
    let sends_per_second = SENDS as f64 / started.elapsed().as_secs_f64();

    let mut take_time = Duration::ZERO;
    for n in 0..TAKES {
        store
            .reply_from_staff("joe@example.com", &format!("reply {n}"))
            .unwrap();
        let started = Instant::now();
        let taken = store.take_for_visitor(&chat.token).unwrap();
        take_time += started.elapsed();
        assert!(!taken.is_empty());
    }
    let takes_per_second = TAKES as f64 / take_time.as_secs_f64();

    let mut latencies = wake_up_latencies(&path, &store, &chat.token);
    latencies.sort_by(f64::total_cmp);
    let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];

    println!("| measure | result |");
    println!("|---|---|");
    println!("| visitor sends, one process | {sends_per_second:.0} /s |");
    println!("| takes (one pending message each) | {takes_per_second:.0} /s |");
    println!(
        "| wake-up, commit in one process to waiter in another | p50 {:.2} ms, p99 {:.2} ms ({} rounds) |",
        percentile(0.50),
        percentile(0.99),
        latencies.len()
    );
}

fn unix_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros()
}

/// Commits one reply per round; the waiter process measures how long after
/// the commit it woke with the reply, then asks for the next round.
fn wake_up_latencies(path: &std::path::Path, store: &SqliteStore, token: &ChatToken) -> Vec<f64> {
    store.take_for_visitor(token).unwrap();
    let mut waiter = Command::new(std::env::current_exe().unwrap())
        .env(WAITER, format!("{}|{}", path.display(), token))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut to_waiter = waiter.stdin.take().unwrap();
    let mut from_waiter = BufReader::new(waiter.stdout.take().unwrap());
    let mut line = String::new();
    let mut latencies = Vec::with_capacity(WAKE_ROUNDS);
    for _ in 0..WAKE_ROUNDS {
        line.clear();
        from_waiter.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "waiting");
        // Give the waiter a moment to be parked on the change signal, as a
        // long-polling web request would be.
        std::thread::sleep(Duration::from_millis(3));
        // The commit time is taken after the commit returns, so the figure
        // is the wake-up alone, not the write.
        let reply = store.reply_from_staff("joe@example.com", "ping");
        let committed = unix_micros();
        reply.unwrap();
        writeln!(to_waiter, "{committed}").unwrap();
        line.clear();
        from_waiter.read_line(&mut line).unwrap();
        let woke: u128 = line.trim().parse().unwrap();
        latencies.push(woke.saturating_sub(committed) as f64 / 1000.0);
    }
    line.clear();
    from_waiter.read_line(&mut line).unwrap();
    store.reply_from_staff("joe@example.com", "stop").unwrap();
    assert!(waiter.wait().unwrap().success());
    latencies
}

fn run_waiter(path: &str, token: ChatToken) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::from_store(Arc::new(SqliteStore::open(path).unwrap()));
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut line = String::new();
    runtime.block_on(async {
        loop {
            writeln!(stdout, "waiting").unwrap();
            stdout.flush().unwrap();
            let messages = client
                .receive_waiting(&token, Duration::from_secs(10))
                .await
                .unwrap();
            let woke = unix_micros();
            assert!(!messages.is_empty(), "the waiter timed out");
            if messages.iter().any(|message| message.text == "stop") {
                break;
            }
            line.clear();
            if stdin.read_line(&mut line).unwrap() == 0 {
                break;
            }
            writeln!(stdout, "{woke}").unwrap();
            stdout.flush().unwrap();
        }
    });
}
