//! A server that goes silent without closing the connection (frozen,
//! unplugged) is noticed by the keepalive: staff stop counting as
//! available, and all is well again once the server is back.

use std::sync::Arc;
use std::time::Duration;

use crate::common::{Frozen, RigBuilder, SECTION, WAIT};
use seshat_testkit::Prosody;
use seshatd::config::Config;
use seshatd::daemon::Daemon;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_server_is_noticed_and_the_session_comes_back() {
    let prosody = Arc::new(Prosody::start().expect("start prosody"));
    let rig = RigBuilder::on(prosody)
        .staff(&["alice"])
        .without_daemon()
        .build();
    let config = Config::load(&rig.config, SECTION).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let daemon = tokio::spawn(
        Daemon::new(config)
            .with_keepalive(Duration::from_secs(1), Duration::from_secs(1))
            .run_until(async move {
                let _ = stopped.await;
            }),
    );
    let mut alice = rig.connect_available("alice", "desk").await;

    let frozen = Frozen::freeze(&rig.prosody);
    // Nothing was closed; only the keepalive can tell the server is gone.
    rig.wait_until_unavailable("alice").await;
    drop(frozen);
    rig.wait_until_available("alice").await;

    let chat = rig.visitor("visitor", None).await;
    alice
        .wait_for_message_containing(&format!("'!ACCEPT {}'", chat.id()), WAIT)
        .await
        .unwrap();
    stop.send(()).unwrap();
    tokio::time::timeout(WAIT, daemon)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
