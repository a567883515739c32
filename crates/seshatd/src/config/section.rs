//! Reading one section of an ini file the way Seshat's keys are spelled:
//! keys compared case-insensitively (as Python's ConfigParser did), several
//! spellings per setting, and a `seshat_` prefix that wins over the bare
//! name so that Seshat's settings can share a web framework's own section.

use std::path::Path;

use ini::Ini;

use super::error::ConfigError;

/// The prefix that marks a key as Seshat's inside a shared section.
pub const PREFIX: &str = "seshat_";

/// A value found in the section, with the key exactly as the file spells it
/// (so that error messages point at what the operator wrote).
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    /// The key as written in the file.
    pub key: &'a str,
    /// Its value, trimmed by the parser.
    pub value: &'a str,
}

/// The key/value pairs of one section, in file order, plus what is needed
/// to name the file and section in errors.
pub struct Section<'a> {
    file: &'a Path,
    name: &'a str,
    entries: Vec<(String, String)>,
}

impl<'a> Section<'a> {
    /// Picks the section `name` out of a parsed file. A section that
    /// appears several times is read as one, later values winning, as
    /// Python 2's ConfigParser did.
    pub fn find(ini: &Ini, file: &'a Path, name: &'a str) -> Result<Self, ConfigError> {
        let mut parts = ini.section_all(Some(name)).peekable();
        if parts.peek().is_none() {
            return Err(ConfigError::MissingSection {
                file: file.to_path_buf(),
                section: name.to_owned(),
                found: ini.sections().flatten().map(str::to_owned).collect(),
            });
        }
        let entries = parts
            .flat_map(|properties| properties.iter())
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect();
        Ok(Section {
            file,
            name,
            entries,
        })
    }

    /// The value of the setting known by `names` (main spelling first).
    /// Every `seshat_`-prefixed spelling beats every bare one; among the
    /// prefixed (or the bare) spellings, the earlier name in `names` wins;
    /// a key written twice keeps its last value.
    pub fn get(&self, names: &[&str]) -> Option<Found<'_>> {
        [PREFIX, ""].iter().find_map(|prefix| {
            names.iter().find_map(|name| {
                self.entries
                    .iter()
                    .rev()
                    .find(|(key, _)| is_spelled(key, prefix, name))
                    .map(|(key, value)| Found { key, value })
            })
        })
    }

    /// Keys that are not among `known` spellings, with or without prefix,
    /// in file order. Returns the first unknown `seshat_` key as an error
    /// (it can only be a typo of one of ours) and the others as a list
    /// (they may well belong to the web framework sharing the section).
    pub fn unknown_keys(&self, known: &[&[&str]]) -> Result<Vec<String>, ConfigError> {
        let is_known = |key: &str| {
            known
                .iter()
                .flat_map(|names| names.iter())
                .any(|name| is_spelled(key, PREFIX, name) || is_spelled(key, "", name))
        };
        let mut unknown: Vec<String> = Vec::new();
        for (key, _) in &self.entries {
            if is_known(key) {
                continue;
            }
            if has_prefix(key) {
                return Err(self.error(key, "not a Seshat setting (check the spelling)"));
            }
            if !unknown.iter().any(|seen| seen.eq_ignore_ascii_case(key)) {
                unknown.push(key.clone());
            }
        }
        Ok(unknown)
    }

    /// The section's name, as asked for.
    pub fn name(&self) -> &str {
        self.name
    }

    /// An error about `key` in this section of this file.
    pub fn error(&self, key: &str, problem: impl Into<String>) -> ConfigError {
        ConfigError::Setting {
            file: self.file.to_path_buf(),
            section: self.name.to_owned(),
            key: key.to_owned(),
            problem: problem.into(),
        }
    }
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
