//! What the demo prints once everything runs: where to point a browser,
//! how to log in as staff, where the logs are, and how to stop.
//!
//! The lines starting `Web page:`, `Staff:`, `Server:` and `Logs:` and the
//! final `Press Ctrl-C to stop` are read by the demo's own test; keep their
//! shape.

use std::fmt::Write as _;
use std::path::Path;

use crate::accounts::{Account, BOT, ECHO_BOT, STAFF};

/// Everything the banner shows.
#[derive(Debug)]
pub struct Banner<'a> {
    /// The web app's address, `http://127.0.0.1:8080/`.
    pub url: &'a str,
    /// The XMPP domain of the accounts (`localhost`).
    pub domain: &'a str,
    /// The private Prosody's port on 127.0.0.1.
    pub xmpp_port: u16,
    /// Whether the echo bot runs.
    pub staff_bot: bool,
    /// The demo's own directory (ini, database, program logs).
    pub demo_dir: &'a Path,
    /// Prosody's directory (configuration, data, log).
    pub prosody_dir: &'a Path,
}

impl Banner<'_> {
    /// The text, ending with a newline.
    pub fn render(&self) -> String {
        let jid = |account: &Account| format!("{}@{}", account.user, self.domain);
        let mut text = String::new();
        // Writing to a String cannot fail, hence the unwraps below.
        text.push_str("\nSeshat demo is running.\n\n");
        writeln!(text, "  Web page:  {}", self.url).unwrap();
        text.push_str("             The chat box shows itself while a staff member is online.\n\n");
        text.push_str(
            "  Answer chats as staff from any Jabber/XMPP client (Gajim, Pidgin, Dino...):\n",
        );
        for account in &STAFF {
            writeln!(
                text,
                "  Staff:     {:<18} password: {}",
                jid(account),
                account.password
            )
            .unwrap();
        }
        writeln!(
            text,
            "  Server:    127.0.0.1 port {}, no TLS (plain text is fine: loopback only)",
            self.xmpp_port
        )
        .unwrap();
        writeln!(
            text,
            "             In the account's advanced settings: host 127.0.0.1, port {},\n\
             \x20            encryption off, plain-text login allowed.",
            self.xmpp_port
        )
        .unwrap();
        writeln!(
            text,
            "             Accept the contact request from {}: chat offers come from it.\n\
             \x20            Reply '!ACCEPT n' to take one, '!FINISH' to end it, '!HELP' for more.",
            jid(&BOT)
        )
        .unwrap();
        if self.staff_bot {
            writeln!(
                text,
                "\n  Echo bot:  {} is on duty too (--staff-bot). It is a program, not a person:\n\
                 \x20            it accepts every chat and repeats what you write; 'bye' ends the chat.",
                jid(&ECHO_BOT)
            )
            .unwrap();
        }
        writeln!(
            text,
            "\n  Logs:      {} (seshatd.log, seshat-webapp.log)",
            self.demo_dir.display()
        )
        .unwrap();
        writeln!(
            text,
            "  Logs:      {}",
            self.prosody_dir.join("prosody.log").display()
        )
        .unwrap();
        text.push_str("\nPress Ctrl-C to stop (the accounts, chats and logs are deleted).\n");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_page_the_accounts_and_the_server() {
        let banner = Banner {
            url: "http://127.0.0.1:8080/",
            domain: "localhost",
            xmpp_port: 15222,
            staff_bot: false,
            demo_dir: Path::new("/tmp/seshat-demo-x"),
            prosody_dir: Path::new("/tmp/seshat-prosody-y"),
        }
        .render();
        assert!(
            banner.contains("\n  Web page:  http://127.0.0.1:8080/\n"),
            "{banner}"
        );
        assert!(
            banner.contains("\n  Staff:     alice@localhost    password: alice-demo\n"),
            "{banner}"
        );
        assert!(
            banner.contains("\n  Staff:     bob@localhost      password: bob-demo\n"),
            "{banner}"
        );
        assert!(
            banner.contains("\n  Server:    127.0.0.1 port 15222, no TLS"),
            "{banner}"
        );
        assert!(banner.contains("from webchat@localhost"), "{banner}");
        assert!(
            banner.contains("/tmp/seshat-prosody-y/prosody.log"),
            "{banner}"
        );
        assert!(!banner.contains("Echo bot"), "{banner}");
        assert!(
            banner.ends_with("Press Ctrl-C to stop (the accounts, chats and logs are deleted).\n")
        );
    }

    #[test]
    fn the_echo_bot_is_labelled_as_a_program() {
        let banner = Banner {
            url: "http://127.0.0.1:8080/",
            domain: "localhost",
            xmpp_port: 15222,
            staff_bot: true,
            demo_dir: Path::new("/tmp/d"),
            prosody_dir: Path::new("/tmp/p"),
        }
        .render();
        assert!(
            banner.contains(
                "echo@localhost is on duty too (--staff-bot). It is a program, not a person"
            ),
            "{banner}"
        );
    }
}
