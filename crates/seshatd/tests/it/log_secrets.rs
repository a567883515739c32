//! No secret reaches the log at any level, including what the XMPP crates
//! log: the real daemon at `log_level = trace`, against a Prosody that
//! offers only SASL PLAIN, so that the login itself carries the password.

use std::sync::Arc;

use crate::common::{expect_from_bot, RigBuilder, PASSWORD};
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use seshat_testkit::Prosody;

#[tokio::test]
async fn the_password_is_in_no_form_in_a_trace_log() {
    let prosody = Prosody::start_with_only_plain_sasl().expect("start prosody");
    let mut rig = RigBuilder::on(Arc::new(prosody))
        .staff(&["alice"])
        .setting("log_level", "trace")
        .build();
    // A login, an offer and a relayed line: every part of the stream runs.
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let chat = rig.visitor("visitor", None).await;
    rig.accept(&mut alice, &chat).await;
    chat.say("hello").await;
    expect_from_bot(&mut alice, &bot, "hello").await;
    rig.stop_daemon();

    let log = rig.daemon_log();
    // The dependencies' own lines do reach the log, so their silence about
    // the password is not an empty log's.
    assert!(log.contains("DEBUG seshatd"), "no debug lines:\n{log}");
    assert!(
        log.contains("DEBUG tokio_xmpp"),
        "no tokio-xmpp lines:\n{log}"
    );
    if let Some(place) = password_in(&log) {
        panic!("the password is in the log ({place}):\n{log}");
    }
}

/// Where `log` shows [`PASSWORD`]: as it is, or inside any base64 text
/// (SASL PLAIN sends `\0user\0password` encoded so).
fn password_in(log: &str) -> Option<String> {
    if log.contains(PASSWORD) {
        return Some("in clear".to_owned());
    }
    let is_base64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
    log.split(|c: char| !is_base64(c))
        .filter(|word| word.len() >= 8)
        .find(|word| {
            let decoded = STANDARD
                .decode(word)
                .or_else(|_| STANDARD_NO_PAD.decode(word.trim_end_matches('=')));
            decoded.is_ok_and(|bytes| contains(&bytes, PASSWORD.as_bytes()))
        })
        .map(|word| format!("in base64: {word}"))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[tokio::test]
async fn a_json_log_is_one_object_per_line_and_holds_no_password_either() {
    let prosody = Prosody::start_with_only_plain_sasl().expect("start prosody");
    let mut rig = RigBuilder::on(Arc::new(prosody))
        .staff(&["alice"])
        .setting("log_level", "trace")
        .setting("log_format", "json")
        .build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let chat = rig.visitor("visitor", None).await;
    rig.accept(&mut alice, &chat).await;
    chat.say("hello").await;
    expect_from_bot(&mut alice, &bot, "hello").await;
    rig.stop_daemon();

    let log = rig.daemon_log();
    let records: Vec<serde_json::Value> = log
        .lines()
        .filter(|line| !line.starts_with("--- daemon run"))
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|error| panic!("not JSON ({error}): {line}"))
        })
        .collect();
    assert!(
        records
            .iter()
            .any(|record| record["level"] == "INFO" && record["fields"]["message"] == "online"),
        "no 'online' record:\n{log}"
    );
    if let Some(place) = password_in(&log) {
        panic!("the password is in the log ({place}):\n{log}");
    }
}
