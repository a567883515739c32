//! Everything that can go wrong while running real parts, in a test
//! author's terms.

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

use xmpp_parsers::jid::BareJid;

use crate::staff::ReceivedMessage;

/// An error from the test kit. Messages say what went wrong and, where it
/// helps, what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A program the kit runs is not installed.
    #[error("{program} not found on PATH: install it with apt-get install {package}")]
    ProgramNotFound {
        /// The program that was looked for (`prosody`, `prosodyctl`, `openssl`).
        program: &'static str,
        /// The Debian package that provides it.
        package: &'static str,
    },

    /// A file-system or process operation failed.
    #[error("could not {action}: {source}")]
    Io {
        /// What the kit was doing, as a verb phrase ("create the temporary directory").
        action: String,
        /// The underlying error.
        source: io::Error,
    },

    /// A helper command (`prosodyctl`, `openssl`) ran but failed.
    #[error("`{command}` failed ({status}): {output}")]
    CommandFailed {
        /// The command line, for copying into a shell.
        command: String,
        /// How it ended.
        status: ExitStatus,
        /// What it printed on stdout and stderr.
        output: String,
    },

    /// Prosody exited while it was supposed to be starting.
    #[error("prosody exited during startup ({status}); its log {log_path:?} says:\n{log}")]
    ProsodyExited {
        /// How it ended.
        status: ExitStatus,
        /// Where its log is (gone once the [`crate::Prosody`] is dropped).
        log_path: PathBuf,
        /// The log's contents.
        log: String,
    },

    /// Prosody kept running but never accepted connections.
    #[error("prosody did not accept connections on 127.0.0.1:{port} within {waited:?}; its log says:\n{log}")]
    ProsodyNotListening {
        /// The port it was configured to listen on.
        port: u16,
        /// How long we waited.
        waited: Duration,
        /// The log's contents.
        log: String,
    },

    /// Prosody did not exit after SIGTERM.
    #[error("prosody (pid {pid}) did not exit within {waited:?} of SIGTERM")]
    ProsodyWouldNotStop {
        /// Its process id.
        pid: u32,
        /// How long we waited.
        waited: Duration,
    },

    /// The private PostgreSQL server did not start, answer or stop as it
    /// should.
    #[error("postgresql {what}; its log says:\n{log}")]
    Postgres {
        /// What went wrong ("did not accept connections within 60 s").
        what: String,
        /// The server log's contents.
        log: String,
    },

    /// ejabberd did not start, accept connections or stop as it should.
    #[error("ejabberd {what}; its logs say:\n{log}")]
    Ejabberd {
        /// What went wrong ("exited during startup (exit status: 1)").
        what: String,
        /// Its console output and log file.
        log: String,
    },

    /// The `ejabberd` system user, which the Debian package creates and
    /// which ejabberd must run as, does not exist.
    #[error("there is no `ejabberd` user: install the package with apt-get install ejabberd")]
    NoEjabberdUser,

    /// A user name or resource does not make a valid JID.
    #[error("{jid:?} is not a valid JID: {source}")]
    InvalidJid {
        /// The text that was rejected.
        jid: String,
        /// Why.
        source: xmpp_parsers::jid::Error,
    },

    /// A staff client did not get online in time.
    #[error("{jid} did not come online within {waited:?} (wrong password, unregistered account, or server down? see the server log)")]
    NotOnline {
        /// The account.
        jid: BareJid,
        /// How long we waited.
        waited: Duration,
    },

    /// A staff client could not hand a stanza to the server.
    #[error("{jid} could not send {what}: {source}")]
    SendFailed {
        /// The sending account.
        jid: BareJid,
        /// What was being sent ("a chat message to bot@localhost").
        what: String,
        /// The underlying error.
        source: io::Error,
    },

    /// The server did not acknowledge a stanza (XEP-0198) in time.
    #[error("the server did not acknowledge {what} from {jid} within {waited:?}")]
    NotAcknowledged {
        /// The sending account.
        jid: BareJid,
        /// What was sent.
        what: String,
        /// How long we waited.
        waited: Duration,
    },

    /// No message arrived in time.
    #[error("{jid} received no {wanted} within {waited:?}")]
    NoMessage {
        /// The receiving account.
        jid: BareJid,
        /// What was waited for ("message", "message from bot@localhost",
        /// "message containing \"accepted\"").
        wanted: String,
        /// How long we waited.
        waited: Duration,
    },

    /// A message arrived while silence was expected.
    #[error("{jid} expected no message but received one from {}: {:?}", .message.from, .message.body)]
    UnexpectedMessage {
        /// The receiving account.
        jid: BareJid,
        /// What arrived.
        message: Box<ReceivedMessage>,
    },

    /// The next message came from someone other than expected.
    #[error("{jid} expected a message from {expected} but received one from {}: {:?}", .message.from, .message.body)]
    WrongSender {
        /// The receiving account.
        jid: BareJid,
        /// Who should have sent it.
        expected: BareJid,
        /// What arrived instead.
        message: Box<ReceivedMessage>,
    },

    /// No matching presence arrived in time.
    #[error("{jid} received no {wanted} within {waited:?}")]
    NoPresence {
        /// The receiving account.
        jid: BareJid,
        /// What was waited for.
        wanted: String,
        /// How long we waited.
        waited: Duration,
    },

    /// A staff client's background task has ended, so it can no longer send
    /// or receive.
    #[error("the connection of {jid} has already been closed")]
    ClientClosed {
        /// The account.
        jid: BareJid,
    },
}

impl Error {
    /// Wraps an I/O error with what the kit was doing when it happened.
    pub(crate) fn io(action: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            action: action.into(),
            source,
        }
    }
}
