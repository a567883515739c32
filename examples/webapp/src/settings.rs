//! The example app's settings, read from the same ini file and section as
//! the daemon's, with the same rules: keys compared without regard to
//! case, a `seshat_` prefix that wins over the bare key, values taken
//! literally, an empty optional value meaning its default.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `sqlitedb` | required | the database shared with `seshatd` |
//! | `rate_limit_per_minute` | 30 | chat starts per visitor address and messages per chat, per minute; 0 = no limit |
//! | `static_dir` | this repository's `static/` | where `chatstyle.css` and `seshat.js` are |
//! | `jquery_dir` | this repository's `node_modules/jquery/dist` | where `npm ci` put jQuery |
//! | `staff_names` | none | `jid = Display Name` pairs, comma-separated (the daemon's key): the names visitors see on the WebSocket |

use std::path::{Path, PathBuf};

use ini::{Ini, ParseOption};
use seshat_web::ws::StaffNames;

/// Keys may carry this prefix so that they can share a web framework's section.
const PREFIX: &str = "seshat_";

/// The repository the example was built from: the default home of the
/// widget's files and of jQuery.
const REPOSITORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// What the example app needs to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The SQLite database shared with the daemon (`sqlitedb`).
    pub database: PathBuf,
    /// The size of the rate limits (`rate_limit_per_minute`).
    pub rate_limit_per_minute: u32,
    /// The widget's files (`static_dir`).
    pub static_dir: PathBuf,
    /// jQuery's `dist` directory (`jquery_dir`).
    pub jquery_dir: PathBuf,
    /// Staff members' display names (`staff_names`).
    pub staff_names: StaffNames,
}

/// A setting that cannot be used, in one line naming the file, section
/// and key.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file could not be read or is not an ini file.
    #[error("cannot read {}: {message}", file.display())]
    Unreadable {
        /// The ini file.
        file: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The section is not in the file.
    #[error("{}: there is no section [{section}]", file.display())]
    NoSection {
        /// The ini file.
        file: PathBuf,
        /// The section asked for.
        section: String,
    },
    /// A required key is absent or empty.
    #[error("{} [{section}]: the key {key} (or seshat_{key}) is missing", file.display())]
    Missing {
        /// The ini file.
        file: PathBuf,
        /// The section read.
        section: String,
        /// The key, without prefix.
        key: &'static str,
    },
    /// A value is not of the kind expected.
    #[error("{} [{section}]: {key} must be {expected}, not '{value}'", file.display())]
    Invalid {
        /// The ini file.
        file: PathBuf,
        /// The section read.
        section: String,
        /// The key as written in the file.
        key: String,
        /// The value as written.
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },
}

impl Settings {
    /// Reads section `section` of the ini file at `file`.
    pub fn load(file: &Path, section: &str) -> Result<Settings, SettingsError> {
        let text = std::fs::read_to_string(file).map_err(|error| SettingsError::Unreadable {
            file: file.to_path_buf(),
            message: error.to_string(),
        })?;
        Settings::parse(&text, file, section)
    }

    /// Reads section `section` of ini `text`; `file` names it in errors.
    pub fn parse(text: &str, file: &Path, section: &str) -> Result<Settings, SettingsError> {
        // The daemon reads the file with these options; reading it the
        // same way means a value means the same to both programs.
        let options = ParseOption {
            enabled_quote: false,
            enabled_escape: false,
            enabled_indented_mutiline_value: true,
            enabled_preserve_key_leading_whitespace: false,
        };
        let ini =
            Ini::load_from_str_opt(text, options).map_err(|error| SettingsError::Unreadable {
                file: file.to_path_buf(),
                message: error.to_string(),
            })?;
        let entries: Vec<(String, String)> = ini
            .section_all(Some(section))
            .flat_map(|properties| properties.iter())
            .map(|(key, value)| (key.to_owned(), value.trim().to_owned()))
            .collect();
        if ini.section_all(Some(section)).next().is_none() {
            return Err(SettingsError::NoSection {
                file: file.to_path_buf(),
                section: section.to_owned(),
            });
        }
        let lookup = Lookup {
            entries: &entries,
            file,
            section,
        };

        let database = lookup
            .get("sqlitedb")
            .map(|(_, value)| PathBuf::from(value))
            .ok_or_else(|| lookup.missing("sqlitedb"))?;
        let rate_limit_per_minute = match lookup.get("rate_limit_per_minute") {
            None => seshat_web::DEFAULT_RATE_LIMIT_PER_MINUTE,
            Some((key, value)) => value
                .parse()
                .map_err(|_| lookup.invalid(key, value, "a whole number, 0 or more"))?,
        };
        let repository = Path::new(REPOSITORY);
        let static_dir = lookup
            .get("static_dir")
            .map(|(_, value)| PathBuf::from(value))
            .unwrap_or_else(|| repository.join("static"));
        let jquery_dir = lookup
            .get("jquery_dir")
            .map(|(_, value)| PathBuf::from(value))
            .unwrap_or_else(|| repository.join("node_modules/jquery/dist"));
        let staff_names = match lookup.get("staff_names") {
            None => StaffNames::default(),
            Some((key, value)) => StaffNames::parse(value).map_err(|_| {
                lookup.invalid(key, value, "jid = Display Name pairs separated by commas")
            })?,
        };
        Ok(Settings {
            database,
            rate_limit_per_minute,
            static_dir,
            jquery_dir,
            staff_names,
        })
    }
}

/// Finds keys in one section by the shared rules.
struct Lookup<'a> {
    entries: &'a [(String, String)],
    file: &'a Path,
    section: &'a str,
}

impl<'a> Lookup<'a> {
    /// The key as written and its value: `seshat_NAME` if present, else
    /// `NAME`; the last of repeated keys; `None` when absent or empty.
    fn get(&self, name: &str) -> Option<(&'a str, &'a str)> {
        let prefixed = format!("{PREFIX}{name}");
        let found = [prefixed.as_str(), name].into_iter().find_map(|wanted| {
            self.entries
                .iter()
                .rev()
                .find(|(key, _)| key.eq_ignore_ascii_case(wanted))
                .filter(|(_, value)| !value.is_empty())
                .map(|(key, value)| (key.as_str(), value.as_str()))
        });
        found
    }

    fn missing(&self, key: &'static str) -> SettingsError {
        SettingsError::Missing {
            file: self.file.to_path_buf(),
            section: self.section.to_owned(),
            key,
        }
    }

    fn invalid(&self, key: &str, value: &str, expected: &'static str) -> SettingsError {
        SettingsError::Invalid {
            file: self.file.to_path_buf(),
            section: self.section.to_owned(),
            key: key.to_owned(),
            value: value.to_owned(),
            expected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, SettingsError> {
        Settings::parse(text, Path::new("site.ini"), "Seshat")
    }

    #[test]
    fn reads_the_daemons_section() {
        let settings =
            parse("[Seshat]\nusername = bot@example.com\nsqlitedb = /var/lib/seshat/seshat.db\n")
                .unwrap();
        assert_eq!(
            settings.database,
            PathBuf::from("/var/lib/seshat/seshat.db")
        );
        assert_eq!(
            settings.rate_limit_per_minute,
            seshat_web::DEFAULT_RATE_LIMIT_PER_MINUTE
        );
        assert!(settings.static_dir.ends_with("static"));
    }

    #[test]
    fn the_prefix_wins_and_case_does_not_matter() {
        let settings = parse(
            "[Seshat]\nSQLITEDB = app.db\nSeshat_SqliteDB = seshat.db\nrate_limit_per_minute = 0\n",
        )
        .unwrap();
        assert_eq!(settings.database, PathBuf::from("seshat.db"));
        assert_eq!(settings.rate_limit_per_minute, 0);
    }

    #[test]
    fn values_are_literal() {
        let settings = parse("[Seshat]\nsqlitedb = C:\\data\\seshat.db\n").unwrap();
        assert_eq!(settings.database, PathBuf::from("C:\\data\\seshat.db"));
    }

    #[test]
    fn errors_name_the_file_section_and_key() {
        assert_eq!(
            parse("[Other]\nsqlitedb = x\n").unwrap_err().to_string(),
            "site.ini: there is no section [Seshat]"
        );
        assert_eq!(
            parse("[Seshat]\nsqlitedb =\n").unwrap_err().to_string(),
            "site.ini [Seshat]: the key sqlitedb (or seshat_sqlitedb) is missing"
        );
        assert_eq!(
            parse("[Seshat]\nsqlitedb = x\nseshat_rate_limit_per_minute = lots\n")
                .unwrap_err()
                .to_string(),
            "site.ini [Seshat]: seshat_rate_limit_per_minute must be a whole number, 0 or more, not 'lots'"
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
            parse("[Seshat]\nsqlitedb = x\nstaff_names = joe@example.com\n")
                .unwrap_err()
                .to_string(),
            "site.ini [Seshat]: staff_names must be jid = Display Name pairs separated by commas, not 'joe@example.com'"
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
}
