//! Background WAL checkpoints and change-log pruning.
//!
//! In WAL mode every commit appends to the `-wal` file, and by default the
//! commit that pushes it past 1,000 pages copies it back into the database
//! and syncs the disk, inside that request: a visitor's message or a staff
//! reply would now and then wait for an fsync. Instead, connections from
//! the pool only checkpoint as a last resort (a much larger WAL), and this
//! thread checkpoints in the background, passively (never blocking readers
//! or writers), shortly after the change detector saw the database change.
//! It has its own thread because a checkpoint syncs the disk, which must
//! not delay a wake-up.
//!
//! The same rounds keep the change log short: rows far behind the newest
//! are deleted. A reader that fell further behind than that notices the
//! gap and wakes all its waiters once (see `detector`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How long after a change the WAL is checkpointed; changes meanwhile
/// join the same round.
const INTERVAL: Duration = Duration::from_millis(250);

/// WAL size, in pages, at which a committing connection checkpoints by
/// itself: reached only when the background thread cannot keep up or a
/// process never started it (about 40 MB with 4 KiB pages).
pub(crate) const FALLBACK_PAGES: u32 = 10_000;

/// Change-log rows kept behind the newest: at a few thousand commits a
/// second, several seconds of history for a detector that lags.
pub(crate) const CHANGELOG_KEPT: i64 = 50_000;

/// The change log is pruned once it holds this many rows more than kept,
/// so that each prune deletes a batch rather than a row per round.
const CHANGELOG_SLACK: i64 = 10_000;

/// What the checkpoint thread is told.
enum Notice {
    Changed,
    Stop,
}

/// The checkpoint thread of one store; stopped and joined on drop.
pub(crate) struct Checkpointer {
    notices: Sender<Notice>,
    /// Set when a round is due; the thread is told only when it turns
    /// on, so that a burst of commits wakes it once, not once per commit.
    due: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` in the background,
    /// after each [`Checkpointer::changed`].
    pub(crate) fn start(path: PathBuf, busy_timeout: Duration) -> Self {
        let (notices, received) = mpsc::channel::<Notice>();
        let due = Arc::new(AtomicBool::new(false));
        let thread_due = Arc::clone(&due);
        let thread = std::thread::Builder::new()
            .name("seshat-checkpoint".to_owned())
            .spawn(move || {
                let Some(connection) = open(&path, busy_timeout) else {
                    return;
                };
                // Sleeps until a change, then lets the round fill up.
                while let Ok(Notice::Changed) = received.recv() {
                    loop {
                        match received.recv_timeout(INTERVAL) {
                            Ok(Notice::Changed) => {}
                            Ok(Notice::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                            Err(RecvTimeoutError::Timeout) => break,
                        }
                    }
                    // Changes from here on call for another round.
                    thread_due.store(false, Ordering::SeqCst);
                    checkpoint(&connection);
                    prune_changelog(&connection);
                }
            })
            .ok();
        Checkpointer {
            notices,
            due,
            thread,
        }
    }

    /// The database changed: checkpoint soon.
    pub(crate) fn changed(&self) {
        if !self.due.swap(true, Ordering::SeqCst) {
            let _ = self.notices.send(Notice::Changed);
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let _ = self.notices.send(Notice::Stop);
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

fn checkpoint(connection: &Connection) {
    // PASSIVE copies what it can without waiting for anyone; whatever a
    // reader still needs is copied on a later round.
    if let Err(error) = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::debug!(%error, "background checkpoint skipped");
    }
}

/// Deletes change-log rows more than [`CHANGELOG_KEPT`] behind the newest.
pub(crate) fn prune_changelog(connection: &Connection) {
    let pruned = connection
        .query_row(
            "SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM changelog",
            [],
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)),
        )
        .and_then(|(oldest, newest)| {
            if newest - oldest < CHANGELOG_KEPT + CHANGELOG_SLACK {
                return Ok(0);
            }
            connection.execute(
                "DELETE FROM changelog WHERE seq <= ?1",
                [newest - CHANGELOG_KEPT],
            )
        });
    match pruned {
        Ok(0) => {}
        Ok(rows) => tracing::debug!(rows, "pruned the change log"),
        Err(error) => tracing::debug!(%error, "change log not pruned this round"),
    }
}
