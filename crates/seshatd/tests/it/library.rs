//! `seshatd` as a library: a program of its own runs the daemon with an
//! extra command, against a real server.

use crate::common::{command, Rig, SECTION, WAIT};
use seshatd::config::Config;
use seshatd::daemon::{Daemon, DaemonError};

#[tokio::test]
async fn a_daemon_built_from_the_library_runs_a_custom_command() {
    let rig = Rig::builder().staff(&["alice"]).without_daemon().build();
    let config = Config::load(&rig.config, SECTION).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let daemon = tokio::spawn(
        Daemon::new(config)
            .with_command("PING", "!PING - Check that Seshat is listening", |_, _| {
                Ok("Pong.".to_owned())
            })
            .run_until(async move {
                let _ = stopped.await;
            }),
    );

    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    command(&mut alice, &bot, "!ping", "Pong.").await;
    alice.send_chat(&bot, "!HELP").await.unwrap();
    let help = alice.expect_message_from(&bot, WAIT).await.unwrap().body;
    assert!(
        help.contains("\n!PING - Check that Seshat is listening\n"),
        "{help}"
    );
    assert!(
        help.contains("!ACCEPT n - Accept chat request #n"),
        "{help}"
    );

    stop.send(()).unwrap();
    let outcome = tokio::time::timeout(WAIT, daemon).await.unwrap().unwrap();
    assert!(outcome.is_ok(), "{outcome:?}");
    rig.wait_until_unavailable("alice").await;
}

#[tokio::test]
async fn a_command_nobody_could_type_stops_the_daemon_before_it_starts() {
    let rig = Rig::builder().staff(&["alice"]).without_daemon().build();
    let config = Config::load(&rig.config, SECTION).unwrap();
    let outcome = Daemon::new(config)
        .with_command("!BANG", "!!BANG - never", |_, _| Ok(String::new()))
        .run_until(std::future::pending())
        .await;
    match outcome {
        Err(DaemonError::InvalidCommand(invalid)) => assert_eq!(invalid.0, "!BANG"),
        other => panic!("expected an invalid command error, got {other:?}"),
    }
}
