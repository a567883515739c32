//! A site on PostgreSQL, measured as it is used: every part a real
//! process (Prosody, PostgreSQL with its default durability, two
//! `seshat-webapp`s, two `seshatd`s, one on duty and one standing by),
//! staff in real XMPP clients, visitors on plain HTTP as the widget talks.
//!
//! ```text
//! cargo bench -p seshat-webapp --bench postgres
//! ```
//!
//! 1. **Conversations across two web apps.** Each visitor writes on app A
//!    and long-polls on app B (a load balancer may send the two requests
//!    to different hosts). Each round: the visitor sends a line; when it
//!    reaches staff, they answer [`REPLY_DELAY`] later; when the reply
//!    reaches the long poll on B, the visitor writes the next line
//!    [`NEXT_LINE_DELAY`] later. Measured: visitor -> staff (from the
//!    POST on A to the XMPP message at the staff client) and staff ->
//!    visitor (from the staff client's send to the long poll's answer on
//!    B), for 1, 10 and 40 conversations at once.
//! 2. **Failover.** The daemon on duty is killed with SIGKILL while a chat
//!    is open; the visitor writes at once; measured: from the kill until
//!    that line reaches staff through the standby. The killed daemon comes
//!    back as the new standby, and this is repeated. The same for a clean
//!    stop (SIGTERM), where the lease is handed over at once.
//!
//! `SESHAT_BENCH_ROUNDS` sets the timed rounds per conversation (default
//! 200; 10 more warm up first); `SESHAT_BENCH_FAILOVERS` how many times
//! each failover is measured (default 3).

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use seshat_testkit::{BareJid, Latencies, Postgres, StaffClient};

use seshat_system_tests::deployment::{Deployment, Running, DEADLINE, PASSWORD};
use seshat_system_tests::http_visitor::HttpVisitor;

/// How long a staff member takes to answer once a line has arrived.
const REPLY_DELAY: Duration = Duration::from_millis(3);
/// How long a visitor takes to write the next line once a reply is shown.
const NEXT_LINE_DELAY: Duration = Duration::from_millis(3);
/// Conversations at once, one run each.
const CROWDS: [usize; 3] = [1, 10, 40];
/// Untimed rounds first.
const WARM_UP: usize = 10;
/// The issue's target, each way.
const TARGET_P50: Duration = Duration::from_millis(5);
/// What each daemon logs when it takes the duty lease, and when it stands by.
const ON_DUTY: &str = "on duty: took the duty lease";
const STANDING_BY: &str = "standing by: another seshatd is on duty";

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rounds = setting("SESHAT_BENCH_ROUNDS", 200);
    let failovers = setting("SESHAT_BENCH_FAILOVERS", 3);
    let most = *CROWDS.iter().max().expect("a crowd");
    let postgres = Postgres::start_durable().expect("start PostgreSQL");
    let names: Vec<String> = (0..most).map(|i| format!("desk{i}")).collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut deployment =
        Deployment::start_on_postgres(&name_refs, &postgres.url(), "rate_limit_per_minute = 0\n");
    let (_app_b, site_b) = deployment.start_another_webapp("webapp-b", "");
    let bot = deployment.prosody.jid("bot");
    wait_for_log(&deployment.daemon, ON_DUTY);

    eprintln!("{most} staff members log in and take a chat each...");
    let store = deployment.open_store();
    let mut pairs = Vec::new();
    for name in &names {
        let mut staff = StaffClient::connect(&deployment.prosody, name, PASSWORD, "desk")
            .await
            .expect("staff log in");
        deployment.wait_until_staff_available(&store).await;
        let start = format!("Hello, {name}");
        let mut visitor = HttpVisitor::start(&deployment.url, &start).await;
        deployment.accept_offer(&mut staff, &start).await;
        staff
            .wait_for_message_containing("You are now handling", DEADLINE)
            .await
            .expect("the bot confirms the accept");
        visitor.wait_for(seshat_client::texts::CHAT_STARTED).await;
        pairs.push((visitor, staff));
    }

    let mut table = Vec::new();
    for crowd in CROWDS {
        eprintln!("{crowd} conversations at once, {rounds} rounds each...");
        let talks = pairs.drain(..).enumerate().map(|(i, (visitor, staff))| {
            let (bot, site_b) = (bot.clone(), site_b.clone());
            let rounds = if i < crowd { WARM_UP + rounds } else { 0 };
            tokio::spawn(converse(visitor, staff, bot, site_b, rounds))
        });
        let mut to_staff = Vec::new();
        let mut to_visitor = Vec::new();
        for finished in join_all(talks).await {
            let (visitor, staff, samples) = finished.expect("a conversation");
            to_staff.extend(samples.to_staff);
            to_visitor.extend(samples.to_visitor);
            pairs.push((visitor, staff));
        }
        table.push((crowd, to_staff, to_visitor));
    }

    eprintln!("failover: kill -9 the daemon on duty, {failovers} times...");
    let (visitor, mut staff) = pairs.swap_remove(0);
    let mut on_duty: Option<Running> = None;
    let mut killed = Vec::new();
    let mut stopped = Vec::new();
    for round in 0..2 * failovers {
        let standby = deployment.start_another_daemon(&format!("seshatd-{round}"));
        wait_for_log(&standby, STANDING_BY);
        let cleanly = round >= failovers;
        let started = Instant::now();
        match (&mut on_duty, cleanly) {
            (Some(daemon), false) => daemon.kill(),
            (Some(daemon), true) => daemon.terminate(),
            (None, false) => deployment.daemon.kill(),
            (None, true) => deployment.stop_daemon(),
        }
        let line = format!("still there? {round}");
        visitor.say(&line).await;
        let message = staff
            .wait_for_message_containing(&line, DEADLINE)
            .await
            .expect("the standby relays the line");
        let elapsed = started.elapsed();
        assert_eq!(message.body, line);
        if cleanly {
            stopped.push(elapsed);
        } else {
            killed.push(elapsed);
        }
        on_duty = Some(standby);
    }

    println!();
    println!(
        "PostgreSQL ({}): visitors write on web app A and long-poll on web app B; \
         each line answered {} ms after it arrives",
        if cfg!(debug_assertions) {
            "DEBUG build, figures not comparable"
        } else {
            "release build"
        },
        REPLY_DELAY.as_millis()
    );
    println!();
    println!(
        "| conversations at once | direction | samples | p50 | p90 | p99 | max | target p50 <= {} ms |",
        TARGET_P50.as_millis()
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (crowd, to_staff, to_visitor) in table {
        for (direction, samples) in [
            ("visitor -> staff", to_staff),
            ("staff -> visitor", to_visitor),
        ] {
            let latencies = Latencies::new(samples);
            println!(
                "| {crowd} | {direction} | {} | {} | {} |",
                latencies.count(),
                latencies.cells(),
                if latencies.p50() <= TARGET_P50 {
                    "met"
                } else {
                    "MISSED"
                }
            );
        }
    }
    println!();
    println!("| failover, until the visitor's next line reaches staff | samples | p50 | p90 | p99 | max |");
    println!("|---|---|---|---|---|---|");
    for (what, samples) in [
        ("daemon on duty killed (SIGKILL)", killed),
        ("daemon on duty stopped (SIGTERM)", stopped),
    ] {
        let latencies = Latencies::new(samples);
        println!("| {what} | {} | {} |", latencies.count(), latencies.cells());
    }
    println!(
        "| machine | {} cores; Prosody, PostgreSQL, two daemons, two web apps, {most} staff clients and the visitors share them |",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
}

/// One conversation's samples, each way.
#[derive(Default)]
struct Samples {
    to_staff: Vec<Duration>,
    to_visitor: Vec<Duration>,
}

/// `rounds` rounds of one conversation (see the module docs), the first
/// [`WARM_UP`] untimed; hands the visitor and staff member back.
async fn converse(
    visitor: HttpVisitor,
    mut staff: StaffClient,
    bot: BareJid,
    site_b: String,
    rounds: usize,
) -> (HttpVisitor, StaffClient, Samples) {
    let mut samples = Samples::default();
    let mut reader = visitor.also_on(&site_b);
    for round in 0..rounds {
        let line = format!("visitor line {round}");
        let sent = Instant::now();
        visitor.say(&line).await;
        let message = staff
            .expect_message_from(&bot, DEADLINE)
            .await
            .expect("the line reaches staff");
        let to_staff = sent.elapsed();
        assert_eq!(message.body, line);

        let reply = format!("staff reply {round}");
        let (replied, arrived) = tokio::join!(
            async {
                // A person answering: the delay is the load pattern.
                tokio::time::sleep(REPLY_DELAY).await;
                let replied = Instant::now();
                staff.send_chat(&bot, &reply).await.expect("staff replies");
                replied
            },
            reader.wait_for(&reply)
        );
        if round >= WARM_UP {
            samples.to_staff.push(to_staff);
            samples
                .to_visitor
                .push(arrived.saturating_duration_since(replied));
        }
        // The visitor typing the next line; again the pattern, not a wait.
        tokio::time::sleep(NEXT_LINE_DELAY).await;
    }
    (visitor, staff, samples)
}

/// Waits until `process` has logged `text`.
fn wait_for_log(process: &Running, text: &str) {
    seshat_testkit::wait_until(DEADLINE, &format!("the log says {text:?}"), || {
        process.log().contains(text)
    });
}
