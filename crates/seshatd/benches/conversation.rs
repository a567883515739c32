//! The conversation benchmark: the relay's latency in a real conversation,
//! where each line is answered a few milliseconds after it arrives.
//!
//! ```text
//! cargo bench -p seshatd --bench conversation
//! ```
//!
//! Everything is real and on loopback: Prosody with its default network
//! settings (Nagle's algorithm on, as sites run it), the `seshatd` binary
//! of this build (release under `cargo bench`), staff members in XMPP
//! clients that write each stanza at once, and visitors through the store
//! as the web app uses it (`send`, then a long poll for the reply).
//!
//! Each round: the visitor sends a line; when it reaches the staff
//! client, the staff member answers [`REPLY_DELAY`] later; when the reply
//! reaches the visitor's long poll, the visitor writes the next line
//! [`NEXT_LINE_DELAY`] later. A lone message measures only one write; a
//! reply that follows another stanza within the peer's delayed-ACK window
//! (up to 40 ms on Linux) is what stalls when a socket keeps Nagle's
//! algorithm on, so this is the pattern measured. Rounds run in one
//! conversation, then in [`CONCURRENT`] conversations at once.
//!
//! `SESHAT_BENCH_ROUNDS` sets the timed rounds per conversation (default
//! 300; 20 more warm up first).

// The integration tests' rig; a benchmark uses part of it.
#[allow(dead_code)]
#[path = "../tests/it/common.rs"]
mod common;
#[path = "support/open_chats.rs"]
mod open_chats;

use std::time::{Duration, Instant};

use futures::future::join_all;
use seshat_client::{ChatToken, Client};
use seshat_testkit::{BareJid, Latencies, StaffClient};

use common::Rig;
use open_chats::open_accepted_chats;

/// How long a staff member takes to answer once a line has arrived: the
/// issue's "a few ms", well inside a delayed-ACK window.
const REPLY_DELAY: Duration = Duration::from_millis(3);
/// How long a visitor takes to write the next line once a reply is shown.
const NEXT_LINE_DELAY: Duration = Duration::from_millis(3);
/// Conversations at once in the second run.
const CONCURRENT: usize = 10;
/// Untimed rounds first: connections, caches, first-use paths.
const WARM_UP: usize = 20;
/// Timed rounds per conversation unless `SESHAT_BENCH_ROUNDS` says otherwise.
const DEFAULT_ROUNDS: usize = 300;
/// Targets of issue 9, each way.
const TARGET_P50: Duration = Duration::from_millis(3);
const TARGET_P99: Duration = Duration::from_millis(10);
/// A sample this slow has waited for a delayed ACK (or worse).
const STALL: Duration = Duration::from_millis(20);
/// Generous deadline for any single wait; only a broken relay reaches it.
const DEADLINE: Duration = Duration::from_secs(60);

fn main() {
    let rounds = std::env::var("SESHAT_BENCH_ROUNDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(DEFAULT_ROUNDS);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("an async runtime");
    runtime.block_on(run(rounds));
}

/// One conversation's samples, each way.
#[derive(Default)]
struct Samples {
    to_staff: Vec<Duration>,
    to_visitor: Vec<Duration>,
}

async fn run(rounds: usize) {
    let names: Vec<String> = (0..CONCURRENT).map(|i| format!("desk{i}_")).collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut rig = Rig::builder()
        .staff(&name_refs)
        .setting("log_level", "info")
        .without_daemon()
        .build();
    let prosody_config =
        std::fs::read_to_string(rig.prosody.config_path()).expect("Prosody's configuration");
    assert!(
        !prosody_config.contains("network_settings"),
        "the test kit's Prosody no longer runs with default network settings; \
         this benchmark must measure the defaults sites run"
    );
    let bot = rig.bot();

    let staff_jids: Vec<String> = names.iter().map(|name| rig.jid(name).to_string()).collect();
    let tokens = open_accepted_chats(&rig.web, staff_jids).await;
    let mut staff = join_all(names.iter().map(|name| rig.connect(name, "desk"))).await;
    rig.start_daemon();
    // Proof that the daemon relays to every staff member before timing.
    for (token, client) in tokens.iter().zip(&mut staff) {
        rig.web.send(token, "warm-up").await.expect("visitor sends");
        let message = client
            .expect_message_from(&bot, DEADLINE)
            .await
            .unwrap_or_else(|error| panic!("no warm-up: {error}\n{}", rig.daemon_log()));
        assert_eq!(message.body, "warm-up");
    }

    eprintln!("one conversation, {rounds} rounds...");
    let mut clients = staff.into_iter();
    let first = clients.next().expect("a staff client");
    let (first, alone) = converse(
        rig.web.clone(),
        tokens[0].clone(),
        first,
        bot.clone(),
        rounds,
    )
    .await;
    eprintln!("{CONCURRENT} conversations at once, {rounds} rounds each...");
    let conversations = std::iter::once(first)
        .chain(clients)
        .zip(tokens.iter().cloned())
        .map(|(client, token)| {
            tokio::spawn(converse(
                rig.web.clone(),
                token,
                client,
                bot.clone(),
                rounds,
            ))
        });
    let mut together = Samples::default();
    for finished in join_all(conversations).await {
        let (_, samples) = finished.expect("a conversation");
        together.to_staff.extend(samples.to_staff);
        together.to_visitor.extend(samples.to_visitor);
    }

    println!();
    println!(
        "Conversation ({}): each line answered {} ms after it arrives; Prosody with default network settings",
        if cfg!(debug_assertions) { "DEBUG build, figures not comparable" } else { "release build" },
        REPLY_DELAY.as_millis()
    );
    println!();
    println!("| conversations at once | direction | samples | p50 | p90 | p99 | max | over {} ms | target p50 <= {} ms, p99 <= {} ms |",
        STALL.as_millis(), TARGET_P50.as_millis(), TARGET_P99.as_millis());
    println!("|---|---|---|---|---|---|---|---|---|");
    for (at_once, samples) in [(1, alone), (CONCURRENT, together)] {
        for (direction, durations) in [
            ("visitor -> staff", samples.to_staff),
            ("staff -> visitor", samples.to_visitor),
        ] {
            let stalled = durations.iter().filter(|&&d| d > STALL).count();
            let latencies = Latencies::new(durations);
            let met = latencies.p50() <= TARGET_P50 && latencies.p99() <= TARGET_P99;
            println!(
                "| {at_once} | {direction} | {} | {} | {:.0}% | {} |",
                latencies.count(),
                latencies.cells(),
                100.0 * stalled as f64 / latencies.count() as f64,
                if met { "met" } else { "MISSED" },
            );
        }
    }
    println!(
        "| machine | {} cores; Prosody, the daemon, {CONCURRENT} staff clients and the web side share them |",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    assert!(rig.stop_daemon().success());
}

/// One visitor and one staff member talking for [`WARM_UP`] + `rounds`
/// rounds (see the module docs); returns the staff client for the next
/// run and the timed samples.
async fn converse(
    web: Client,
    token: ChatToken,
    mut staff: StaffClient,
    bot: BareJid,
    rounds: usize,
) -> (StaffClient, Samples) {
    let mut samples = Samples::default();
    for round in 0..WARM_UP + rounds {
        let line = format!("visitor line {round}");
        let sent = Instant::now();
        web.send(&token, &line).await.expect("visitor sends");
        let message = staff
            .expect_message_from(&bot, DEADLINE)
            .await
            .expect("the line reaches staff");
        let to_staff = sent.elapsed();
        assert_eq!(message.body, line);

        let reply = format!("staff reply {round}");
        // The visitor's long poll is already waiting, as the widget's is.
        let (replied, received) = tokio::join!(
            async {
                // A person answering, not synchronisation: the delay is
                // the load pattern being measured.
                tokio::time::sleep(REPLY_DELAY).await;
                let replied = Instant::now();
                staff.send_chat(&bot, &reply).await.expect("staff replies");
                replied
            },
            async {
                let messages = web.receive_waiting(&token, DEADLINE).await;
                (Instant::now(), messages)
            }
        );
        let (arrived, messages) = received;
        let texts: Vec<String> = messages
            .expect("the visitor receives")
            .into_iter()
            .map(|message| message.text)
            .collect();
        assert_eq!(texts, vec![reply]);
        if round >= WARM_UP {
            samples.to_staff.push(to_staff);
            samples
                .to_visitor
                .push(arrived.saturating_duration_since(replied));
        }
        // The visitor typing the next line; again the pattern, not a wait.
        tokio::time::sleep(NEXT_LINE_DELAY).await;
    }
    (staff, samples)
}
