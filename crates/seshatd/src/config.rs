//! The daemon's settings, read from one section of an ini file by the
//! rules both programs share ([`seshat_client::settings`]).
//!
//! The keys of the original Seshat are all accepted (`username` or
//! `xmppusername`, `password` or `xmpppassword`, `localusers`, `sqlitedb`),
//! each also with a `seshat_` prefix, which wins when both are present, so
//! that the settings can live in a web framework's own section. Keys are
//! compared without regard to case, as Python's ConfigParser did. The web
//! application's keys (`rate_limit_per_minute`, `static_dir`, ...) are
//! accepted and listed by `--check-config` as the web app's.
//!
//! The store is either `sqlitedb` (an SQLite file both programs on one
//! host open) or `database` (a PostgreSQL connection string, such as
//! `postgresql://seshat:PASSWORD@db.example.com/seshat?sslmode=require`,
//! for programs on several hosts); exactly one of them must be set, and
//! neither `--check-config` nor any log shows the password.
//!
//! Optional keys and their defaults (all also accepted with the prefix; an
//! empty value means the default):
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `server` | the domain of `username`, port 5222 | `HOST[:PORT]` to connect to |
//! | `tls` | `starttls` | `starttls`, or `none` for plain TCP in loopback tests |
//! | `offer_timeout` | 300 | seconds an offered chat may go unaccepted; 0 = forever |
//! | `no_staff_grace` | 0 | seconds a new chat waits for staff when nobody is available |
//! | `presence_settle` | 5 | seconds after (re)connecting before waiting chats may fail |
//! | `max_message_bytes` | 4096 | longest message staff may send, in bytes of UTF-8 |
//! | `log_level` | `info` | a level, or a filter like `info,seshatd=debug` |
//! | `tls_ca_file` | none | a PEM file of CA certificates trusted for the XMPP server, besides the system's |
//! | `log_format` | `text` | `text`, or `json` for one JSON object per line (log shippers) |
//! | `staff_names` | none | `jid = Display Name` pairs, comma-separated |
//! | `resource` | `seshat` | the XMPP resource the bot logs in with |
//! | `handler_grace` | 60 | seconds a handling staff member may be disconnected before the chat is offered again |
//! | `queue_when_busy` | `true` | while every staff member online is busy, new chats wait in line; `false` fails them as the original did |
//! | `max_queue` | 20 | most chats waiting in line; more fail at once |
//! | `offer_notices` | `true` | tell staff when an offer they got is taken, canceled, withdrawn or expires |
//! | `metrics_listen` | none | `HOST:PORT` to serve Prometheus metrics at `/metrics` (the web app's is `web_metrics_listen`) |
//!
//! JIDs are normalised as XMPP servers do (`Joe@Example.COM` becomes
//! `joe@example.com`), so they compare equal to the JIDs in stanzas. Every
//! error is one line naming the file, section and key; see [`ConfigError`].

mod connection;
mod secret;
mod values;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use seshat_client::limits::DEFAULT_MAX_MESSAGE_BYTES;
use seshat_client::settings::{keys, read_database, IniSection, Program};
use seshat_client::{Database, Limits};
use xmpp_parsers::jid::BareJid;

pub use connection::{ServerAddress, TlsPolicy, DEFAULT_XMPP_PORT};
pub use secret::{Secret, REDACTED};
/// What can be wrong with the configuration: the shared reader's error,
/// one line naming the file, section and key.
pub use seshat_client::settings::SettingsError as ConfigError;

/// The section the original Seshat read, and the one our sample file uses.
pub const DEFAULT_SECTION: &str = "Seshat";
/// Default of `offer_timeout`.
pub const DEFAULT_OFFER_TIMEOUT: Duration = Duration::from_secs(300);
/// Default of `no_staff_grace`: fail at once, as the original did.
pub const DEFAULT_NO_STAFF_GRACE: Duration = Duration::ZERO;
/// Default of `presence_settle`.
pub const DEFAULT_PRESENCE_SETTLE: Duration = Duration::from_secs(5);
/// Default of `log_level`.
pub const DEFAULT_LOG_LEVEL: &str = "info";
/// Default of `resource`.
pub const DEFAULT_RESOURCE: &str = "seshat";
/// Default of `handler_grace`.
pub const DEFAULT_HANDLER_GRACE: Duration = Duration::from_secs(60);
/// Default of `max_queue`.
pub const DEFAULT_MAX_QUEUE: usize = 20;

/// Validated settings of one daemon. Build it with [`Config::load`] (or
/// [`Config::parse`] in tests); every field is checked and filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file the settings came from, for messages.
    pub file: PathBuf,
    /// The section the settings came from, for messages.
    pub section: String,
    /// The bot's own account (`username`).
    pub account: BareJid,
    /// The bot's password (`password`); hidden from Debug and Display.
    pub password: Secret,
    /// The staff members (`localusers`): the only JIDs whose presence is
    /// tracked and whose messages are obeyed, in the order given.
    pub staff: Vec<BareJid>,
    /// The shared store: an SQLite file (`sqlitedb`, a relative path
    /// being relative to the working directory, as in the original) or a
    /// PostgreSQL database (`database`). Shown, it never includes the
    /// password.
    pub database: Database,
    /// Where to connect (`server`).
    pub server: ServerAddress,
    /// Whether to encrypt the connection (`tls`).
    pub tls: TlsPolicy,
    /// A PEM file of CA certificates trusted besides the system's roots
    /// (`tls_ca_file`).
    pub tls_ca_file: Option<PathBuf>,
    /// The certificates of `tls_ca_file`, read when the file was loaded.
    pub tls_ca_certificates: Vec<rustls_pki_types::CertificateDer<'static>>,
    /// How long an offered chat may wait for `!ACCEPT` before the visitor is
    /// told nobody answered (`offer_timeout`); `None` waits forever.
    pub offer_timeout: Option<Duration>,
    /// How long a new chat waits for staff to come online when nobody is
    /// available (`no_staff_grace`); zero fails it at once, as the original.
    pub no_staff_grace: Duration,
    /// How long after connecting or reconnecting before chats may be failed
    /// for lack of staff, so that their presence has time to arrive
    /// (`presence_settle`; reference defect 9).
    pub presence_settle: Duration,
    /// Longest message staff may send to a visitor, in bytes of UTF-8 (`max_message_bytes`).
    pub max_message_bytes: usize,
    /// A `tracing` filter: a level or directives (`log_level`).
    pub log_level: String,
    /// How log lines are written (`log_format`).
    pub log_format: crate::logging::LogFormat,
    /// Display names of staff members for the web side (`staff_names`).
    pub staff_names: Vec<(BareJid, String)>,
    /// The XMPP resource the bot binds (`resource`).
    pub resource: String,
    /// How long the staff member handling a chat may have no connected
    /// client before the chat is offered to others (`handler_grace`).
    pub handler_grace: Duration,
    /// Whether new chats wait in line while everyone online is busy
    /// (`queue_when_busy`).
    pub queue_when_busy: bool,
    /// Most chats waiting in line (`max_queue`).
    pub max_queue: usize,
    /// Whether staff are told what became of offers they got (`offer_notices`).
    pub offer_notices: bool,
    /// Where to serve Prometheus metrics, if anywhere (`metrics_listen`).
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Keys of the section that only the web application reads (such as
    /// `rate_limit_per_minute`), as written, in file order: allowed, since
    /// both programs share the section, and listed by `--check-config`.
    pub web_app_keys: Vec<String>,
    /// Keys of the section that are not Seshat settings, in file order.
    /// They are allowed (a web framework may share the section) but listed
    /// by `--check-config` so that a typo does not go unnoticed.
    pub ignored_keys: Vec<String>,
}

impl Config {
    /// Reads the settings in `section` of the ini file at `path`.
    pub fn load(path: &Path, section: &str) -> Result<Config, ConfigError> {
        Config::from_section(&IniSection::load(path, section)?)
    }

    /// Reads the settings in `section` of ini `text`; `file` names it in errors.
    pub fn parse(text: &str, file: &Path, section: &str) -> Result<Config, ConfigError> {
        Config::from_section(&IniSection::parse(text, file, section)?)
    }

    /// Builds and checks every setting, in the order of the table above.
    fn from_section(section: &IniSection) -> Result<Config, ConfigError> {
        let unread = section.unread_keys(Program::Daemon)?;

        let username = section.required(&keys::USERNAME)?;
        let account = section.check(username, values::bare_jid)?;

        let password = section.required(&keys::PASSWORD)?;
        let password = Secret::new(password.value);

        let localusers = section.required(&keys::LOCALUSERS)?;
        let staff = section.check(localusers, values::jid_list)?;
        if staff.contains(&account) {
            return Err(section.error(
                localusers.key,
                format!("{account} is the bot's own account and cannot be staff"),
            ));
        }

        let database = read_database(section)?;

        let server = section
            .optional(&keys::SERVER, ServerAddress::parse)?
            .unwrap_or_else(|| ServerAddress {
                host: account.domain().as_str().to_owned(),
                port: DEFAULT_XMPP_PORT,
            });
        let tls = section
            .optional(&keys::TLS, TlsPolicy::parse)?
            .unwrap_or(TlsPolicy::StartTls);
        let (tls_ca_file, tls_ca_certificates) = section
            .optional(&keys::TLS_CA_FILE, |value| {
                let path = PathBuf::from(value);
                let certificates =
                    crate::xmpp::tls::read_ca_file(&path).map_err(|error| error.to_string())?;
                Ok((Some(path), certificates))
            })?
            .unwrap_or_default();
        let offer_timeout = match section.optional(&keys::OFFER_TIMEOUT, values::seconds)? {
            None => Some(DEFAULT_OFFER_TIMEOUT),
            Some(Duration::ZERO) => None,
            Some(timeout) => Some(timeout),
        };
        let no_staff_grace = section
            .optional(&keys::NO_STAFF_GRACE, values::seconds)?
            .unwrap_or(DEFAULT_NO_STAFF_GRACE);
        let presence_settle = section
            .optional(&keys::PRESENCE_SETTLE, values::seconds)?
            .unwrap_or(DEFAULT_PRESENCE_SETTLE);
        let max_message_bytes = section
            .optional(&keys::MAX_MESSAGE_BYTES, values::positive_count)?
            .unwrap_or(DEFAULT_MAX_MESSAGE_BYTES);
        let log_level = section
            .optional(&keys::LOG_LEVEL, values::log_level)?
            .unwrap_or_else(|| DEFAULT_LOG_LEVEL.to_owned());
        let log_format = section
            .optional(&keys::LOG_FORMAT, crate::logging::LogFormat::parse)?
            .unwrap_or_default();
        let staff_names = section
            .optional(&keys::STAFF_NAMES, |value| {
                values::staff_names(value, &staff)
            })?
            .unwrap_or_default();
        let resource = section
            .optional(&keys::RESOURCE, |value| values::resource(value, &account))?
            .unwrap_or_else(|| DEFAULT_RESOURCE.to_owned());
        let handler_grace = section
            .optional(&keys::HANDLER_GRACE, values::seconds)?
            .unwrap_or(DEFAULT_HANDLER_GRACE);
        let queue_when_busy = section
            .optional(
                &keys::QUEUE_WHEN_BUSY,
                seshat_client::settings::values::boolean,
            )?
            .unwrap_or(true);
        let max_queue = section
            .optional(&keys::MAX_QUEUE, values::positive_count)?
            .unwrap_or(DEFAULT_MAX_QUEUE);
        let offer_notices = section
            .optional(
                &keys::OFFER_NOTICES,
                seshat_client::settings::values::boolean,
            )?
            .unwrap_or(true);
        let metrics_listen = section.optional(
            &keys::METRICS_LISTEN,
            seshat_client::settings::values::listen_address,
        )?;

        Ok(Config {
            file: section.file().to_path_buf(),
            section: section.name().to_owned(),
            account,
            password,
            staff,
            database,
            server,
            tls,
            tls_ca_file,
            tls_ca_certificates,
            offer_timeout,
            no_staff_grace,
            presence_settle,
            max_message_bytes,
            log_level,
            log_format,
            staff_names,
            resource,
            handler_grace,
            queue_when_busy,
            max_queue,
            offer_notices,
            metrics_listen,
            web_app_keys: unread.other_program,
            ignored_keys: unread.not_seshat,
        })
    }

    /// The configured staff member `jid` names, if any. Both sides are
    /// normalised JIDs, so this is a case-insensitive comparison.
    pub fn staff_member(&self, jid: &BareJid) -> Option<&BareJid> {
        self.staff.iter().find(|member| *member == jid)
    }

    /// The display name given to a staff member in `staff_names`, if any.
    pub fn display_name(&self, jid: &BareJid) -> Option<&str> {
        self.staff_names
            .iter()
            .find(|(member, _)| member == jid)
            .map(|(_, name)| name.as_str())
    }

    /// The `staff_names` as the table texts look names up in.
    pub fn names(&self) -> seshat_client::StaffNames {
        let mut names = seshat_client::StaffNames::default();
        for (jid, name) in &self.staff_names {
            names.insert(jid.as_str(), name);
        }
        names
    }

    /// The keys whose values differ from `running` and that a reload
    /// (SIGHUP) does not apply: everything but `localusers` and `log_level`.
    pub fn changes_needing_restart(&self, running: &Config) -> Vec<String> {
        let reloaded = Config {
            staff: running.staff.clone(),
            log_level: running.log_level.clone(),
            ..self.clone()
        };
        let mut changed = Vec::new();
        let (mine, theirs) = (reloaded.effective_settings(), running.effective_settings());
        for (line, old) in mine.lines().zip(theirs.lines()) {
            if line != old {
                if let Some((key, _)) = line.split_once(" = ") {
                    changed.push(key.to_owned());
                }
            }
        }
        if reloaded.password != running.password {
            changed.push("password".to_owned());
        }
        changed
    }

    /// The size limits for staff messages, from `max_message_bytes`.
    pub fn limits(&self) -> Limits {
        Limits {
            max_message_bytes: self.max_message_bytes,
            ..Limits::default()
        }
    }

    /// A warning to log when the connection will not be encrypted, or
    /// `None` when it will be.
    pub fn insecure_transport_warning(&self) -> Option<String> {
        match self.tls {
            TlsPolicy::StartTls => None,
            TlsPolicy::PlainTcp => Some(format!(
                "{} [{}] tls = none: the password and every chat cross the network to {} \
                 unencrypted; use this only for tests on the loopback interface",
                self.file.display(),
                self.section,
                self.server
            )),
        }
    }

    /// Every setting, one `key = value` line each in the file's syntax,
    /// with the password shown as `********`: what `--check-config` prints.
    pub fn effective_settings(&self) -> String {
        let staff: Vec<&str> = self.staff.iter().map(|jid| jid.as_str()).collect();
        let names: Vec<String> = self
            .staff_names
            .iter()
            .map(|(jid, name)| format!("{jid} = {name}"))
            .collect();
        let offer_timeout = self.offer_timeout.unwrap_or(Duration::ZERO);
        let mut text = format!("# {} [{}]\n", self.file.display(), self.section);
        for (key, value) in [
            ("username", self.account.to_string()),
            ("password", self.password.to_string()),
            ("localusers", staff.join(", ")),
            match &self.database {
                Database::Sqlite(path) => ("sqlitedb", path.display().to_string()),
                Database::Postgres(url) => ("database", url.to_string()),
            },
            ("server", self.server.to_string()),
            ("tls", self.tls.to_string()),
            (
                "tls_ca_file",
                self.tls_ca_file
                    .as_ref()
                    .map(|path| path.display().to_string())
                    .unwrap_or_default(),
            ),
            ("offer_timeout", seconds(offer_timeout)),
            ("no_staff_grace", seconds(self.no_staff_grace)),
            ("presence_settle", seconds(self.presence_settle)),
            ("max_message_bytes", self.max_message_bytes.to_string()),
            ("log_level", self.log_level.clone()),
            ("log_format", self.log_format.to_string()),
            ("staff_names", names.join(", ")),
            ("resource", self.resource.clone()),
            ("handler_grace", seconds(self.handler_grace)),
            ("queue_when_busy", self.queue_when_busy.to_string()),
            ("max_queue", self.max_queue.to_string()),
            ("offer_notices", self.offer_notices.to_string()),
            (
                "metrics_listen",
                self.metrics_listen
                    .map(|address| address.to_string())
                    .unwrap_or_default(),
            ),
        ] {
            // Writing to a String cannot fail.
            let _ = writeln!(text, "{key} = {value}");
        }
        if !self.web_app_keys.is_empty() {
            let _ = writeln!(
                text,
                "# read by the web app, not by seshatd: {}",
                self.web_app_keys.join(", ")
            );
        }
        if !self.ignored_keys.is_empty() {
            let _ = writeln!(
                text,
                "# ignored (not Seshat settings): {}",
                self.ignored_keys.join(", ")
            );
        }
        text
    }
}

/// Seconds the way an operator writes them: `300`, `0.5`.
fn seconds(duration: Duration) -> String {
    duration.as_secs_f64().to_string()
}

#[cfg(test)]
mod tests;
