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
        .filter(|(name, _)| !commands.extensions.contains_key(*name))
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
        assert_eq!(
            Fixture::new().send(JOE, "!help"),
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
    fn an_extension_is_run_listed_and_may_replace_a_built_in() {
        let mut f = Fixture::new();
        let note = "!NOTE text - Remember something";
        let commands = &mut f.commands;
        commands
            .register("Note", note, |c, args| {
                Ok(format!("{} noted: {args}", c.staff))
            })
            .unwrap();
        commands
            .register("waiting", "!WAITING - Count", |_, _| Ok("None.".into()))
            .unwrap();
        assert_eq!(
            f.send(JOE, "!note  call back  tomorrow "),
            "joe@example.com noted: call back  tomorrow"
        );
        assert_eq!(f.send(JOE, "!NOTE"), "joe@example.com noted: ");
        assert_eq!(f.send(JOE, "!WAITING"), "None.");
        let help = f.send(JOE, "!HELP");
        let lines: Vec<&str> = help.lines().collect();
        assert_eq!(
            (lines[5], lines[7], lines.len()),
            (note, "!WAITING - Count", 8),
            "{help}"
        );
    }

    #[test]
    fn names_that_cannot_be_typed_are_refused() {
        let mut f = Fixture::new();
        for name in ["", "!NOTE", "MY NOTE", "7UP"] {
            let outcome = f
                .commands
                .register(name, "!X - x", |_, _| Ok(String::new()));
            assert_eq!(outcome, Err(InvalidCommandName(name.to_owned())));
        }
        assert_eq!(
            InvalidCommandName("!NOTE".to_owned()).to_string(),
            "'!NOTE' cannot be a command name: it must start with a letter (no '!') \
             and contain no spaces"
        );
        assert_eq!(f.commands.help_text().lines().count(), 7);
    }

    #[test]
    fn an_extension_s_store_error_is_passed_to_the_caller() {
        let mut f = Fixture::new();
        f.commands
            .register("BROKEN", "!BROKEN - Fail", |_, _| {
                Err(Error::NoSuchChatId(3))
            })
            .unwrap();
        let outcome = f.commands.dispatch(&f.store, JOE, "!BROKEN");
        assert!(matches!(outcome, Some(Err(Error::NoSuchChatId(3)))));
    }
}
