//! The SQLite change detector: reads what commits changed and wakes only
//! their waiters.
//!
//! Every change a waiter cares about writes a row to the `changelog`
//! table in the same transaction (triggers, see `schema`). The detector
//! keeps the last sequence number it has read and, when something may have
//! been committed, reads the rows after it and passes the topics they name
//! to [`Wakeups`]. A commit by this process is read right after it
//! commits, on the committing thread.
//!
//! Other processes are told through the *wake file* beside the database
//! (`seshat.db-wake`): a commit that wrote change-log rows then writes one
//! byte to it, and every process's background thread sleeps until the
//! kernel reports that write (inotify, through the `notify` crate). The
//! byte is written after the commit, so the commit is visible by the time
//! anyone looks, and once per commit, not per page. Watching the `-wal`
//! file instead would wake every process for every page any process
//! writes, and too early: the WAL frame lands before the commit is visible.
//! Writers that know nothing of the wake file (the 2011 Python client, or
//! another program) still write change-log rows through the triggers; a
//! slow poll of `PRAGMA data_version` finds those. An idle process does no
//! work but that poll.
//!
//! The same thread tells the checkpointer that the file changed, so one
//! signal drives both.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use rusqlite::{Connection, OpenFlags};

use super::checkpoint::Checkpointer;
use super::wakeups::{topics_of_change, Wakeups};

/// Change-log rows read per query.
const ROWS_PER_READ: i64 = 4096;

/// Safety-net poll when the kernel cannot report writes to the wake file.
const POLL_WITHOUT_EVENTS: Duration = Duration::from_millis(10);

/// What the background thread is woken for.
enum Signal {
    /// The kernel reported a write to the wake file.
    FileWritten,
    /// The store is being dropped.
    Stop,
}

/// Where the change log has been read up to, shared by the committing
/// threads and the background thread.
struct Reader {
    wakeups: Wakeups,
    /// The last change-log sequence number read; guarded so that rows are
    /// read and dispatched in order, once.
    last_seq: Mutex<i64>,
}

impl Reader {
    /// Reads the change log past the last row read and wakes the topics it
    /// names; returns how many rows it read. When rows were pruned before
    /// this reader saw them, it cannot tell what changed and wakes everyone.
    fn catch_up(&self, connection: &Connection) -> usize {
        let mut last_seq = self.last_seq.lock().unwrap_or_else(|e| e.into_inner());
        let mut read = 0;
        loop {
            let rows = match read_changes(connection, *last_seq) {
                Ok(rows) => rows,
                Err(error) => {
                    tracing::debug!(%error, "could not read the change log; waking every waiter");
                    self.wakeups.notify_all();
                    return read;
                }
            };
            let Some(&(first, _, _)) = rows.first() else {
                return read;
            };
            if first != *last_seq + 1 {
                tracing::debug!(
                    from = *last_seq,
                    to = first,
                    "change log pruned past this reader; waking every waiter"
                );
                self.wakeups.notify_all();
            }
            let count = rows.len() as i64;
            read += rows.len();
            *last_seq = rows.last().map_or(*last_seq, |&(seq, _, _)| seq);
            self.wakeups.notify(
                rows.into_iter()
                    .flat_map(|(_, chat_id, wakes)| topics_of_change(chat_id, wakes)),
            );
            if count < ROWS_PER_READ {
                return read;
            }
        }
    }
}

fn read_changes(connection: &Connection, after: i64) -> rusqlite::Result<Vec<(i64, i64, i64)>> {
    connection
        .prepare_cached(
            "SELECT seq, chatid, wakes FROM changelog WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?
        .query_map((after, ROWS_PER_READ), |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect()
}

fn newest_seq(connection: &Connection) -> rusqlite::Result<i64> {
    connection.query_row("SELECT coalesce(max(seq), 0) FROM changelog", [], |row| {
        row.get(0)
    })
}

fn data_version(connection: &Connection) -> Option<i64> {
    connection
        .prepare_cached("PRAGMA data_version")
        .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
        .map_err(|error| tracing::debug!(%error, "data_version check failed"))
        .ok()
}

/// The detector of one store: wakes its [`Wakeups`] after every relevant
/// commit by any process. Stopped and joined on drop.
pub(crate) struct ChangeDetector {
    reader: Arc<Reader>,
    signals: Sender<Signal>,
    thread: Option<JoinHandle<()>>,
    /// Written to after each commit that wrote change-log rows; `None` when
    /// it cannot be opened (then other processes find the commit by polling).
    wake_file: Option<File>,
    /// Keeps the kernel's reports coming; `None` where none can be had.
    _watcher: Option<notify::RecommendedWatcher>,
}

impl ChangeDetector {
    /// Starts watching the database at `path`, read through `connection`
    /// (the detector's own), waking `wakeups`, with a safety-net poll of
    /// `safety_poll` while the kernel reports writes. `checkpointer` is
    /// told about every change seen.
    pub(crate) fn start(
        path: &Path,
        connection: Connection,
        wakeups: Wakeups,
        safety_poll: Duration,
        checkpointer: Checkpointer,
    ) -> rusqlite::Result<Self> {
        let reader = Arc::new(Reader {
            wakeups,
            last_seq: Mutex::new(newest_seq(&connection)?),
        });
        let (signals, received) = mpsc::channel::<Signal>();
        let wake_path = wake_file_path(path);
        let wake_file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&wake_path)
            .map_err(|error| {
                tracing::warn!(
                    %error,
                    file = %wake_path.display(),
                    "cannot open the wake file; other processes will notice this one's commits by polling"
                );
            })
            .ok();
        let watcher = wake_file
            .as_ref()
            .and_then(|_| watch_wake_file(&wake_path, signals.clone()));
        let poll = if watcher.is_some() {
            safety_poll
        } else {
            POLL_WITHOUT_EVENTS
        };
        // Built here, not on the new thread: a commit made before that
        // thread first runs must still count as a change (see `Background`).
        let background = Background::new(Arc::clone(&reader), connection, checkpointer, poll);
        let thread = std::thread::Builder::new()
            .name("seshat-changes".to_owned())
            .spawn(move || background.run(received))
            .map_err(|error| {
                tracing::warn!(%error, "could not start the change detector thread");
            })
            .ok();
        Ok(ChangeDetector {
            reader,
            signals,
            thread,
            wake_file,
            _watcher: watcher,
        })
    }

    /// Reads what this process just committed through `connection` and
    /// wakes its waiters, before the commit's caller goes on.
    /// Then tells the other processes, when the commit changed anything
    /// that anyone may wait for.
    pub(crate) fn after_commit(&self, connection: &Connection) {
        if self.reader.catch_up(connection) == 0 {
            return;
        }
        if let Some(file) = &self.wake_file {
            // The content does not matter; the write is the signal.
            if let Err(error) = file.write_at(&[0], 0) {
                tracing::debug!(%error, "could not write the wake file");
            }
        }
    }
}

impl Drop for ChangeDetector {
    fn drop(&mut self) {
        let _ = self.signals.send(Signal::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The wake file of the database at `path`: its name with `-wake` added,
/// beside it, as SQLite names its `-wal` and `-shm` files.
fn wake_file_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push("-wake");
    PathBuf::from(name)
}

/// Asks the kernel to report writes to the wake file.
fn watch_wake_file(path: &Path, signals: Sender<Signal>) -> Option<notify::RecommendedWatcher> {
    let handler = move |event: notify::Result<notify::Event>| {
        let interesting = match event {
            Ok(event) => matches!(event.kind, notify::EventKind::Modify(_)),
            // An overflowed queue or a watch error: look anyway.
            Err(_) => true,
        };
        if interesting {
            let _ = signals.send(Signal::FileWritten);
        }
    };
    let watched = notify::recommended_watcher(handler).and_then(|mut watcher| {
        watcher.watch(path, RecursiveMode::NonRecursive)?;
        Ok(watcher)
    });
    match watched {
        Ok(watcher) => Some(watcher),
        Err(error) => {
            tracing::warn!(
                %error,
                file = %path.display(),
                "cannot watch the wake file; polling for other processes' commits instead"
            );
            None
        }
    }
}

/// The background thread's state.
struct Background {
    reader: Arc<Reader>,
    connection: Connection,
    checkpointer: Checkpointer,
    poll: Duration,
    /// `PRAGMA data_version` when last looked at: the poll's way to tell
    /// that a writer that knows nothing of the wake file committed.
    seen_version: Option<i64>,
}

impl Background {
    /// Takes the version to compare with now, on the caller's thread, at
    /// the same moment as the reader's starting point: were it read when
    /// the thread first runs (late, on a loaded machine), a commit made in
    /// between would already be counted as seen, and its waiters missed.
    fn new(
        reader: Arc<Reader>,
        connection: Connection,
        checkpointer: Checkpointer,
        poll: Duration,
    ) -> Self {
        let seen_version = data_version(&connection);
        Background {
            reader,
            connection,
            checkpointer,
            poll,
            seen_version,
        }
    }

    fn run(mut self, signals: mpsc::Receiver<Signal>) {
        loop {
            let written = match signals.recv_timeout(self.poll) {
                Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Ok(Signal::FileWritten) => true,
                Err(RecvTimeoutError::Timeout) => false,
            };
            // Many reports make one look; a stop still gets that look.
            let mut stop = false;
            loop {
                match signals.try_recv() {
                    Ok(Signal::FileWritten) => {}
                    Ok(Signal::Stop) => stop = true,
                    Err(_) => break,
                }
            }
            self.look(written);
            if stop {
                return;
            }
        }
    }

    /// Reads the change log when the wake file was written (only commits
    /// that logged rows write it, so that read finds them), or when the
    /// poll finds the database changed.
    fn look(&mut self, written: bool) {
        let version = data_version(&self.connection);
        if written || version != self.seen_version {
            self.seen_version = version;
            self.reader.catch_up(&self.connection);
            self.checkpointer.changed();
        }
    }
}

/// Opens the detector's own connection, read-only in spirit (it only reads).
pub(crate) fn open_connection(path: &Path, busy_timeout: Duration) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(busy_timeout)?;
    Ok(connection)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::wakeups::{Topic, WAKES_STAFF, WAKES_VISITOR};
    use crate::store::SqliteStore;

    /// A database with the current schema, and a raw connection to it.
    fn database() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seshat.db");
        drop(SqliteStore::open(&path).unwrap());
        let connection = Connection::open(&path).unwrap();
        (dir, connection)
    }

    fn reader_at(last_seq: i64) -> Reader {
        Reader {
            wakeups: Wakeups::new(),
            last_seq: Mutex::new(last_seq),
        }
    }

    fn log(connection: &Connection, seq: i64, chat_id: i64, wakes: i64) {
        connection
            .execute(
                "INSERT INTO changelog (seq, chatid, wakes) VALUES (?1, ?2, ?3)",
                (seq, chat_id, wakes),
            )
            .unwrap();
    }

    #[test]
    fn rows_wake_the_topics_they_name_in_one_pass() {
        let (_dir, connection) = database();
        let reader = reader_at(0);
        let chat = reader.wakeups.subscribe(Topic::Chat(5));
        let other = reader.wakeups.subscribe(Topic::Chat(6));
        let staff = reader.wakeups.subscribe(Topic::Staff);
        log(&connection, 1, 5, WAKES_VISITOR);
        log(&connection, 2, 5, WAKES_VISITOR | WAKES_STAFF);
        assert_eq!(reader.catch_up(&connection), 2);
        assert!(chat.has_changed() && staff.has_changed());
        assert!(!other.has_changed());
        assert_eq!(reader.wakeups.woken(), 2, "each topic woken once");
        assert_eq!(reader.catch_up(&connection), 0, "nothing read twice");
    }

    #[test]
    fn a_reader_behind_a_pruned_log_wakes_everyone() {
        let (_dir, connection) = database();
        let reader = reader_at(3);
        let unrelated = reader.wakeups.subscribe(Topic::Chat(99));
        // Rows 4..=9 were pruned before this reader looked.
        log(&connection, 10, 1, WAKES_VISITOR);
        reader.catch_up(&connection);
        assert!(unrelated.has_changed());
        assert_eq!(reader.wakeups.broadcasts(), 1);
    }

    /// A commit by another process that lands after the store opened but
    /// before its background thread first runs still wakes its waiters.
    #[test]
    fn a_commit_before_the_thread_runs_is_not_missed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seshat.db");
        drop(SqliteStore::open(&path).unwrap());
        let connection = open_connection(&path, Duration::from_secs(5)).unwrap();
        let reader = Arc::new(Reader {
            wakeups: Wakeups::new(),
            last_seq: Mutex::new(newest_seq(&connection).unwrap()),
        });
        let waiter = reader.wakeups.subscribe(Topic::Chat(7));
        let background = Background::new(
            Arc::clone(&reader),
            connection,
            Checkpointer::start(path.clone(), Duration::from_secs(5)),
            Duration::from_secs(3600),
        );

        // The other process commits, then writes the wake file.
        log(&Connection::open(&path).unwrap(), 1_000, 7, WAKES_VISITOR);
        let (signals, received) = mpsc::channel();
        signals.send(Signal::FileWritten).unwrap();
        signals.send(Signal::Stop).unwrap();
        // The thread starts only now.
        background.run(received);
        assert!(waiter.has_changed(), "the waiter of chat 7 was not woken");
    }

    #[test]
    fn pruning_keeps_the_newest_rows() {
        let (_dir, connection) = database();
        let total = super::super::checkpoint::CHANGELOG_KEPT + 20_000;
        connection
            .execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                 INSERT INTO changelog (seq, chatid, wakes) SELECT i, 1, 1 FROM n",
                [total],
            )
            .unwrap();
        super::super::checkpoint::prune_changelog(&connection);
        let (oldest, newest, count): (i64, i64, i64) = connection
            .query_row(
                "SELECT min(seq), max(seq), count(*) FROM changelog",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap();
        assert_eq!(newest, total);
        assert_eq!(count, super::super::checkpoint::CHANGELOG_KEPT);
        assert_eq!(oldest, total - count + 1);
    }
}
