//! The names visitors see for staff members: the `staff_names` setting,
//! read here for both programs (the daemon checks it, the web side shows
//! the names).

/// A `staff_names` entry that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffNamesError {
    /// An entry without `=`.
    #[error("\"{0}\" is not of the form jid = Display Name")]
    NotAPair(String),
    /// An entry whose JID part is not `user@domain`.
    #[error("\"{0}\" is not a bare JID (user@domain)")]
    NotAJid(String),
    /// An entry whose name is blank or holds control characters.
    #[error("\"{0}\" does not give a printable name")]
    NoName(String),
}

/// Display names by staff JID, such as `joe@example.com = Joe Bloggs`,
/// in the order configured.
///
/// The daemon and the web application read the same ini key
/// (`staff_names`), so that visitors see the names staff configured.
/// A staff member without an entry is shown by the local part of their
/// JID (`joe` for `joe@example.com`), never by nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffNames {
    /// `(JID, name)` pairs, each JID once. JIDs are kept in lower case:
    /// XMPP servers compare them without regard to case, and the daemon
    /// stores JIDs as the server normalised them.
    entries: Vec<(String, String)>,
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
            if !looks_like_bare_jid(jid) {
                return Err(StaffNamesError::NotAJid(jid.to_owned()));
            }
            if name.is_empty() || name.chars().any(char::is_control) {
                return Err(StaffNamesError::NoName(pair.to_owned()));
            }
            names.insert(jid, name);
        }
        Ok(names)
    }

    /// Gives `jid` the display name `name`, replacing any it had.
    pub fn insert(&mut self, jid: &str, name: &str) {
        let jid = jid.to_lowercase();
        self.entries.retain(|(known, _)| *known != jid);
        self.entries.push((jid, name.to_owned()));
    }

    /// Every `(JID, name)` pair, in the order configured, JIDs in lower case.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|(jid, name)| (jid.as_str(), name.as_str()))
    }

    /// The name configured for the staff member `jid` (a bare JID), if any.
    pub fn configured(&self, jid: &str) -> Option<&str> {
        let wanted = jid.to_lowercase();
        self.entries
            .iter()
            .find(|(known, _)| *known == wanted)
            .map(|(_, name)| name.as_str())
    }

    /// How texts to staff name a colleague: the configured name, else the
    /// JID itself, as the original's texts wrote it.
    pub fn for_staff(&self, jid: &str) -> String {
        self.configured(jid).unwrap_or(jid).to_owned()
    }

    /// The name to show for the staff member `jid` (a bare JID): the
    /// configured one, else the JID's local part.
    pub fn display_name(&self, jid: &str) -> String {
        match self.configured(jid) {
            Some(name) => name.to_owned(),
            None => jid
                .split_once('@')
                .map(|(local, _)| local)
                .filter(|local| !local.is_empty())
                .unwrap_or(jid)
                .to_owned(),
        }
    }
}

/// `user@domain` with both parts present, no resource and no spaces. The
/// daemon checks the JIDs fully (and against `localusers`); this catches
/// what cannot be a JID at all, for a web app that has no XMPP library.
fn looks_like_bare_jid(jid: &str) -> bool {
    match jid.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !jid.contains('/')
                && !jid.chars().any(char::is_whitespace)
        }
        None => false,
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
        assert_eq!(names.display_name("JOE@example.com"), "Joe Bloggs");
    }

    #[test]
    fn names_keep_their_order_and_a_later_entry_wins() {
        let names = StaffNames::parse("b@x.org = B, a@x.org = A, B@X.org = Bee").unwrap();
        assert_eq!(
            names.iter().collect::<Vec<_>>(),
            vec![("a@x.org", "A"), ("b@x.org", "Bee")]
        );
    }

    #[test]
    fn others_are_shown_by_their_local_part() {
        let names = StaffNames::default();
        assert_eq!(names.display_name("alice@localhost"), "alice");
        assert_eq!(names.display_name("localhost"), "localhost");
    }

    #[test]
    fn staff_texts_fall_back_to_the_whole_jid() {
        let names = StaffNames::parse("alice@localhost = Alice").unwrap();
        assert_eq!(names.for_staff("Alice@localhost"), "Alice");
        assert_eq!(names.for_staff("bob@localhost"), "bob@localhost");
    }

    #[test]
    fn malformed_entries_are_refused() {
        assert_eq!(
            StaffNames::parse("joe@example.com"),
            Err(StaffNamesError::NotAPair("joe@example.com".to_owned()))
        );
        for jid in [
            "joe",
            "@example.com",
            "joe@",
            "a@b@c",
            "joe@example.com/desk",
            "jo e@x.org",
        ] {
            assert_eq!(
                StaffNames::parse(&format!("{jid} = Joe")),
                Err(StaffNamesError::NotAJid(jid.to_owned())),
                "{jid}"
            );
        }
        assert_eq!(
            StaffNames::parse("joe@example.com = ")
                .unwrap_err()
                .to_string(),
            "\"joe@example.com =\" does not give a printable name"
        );
        assert_eq!(StaffNames::parse(" , ").unwrap(), StaffNames::default());
    }
}
