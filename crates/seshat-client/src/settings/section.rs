//! Reading one section of an ini file the way Seshat's keys are spelled:
//! values taken literally, keys compared case-insensitively (as Python's
//! ConfigParser did), several spellings per setting, and a `seshat_`
//! prefix that wins over the bare name so that Seshat's settings can share
//! a web framework's own section.

use std::path::{Path, PathBuf};

use ini::{Ini, ParseOption};

use super::error::SettingsError;
use super::keys::{self, Key, Program};

/// The prefix that marks a key as Seshat's inside a shared section.
pub const PREFIX: &str = "seshat_";

/// A value found in the section, with the key exactly as the file spells it
/// (so that error messages point at what the operator wrote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found<'a> {
    /// The key as written in the file.
    pub key: &'a str,
    /// Its value, trimmed by the parser.
    pub value: &'a str,
}

/// The keys of a section that one program does not read, in file order,
/// each once, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnreadKeys {
    /// Seshat keys that only the other program reads.
    pub other_program: Vec<String>,
    /// Keys that are not Seshat's at all (a web framework's own).
    pub not_seshat: Vec<String>,
}

/// The key/value pairs of one section, in file order, plus what is needed
/// to name the file and section in errors.
#[derive(Debug, Clone)]
pub struct IniSection {
    file: PathBuf,
    name: String,
    entries: Vec<(String, String)>,
}

impl IniSection {
    /// Reads the section `name` of the ini file at `file`.
    pub fn load(file: &Path, name: &str) -> Result<IniSection, SettingsError> {
        let text = std::fs::read_to_string(file).map_err(|cause| SettingsError::Unreadable {
            file: file.to_path_buf(),
            cause,
        })?;
        IniSection::parse(&text, file, name)
    }

    /// Reads the section `name` of ini `text`; `file` names it in errors.
    /// A section that appears several times is read as one, later values
    /// winning, as Python 2's ConfigParser did.
    pub fn parse(text: &str, file: &Path, name: &str) -> Result<IniSection, SettingsError> {
        // Values are taken literally, as Python's ConfigParser did: a
        // password may contain quotes or backslashes. Indented lines
        // continue a value, so a long `localusers` may span lines.
        let options = ParseOption {
            enabled_quote: false,
            enabled_escape: false,
            enabled_indented_mutiline_value: true,
            enabled_preserve_key_leading_whitespace: false,
        };
        // rust-ini joins a line ending in a backslash with the next one
        // even with escapes off, so that `password = secret\` would
        // swallow the key below it; a space after the backslash (trimmed
        // off again with the value) keeps it a literal character.
        let text = text.replace("\\\n", "\\ \n");
        let ini =
            Ini::load_from_str_opt(&text, options).map_err(|error| SettingsError::Syntax {
                file: file.to_path_buf(),
                line: error.line,
                column: error.col,
                message: error.msg.into_owned(),
            })?;
        let mut parts = ini.section_all(Some(name)).peekable();
        if parts.peek().is_none() {
            return Err(SettingsError::MissingSection {
                file: file.to_path_buf(),
                section: name.to_owned(),
                found: ini.sections().flatten().map(str::to_owned).collect(),
            });
        }
        let entries = parts
            .flat_map(|properties| properties.iter())
            .map(|(key, value)| (key.to_owned(), value.trim().to_owned()))
            .collect();
        Ok(IniSection {
            file: file.to_path_buf(),
            name: name.to_owned(),
            entries,
        })
    }

    /// The file the section came from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The section's name, as asked for.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of `key`, possibly empty. Every `seshat_`-prefixed
    /// spelling beats every bare one; among the prefixed (or the bare)
    /// spellings, the earlier name in [`Key::names`] wins; a key written
    /// twice keeps its last value.
    pub fn get(&self, key: &Key) -> Option<Found<'_>> {
        [PREFIX, ""].iter().find_map(|prefix| {
            key.names.iter().find_map(|name| {
                self.entries
                    .iter()
                    .rev()
                    .find(|(written, _)| is_spelled(written, prefix, name))
                    .map(|(key, value)| Found { key, value })
            })
        })
    }

    /// A setting that must be present and not empty.
    pub fn required(&self, key: &Key) -> Result<Found<'_>, SettingsError> {
        match self.get(key) {
            Some(found) if !found.value.is_empty() => Ok(found),
            Some(found) => Err(self.error(found.key, "is empty")),
            None => Err(self.error(key.main_name(), missing(key))),
        }
    }

    /// An optional setting, read by `parse`: `None` when absent or empty,
    /// so that the default applies.
    pub fn optional<T>(
        &self,
        key: &Key,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, SettingsError> {
        match self.get(key) {
            Some(found) if !found.value.is_empty() => self.check(found, parse).map(Some),
            _ => Ok(None),
        }
    }

    /// Reads a found value with `parse`, turning its complaint (in the
    /// operator's words) into an error that names the key as written.
    pub fn check<T>(
        &self,
        found: Found<'_>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, SettingsError> {
        parse(found.value).map_err(|problem| self.error(found.key, problem))
    }

    /// The keys `program` does not read. An unknown `seshat_` key is an
    /// error (it can only be a typo of one of Seshat's); the other
    /// program's keys and keys that are not Seshat's are listed, since the
    /// section may be shared with them.
    pub fn unread_keys(&self, program: Program) -> Result<UnreadKeys, SettingsError> {
        let mut unread = UnreadKeys::default();
        for (written, _) in &self.entries {
            let known = keys::ALL.iter().find(|key| {
                key.names
                    .iter()
                    .any(|name| is_spelled(written, PREFIX, name) || is_spelled(written, "", name))
            });
            let list = match known {
                Some(key) if key.is_read_by(program) => continue,
                Some(_) => &mut unread.other_program,
                None if has_prefix(written) => {
                    return Err(self.error(written, "not a Seshat setting (check the spelling)"))
                }
                None => &mut unread.not_seshat,
            };
            if !list.iter().any(|seen| seen.eq_ignore_ascii_case(written)) {
                list.push(written.clone());
            }
        }
        Ok(unread)
    }

    /// An error about `key` in this section of this file.
    pub fn error(&self, key: &str, problem: impl Into<String>) -> SettingsError {
        SettingsError::Setting {
            file: self.file.clone(),
            section: self.name.clone(),
            key: key.to_owned(),
            problem: problem.into(),
        }
    }
}

/// Explains a missing key, listing every spelling that would do.
fn missing(key: &Key) -> String {
    let spellings: Vec<String> = key
        .names
        .iter()
        .map(|name| name.to_string())
        .chain(key.names.iter().map(|name| format!("{PREFIX}{name}")))
        .collect();
    format!("missing; set one of: {}", spellings.join(", "))
}

/// Whether `key` is `prefix` + `name`, ignoring ASCII case.
fn is_spelled(key: &str, prefix: &str, name: &str) -> bool {
    key.len() == prefix.len() + name.len()
        && key.is_char_boundary(prefix.len())
        && key[..prefix.len()].eq_ignore_ascii_case(prefix)
        && key[prefix.len()..].eq_ignore_ascii_case(name)
}

/// Whether `key` starts with the `seshat_` prefix, ignoring ASCII case.
fn has_prefix(key: &str) -> bool {
    key.len() > PREFIX.len()
        && key.is_char_boundary(PREFIX.len())
        && key[..PREFIX.len()].eq_ignore_ascii_case(PREFIX)
}
