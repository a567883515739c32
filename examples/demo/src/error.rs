//! Everything that can stop the demo, in the words of someone trying it
//! out: what failed and, where we know, what to do about it.

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

/// Why the demo could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `seshatd` or `seshat-webapp` has not been built next to the demo.
    #[error(
        "{} does not exist: build it with `cargo build -p seshatd -p seshat-webapp` \
         (./scripts/demo does), or say where it is with --bin-dir",
        .0.display()
    )]
    ProgramMissing(PathBuf),

    /// The private Prosody could not be started or given its accounts.
    #[error("the private XMPP server (Prosody) failed: {0}")]
    Prosody(#[from] seshat_testkit::Error),

    /// A file-system or process operation failed.
    #[error("could not {action}: {source}")]
    Io {
        /// What the demo was doing, as a verb phrase ("start seshatd").
        action: String,
        /// The underlying error.
        source: io::Error,
    },

    /// A program exited while it should have been running.
    #[error("{program} stopped unexpectedly ({status}); the end of its log:\n{log_tail}")]
    Exited {
        /// `seshatd`, `seshat-webapp` or `prosody`.
        program: &'static str,
        /// How it ended, in words.
        status: String,
        /// The last lines of its log (the whole log is deleted with the
        /// demo's directory).
        log_tail: String,
    },

    /// A program kept running but never became ready.
    #[error("{program} was not {ready} within {waited:?}; the end of its log:\n{log_tail}")]
    NotReady {
        /// `seshatd` or `seshat-webapp`.
        program: &'static str,
        /// What was waited for ("online", "listening").
        ready: &'static str,
        /// How long.
        waited: Duration,
        /// The last lines of its log (the whole log is deleted with the
        /// demo's directory).
        log_tail: String,
    },

    /// The automatic staff member (`--staff-bot`) lost its connection or
    /// could not log in.
    #[error("the echo bot (--staff-bot) stopped: {0}")]
    StaffBot(seshat_testkit::Error),
}

impl Error {
    /// Wraps an I/O error with what the demo was doing when it happened.
    pub fn io(action: impl Into<String>, source: io::Error) -> Error {
        Error::Io {
            action: action.into(),
            source,
        }
    }
}

/// How a child process ended, in words: "exit status 1", "killed by
/// signal 9".
pub fn describe_exit(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt as _;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => status.to_string(),
    }
}
