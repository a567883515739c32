//! Every key of Seshat's section, with all its spellings and the programs
//! that read it. One list for both programs, so that each can tell the
//! other's keys from a typo.

use std::fmt;

/// A program that reads Seshat's section of the ini file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    /// The broker daemon, `seshatd`.
    Daemon,
    /// The web application (`seshat-webapp`, or your own that reads its keys).
    WebApp,
}

impl fmt::Display for Program {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Program::Daemon => "seshatd",
            Program::WebApp => "the web app",
        })
    }
}

/// One setting: its spellings, main spelling first (the one messages use
/// when the key is missing), and the programs that read it. The order of
/// the spellings also decides which wins when several are present: see
/// [`super::IniSection::get`].
#[derive(Debug, PartialEq, Eq)]
pub struct Key {
    /// Every accepted spelling, without the `seshat_` prefix.
    pub names: &'static [&'static str],
    /// The programs that read the setting.
    pub read_by: &'static [Program],
}

impl Key {
    /// The spelling messages use.
    pub fn main_name(&self) -> &'static str {
        self.names[0]
    }

    /// Whether `program` reads this setting.
    pub fn is_read_by(&self, program: Program) -> bool {
        self.read_by.contains(&program)
    }
}

const DAEMON: &[Program] = &[Program::Daemon];
const WEB_APP: &[Program] = &[Program::WebApp];
const BOTH: &[Program] = &[Program::Daemon, Program::WebApp];

/// The bot's account; `xmppusername` is the original's spelling.
pub const USERNAME: Key = Key {
    names: &["username", "xmppusername"],
    read_by: DAEMON,
};
/// The bot's password; `xmpppassword` is the original's spelling.
pub const PASSWORD: Key = Key {
    names: &["password", "xmpppassword"],
    read_by: DAEMON,
};
/// The staff JIDs.
pub const LOCALUSERS: Key = Key {
    names: &["localusers"],
    read_by: DAEMON,
};
/// The database both programs share.
pub const SQLITEDB: Key = Key {
    names: &["sqlitedb"],
    read_by: BOTH,
};
/// The PostgreSQL database both programs share, instead of `sqlitedb`.
pub const DATABASE: Key = Key {
    names: &["database"],
    read_by: BOTH,
};
/// Where the daemon connects.
pub const SERVER: Key = Key {
    names: &["server"],
    read_by: DAEMON,
};
/// Whether the daemon encrypts its connection.
pub const TLS: Key = Key {
    names: &["tls"],
    read_by: DAEMON,
};
/// A PEM file of CA certificates the daemon trusts for the XMPP server.
pub const TLS_CA_FILE: Key = Key {
    names: &["tls_ca_file"],
    read_by: DAEMON,
};
/// How long an offer may go unaccepted.
pub const OFFER_TIMEOUT: Key = Key {
    names: &["offer_timeout"],
    read_by: DAEMON,
};
/// How long a new chat waits for staff to come online.
pub const NO_STAFF_GRACE: Key = Key {
    names: &["no_staff_grace"],
    read_by: DAEMON,
};
/// How long after (re)connecting before chats may fail for lack of staff.
pub const PRESENCE_SETTLE: Key = Key {
    names: &["presence_settle"],
    read_by: DAEMON,
};
/// The longest message staff may send.
pub const MAX_MESSAGE_BYTES: Key = Key {
    names: &["max_message_bytes"],
    read_by: DAEMON,
};
/// The daemon's log format: `text` or `json`.
pub const LOG_FORMAT: Key = Key {
    names: &["log_format"],
    read_by: DAEMON,
};
/// The daemon's log filter.
pub const LOG_LEVEL: Key = Key {
    names: &["log_level"],
    read_by: DAEMON,
};
/// Staff members' display names: the daemon checks them against
/// `localusers`, the web app shows them to visitors.
pub const STAFF_NAMES: Key = Key {
    names: &["staff_names"],
    read_by: BOTH,
};
/// The XMPP resource the bot binds.
pub const RESOURCE: Key = Key {
    names: &["resource"],
    read_by: DAEMON,
};
/// How long a handler may be disconnected before their chat is offered again.
pub const HANDLER_GRACE: Key = Key {
    names: &["handler_grace"],
    read_by: DAEMON,
};
/// Whether chats wait in line while every staff member online is busy.
pub const QUEUE_WHEN_BUSY: Key = Key {
    names: &["queue_when_busy"],
    read_by: BOTH,
};
/// How many chats may wait in line.
pub const MAX_QUEUE: Key = Key {
    names: &["max_queue"],
    read_by: DAEMON,
};
/// Whether staff are told when an offer they got is taken, withdrawn or expires.
pub const OFFER_NOTICES: Key = Key {
    names: &["offer_notices"],
    read_by: DAEMON,
};
/// Where the daemon serves Prometheus metrics (`HOST:PORT`).
pub const METRICS_LISTEN: Key = Key {
    names: &["metrics_listen"],
    read_by: DAEMON,
};
/// Where the web app serves Prometheus metrics (`HOST:PORT`): a key of
/// its own, since both programs read one section and often run on one
/// host, where they cannot share a port.
pub const WEB_METRICS_LISTEN: Key = Key {
    names: &["web_metrics_listen"],
    read_by: WEB_APP,
};
/// The web app's rate limits.
pub const RATE_LIMIT_PER_MINUTE: Key = Key {
    names: &["rate_limit_per_minute"],
    read_by: WEB_APP,
};
/// Where the web app finds the widget's files.
pub const STATIC_DIR: Key = Key {
    names: &["static_dir"],
    read_by: WEB_APP,
};
/// Where the web app finds jQuery.
pub const JQUERY_DIR: Key = Key {
    names: &["jquery_dir"],
    read_by: WEB_APP,
};
/// The header a reverse proxy puts the visitor's address in.
pub const CLIENT_ADDRESS_HEADER: Key = Key {
    names: &["client_address_header"],
    read_by: WEB_APP,
};

/// Every key above.
pub const ALL: &[&Key] = &[
    &USERNAME,
    &PASSWORD,
    &LOCALUSERS,
    &SQLITEDB,
    &DATABASE,
    &SERVER,
    &TLS,
    &TLS_CA_FILE,
    &OFFER_TIMEOUT,
    &NO_STAFF_GRACE,
    &PRESENCE_SETTLE,
    &MAX_MESSAGE_BYTES,
    &LOG_LEVEL,
    &LOG_FORMAT,
    &STAFF_NAMES,
    &RESOURCE,
    &HANDLER_GRACE,
    &QUEUE_WHEN_BUSY,
    &MAX_QUEUE,
    &OFFER_NOTICES,
    &METRICS_LISTEN,
    &WEB_METRICS_LISTEN,
    &RATE_LIMIT_PER_MINUTE,
    &STATIC_DIR,
    &JQUERY_DIR,
    &CLIENT_ADDRESS_HEADER,
];
