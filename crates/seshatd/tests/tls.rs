//! The production default: STARTTLS with certificate verification, against
//! a Prosody that requires encryption.
//!
//! A test binary of its own: it sets `SSL_CERT_FILE` (which the daemon
//! inherits), and the environment is shared by the whole process.

// The rig the other integration tests share; this binary uses part of it.
#[allow(dead_code)]
#[path = "it/common.rs"]
mod common;

use std::sync::Arc;

use common::{expect_from_bot, RigBuilder, WAIT};
use seshat_testkit::Prosody;

#[tokio::test]
async fn the_daemon_uses_starttls_by_default_and_relays_a_chat() {
    let prosody = Prosody::start_with_tls().expect("start prosody with TLS");
    // The daemon and the staff client trust exactly this certificate.
    std::env::set_var("SSL_CERT_FILE", prosody.certificate_path().unwrap());
    let rig = RigBuilder::on(Arc::new(prosody))
        .staff(&["alice"])
        // No `tls` key: the default must be STARTTLS.
        .without_setting("tls")
        .build();
    let config = std::fs::read_to_string(&rig.config).unwrap();
    assert!(!config.contains("tls"), "{config}");

    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let mut chat = rig.visitor("visitor", None).await;
    alice
        .wait_for_message_containing(&format!("'!ACCEPT {}'", chat.id()), WAIT)
        .await
        .unwrap();
    alice
        .send_chat(&bot, &format!("!ACCEPT {}", chat.id()))
        .await
        .unwrap();
    alice
        .wait_for_message_containing("You are now handling", WAIT)
        .await
        .unwrap();
    chat.say("over TLS").await;
    expect_from_bot(&mut alice, &bot, "over TLS").await;
    chat.expect(&[
        seshat_client::texts::CHAT_REQUESTED,
        seshat_client::texts::CHAT_STARTED,
    ])
    .await;

    // Both the bot's and Alice's logins went through STARTTLS (Prosody
    // requires it, so there was no way around it anyway).
    let log = rig.prosody.log();
    assert_eq!(log.matches("Stream encrypted").count(), 2, "{log}");
    assert!(!rig.daemon_log().contains("unencrypted"));
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    // A second server with its own certificate, which nobody trusts: the
    // daemon must not log in (and says why), rather than fall back to
    // plain text or skip verification.
    let prosody = Prosody::start_with_tls().expect("start prosody with TLS");
    let rig = RigBuilder::on(Arc::new(prosody))
        .staff(&["alice"])
        .without_setting("tls")
        // Trust some other file: the first test's certificate or none.
        .build();
    let give_up_at = tokio::time::Instant::now() + WAIT;
    loop {
        let log = rig.daemon_log();
        if log.contains("could not connect") {
            assert!(!log.contains("logged in"), "{log}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < give_up_at,
            "no connection error logged:\n{log}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
