//! `!HELP`: the list of commands, built-ins and extensions alike.

use crate::texts;

use super::{accept, cancel, finish, status, waiting, Commands};

/// The line `!HELP` shows.
pub const HELP: &str = "!HELP - Show available commands";

/// Every built-in by upper-case name, with its help line.
const BUILT_INS: [(&str, &str); 6] = [
    ("ACCEPT", accept::HELP),
    ("CANCEL", cancel::HELP),
    ("FINISH", finish::HELP),
    ("HELP", HELP),
    ("STATUS", status::HELP),
    ("WAITING", waiting::HELP),
];

/// Every help line, sorted: the built-ins no extension replaced, then the
/// extensions.
pub fn text(commands: &Commands) -> String {
    let built_ins = BUILT_INS
        .iter()
        .filter(|(name, _)| !commands.is_extension(name))
        .map(|(_, help)| *help);
    let extensions = commands
        .extensions
        .values()
        .map(|extension| extension.help.as_str());
    texts::help(built_ins.chain(extensions))
}

#[cfg(test)]
mod tests {
    use seshat_client::Error;

    use super::super::testing::{Fixture, JOE};
    use super::super::InvalidCommandName;

    #[test]
    fn help_lists_the_six_commands_sorted() {
        let fixture = Fixture::new();
        assert_eq!(
            fixture.send(JOE, "!help"),
            "Available options:\n\
             !ACCEPT n - Accept chat request #n\n\
             !CANCEL n - Cancel chat request #n\n\
             !FINISH - Close your current chat\n\
             !HELP - Show available commands\n\
             !STATUS - Show your current chat status\n\
             !WAITING - Show all open chat requests"
        );
    }

    #[test]
    fn an_extension_is_run_and_listed() {
        let mut fixture = Fixture::new();
        let note = "!NOTE text - Remember something about your chat";
        let noted = |context: &super::super::Context<'_>, args: &str| {
            Ok(format!("{} noted: {args}", context.staff))
        };
        fixture.commands.register("Note", note, noted).unwrap();
        let reply = fixture.send(JOE, "!note  call back  tomorrow ");
        assert_eq!(reply, "joe@example.com noted: call back  tomorrow");
        assert_eq!(fixture.send(JOE, "!NOTE"), "joe@example.com noted: ");
        let help = fixture.send(JOE, "!HELP");
        assert_eq!(help.lines().nth(5), Some(note), "{help}");
        assert_eq!(help.lines().count(), 8, "{help}");
    }

    #[test]
    fn an_extension_replaces_a_built_in_of_the_same_name() {
        let mut fixture = Fixture::new();
        fixture.start_chat("alice", None);
        let count = |context: &super::super::Context<'_>, _: &str| {
            Ok(format!("{} waiting.", context.store.waiting_chats()?.len()))
        };
        let help = "!WAITING - Count open chat requests";
        fixture.commands.register("waiting", help, count).unwrap();
        assert_eq!(fixture.send(JOE, "!WAITING"), "1 waiting.");
        let lines = fixture.commands.help_text();
        assert!(
            lines.contains(help) && !lines.contains("Show all open"),
            "{lines}"
        );
    }

    #[test]
    fn names_that_cannot_be_typed_are_refused() {
        let mut fixture = Fixture::new();
        for name in ["", "!NOTE", "MY NOTE", "7UP"] {
            let outcome = fixture
                .commands
                .register(name, "!X - x", |_, _| Ok(String::new()));
            assert_eq!(outcome, Err(InvalidCommandName(name.to_owned())));
        }
        assert_eq!(
            InvalidCommandName("!NOTE".to_owned()).to_string(),
            "'!NOTE' cannot be a command name: it must start with a letter (no '!') \
             and contain no spaces"
        );
        assert_eq!(fixture.commands.help_text().lines().count(), 7);
    }

    #[test]
    fn an_extension_s_store_error_is_passed_to_the_caller() {
        let mut fixture = Fixture::new();
        let broken = |_: &super::super::Context<'_>, _: &str| Err(Error::NoSuchChatId(3));
        fixture
            .commands
            .register("BROKEN", "!BROKEN - Fail", broken)
            .unwrap();
        let outcome = fixture.commands.dispatch(&fixture.store, JOE, "!BROKEN");
        assert!(matches!(outcome, Some(Err(Error::NoSuchChatId(3)))));
    }
}
