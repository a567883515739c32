//! Background WAL checkpoints.
//!
//! In WAL mode every commit appends to the `-wal` file, and by default the
//! commit that pushes it past 1,000 pages copies it back into the database
//! and syncs the disk, inside that request: a visitor's message or a staff
//! reply would now and then wait for an fsync. Instead, connections from
//! the pool only checkpoint as a last resort (a much larger WAL), and this
//! thread checkpoints in the background, passively (never blocking readers
//! or writers), shortly after the database changed.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How long after a change the WAL is checkpointed.
const INTERVAL: Duration = Duration::from_millis(250);

/// WAL size, in pages, at which a committing connection checkpoints by
/// itself: reached only when the background thread cannot keep up or a
/// process never started it (about 40 MB with 4 KiB pages).
pub(crate) const FALLBACK_PAGES: u32 = 10_000;

/// The checkpoint thread of one store; stopped and joined on drop.
pub(crate) struct Checkpointer {
    /// Dropping this ends the thread's wait at once.
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` in the background.
    pub(crate) fn start(path: PathBuf, busy_timeout: Duration) -> Self {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("seshat-checkpoint".to_owned())
            .spawn(move || {
                let Some(connection) = open(&path, busy_timeout) else {
                    return;
                };
                let mut last = data_version(&connection);
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
                    let current = data_version(&connection);
                    if current != last {
                        last = current;
                        checkpoint(&connection);
                    }
                }
            })
            .ok();
        Checkpointer {
            stop: Some(stop),
            thread,
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn open(path: &PathBuf, busy_timeout: Duration) -> Option<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .and_then(|connection| {
        connection.busy_timeout(busy_timeout)?;
        Ok(connection)
    });
    match connection {
        Ok(connection) => Some(connection),
        Err(error) => {
            tracing::warn!(%error, "background checkpoints are off: cannot open the database");
            None
        }
    }
}

fn data_version(connection: &Connection) -> Option<i64> {
    connection
        .query_row("PRAGMA data_version", [], |row| row.get(0))
        .ok()
}

fn checkpoint(connection: &Connection) {
    // PASSIVE copies what it can without waiting for anyone; whatever a
    // reader still needs is copied on a later round.
    if let Err(error) = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::debug!(%error, "background checkpoint skipped");
    }
}
