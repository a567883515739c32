//! The names visitors see for staff members, as the `user` of a message.

use std::collections::HashMap;

/// A `staff_names` entry that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffNamesError {
    /// An entry without `=`.
    #[error("\"{0}\" is not of the form jid = Display Name")]
    NotAPair(String),
    /// An entry whose JID part has no `@` or is blank.
    #[error("\"{0}\" does not start with a JID such as joe@example.com")]
    NotAJid(String),
    /// An entry whose name is blank or holds control characters.
    #[error("\"{0}\" does not give a printable name")]
    NoName(String),
}

/// Display names by staff JID, such as `joe@example.com = Joe Bloggs`.
///
/// The daemon reads the same ini key (`staff_names`); a web application
/// that reads it too shows visitors the same names staff configured.
/// A staff member without an entry is shown by the local part of their
/// JID (`joe` for `joe@example.com`), never by nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffNames {
    /// Keyed by the bare JID in lower case: XMPP servers compare the local
    /// part and domain without regard to ASCII case, and the daemon stores
    /// JIDs as the server normalised them.
    by_jid: HashMap<String, String>,
}

impl StaffNames {
    /// Reads `jid = Display Name` pairs separated by commas, the format of
    /// the `staff_names` ini key. Empty entries are skipped; a later entry
    /// for the same JID wins.
    pub fn parse(value: &str) -> Result<StaffNames, StaffNamesError> {
        let mut names = StaffNames::default();
        for pair in value
            .split(',')
            .map(str::trim)
            .filter(|pair| !pair.is_empty())
        {
            let (jid, name) = pair
                .split_once('=')
                .ok_or_else(|| StaffNamesError::NotAPair(pair.to_owned()))?;
            let (jid, name) = (jid.trim(), name.trim());
            if !jid.contains('@') || jid.chars().any(char::is_whitespace) {
                return Err(StaffNamesError::NotAJid(pair.to_owned()));
            }
            if name.is_empty() || name.chars().any(char::is_control) {
                return Err(StaffNamesError::NoName(pair.to_owned()));
            }
            names.insert(jid, name);
        }
        Ok(names)
    }

    /// Gives `jid` the display name `name`.
    pub fn insert(&mut self, jid: &str, name: &str) {
        self.by_jid
            .insert(jid.to_ascii_lowercase(), name.to_owned());
    }

    /// The name to show for the staff member `jid` (a bare JID): the
    /// configured one, else the JID's local part.
    pub fn display_name(&self, jid: &str) -> String {
        match self.by_jid.get(&jid.to_ascii_lowercase()) {
            Some(name) => name.clone(),
            None => jid
                .split_once('@')
                .map(|(local, _)| local)
                .filter(|local| !local.is_empty())
                .unwrap_or(jid)
                .to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_names_are_found_whatever_the_case() {
        let names =
            StaffNames::parse("joe@example.com = Joe Bloggs, Bob@Example.com=Bob,").unwrap();
        assert_eq!(names.display_name("joe@example.com"), "Joe Bloggs");
        assert_eq!(names.display_name("bob@example.com"), "Bob");
    }

    #[test]
    fn others_are_shown_by_their_local_part() {
        let names = StaffNames::default();
        assert_eq!(names.display_name("alice@localhost"), "alice");
        assert_eq!(names.display_name("localhost"), "localhost");
    }

    #[test]
    fn malformed_entries_are_refused() {
        assert_eq!(
            StaffNames::parse("joe@example.com"),
            Err(StaffNamesError::NotAPair("joe@example.com".to_owned()))
        );
        assert!(matches!(
            StaffNames::parse("joe = Joe"),
            Err(StaffNamesError::NotAJid(_))
        ));
        assert!(matches!(
            StaffNames::parse("joe@example.com = "),
            Err(StaffNamesError::NoName(_))
        ));
        assert_eq!(StaffNames::parse(" , ").unwrap(), StaffNames::default());
    }
}
