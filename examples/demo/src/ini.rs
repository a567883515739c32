//! The ini file `seshatd` and `seshat-webapp` share for the demo, in the
//! format of `seshat.sample.ini`.

use std::fmt::Write as _;
use std::path::Path;

use crate::accounts::Account;

/// The section both programs read.
pub const SECTION: &str = "Seshat";

/// What goes into the demo's ini file.
#[derive(Debug)]
pub struct DemoIni<'a> {
    /// The XMPP domain of every account (`localhost`).
    pub domain: &'a str,
    /// `127.0.0.1:PORT` of the private Prosody.
    pub server: &'a str,
    /// The account the daemon logs in as.
    pub bot: Account,
    /// Everyone offered chats, in order.
    pub staff: &'a [Account],
    /// The database shared by the daemon and the web app.
    pub database: &'a Path,
}

impl DemoIni<'_> {
    /// The file's text.
    pub fn render(&self) -> String {
        let jid = |account: &Account| format!("{}@{}", account.user, self.domain);
        let localusers: Vec<String> = self.staff.iter().map(jid).collect();
        let staff_names: Vec<String> = self
            .staff
            .iter()
            .map(|account| format!("{} = {}", jid(account), account.display_name))
            .collect();
        let mut text = String::new();
        // Writing to a String cannot fail, hence the unwraps below.
        text.push_str("# Written by seshat-demo and deleted when it stops.\n");
        writeln!(text, "[{SECTION}]").unwrap();
        writeln!(text, "username = {}", jid(&self.bot)).unwrap();
        writeln!(text, "password = {}", self.bot.password).unwrap();
        writeln!(text, "localusers = {}", localusers.join(", ")).unwrap();
        writeln!(text, "staff_names = {}", staff_names.join(", ")).unwrap();
        writeln!(text, "sqlitedb = {}", self.database.display()).unwrap();
        writeln!(text, "server = {}", self.server).unwrap();
        // Plain TCP: the server listens on loopback only.
        text.push_str("tls = none\n");
        text.push_str("log_level = info\n");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{BOT, STAFF};

    #[test]
    fn names_every_staff_member_and_the_plain_loopback_server() {
        let text = DemoIni {
            domain: "localhost",
            server: "127.0.0.1:15222",
            bot: BOT,
            staff: &STAFF,
            database: Path::new("/tmp/demo/seshat.db"),
        }
        .render();
        assert!(text.contains("\n[Seshat]\n"), "{text}");
        assert!(text.contains("\nusername = webchat@localhost\n"), "{text}");
        assert!(text.contains("\npassword = webchat-demo\n"), "{text}");
        assert!(
            text.contains("\nlocalusers = alice@localhost, bob@localhost\n"),
            "{text}"
        );
        assert!(
            text.contains("\nstaff_names = alice@localhost = Alice, bob@localhost = Bob\n"),
            "{text}"
        );
        assert!(
            text.contains("\nsqlitedb = /tmp/demo/seshat.db\n"),
            "{text}"
        );
        assert!(text.contains("\nserver = 127.0.0.1:15222\n"), "{text}");
        assert!(text.contains("\ntls = none\n"), "{text}");
    }
}
