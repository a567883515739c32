//! The change detector: one cheap check per process that wakes every waiter.
//!
//! A background thread holds its own connection and reads `PRAGMA
//! data_version`, which changes whenever another connection, in this
//! process or any other, commits to the file. It costs no disk I/O. On a
//! change the thread bumps a [`tokio::sync::watch`] counter, and every
//! waiter re-checks its own condition once. While nobody is subscribed the
//! thread checks less often.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::watch;

/// Check interval while nobody is waiting.
const IDLE_INTERVAL: Duration = Duration::from_millis(50);

/// The shared change counter and the thread that advances it.
pub(crate) struct ChangeSignal {
    sender: watch::Sender<u64>,
    stop: AtomicBool,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl ChangeSignal {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(ChangeSignal {
            sender: watch::Sender::new(0),
            stop: AtomicBool::new(false),
            thread: Mutex::new(None),
        })
    }

    /// Wakes waiters at once after a commit made by this process.
    pub(crate) fn bump(&self) {
        self.sender
            .send_modify(|generation| *generation = generation.wrapping_add(1));
    }

    /// A receiver, starting the watcher thread on first use with the
    /// connection `open` gives.
    pub(crate) fn subscribe(
        self: &Arc<Self>,
        interval: Duration,
        open: impl FnOnce() -> Option<Connection>,
    ) -> watch::Receiver<u64> {
        let receiver = self.sender.subscribe();
        let mut thread = self.thread.lock().unwrap_or_else(|e| e.into_inner());
        if thread.is_none() {
            if let Some(connection) = open() {
                // The baseline is read here, before the caller checks its
                // condition, not when the thread first runs: a commit made
                // in between would otherwise become the baseline and never
                // wake anyone.
                let baseline = data_version(&connection);
                let signal = Arc::clone(self);
                *thread = std::thread::Builder::new()
                    .name("seshat-watch".to_owned())
                    .spawn(move || signal.watch(connection, baseline, interval))
                    .ok();
            }
        }
        receiver
    }

    fn watch(&self, connection: Connection, mut last: Option<i64>, interval: Duration) {
        while !self.stop.load(Ordering::Relaxed) {
            let pause = if self.sender.receiver_count() > 0 {
                interval
            } else {
                IDLE_INTERVAL
            };
            std::thread::sleep(pause);
            let current = data_version(&connection);
            if current != last {
                last = current;
                self.bump();
            }
        }
    }

    /// Stops the watcher thread (the store is being dropped).
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = thread.join();
        }
    }
}

fn data_version(connection: &Connection) -> Option<i64> {
    connection
        .prepare_cached("PRAGMA data_version")
        .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
        .map_err(|error| tracing::debug!(%error, "data_version check failed"))
        .ok()
}
