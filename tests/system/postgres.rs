//! A site that has outgrown one machine: every program on one PostgreSQL
//! database (`database = postgresql://...`), each a real process.
//!
//! - two web apps and the daemon: a visitor starts on one app and hears
//!   staff on the other, woken by PostgreSQL's notifications;
//! - two daemons: one on duty, one standing by; `kill -9` the one on duty
//!   mid-chat and the standby takes over the bot, with nothing lost;
//! - PostgreSQL restarts mid-chat: every process recovers, and nothing is
//!   lost or sent twice.

use std::time::Instant;

use seshat_testkit::metrics::{scrape_until, value};
use seshat_testkit::ports::free_port;
use seshat_testkit::{wait_until, Postgres, StaffClient};

use seshat_system_tests::deployment::{Deployment, Running, DEADLINE, PASSWORD};
use seshat_system_tests::http_visitor::HttpVisitor;

/// What the daemon logs when it takes the duty lease.
const ON_DUTY: &str = "on duty: took the duty lease";
/// What a daemon logs when it finds another on duty.
const STANDING_BY: &str = "standing by: another seshatd is on duty";

/// Logs alice in and waits until the daemon counts her available.
async fn alice_at_her_desk(deployment: &Deployment) -> StaffClient {
    let alice = StaffClient::connect(&deployment.prosody, "alice", PASSWORD, "desk")
        .await
        .expect("alice logs in");
    let store = deployment.open_store();
    deployment.wait_until_staff_available(&store).await;
    alice
}

/// A visitor on `site` whose chat alice accepted; both notices taken.
async fn chat_with_alice(
    deployment: &Deployment,
    alice: &mut StaffClient,
    site: &str,
    start_message: &str,
) -> HttpVisitor {
    let mut visitor = HttpVisitor::start(site, start_message).await;
    deployment.accept_offer(alice, start_message).await;
    visitor.wait_for(seshat_client::texts::CHAT_STARTED).await;
    visitor
}

/// Waits until alice receives a message containing `text`, and checks
/// that it is exactly `text`.
async fn alice_receives(deployment: &Deployment, alice: &mut StaffClient, text: &str) {
    let message = alice
        .wait_for_message_containing(text, DEADLINE)
        .await
        .unwrap_or_else(|error| panic!("alice never got {text:?}: {error}\n{}", deployment.logs()));
    assert_eq!(message.body, text);
}

/// A deployment on a new database `name` of the shared cluster, its
/// daemon on duty, and a second daemon standing by.
fn on_duty_and_standing_by(name: &str) -> (Deployment, Running) {
    let url = Postgres::shared()
        .create_database(name)
        .expect("create a database");
    let deployment = Deployment::start_on_postgres(&["alice"], &url, "");
    wait_until(DEADLINE, "the first daemon goes on duty", || {
        deployment.daemon.log().contains(ON_DUTY)
    });
    let standby = deployment.start_another_daemon("seshatd-standby");
    wait_until(DEADLINE, "the second daemon stands by", || {
        standby.log().contains(STANDING_BY)
    });
    (deployment, standby)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_starts_on_one_web_app_and_hears_staff_on_another() {
    let url = Postgres::shared()
        .create_database("two_web_apps")
        .expect("create a database");
    let deployment = Deployment::start_on_postgres(&["alice"], &url, "");
    let metrics_port = free_port().unwrap();
    let (second_app, second_url) = deployment.start_another_webapp(
        "webapp-b",
        &format!("web_metrics_listen = 127.0.0.1:{metrics_port}\n"),
    );
    let mut alice = alice_at_her_desk(&deployment).await;
    let bot = deployment.prosody.jid("bot");

    let mut visitor =
        chat_with_alice(&deployment, &mut alice, &deployment.url, "Hello from app A").await;
    visitor.move_to(&second_url);
    let waiting = tokio::spawn(async move {
        let started = Instant::now();
        let arrived = visitor.wait_for("Hello from staff").await;
        (visitor, arrived - started)
    });
    // Only once the long poll on app B is parked does alice answer, so the
    // reply has to wake it.
    scrape_until(
        metrics_port,
        DEADLINE,
        "a long poll parked on app B",
        |scrape| value(scrape, "seshat_open_long_polls", &[]) == 1.0,
    )
    .await;
    alice.send_chat(&bot, "Hello from staff").await.unwrap();
    let (visitor, waited) = waiting.await.unwrap();
    eprintln!("the reply reached the long poll on app B {waited:?} after it started");

    visitor.say("Thanks, app B").await;
    alice_receives(&deployment, &mut alice, "Thanks, app B").await;
    drop(second_app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standby_daemon_takes_over_when_the_one_on_duty_is_killed() {
    let (mut deployment, standby) = on_duty_and_standing_by("failover");
    let mut alice = alice_at_her_desk(&deployment).await;
    let bot = deployment.prosody.jid("bot");
    let site = deployment.url.clone();
    let mut visitor = chat_with_alice(&deployment, &mut alice, &site, "My parcel is late").await;
    visitor.say("It was due on Monday").await;
    alice_receives(&deployment, &mut alice, "It was due on Monday").await;
    alice.send_chat(&bot, "Let me look").await.unwrap();
    visitor.wait_for("Let me look").await;
    assert!(
        !standby.log().contains(ON_DUTY),
        "the standby logged in while the other was on duty:\n{}",
        standby.log()
    );

    // The daemon on duty dies without a word; the visitor writes on.
    deployment.daemon.kill();
    let killed_at = Instant::now();
    visitor.say("Are you still there?").await;
    alice_receives(&deployment, &mut alice, "Are you still there?").await;
    eprintln!(
        "after kill -9, the standby relayed the visitor's next message {:?} later",
        killed_at.elapsed()
    );
    assert!(standby.log().contains(ON_DUTY), "{}", standby.log());

    // The chat goes on both ways through the new daemon, nothing repeated.
    alice.send_chat(&bot, "Yes, it ships today").await.unwrap();
    visitor.wait_for("Yes, it ships today").await;
    let repeated: Vec<&String> = visitor
        .received
        .iter()
        .filter(|text| *text == "Let me look")
        .collect();
    assert_eq!(repeated.len(), 1, "{:?}", visitor.received);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_process_recovers_when_postgresql_restarts_mid_chat() {
    // A cluster of its own: the others' tests must not see it restart.
    let postgres = Postgres::start().expect("start PostgreSQL");
    let deployment = Deployment::start_on_postgres(&["alice"], &postgres.url(), "");
    let mut alice = alice_at_her_desk(&deployment).await;
    let bot = deployment.prosody.jid("bot");
    let site = deployment.url.clone();
    let mut visitor = chat_with_alice(&deployment, &mut alice, &site, "Can I return shoes?").await;
    visitor.say("They are too small").await;
    alice_receives(&deployment, &mut alice, "They are too small").await;

    postgres.restart().expect("restart PostgreSQL");

    // Staff's answer reaches the visitor, and the visitor's reaches staff:
    // the web app, the daemon and their listeners all came back.
    alice.send_chat(&bot, "Yes, within 30 days").await.unwrap();
    visitor.wait_for("Yes, within 30 days").await;
    visitor.say("Great, thanks").await;
    alice_receives(&deployment, &mut alice, "Great, thanks").await;
    alice.send_chat(&bot, "You are welcome").await.unwrap();
    visitor.wait_for("You are welcome").await;
    assert_eq!(
        visitor.received,
        [
            seshat_client::texts::CHAT_REQUESTED,
            seshat_client::texts::CHAT_STARTED,
            "Yes, within 30 days",
            "You are welcome",
        ],
        "{}",
        deployment.logs()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_cut_off_from_postgresql_logs_out_of_xmpp_until_it_is_back() {
    let postgres = Postgres::start().expect("start PostgreSQL");
    let deployment = Deployment::start_on_postgres(&["alice"], &postgres.url(), "");
    let mut alice = alice_at_her_desk(&deployment).await;
    let bot = deployment.prosody.jid("bot");
    alice.subscribe_to(&bot).await.unwrap();
    alice
        .wait_for_available_from(&bot, DEADLINE)
        .await
        .expect("alice sees the bot online");
    let site = deployment.url.clone();
    let mut visitor = chat_with_alice(&deployment, &mut alice, &site, "Is the shop open?").await;

    // Without the database the daemon cannot renew its lease: a standby
    // elsewhere may be taking over, so it must leave XMPP to it.
    postgres.stop().expect("stop PostgreSQL");
    alice
        .wait_for_presence("the bot goes offline", DEADLINE, |presence| {
            !presence.is_available() && presence.from_bare() == bot
        })
        .await
        .unwrap_or_else(|error| panic!("{error}\n{}", deployment.logs()));
    wait_until(DEADLINE, "the daemon says it stepped down", || {
        deployment.daemon.log().contains("stepped down")
    });

    postgres.start_again().expect("start PostgreSQL again");
    alice
        .wait_for_available_from(&bot, DEADLINE)
        .await
        .unwrap_or_else(|error| panic!("{error}\n{}", deployment.logs()));
    visitor.say("Hello again").await;
    alice_receives(&deployment, &mut alice, "Hello again").await;
    alice.send_chat(&bot, "Yes, until six").await.unwrap();
    visitor.wait_for("Yes, until six").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_stopped_cleanly_hands_over_to_the_standby_at_once() {
    let (mut deployment, standby) = on_duty_and_standing_by("clean_handover");
    let mut alice = alice_at_her_desk(&deployment).await;
    let bot = deployment.prosody.jid("bot");
    let site = deployment.url.clone();
    let mut visitor = chat_with_alice(&deployment, &mut alice, &site, "Do you ship abroad?").await;

    let stopped_at = Instant::now();
    deployment.stop_daemon();
    wait_until(DEADLINE, "the standby goes on duty", || {
        standby.log().contains(ON_DUTY)
    });
    eprintln!(
        "after SIGTERM, the standby went on duty {:?} later",
        stopped_at.elapsed()
    );
    visitor.say("To Norway").await;
    alice_receives(&deployment, &mut alice, "To Norway").await;
    alice.send_chat(&bot, "Yes, we do").await.unwrap();
    visitor.wait_for("Yes, we do").await;
}
