//! Tests of the registry: recognising commands, dispatching them, and
//! adding commands of one's own.

use seshat_client::Error;

use super::testing::{Fixture, JOE};
use super::*;

/// A command a library user might add: `!NOTE text`.
struct Note;

impl Command for Note {
    type Argument = Text;

    fn name(&self) -> &str {
        "Note"
    }

    fn help(&self) -> &str {
        "!NOTE text - Remember something about your chat"
    }

    fn run(&self, context: &Context<'_>, Text(text): Text) -> Result<String, Error> {
        Ok(format!("{} noted: {text}", context.staff))
    }
}

/// A replacement for a built-in, to show that registering replaces.
struct QuietWaiting;

impl Command for QuietWaiting {
    type Argument = NoArgument;

    fn name(&self) -> &str {
        "waiting"
    }

    fn help(&self) -> &str {
        "!WAITING - Count open chat requests"
    }

    fn run(&self, context: &Context<'_>, _: NoArgument) -> Result<String, Error> {
        Ok(format!("{} waiting.", context.store.waiting_chats()?.len()))
    }
}

/// An argument type of the user's own: a priority from 1 to 3.
struct Priority(u8);

impl Argument for Priority {
    fn parse(text: &str) -> Result<Self, ArgumentError> {
        match text {
            "1" | "2" | "3" => Ok(Priority(text.as_bytes()[0] - b'0')),
            _ => Err(ArgumentError::Invalid(
                "The priority must be 1, 2 or 3.".to_owned(),
            )),
        }
    }
}

struct Urgent;

impl Command for Urgent {
    type Argument = Priority;

    fn name(&self) -> &str {
        "URGENT"
    }

    fn help(&self) -> &str {
        "!URGENT p - Flag your chat with priority p"
    }

    fn run(&self, _: &Context<'_>, Priority(level): Priority) -> Result<String, Error> {
        Ok(format!("Priority {level}."))
    }
}

#[test]
fn ordinary_text_is_not_a_command() {
    let fixture = Fixture::new();
    for body in ["hello", "Thanks! !ACCEPT 1", "!!!", "! ", "", "   "] {
        assert!(
            fixture
                .commands
                .dispatch(&fixture.store, JOE, body)
                .is_none(),
            "{body:?}"
        );
    }
}

#[test]
fn every_standard_command_answers_in_any_case() {
    let fixture = Fixture::new();
    assert_eq!(
        fixture.commands.names().collect::<Vec<_>>(),
        ["ACCEPT", "CANCEL", "FINISH", "HELP", "STATUS", "WAITING"]
    );
    for name in fixture.commands.names() {
        let typed = format!(" !{} ", name.to_ascii_lowercase());
        let reply = fixture.send(JOE, &typed);
        assert!(!reply.contains("is not a command"), "{typed}: {reply}");
    }
}

#[test]
fn a_registered_command_is_dispatched_and_listed_by_help() {
    let mut fixture = Fixture::new();
    fixture.commands.register(Note).unwrap();
    assert_eq!(
        fixture.send(JOE, "!note  call back  tomorrow "),
        "joe@example.com noted: call back  tomorrow"
    );
    assert_eq!(fixture.send(JOE, "!NOTE"), "joe@example.com noted: ");
    let help = fixture.send(JOE, "!HELP");
    assert_eq!(
        help.lines().collect::<Vec<_>>(),
        [
            "Available options:",
            "!ACCEPT n - Accept chat request #n",
            "!CANCEL n - Cancel chat request #n",
            "!FINISH - Close your current chat",
            "!HELP - Show available commands",
            "!NOTE text - Remember something about your chat",
            "!STATUS - Show your current chat status",
            "!WAITING - Show all open chat requests",
        ]
    );
}

#[test]
fn registering_a_name_again_replaces_the_command() {
    let mut fixture = Fixture::new();
    fixture.start_chat("alice", None);
    fixture.commands.register(QuietWaiting).unwrap();
    assert_eq!(fixture.send(JOE, "!WAITING"), "1 waiting.");
    assert_eq!(fixture.commands.names().count(), 6);
    assert!(fixture
        .commands
        .help_text()
        .contains("!WAITING - Count open chat requests"));
}

#[test]
fn a_custom_argument_error_gets_the_usage() {
    let mut fixture = Fixture::new();
    fixture.commands.register(Urgent).unwrap();
    assert_eq!(fixture.send(JOE, "!urgent 2"), "Priority 2.");
    assert_eq!(
        fixture.send(JOE, "!URGENT 9"),
        "The priority must be 1, 2 or 3. Usage: !URGENT p - Flag your chat with priority p. \
         Send '!HELP' for more options."
    );
}

#[test]
fn names_that_cannot_be_typed_are_refused() {
    struct Named(&'static str);
    impl Command for Named {
        type Argument = NoArgument;
        fn name(&self) -> &str {
            self.0
        }
        fn help(&self) -> &str {
            "!X - x"
        }
        fn run(&self, _: &Context<'_>, _: NoArgument) -> Result<String, Error> {
            Ok(String::new())
        }
    }
    let mut commands = Commands::standard();
    for name in ["", "!NOTE", "MY NOTE", "7UP"] {
        assert_eq!(
            commands.register(Named(name)),
            Err(InvalidCommandName(name.to_owned()))
        );
    }
    assert_eq!(
        InvalidCommandName("!NOTE".to_owned()).to_string(),
        "'!NOTE' cannot be a command name: it must start with a letter (no '!') \
         and contain no spaces"
    );
    assert_eq!(commands.names().count(), 6);
}

#[test]
fn an_empty_registry_knows_no_command() {
    let fixture = Fixture::new();
    let commands = Commands::empty();
    assert_eq!(
        commands
            .dispatch(&fixture.store, JOE, "!HELP")
            .unwrap()
            .unwrap(),
        "'!HELP' is not a command. Send '!HELP' for more options."
    );
    assert_eq!(format!("{commands:?}"), "{}");
    assert_eq!(
        format!("{:?}", Commands::standard()),
        r#"{"ACCEPT", "CANCEL", "FINISH", "HELP", "STATUS", "WAITING"}"#
    );
}

#[test]
fn store_errors_are_passed_to_the_caller() {
    struct Broken;
    impl Command for Broken {
        type Argument = ChatId;
        fn name(&self) -> &str {
            "BROKEN"
        }
        fn help(&self) -> &str {
            "!BROKEN n - Fail"
        }
        fn run(&self, _: &Context<'_>, ChatId(id): ChatId) -> Result<String, Error> {
            Err(Error::NoSuchChatId(id))
        }
    }
    let mut fixture = Fixture::new();
    fixture.commands.register(Broken).unwrap();
    let outcome = fixture.commands.dispatch(&fixture.store, JOE, "!BROKEN 3");
    assert!(matches!(outcome, Some(Err(Error::NoSuchChatId(3)))));
}
