//! The relay benchmark: real Prosody, the real `seshatd` binary, real
//! staff clients and the web side through `seshat-client`, all on this
//! machine, measured in one run:
//!
//! - the raw XMPP hop between two clients (the floor);
//! - relay latency visitor -> staff and staff -> visitor through the
//!   store and the daemon (p50, p90, p99) for lone messages, each sent
//!   once the previous one has arrived, with no reply in between (the
//!   `conversation` bench measures replies that follow within
//!   milliseconds, which is where sockets with Nagle's algorithm stall);
//! - relayed messages per second across 200 concurrent chats, both ways
//!   at once;
//! - the daemon's CPU time and memory (from `/proc`) with 1,000 open chats.
//!
//! ```text
//! cargo bench -p seshatd --bench relay
//! SESHAT_BENCH_STORE=postgres cargo bench -p seshatd --bench relay
//! ```
//!
//! The second runs the same on a private PostgreSQL cluster with its
//! default durability (`database = ...`) instead of an SQLite file.
//!
//! Everything shares the machine's cores: the figures are for the whole
//! system (Prosody, daemon, 200 clients and the web side), not for the
//! daemon alone.

// The integration tests' rig; a benchmark uses part of it.
#[allow(dead_code)]
#[path = "../tests/it/common.rs"]
mod common;
#[path = "support/open_chats.rs"]
mod open_chats;

use std::time::{Duration, Instant};

use common::Rig;
use futures::future::{join_all, select_all};
use open_chats::open_accepted_chats;
use seshat_client::{ChatToken, Client, Subscription, Topic};
use seshat_testkit::latency::millis;
use seshat_testkit::usage::{cpu_seconds, memory};
use seshat_testkit::{BareJid, Latencies, Postgres, StaffClient};

/// Staff members, each in one chat: the concurrent chats of the throughput run.
const STAFF: usize = 200;
/// Open chats in the database while measuring; those beyond [`STAFF`]
/// belong to staff who are not connected and sit idle.
const OPEN_CHATS: usize = 1000;
/// Samples per latency measurement.
const SAMPLES: usize = 1000;
/// Messages each way per chat in the throughput run.
const PER_CHAT: usize = 25;
/// How long idle CPU use is watched.
const IDLE: Duration = Duration::from_secs(5);
/// Generous deadline for any single wait.
const DEADLINE: Duration = Duration::from_secs(120);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("an async runtime");
    runtime.block_on(run());
}

async fn run() {
    let names: Vec<String> = (0..STAFF).map(|i| format!("s{i}_")).collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let postgres = match std::env::var("SESHAT_BENCH_STORE").as_deref() {
        Ok("postgres") => Some(Postgres::start_durable().expect("start PostgreSQL")),
        Ok("sqlite") | Err(_) => None,
        Ok(other) => panic!("SESHAT_BENCH_STORE={other}: use sqlite or postgres"),
    };
    eprintln!("setting up: {STAFF} staff accounts, {OPEN_CHATS} open chats...");
    let mut builder = Rig::builder();
    if let Some(postgres) = &postgres {
        builder = builder.on_postgres(&postgres.url());
    }
    let mut rig = builder
        .staff(&name_refs)
        .strangers(&["hopa", "hopb"])
        .setting("log_level", "info")
        .without_daemon()
        .build();
    let bot = rig.bot();

    // Open chats, accepted before the daemon starts so nobody is offered
    // them: the first STAFF by connected staff, the rest by absent staff.
    let staff_jids: Vec<String> = (0..OPEN_CHATS)
        .map(|i| match names.get(i) {
            Some(name) => rig.jid(name).to_string(),
            None => format!("absent{i}@localhost"),
        })
        .collect();
    let tokens = open_accepted_chats(&rig.web, staff_jids).await;

    let mut staff: Vec<StaffClient> = Vec::new();
    for batch in names.chunks(20) {
        staff.extend(join_all(batch.iter().map(|name| rig.connect(name, "desk"))).await);
    }
    let mut hop_a = rig.connect("hopa", "desk").await;
    let mut hop_b = rig.connect("hopb", "desk").await;
    rig.start_daemon();
    let pid = rig.daemon_pid().expect("the daemon runs");

    // Warm-up, and proof that the daemon sees every staff member.
    join_all(
        tokens[..STAFF]
            .iter()
            .map(|token| rig.web.send(token, "warm-up")),
    )
    .await;
    for client in &mut staff {
        client
            .wait_for_message_containing("warm-up", DEADLINE)
            .await
            .expect("warm-up message");
    }
    eprintln!("measuring...");

    let hop = raw_hop(&mut hop_a, &mut hop_b).await;
    let to_staff = visitor_to_staff(&rig.web, &tokens[0], &mut staff[0], &bot).await;
    let to_visitor = staff_to_visitor(&rig.web, &tokens[0], &mut staff[0], &bot).await;

    let (staff, raw_relayed, raw_elapsed) = raw_throughput(staff).await;

    let cpu = |pid: u32| cpu_seconds(pid).expect("a process's CPU time from /proc");
    let idle_before = cpu(pid);
    tokio::time::sleep(IDLE).await; // Measuring idleness is waiting.
    let idle_cpu = (cpu(pid) - idle_before) / IDLE.as_secs_f64();

    let prosody_pid: u32 = std::fs::read_to_string(rig.prosody.dir().join("prosody.pid"))
        .expect("prosody's pid file")
        .trim()
        .parse()
        .expect("a pid");
    let own_pid = std::process::id();
    let before = [pid, prosody_pid, own_pid].map(cpu);
    let (relayed, elapsed) = throughput(&rig.web, &tokens[..STAFF], staff, &bot).await;
    let after = [pid, prosody_pid, own_pid].map(cpu);
    let busy_cpu = after[0] - before[0];
    let prosody_cpu = after[1] - before[1];
    let clients_cpu = after[2] - before[2];
    let memory = memory(pid).expect("the daemon's memory");

    println!();
    println!(
        "Store: {}",
        if postgres.is_some() {
            "PostgreSQL (a private cluster on loopback, default durability)"
        } else {
            "SQLite"
        }
    );
    println!();
    println!("| measurement, lone messages | p50 | p90 | p99 | max | mean |");
    println!("|---|---|---|---|---|---|");
    for (what, latencies) in [
        ("raw XMPP hop, client to client", &hop),
        ("relay visitor -> staff", &to_staff),
        ("relay staff -> visitor", &to_visitor),
    ] {
        println!(
            "| {what} ({} samples) | {} | {} |",
            latencies.count(),
            latencies.cells(),
            millis(latencies.mean())
        );
    }
    println!();
    println!("| throughput and resources | value |");
    println!("|---|---|");
    println!(
        "| raw XMPP messages/s, {} client pairs, both ways at once (the floor) | {:.0} ({raw_relayed} messages in {:.2} s) |",
        STAFF / 2,
        raw_relayed as f64 / raw_elapsed.as_secs_f64(),
        raw_elapsed.as_secs_f64()
    );
    println!(
        "| relayed messages/s, {STAFF} concurrent chats, both ways at once (target >= 2,000) | {:.0} ({relayed} messages in {:.2} s) |",
        relayed as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    println!(
        "| daemon CPU during that run | {:.2} s ({:.0}% of one core; {:.0} µs per relayed message) |",
        busy_cpu,
        100.0 * busy_cpu / elapsed.as_secs_f64(),
        1e6 * busy_cpu / relayed as f64
    );
    println!(
        "| Prosody CPU during that run | {:.2} s ({:.0}% of one core) |",
        prosody_cpu,
        100.0 * prosody_cpu / elapsed.as_secs_f64()
    );
    println!(
        "| staff clients and web side (this process) CPU during that run | {:.2} s ({:.0}% of one core) |",
        clients_cpu,
        100.0 * clients_cpu / elapsed.as_secs_f64()
    );
    println!(
        "| daemon CPU while idle, {OPEN_CHATS} open chats | {:.1}% of one core |",
        100.0 * idle_cpu
    );
    println!(
        "| daemon RSS with {OPEN_CHATS} open chats: now / peak | {:.1} MiB / {:.1} MiB |",
        memory.resident_kib as f64 / 1024.0,
        memory.peak_kib as f64 / 1024.0
    );
    println!(
        "| machine | {} cores; Prosody, daemon, {} XMPP clients and the web side share them |",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        STAFF + 2
    );
    assert!(rig.stop_daemon().success());
}

/// One client to another through Prosody, one message at a time.
async fn raw_hop(a: &mut StaffClient, b: &mut StaffClient) -> Latencies {
    let to = b.jid().clone();
    let mut samples = Vec::with_capacity(SAMPLES);
    for n in 0..SAMPLES {
        let body = format!("hop {n}");
        let started = Instant::now();
        let (sent, arrived) = tokio::join!(a.send_chat(&to, &body), async {
            let message = b.next_message(DEADLINE).await;
            (started.elapsed(), message)
        });
        sent.expect("hop sent");
        let (elapsed, message) = arrived;
        assert_eq!(message.expect("hop arrived").body, body);
        samples.push(elapsed);
    }
    Latencies::new(samples)
}

/// The visitor's message committed to the store until the staff client has it.
async fn visitor_to_staff(
    web: &Client,
    token: &ChatToken,
    staff: &mut StaffClient,
    bot: &BareJid,
) -> Latencies {
    let mut samples = Vec::with_capacity(SAMPLES);
    for n in 0..SAMPLES {
        let body = format!("to staff {n}");
        let started = Instant::now();
        web.send(token, &body).await.expect("visitor sends");
        let message = staff
            .expect_message_from(bot, DEADLINE)
            .await
            .expect("relayed to staff");
        samples.push(started.elapsed());
        assert_eq!(message.body, body);
    }
    Latencies::new(samples)
}

/// The staff client's message sent until the visitor's long poll returns it.
async fn staff_to_visitor(
    web: &Client,
    token: &ChatToken,
    staff: &mut StaffClient,
    bot: &BareJid,
) -> Latencies {
    let mut samples = Vec::with_capacity(SAMPLES);
    for n in 0..SAMPLES {
        let body = format!("to visitor {n}");
        let started = Instant::now();
        let (sent, received) = tokio::join!(staff.send_chat(bot, &body), async {
            let messages = web.receive_waiting(token, DEADLINE).await;
            (started.elapsed(), messages)
        });
        sent.expect("staff sends");
        let (elapsed, messages) = received;
        let texts: Vec<String> = messages
            .expect("visitor receives")
            .into_iter()
            .map(|message| message.text)
            .collect();
        assert_eq!(texts, vec![body]);
        samples.push(elapsed);
    }
    Latencies::new(samples)
}

/// The same traffic without Seshat: the staff clients in pairs, each
/// writing [`PER_CHAT`] messages straight to its partner (pipelined, as in
/// [`throughput`], see [`send_all`]). Returns the
/// clients for the next run, the number of messages and the time taken.
async fn raw_throughput(staff: Vec<StaffClient>) -> (Vec<StaffClient>, usize, Duration) {
    let jids: Vec<BareJid> = staff.iter().map(|client| client.jid().clone()).collect();
    let half = staff.len() / 2;
    let started = Instant::now();
    let work = staff.into_iter().enumerate().map(|(i, mut client)| {
        let partner = jids[(i + half) % (2 * half)].clone();
        tokio::spawn(async move {
            send_all(&client, &partner, (0..PER_CHAT).map(|n| format!("raw {n}"))).await;
            for n in 0..PER_CHAT {
                let message = client
                    .expect_message_from(&partner, DEADLINE)
                    .await
                    .expect("raw message");
                assert_eq!(message.body, format!("raw {n}"));
            }
            client
        })
    });
    let clients: Vec<StaffClient> = join_all(work)
        .await
        .into_iter()
        .map(|client| client.expect("a raw task"))
        .collect();
    let elapsed = started.elapsed();
    let messages = clients.len() * PER_CHAT;
    (clients, messages, elapsed)
}

/// Sends `bodies` to `to` in order the way a client does, one after the
/// other without waiting for the server's acknowledgement of each before
/// writing the next, and returns once the server has acknowledged them all.
async fn send_all(client: &StaffClient, to: &BareJid, bodies: impl Iterator<Item = String>) {
    // `join_all` polls each send once, in order, before any waits: every
    // message is queued on the connection in order, then the acks are
    // awaited together. Receivers check the order on arrival.
    let sends = bodies.map(|body| async move { client.send_chat(to, &body).await });
    for sent in join_all(sends).await {
        sent.expect("sent and acknowledged");
    }
}

/// Every chat's visitor and staff member write [`PER_CHAT`] messages to
/// each other at once, staff pipelining theirs ([`send_all`]); returns how
/// many were relayed and how long it took until the last arrived.
async fn throughput(
    web: &Client,
    tokens: &[ChatToken],
    staff: Vec<StaffClient>,
    bot: &BareJid,
) -> (usize, Duration) {
    let started = Instant::now();
    let visitors_write = join_all(tokens.iter().enumerate().map(|(chat, token)| async move {
        for n in 0..PER_CHAT {
            web.send(token, &format!("v{chat}-{n}"))
                .await
                .expect("visitor sends");
        }
    }));
    let staff_work = staff.into_iter().enumerate().map(|(chat, mut client)| {
        let bot = bot.clone();
        tokio::spawn(async move {
            send_all(&client, &bot, (0..PER_CHAT).map(|n| format!("s{chat}-{n}"))).await;
            for n in 0..PER_CHAT {
                let message = client
                    .expect_message_from(&bot, DEADLINE)
                    .await
                    .expect("relayed to staff");
                assert_eq!(message.body, format!("v{chat}-{n}"));
            }
            client
        })
    });
    let visitors_read = collect_for_visitors(web, tokens);
    let (_, staff_done, ()) = tokio::join!(visitors_write, join_all(staff_work), visitors_read);
    let elapsed = started.elapsed();
    for client in staff_done {
        drop(client.expect("a staff task"));
    }
    (2 * tokens.len() * PER_CHAT, elapsed)
}

/// Reads every chat's messages for the visitor as they arrive, the way a
/// web application's long polls would, until each has [`PER_CHAT`].
async fn collect_for_visitors(web: &Client, tokens: &[ChatToken]) {
    let mut received = vec![0usize; tokens.len()];
    let wakeups = web.store().wakeups();
    let mut subscriptions: Vec<Subscription> = tokens
        .iter()
        .map(|token| {
            let chat_id = web.store().inbox(token, None).expect("the chat").chat_id;
            wakeups.subscribe(Topic::Chat(chat_id))
        })
        .collect();
    let give_up_at = tokio::time::Instant::now() + DEADLINE;
    while received.iter().any(|&count| count < PER_CHAT) {
        subscriptions.iter_mut().for_each(Subscription::mark_seen);
        let waiting: Vec<(usize, ChatToken)> = received
            .iter()
            .enumerate()
            .filter(|(_, &count)| count < PER_CHAT)
            .map(|(chat, _)| (chat, tokens[chat].clone()))
            .collect();
        let arrived = web
            .run(move |store| {
                let mut arrived = Vec::new();
                for (chat, token) in waiting {
                    for message in store.take_for_visitor(&token)? {
                        arrived.push((chat, message.text));
                    }
                }
                Ok(arrived)
            })
            .await
            .expect("visitors receive");
        for (chat, text) in arrived {
            assert_eq!(text, format!("s{chat}-{}", received[chat]), "in order");
            received[chat] += 1;
        }
        if received.iter().all(|&count| count >= PER_CHAT) {
            break;
        }
        let any_changed = select_all(
            subscriptions
                .iter_mut()
                .map(|subscription| Box::pin(subscription.changed())),
        );
        tokio::time::timeout_at(give_up_at, any_changed)
            .await
            .expect("messages for visitors within the deadline");
    }
}
