//! The STARTTLS path against a real Prosody with a self-signed certificate.
//!
//! A test binary of its own: it sets `SSL_CERT_FILE`, which is shared by
//! the whole process.

use std::time::Duration;

use seshat_testkit::{Prosody, StaffClient};

#[tokio::test]
async fn staff_connect_with_starttls_when_trusting_the_certificate() {
    let prosody = Prosody::start_with_tls().expect("start prosody with TLS");
    assert!(prosody.uses_tls());
    let certificate = prosody.certificate_path().unwrap();
    assert!(certificate.exists());
    // rustls-native-certs then trusts exactly this certificate.
    std::env::set_var("SSL_CERT_FILE", certificate);

    prosody
        .register_many(&[("alice", "pw"), ("bob", "pw")])
        .unwrap();
    let alice = StaffClient::connect(&prosody, "alice", "pw", "desk")
        .await
        .unwrap();
    let mut bob = StaffClient::connect(&prosody, "bob", "pw", "desk")
        .await
        .unwrap();

    alice.send_chat(bob.jid(), "encrypted hello").await.unwrap();
    let received = bob
        .expect_message_from(alice.jid(), Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(received.body, "encrypted hello");
    // Both logins went through STARTTLS, not around it.
    let log = prosody.log();
    assert_eq!(log.matches("Stream encrypted").count(), 2, "{log}");
}
