//! Staff commands: `!ACCEPT n`, `!CANCEL n`, `!FINISH`, `!HELP`,
//! `!STATUS` and `!WAITING`, one file each, and the [`Commands`] registry
//! that recognises them in a staff member's message and runs them.
//!
//! A command is one self-contained item: a type implementing [`Command`]
//! with its name, its argument pattern ([`NoArgument`], [`ChatId`],
//! [`Text`] or your own [`Argument`]), its help line and its handler.
//! Registering it is the only other step; `!HELP` then lists it:
//!
//! ```
//! use seshatd::commands::{ChatId, Command, Commands, Context};
//!
//! /// `!VISITOR n`: who is behind chat #n?
//! struct Visitor;
//!
//! impl Command for Visitor {
//!     type Argument = ChatId;
//!     fn name(&self) -> &str { "VISITOR" }
//!     fn help(&self) -> &str { "!VISITOR n - Show who started chat #n" }
//!     fn run(&self, context: &Context<'_>, ChatId(id): ChatId) -> seshat_client::Result<String> {
//!         Ok(match context.store.chat(id)? {
//!             Some(chat) => format!("Chat #{id} was started by {}.", chat.visitor),
//!             None => seshatd::texts::no_such_chat(id),
//!         })
//!     }
//! }
//!
//! let mut commands = Commands::standard();
//! commands.register(Visitor).expect("a valid name");
//! assert!(commands.help_text().contains("!VISITOR n - Show who started chat #n"));
//! ```

mod accept;
mod argument;
mod cancel;
mod finish;
mod help;
mod parse;
mod status;
mod unknown;
mod waiting;

#[cfg(test)]
mod testing;

use std::collections::BTreeMap;
use std::fmt;

use seshat_client::{Error, Store};

use crate::texts;

pub use accept::Accept;
pub use argument::{Argument, ArgumentError, ChatId, NoArgument, Text};
pub use cancel::Cancel;
pub use finish::Finish;
pub use help::Help;
pub use status::Status;
pub use unknown::Unknown;
pub use waiting::Waiting;

/// What a command's handler may use: the store, who sent the command, and
/// the registry it was found in (for `!HELP`).
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The shared database.
    pub store: &'a dyn Store,
    /// The bare JID of the staff member who sent the command, as the store
    /// records it (the broker checked that they are configured staff).
    pub staff: &'a str,
    /// Every registered command.
    pub commands: &'a Commands,
}

impl fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("staff", &self.staff)
            .field("commands", &self.commands)
            .finish_non_exhaustive()
    }
}

/// One staff command. Implement it and pass the value to
/// [`Commands::register`]; see the module documentation for an example.
pub trait Command: Send + Sync + 'static {
    /// What may follow the name; parsed before [`Command::run`] is called.
    type Argument: Argument;

    /// The name without `!`, e.g. `ACCEPT`. Matched without regard to
    /// case; it must start with an ASCII letter and contain no whitespace.
    fn name(&self) -> &str;

    /// The line `!HELP` shows, e.g. `!ACCEPT n - Accept chat request #n`.
    fn help(&self) -> &str;

    /// Runs the command and returns the reply for the staff member. Store
    /// errors are passed on; the broker logs them and tells the staff member.
    fn run(&self, context: &Context<'_>, argument: Self::Argument) -> Result<String, Error>;
}

/// A [`Command`] with its argument type erased, so that commands with
/// different patterns can share one registry.
trait Registered: Send + Sync {
    fn name(&self) -> &str;
    fn help(&self) -> &str;
    fn parse_and_run(&self, context: &Context<'_>, arguments: &str) -> Result<String, Error>;
}

impl<C: Command> Registered for C {
    fn name(&self) -> &str {
        Command::name(self)
    }

    fn help(&self) -> &str {
        Command::help(self)
    }

    fn parse_and_run(&self, context: &Context<'_>, arguments: &str) -> Result<String, Error> {
        match C::Argument::parse(arguments) {
            Ok(argument) => self.run(context, argument),
            Err(problem) => Ok(argument_reply(
                &problem,
                Command::name(self),
                Command::help(self),
            )),
        }
    }
}

/// A command name that could never be typed, refused by [`Commands::register`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' cannot be a command name: it must start with a letter (no '!') and contain no spaces"
)]
pub struct InvalidCommandName(pub String);

/// The commands staff can send, by name.
pub struct Commands {
    /// Keyed by upper-case name, which makes matching case-insensitive.
    by_name: BTreeMap<String, Box<dyn Registered>>,
}

impl Commands {
    /// No commands at all: every `!` message gets the unknown-command reply.
    pub fn empty() -> Self {
        Commands {
            by_name: BTreeMap::new(),
        }
    }

    /// The six commands of the original Seshat.
    pub fn standard() -> Self {
        let mut commands = Commands::empty();
        commands.insert(Box::new(Accept));
        commands.insert(Box::new(Cancel));
        commands.insert(Box::new(Finish));
        commands.insert(Box::new(Help));
        commands.insert(Box::new(Status));
        commands.insert(Box::new(Waiting));
        commands
    }

    /// Adds a command; one with the same name (in any case) is replaced,
    /// which is how a built-in's behaviour can be changed.
    pub fn register(&mut self, command: impl Command) -> Result<(), InvalidCommandName> {
        let name = Command::name(&command);
        let typeable = name.starts_with(|first: char| first.is_ascii_alphabetic())
            && !name.contains(char::is_whitespace);
        if !typeable {
            return Err(InvalidCommandName(name.to_owned()));
        }
        self.insert(Box::new(command));
        Ok(())
    }

    fn insert(&mut self, command: Box<dyn Registered>) {
        self.by_name
            .insert(command.name().to_ascii_uppercase(), command);
    }

    /// The registered names, upper-case, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// What `!HELP` replies: "Available options:" and every help line, sorted.
    pub fn help_text(&self) -> String {
        texts::help(self.by_name.values().map(|command| command.help()))
    }

    /// Runs the command in a staff member's message.
    ///
    /// Returns `None` when `body` is not a command attempt (after leading
    /// whitespace, `!` directly followed by a letter), so the broker relays
    /// it as chat text; otherwise `Some` with the reply for `staff`, also
    /// for unknown commands and malformed arguments, or the store's error.
    /// `staff` is the sender's bare JID, already checked to be staff.
    pub fn dispatch(
        &self,
        store: &dyn Store,
        staff: &str,
        body: &str,
    ) -> Option<Result<String, Error>> {
        let attempt = parse::command_attempt(body)?;
        let context = Context {
            store,
            staff,
            commands: self,
        };
        Some(match self.by_name.get(&attempt.name.to_ascii_uppercase()) {
            Some(command) => command.parse_and_run(&context, attempt.arguments),
            None => Ok(Unknown::new(attempt.name).reply()),
        })
    }
}

impl fmt::Debug for Commands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

/// The reply to arguments that do not fit a command's pattern: what is
/// wrong, then the command's help line. A chat number too large for any
/// chat is answered as a chat that does not exist, like the original
/// would have if it had not crashed.
fn argument_reply(problem: &ArgumentError, name: &str, help: &str) -> String {
    let command = format!("!{}", name.to_ascii_uppercase());
    let sentence = match problem {
        ArgumentError::NoChatThatLarge(digits) => return texts::no_such_chat(digits),
        ArgumentError::NotExpected => format!("{command} takes no arguments."),
        ArgumentError::MissingChatNumber => format!("{command} needs a chat number."),
        ArgumentError::NotAChatNumber(word) => {
            format!("'{}' is not a chat number.", parse::shorten(word))
        }
        ArgumentError::TooManyWords => format!("{command} takes a single chat number."),
        ArgumentError::Invalid(sentence) => sentence.clone(),
    };
    texts::usage(&sentence, help)
}

#[cfg(test)]
mod tests;
