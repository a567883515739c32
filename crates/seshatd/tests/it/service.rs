//! The daemon under a service manager: it says READY=1 once the store is
//! open and the bot is logged in, feeds the watchdog from its event loop,
//! and says STOPPING=1 on the way out. The test plays systemd's part with a
//! real notify socket.

use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use crate::common::{Rig, WAIT};

/// The notify socket systemd would give the service.
struct NotifySocket {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    socket: UnixDatagram,
}

impl NotifySocket {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let socket = UnixDatagram::bind(&path).unwrap();
        socket.set_read_timeout(Some(WAIT)).unwrap();
        NotifySocket {
            _dir: dir,
            path,
            socket,
        }
    }

    /// Reads notifications until one contains `wanted`; returns it.
    fn until(&self, wanted: &str) -> String {
        let mut buffer = [0u8; 4096];
        loop {
            let length = self
                .socket
                .recv(&mut buffer)
                .unwrap_or_else(|error| panic!("waiting for {wanted:?}: {error}"));
            let message = String::from_utf8_lossy(&buffer[..length]).into_owned();
            if message.lines().any(|line| line == wanted) {
                return message;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn readiness_comes_after_the_login_and_the_watchdog_is_fed() {
    let mut rig = Rig::builder().staff(&["alice"]).without_daemon().build();
    let notify = NotifySocket::new();
    let watchdog = Duration::from_millis(400).as_micros().to_string();
    rig.start_daemon_with_env(&[
        ("NOTIFY_SOCKET", notify.path.to_str().unwrap()),
        ("WATCHDOG_USEC", &watchdog),
    ]);
    let ready = tokio::task::block_in_place(|| notify.until("READY=1"));
    assert!(
        ready.contains(&format!("STATUS=logged in as {}/", rig.bot())),
        "READY=1 came with {ready:?}"
    );
    // The daemon is really there: a staff member sees it and is offered chats.
    let mut alice = rig.connect_available("alice", "desk").await;
    let chat = rig.visitor("Dana", None).await;
    alice
        .wait_for_message_containing(&format!("'!ACCEPT {}'", chat.id()), WAIT)
        .await
        .unwrap();
    // Two pings in a row: the loop keeps feeding it while it works.
    tokio::task::block_in_place(|| {
        notify.until("WATCHDOG=1");
        notify.until("WATCHDOG=1");
    });
    assert!(rig.stop_daemon().success());
    tokio::task::block_in_place(|| notify.until("STOPPING=1"));
}
