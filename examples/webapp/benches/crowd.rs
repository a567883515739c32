//! The crowd benchmark: what idle visitors cost the web app while
//! messages flow on other chats.
//!
//! ```text
//! cargo bench -p seshat-webapp --bench crowd
//! ```
//!
//! The release `seshat-webapp` runs as its own process on one SQLite
//! file. [`CHATTING`] visitors send lines over HTTP on accepted chats and
//! read the replies with the widget's long poll; a second process, the
//! store writer (this binary again, see `crowd/writer.rs`), marks each
//! line delivered and writes a staff reply into the store, as the daemon
//! does. Together that offers [`RATE`] messages/s, half each way. Meanwhile
//! idle visitors wait on quiet chats of their own as the widget waits:
//! long polls (`wait=30&after=<last id>`, re-issued when they return) and
//! open WebSockets that acknowledge what they show. The run adds them in
//! steps (none, 500, then 2,500: 2,000 long polls and 500 sockets) and at
//! each step measures, from `/proc`:
//!
//! - the web app's CPU time per message while the traffic flows;
//! - its memory per idle waiter (resident-set growth over the waiters);
//!
//! and, with no traffic at all for [`IDLE`], the idle CPU of the web app
//! and of the store writer (whose wait on the store is the daemon's kind of
//! wait), first with only the chatting visitors waiting, then with the
//! whole crowd.
//!
//! `SESHAT_BENCH_WAITERS` sets the largest crowd (default 2,500; the middle
//! step is a fifth of it), `SESHAT_BENCH_SECONDS` the length of each
//! traffic and idle window (default 10), for quick runs while developing.

#[path = "crowd/chatting.rs"]
mod chatting;
#[path = "crowd/long_poll.rs"]
mod long_poll;
#[path = "crowd/processes.rs"]
mod processes;
#[path = "crowd/waiters.rs"]
mod waiters;
#[path = "crowd/writer.rs"]
mod writer;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use seshat_client::{SqliteStore, Store};
use seshat_testkit::usage::{cpu_seconds, memory, raise_open_files_limit};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use chatting::Flow;
use long_poll::LongPoll;

/// Set in the store writer's environment (to the database path): the
/// process is the writer, not the benchmark.
const WRITER_ROLE: &str = "SESHAT_CROWD_WRITER";
/// Visitors whose chats carry the traffic.
const CHATTING: usize = 20;
/// Messages per second offered, both ways together: visitors send half,
/// the writer answers each line.
const RATE: u32 = 200;
/// Idle waiters at the largest step unless `SESHAT_BENCH_WAITERS` says
/// otherwise: 2,000 long polls and 500 sockets.
const DEFAULT_WAITERS: usize = 2_500;
/// Of every five idle waiters, this many hold a socket; the rest poll.
const SOCKETS_PER_FIVE: usize = 1;
/// Length of each traffic and idle window unless `SESHAT_BENCH_SECONDS`
/// says otherwise.
const IDLE: Duration = Duration::from_secs(10);
/// Waiters connected at once while a step fills up.
const CONNECT_BATCH: usize = 100;
/// Generous deadline for anything that normally takes a moment.
const DEADLINE: Duration = Duration::from_secs(120);
/// Targets of issue 9.
const TARGET_GROWTH: f64 = 2.0;
const TARGET_IDLE_PERCENT: f64 = 1.0;
const TARGET_KIB_PER_WAITER: f64 = 64.0;

fn main() {
    if let Some(database) = std::env::var_os(WRITER_ROLE) {
        writer::run(Path::new(&database));
        return;
    }
    let largest = env_number("SESHAT_BENCH_WAITERS").unwrap_or(DEFAULT_WAITERS);
    let window = env_number("SESHAT_BENCH_SECONDS")
        .map_or(IDLE, |seconds| Duration::from_secs(seconds as u64));
    // Every waiter is a socket here and one in the web app, which inherits
    // this limit.
    let limit = raise_open_files_limit(4 * largest as u64 + 1024).expect("raise RLIMIT_NOFILE");
    assert!(
        limit as usize > 2 * largest + 256,
        "the open-files limit ({limit}) is too low for {largest} waiters"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("an async runtime");
    runtime.block_on(run(largest, window));
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
}

/// A chat the benchmark opened: its web token and the last message id
/// its visitor has already seen.
struct OpenChat {
    token: String,
    seen_up_to: i64,
}

/// CPU time of the two processes under test, read together.
#[derive(Clone, Copy)]
struct Cpu {
    webapp: f64,
    writer: f64,
}

/// One traffic window's figures.
struct Traffic {
    long_polls: usize,
    sockets: usize,
    messages: u64,
    window: Duration,
    webapp_cpu: f64,
    writer_cpu: f64,
    drained: bool,
}

impl Traffic {
    fn webapp_ms_per_message(&self) -> f64 {
        1e3 * self.webapp_cpu / self.messages.max(1) as f64
    }
}

async fn run(largest: usize, window: Duration) {
    let dir = tempfile::Builder::new()
        .prefix("seshat-crowd-")
        .tempdir()
        .expect("a temporary directory");
    let database = dir.path().join("seshat.db");
    eprintln!("opening {} chats...", CHATTING + largest);
    let (chatting, quiet) = open_chats(&database, largest);

    let writer = processes::start_writer(WRITER_ROLE, &database, dir.path());
    let (webapp, base) = processes::start_webapp(&database, dir.path());
    let sample_cpu = || Cpu {
        webapp: cpu_seconds(webapp.pid()).expect("the web app's CPU time"),
        writer: cpu_seconds(writer.pid()).expect("the writer's CPU time"),
    };
    let http = reqwest::Client::builder()
        .timeout(DEADLINE)
        .build()
        .expect("an HTTP client");
    let flow = Arc::new(Flow::default());
    let mut tasks: Vec<JoinHandle<()>> = chatting
        .iter()
        .map(|chat| {
            let poll = LongPoll::new(http.clone(), &base, &chat.token, chat.seen_up_to);
            chatting::spawn_reader(poll, Arc::clone(&flow))
        })
        .collect();
    let chatting_tokens: Vec<String> = chatting.into_iter().map(|chat| chat.token).collect();

    eprintln!("idle, {CHATTING} chatting visitors waiting...");
    let idle_alone = idle_cpu(window, sample_cpu).await;

    let middle = largest / 5;
    let mut traffic = Vec::new();
    let mut memory_steps = Vec::new();
    let errors = Arc::new(AtomicU64::new(0));
    let mut quiet = quiet.into_iter();
    let (mut long_polls, mut sockets) = (0, 0);
    for step in [0, middle, largest] {
        let added = step - long_polls - sockets;
        let new_sockets = added * SOCKETS_PER_FIVE / 5;
        let new_long_polls = added - new_sockets;
        if added > 0 {
            eprintln!("adding {new_long_polls} long polls and {new_sockets} sockets...");
            let before = memory(webapp.pid()).expect("the web app's memory");
            let chats: Vec<OpenChat> = quiet.by_ref().take(added).collect();
            tasks.extend(
                add_waiters(
                    &http,
                    &base,
                    chats,
                    new_sockets,
                    long_polls + sockets,
                    &errors,
                )
                .await,
            );
            let after = memory(webapp.pid()).expect("the web app's memory");
            long_polls += new_long_polls;
            sockets += new_sockets;
            memory_steps.push((step, before.resident_kib, after.resident_kib));
        }
        eprintln!("traffic at {RATE} messages/s, {step} idle waiters...");
        let started = sample_cpu();
        let messages_before = flow.messages();
        let began = Instant::now();
        let period = Duration::from_secs(1) * CHATTING as u32 / (RATE / 2);
        chatting::send_until(
            &http,
            &base,
            &chatting_tokens,
            period,
            began + window,
            &flow,
        )
        .await;
        let ended = sample_cpu();
        let elapsed = began.elapsed();
        let messages = flow.messages() - messages_before;
        let drained = flow.drained(DEADLINE).await;
        traffic.push(Traffic {
            long_polls,
            sockets,
            messages,
            window: elapsed,
            webapp_cpu: ended.webapp - started.webapp,
            writer_cpu: ended.writer - started.writer,
            drained,
        });
    }

    eprintln!("idle, {largest} idle waiters and {CHATTING} chatting visitors waiting...");
    let idle_crowd = idle_cpu(window, sample_cpu).await;
    let webapp_memory = memory(webapp.pid()).expect("the web app's memory");
    for task in &tasks {
        task.abort();
    }

    print_report(
        &traffic,
        &memory_steps,
        [idle_alone, idle_crowd],
        largest,
        window,
    );
    println!(
        "| failed requests: chatting {}, idle waiters {}; web-app RSS now / peak | {:.1} MiB / {:.1} MiB |",
        flow.errors.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        webapp_memory.resident_kib as f64 / 1024.0,
        webapp_memory.peak_kib as f64 / 1024.0,
    );
    println!(
        "| machine | {} cores; the web app, the writer and every client share them |",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    drop(webapp);
    drop(writer);
}

/// Opens [`CHATTING`] chats for the traffic and `quiet` more for the idle
/// waiters, each accepted by a staff member of its own and with its
/// notices already read, so that a waiter arrives with nothing to
/// acknowledge. Done before the app and the writer start.
fn open_chats(database: &Path, quiet: usize) -> (Vec<OpenChat>, Vec<OpenChat>) {
    let store = SqliteStore::open(database).expect("create the database");
    let open = |staff: String| {
        let chat = store.start_chat("Visitor", None).expect("start a chat");
        store.accept(chat.id, &staff).expect("accept the chat");
        let seen = store
            .take_for_visitor(&chat.token)
            .expect("read the notices");
        OpenChat {
            token: chat.token.to_string(),
            seen_up_to: seen.last().map_or(0, |message| message.id),
        }
    };
    let chatting = (0..CHATTING)
        .map(|i| open(format!("chatting{i}@localhost")))
        .collect();
    let quiet = (0..quiet)
        .map(|i| open(format!("quiet{i}@localhost")))
        .collect();
    (chatting, quiet)
}

/// Connects a waiter to each of `chats`, the first `sockets` of them on a
/// WebSocket and the rest with long polls, [`CONNECT_BATCH`] at a time;
/// returns once the app has answered every one. `already` is how many
/// waiters came before, to spread the long polls' re-polls.
async fn add_waiters(
    http: &reqwest::Client,
    base: &str,
    chats: Vec<OpenChat>,
    sockets: usize,
    already: usize,
    errors: &Arc<AtomicU64>,
) -> Vec<JoinHandle<()>> {
    let socket_url = format!("{}wc/connect", base.replacen("http", "ws", 1));
    let mut tasks = Vec::with_capacity(chats.len());
    let mut chats = chats.into_iter().enumerate().peekable();
    while chats.peek().is_some() {
        let (ready, mut answered) = mpsc::unbounded_channel();
        let mut batch = 0;
        for (index, chat) in chats.by_ref().take(CONNECT_BATCH) {
            batch += 1;
            let errors = Arc::clone(errors);
            tasks.push(if index < sockets {
                waiters::spawn_socket(socket_url.clone(), chat.token, ready.clone(), errors)
            } else {
                let poll = LongPoll::new(http.clone(), base, &chat.token, chat.seen_up_to);
                let first_wait = 1 + ((already + index) as u64 % waiters::WIDGET_WAIT);
                waiters::spawn_long_poll(poll, first_wait, ready.clone(), errors)
            });
        }
        drop(ready);
        let give_up_at = Instant::now() + DEADLINE;
        // A waiter that failed for good has dropped its sender; once all
        // have reported or failed, `recv` says so with `None`.
        for _ in 0..batch {
            let answer = tokio::time::timeout_at(give_up_at, answered.recv())
                .await
                .expect("the web app answers the new waiters in time");
            if answer.is_none() {
                break;
            }
        }
    }
    tasks
}

/// The share of one core each process used over `window` with no traffic.
async fn idle_cpu(window: Duration, sample: impl Fn() -> Cpu) -> Cpu {
    let before = sample();
    // Measuring idleness is waiting.
    tokio::time::sleep(window).await;
    let after = sample();
    let share = |used: f64| 100.0 * used / window.as_secs_f64();
    Cpu {
        webapp: share(after.webapp - before.webapp),
        writer: share(after.writer - before.writer),
    }
}

fn print_report(
    traffic: &[Traffic],
    memory_steps: &[(usize, u64, u64)],
    idle: [Cpu; 2],
    largest: usize,
    window: Duration,
) {
    let none = traffic[0].webapp_ms_per_message();
    println!();
    println!(
        "Crowd ({}): seshat-webapp on one SQLite file; {CHATTING} chatting visitors offer {RATE} messages/s \
         (half sent over HTTP, half replies written by a second process); idle waiters on other chats",
        build_profile()
    );
    println!();
    println!(
        "| idle waiters | long polls + sockets | messages in {:.0} s | messages/s | web-app CPU per message | vs none (target <= {TARGET_GROWTH:.0}x at {largest}) | web-app CPU | writer CPU per message |",
        window.as_secs_f64()
    );
    println!("|---|---|---|---|---|---|---|---|");
    for step in traffic {
        let rate = step.messages as f64 / step.window.as_secs_f64();
        println!(
            "| {} | {} + {} | {}{} | {:.0} | {:.3} ms | {:.1}x | {:.0}% of a core | {:.3} ms |",
            step.long_polls + step.sockets,
            step.long_polls,
            step.sockets,
            step.messages,
            if step.drained {
                ""
            } else {
                " (replies still missing after the deadline)"
            },
            rate,
            step.webapp_ms_per_message(),
            step.webapp_ms_per_message() / none,
            100.0 * step.webapp_cpu / step.window.as_secs_f64(),
            1e3 * step.writer_cpu / step.messages.max(1) as f64,
        );
    }
    println!();
    println!("| idle waiters added | web-app RSS before / after | per waiter (target <= {TARGET_KIB_PER_WAITER:.0} KiB) |");
    println!("|---|---|---|");
    let mut previous = 0;
    for &(step, before, after) in memory_steps {
        println!(
            "| {} -> {step} | {:.1} MiB / {:.1} MiB | {:.0} KiB |",
            previous,
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            after.saturating_sub(before) as f64 / (step - previous) as f64,
        );
        previous = step;
    }
    println!();
    println!(
        "| no traffic for {:.0} s | web app | store writer (the daemon's kind of wait) | target |",
        window.as_secs_f64()
    );
    println!("|---|---|---|---|");
    for (who, cpu) in [
        (format!("{CHATTING} chatting visitors waiting"), idle[0]),
        (
            format!("{CHATTING} chatting visitors and {largest} idle waiters"),
            idle[1],
        ),
    ] {
        println!(
            "| {who} | {:.1}% of a core | {:.1}% of a core | <= {TARGET_IDLE_PERCENT:.0}% each |",
            cpu.webapp, cpu.writer
        );
    }
    println!();
    println!("| other | value |");
    println!("|---|---|");
}

/// Which build is measured: only release figures are comparable.
fn build_profile() -> &'static str {
    if cfg!(debug_assertions) {
        "DEBUG build, figures not comparable"
    } else {
        "release build"
    }
}
