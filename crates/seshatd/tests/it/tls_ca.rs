//! `tls_ca_file`: a server whose certificate comes from a CA the system
//! does not know (a private CA the test makes, as a site's internal CA)
//! is trusted through that key alone,
//! and refused without it. Unlike `tests/tls.rs`, nothing here sets
//! `SSL_CERT_FILE`: the daemon trusts the file because the key says so.

use std::sync::Arc;

use seshat_testkit::Prosody;

use crate::common::RigBuilder;

#[tokio::test]
async fn the_configured_ca_is_trusted_and_without_it_the_server_is_refused() {
    let prosody = Arc::new(Prosody::start_with_private_ca().expect("start prosody with TLS"));
    // The CA that issued the server's certificate, not the certificate.
    let ca = prosody.trust_path().unwrap().to_owned();
    assert_ne!(Some(ca.as_path()), prosody.certificate_path());

    let refused = RigBuilder::on(Arc::clone(&prosody))
        .staff(&["alice"])
        .without_setting("tls")
        .build();
    refused.wait_for_log("invalid peer certificate").await;
    assert!(
        !refused.daemon_log().contains("\"online\"") && !refused.daemon_log().contains(" online")
    );

    let trusted = RigBuilder::on(Arc::clone(&prosody))
        .staff(&["alice"])
        .without_setting("tls")
        .setting("tls_ca_file", &ca.display().to_string())
        .build();
    trusted.wait_for_log(" online").await;
    assert!(prosody.log().contains("Stream encrypted"));
}
