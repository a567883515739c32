//! The example app's settings, read from the same ini file and section as
//! the daemon's, by the rules both share ([`seshat_client::settings`]):
//! keys compared without regard to case, a `seshat_` prefix that wins over
//! the bare key, values taken literally, an empty optional value meaning
//! its default, the daemon's keys accepted, a misspelt `seshat_` key
//! refused.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `sqlitedb` | `sqlitedb` or `database` | the SQLite file shared with `seshatd` on this host |
//! | `database` | `sqlitedb` or `database` | instead of `sqlitedb`, a PostgreSQL connection string (`postgresql://user:password@host/dbname?sslmode=require`) shared with `seshatd` and other web apps on any host |
//! | `rate_limit_per_minute` | 30 | chat starts per visitor address and messages per chat, per minute; 0 = no limit |
//! | `static_dir` | this repository's `static/`, else the package's `/usr/share/seshat/static` | where `chatstyle.css` and `seshat.js` are |
//! | `jquery_dir` | this repository's `node_modules/jquery/dist`, else Debian's `/usr/share/javascript/jquery` | where `npm ci` (or `libjs-jquery`) put jQuery |
//! | `staff_names` | none | `jid = Display Name` pairs, comma-separated (the daemon's key): the names visitors see for staff, on both transports |
//! | `client_address_header` | none | behind a reverse proxy, the header holding the visitor's address, such as `x-forwarded-for` |
//! | `queue_when_busy` | `true` | the daemon's key: whether `GET /chat/available` reports `"busy": true` while everyone online is in a chat |
//! | `web_metrics_listen` | none | `HOST:PORT` to serve Prometheus metrics at `/metrics` (the daemon's is `metrics_listen`: the two programs need a port each) |
//!
//! Without `static_dir` or `jquery_dir`, a source checkout serves its own
//! files (`static/`, and jQuery from `npm ci`); the Debian package, whose
//! build tree is gone, serves the files it installed and Debian's
//! `libjs-jquery`. The first directory that holds the file wins.

use std::path::{Path, PathBuf};

use axum::http::HeaderName;
use seshat_client::settings::{keys, read_database, IniSection, Program, SettingsError};
use seshat_client::{Database, StaffNames};

/// The repository the example was built from: the default home of the
/// widget's files and of jQuery.
const REPOSITORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Where the Debian package installs the widget's files.
pub const INSTALLED_STATIC_DIR: &str = "/usr/share/seshat/static";

/// Where Debian's `libjs-jquery` installs jQuery.
pub const DEBIAN_JQUERY_DIR: &str = "/usr/share/javascript/jquery";

/// What the example app needs to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The store shared with the daemon (`sqlitedb` or `database`).
    pub database: Database,
    /// The size of the rate limits (`rate_limit_per_minute`).
    pub rate_limit_per_minute: u32,
    /// The widget's files (`static_dir`).
    pub static_dir: PathBuf,
    /// jQuery's `dist` directory (`jquery_dir`).
    pub jquery_dir: PathBuf,
    /// Staff members' display names (`staff_names`).
    pub staff_names: StaffNames,
    /// The header a reverse proxy puts the visitor's address in
    /// (`client_address_header`); `None` uses the TCP peer.
    pub client_address_header: Option<HeaderName>,
    /// Where to serve Prometheus metrics, if anywhere (`web_metrics_listen`).
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Whether the daemon keeps chats in line while staff are busy
    /// (`queue_when_busy`, the daemon's key), for `GET /chat/available`.
    pub queue_when_busy: bool,
}

impl Settings {
    /// Reads section `section` of the ini file at `file`.
    pub fn load(file: &Path, section: &str) -> Result<Settings, SettingsError> {
        Settings::from_section(&IniSection::load(file, section)?)
    }

    /// Reads section `section` of ini `text`; `file` names it in errors.
    #[cfg(test)]
    pub fn parse(text: &str, file: &Path, section: &str) -> Result<Settings, SettingsError> {
        Settings::from_section(&IniSection::parse(text, file, section)?)
    }

    fn from_section(section: &IniSection) -> Result<Settings, SettingsError> {
        // Only for the typo check: the daemon's keys are its business.
        section.unread_keys(Program::WebApp)?;
        let database = read_database(section)?;
        let rate_limit_per_minute = section
            .optional(&keys::RATE_LIMIT_PER_MINUTE, |value| {
                value
                    .parse()
                    .map_err(|_| format!("\"{value}\" is not a whole number (0 or more)"))
            })?
            .unwrap_or(seshat_web::DEFAULT_RATE_LIMIT_PER_MINUTE);
        let repository = Path::new(REPOSITORY);
        let static_dir = section
            .optional(&keys::STATIC_DIR, |value| Ok(PathBuf::from(value)))?
            .unwrap_or_else(|| {
                first_holding(
                    "seshat.js",
                    repository.join("static"),
                    Path::new(INSTALLED_STATIC_DIR),
                )
            });
        let jquery_dir = section
            .optional(&keys::JQUERY_DIR, |value| Ok(PathBuf::from(value)))?
            .unwrap_or_else(|| {
                first_holding(
                    "jquery.min.js",
                    repository.join("node_modules/jquery/dist"),
                    Path::new(DEBIAN_JQUERY_DIR),
                )
            });
        let staff_names = section
            .optional(&keys::STAFF_NAMES, |value| {
                StaffNames::parse(value).map_err(|error| error.to_string())
            })?
            .unwrap_or_default();
        let client_address_header = section.optional(&keys::CLIENT_ADDRESS_HEADER, |value| {
            HeaderName::try_from(value).map_err(|_| {
                format!("\"{value}\" is not an HTTP header name (such as x-forwarded-for)")
            })
        })?;
        let metrics_listen = section.optional(
            &keys::WEB_METRICS_LISTEN,
            seshat_client::settings::values::listen_address,
        )?;
        let queue_when_busy = section
            .optional(
                &keys::QUEUE_WHEN_BUSY,
                seshat_client::settings::values::boolean,
            )?
            .unwrap_or(true);
        Ok(Settings {
            metrics_listen,
            queue_when_busy,
            database,
            rate_limit_per_minute,
            static_dir,
            jquery_dir,
            staff_names,
            client_address_header,
        })
    }
}

/// The default directory for a file the app serves: the source
/// checkout's `own` when it holds `file`, else the system's `installed`
/// when that does, else `own`, so that the error for a missing file points
/// to the checkout (and to `npm ci`).
fn first_holding(file: &str, own: PathBuf, installed: &Path) -> PathBuf {
    if !own.join(file).is_file() && installed.join(file).is_file() {
        installed.to_path_buf()
    } else {
        own
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checkouts_copy_wins_then_the_installed_one() {
        let own = tempfile::tempdir().unwrap();
        let installed = tempfile::tempdir().unwrap();
        let pick = || first_holding("jquery.min.js", own.path().to_path_buf(), installed.path());
        // Neither: the checkout's, whose error says to run npm ci.
        assert_eq!(pick(), own.path());
        std::fs::write(installed.path().join("jquery.min.js"), "").unwrap();
        assert_eq!(pick(), installed.path());
        std::fs::write(own.path().join("jquery.min.js"), "").unwrap();
        assert_eq!(pick(), own.path());
    }

    fn parse(text: &str) -> Result<Settings, SettingsError> {
        Settings::parse(text, Path::new("site.ini"), "Seshat")
    }

    fn error_text(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_the_daemons_section() {
        let settings =
            parse("[Seshat]\nusername = bot@example.com\nsqlitedb = /var/lib/seshat/seshat.db\n")
                .unwrap();
        assert_eq!(
            settings.database,
            Database::Sqlite(PathBuf::from("/var/lib/seshat/seshat.db"))
        );
        assert_eq!(
            settings.rate_limit_per_minute,
            seshat_web::DEFAULT_RATE_LIMIT_PER_MINUTE
        );
        assert!(settings.static_dir.ends_with("static"));
        assert_eq!(settings.client_address_header, None);
    }

    #[test]
    fn the_daemons_keys_are_accepted_and_a_misspelt_seshat_key_is_refused() {
        let settings = parse(
            "[Seshat]\nseshat_username = bot@example.com\nxmpppassword = pw\n\
             localusers = joe@example.com\nsqlitedb = s.db\nserver = example.com:5222\n\
             tls = none\noffer_timeout = 60\nno_staff_grace = 1\npresence_settle = 2\n\
             max_message_bytes = 100\nlog_level = debug\nresource = desk\n",
        )
        .unwrap();
        assert_eq!(settings.database, Database::Sqlite(PathBuf::from("s.db")));
        assert_eq!(
            error_text("[Seshat]\nsqlitedb = x\nseshat_jquery_dri = /srv\n"),
            "site.ini [Seshat] seshat_jquery_dri: not a Seshat setting (check the spelling)"
        );
    }

    #[test]
    fn the_prefix_wins_and_case_does_not_matter() {
        let settings = parse(
            "[Seshat]\nSQLITEDB = app.db\nSeshat_SqliteDB = seshat.db\nrate_limit_per_minute = 0\n",
        )
        .unwrap();
        assert_eq!(
            settings.database,
            Database::Sqlite(PathBuf::from("seshat.db"))
        );
        assert_eq!(settings.rate_limit_per_minute, 0);
    }

    #[test]
    fn values_are_literal() {
        let settings = parse("[Seshat]\nsqlitedb = C:\\data\\seshat.db\n").unwrap();
        assert_eq!(
            settings.database,
            Database::Sqlite(PathBuf::from("C:\\data\\seshat.db"))
        );
    }

    #[test]
    fn a_proxy_header_is_read() {
        let settings =
            parse("[Seshat]\nsqlitedb = x\nseshat_client_address_header = X-Forwarded-For\n")
                .unwrap();
        assert_eq!(
            settings.client_address_header,
            Some(HeaderName::from_static("x-forwarded-for"))
        );
        assert_eq!(
            error_text("[Seshat]\nsqlitedb = x\nclient_address_header = x forwarded\n"),
            "site.ini [Seshat] client_address_header: \"x forwarded\" is not an HTTP header \
             name (such as x-forwarded-for)"
        );
    }

    #[test]
    fn errors_name_the_file_section_and_key() {
        assert_eq!(
            error_text("[Other]\nsqlitedb = x\n"),
            "site.ini [Seshat]: no such section; the file has [Other]"
        );
        assert_eq!(
            error_text("[Seshat]\nsqlitedb =\n"),
            "site.ini [Seshat] sqlitedb: is empty"
        );
        assert_eq!(
            error_text("[Seshat]\nsqlitedb = x\nseshat_rate_limit_per_minute = lots\n"),
            "site.ini [Seshat] seshat_rate_limit_per_minute: \"lots\" is not a whole number (0 or more)"
        );
    }

    #[test]
    fn staff_names_are_read_as_the_daemon_reads_them() {
        let settings =
            parse("[Seshat]\nsqlitedb = x\nstaff_names = joe@example.com = Joe Bloggs\n").unwrap();
        assert_eq!(
            settings.staff_names.display_name("joe@example.com"),
            "Joe Bloggs"
        );
        assert_eq!(
            error_text("[Seshat]\nsqlitedb = x\nstaff_names = joe@example.com\n"),
            "site.ini [Seshat] staff_names: \"joe@example.com\" is not of the form jid = Display Name"
        );
        // The daemon's words exactly: one parser serves both programs.
        assert_eq!(
            error_text("[Seshat]\nsqlitedb = x\nstaff_names = joe = Joe\n"),
            "site.ini [Seshat] staff_names: \"joe\" is not a bare JID (user@domain)"
        );
    }

    #[test]
    fn an_empty_optional_value_is_its_default() {
        let settings = parse("[Seshat]\nsqlitedb = x\nrate_limit_per_minute =\n").unwrap();
        assert_eq!(
            settings.rate_limit_per_minute,
            seshat_web::DEFAULT_RATE_LIMIT_PER_MINUTE
        );
    }

    #[test]
    fn the_sample_file_reads_with_its_documented_web_app_keys() {
        let sample = Path::new(REPOSITORY).join("seshat.sample.ini");
        let text = std::fs::read_to_string(&sample).unwrap();
        let uncommented = text.replace("\n;", "\n");
        let settings = Settings::parse(&uncommented, &sample, "Seshat").unwrap();
        assert_eq!(
            settings.rate_limit_per_minute,
            seshat_web::DEFAULT_RATE_LIMIT_PER_MINUTE
        );
        assert_eq!(
            settings.client_address_header,
            Some(HeaderName::from_static("x-forwarded-for"))
        );
    }
}
