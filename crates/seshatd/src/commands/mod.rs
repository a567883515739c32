//! Staff commands: a closed set of built-ins (`!ACCEPT n`, `!CANCEL n`,
//! `!FINISH`, `!HELP`, `!STATUS`, `!WAITING`), each with a small `run` in
//! its own file, plus one hook for commands of your own.
//!
//! [`Commands::parse`] turns a staff member's message into a
//! [`StaffCommand`]; [`Commands::run`] answers it. An extension is a name,
//! a help line and a function; `!HELP` lists it with the built-ins:
//!
//! ```
//! use seshatd::commands::Commands;
//!
//! let mut commands = Commands::standard();
//! commands
//!     .register("VISITOR", "!VISITOR n - Show who started chat #n", |context, args| {
//!         Ok(format!("{} asked about chat {args}.", context.staff))
//!     })
//!     .expect("a valid name");
//! assert!(commands.help_text().contains("!VISITOR n - Show who started chat #n"));
//! ```

mod accept;
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

use seshat_client::{Error, StaffNames, Store};

pub use parse::Misuse;

/// What a staff member's message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffCommand {
    /// `!ACCEPT n`.
    Accept(i64),
    /// `!CANCEL n`.
    Cancel(i64),
    /// `!FINISH`.
    Finish,
    /// `!HELP`.
    Help,
    /// `!STATUS`.
    Status,
    /// `!WAITING`.
    Waiting,
    /// A registered extension: its name (upper case) and the rest of the
    /// message, trimmed.
    Custom {
        /// The registered name, upper case.
        name: String,
        /// What followed the name, trimmed; empty when nothing did.
        args: String,
    },
    /// A built-in whose arguments do not fit it: its help line (shown as
    /// its usage) and what is wrong.
    Misused(&'static str, Misuse),
    /// A name nobody registered, as typed.
    Unknown(String),
}

/// What an extension's function may use.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The shared database.
    pub store: &'a dyn Store,
    /// The bare JID of the staff member who sent the command, as the store
    /// records it (the broker checked that they are configured staff).
    pub staff: &'a str,
}

/// An extension's function: gets the context and the text after the name
/// (trimmed), returns the reply. Store errors are passed on; the broker
/// logs them and tells the staff member.
type Handler = dyn Fn(&Context<'_>, &str) -> Result<String, Error> + Send + Sync;

/// One registered extension.
struct Extension {
    help: String,
    handler: Box<Handler>,
}

/// A command name that could never be typed, refused by [`Commands::register`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' cannot be a command name: it must start with a letter (no '!') and contain no spaces"
)]
pub struct InvalidCommandName(pub String);

/// The built-ins and the registered extensions.
#[derive(Default)]
pub struct Commands {
    /// Keyed by upper-case name, which makes matching case-insensitive.
    extensions: BTreeMap<String, Extension>,
    /// How replies name colleagues (`staff_names`; JIDs without it).
    names: StaffNames,
}

impl Commands {
    /// The six commands of the original Seshat, and no extension.
    pub fn standard() -> Self {
        Commands::default()
    }

    /// Names colleagues in replies ("already handled by Alice") by the
    /// configured `staff_names`; without them, replies give JIDs as the
    /// original did.
    pub fn set_staff_names(&mut self, names: StaffNames) {
        self.names = names;
    }

    /// Adds an extension. One with the name of a built-in (in any case)
    /// replaces it, which is how a built-in's behaviour can be changed;
    /// one with the name of an extension replaces that.
    pub fn register(
        &mut self,
        name: &str,
        help: &str,
        handler: impl Fn(&Context<'_>, &str) -> Result<String, Error> + Send + Sync + 'static,
    ) -> Result<(), InvalidCommandName> {
        let typeable = name.starts_with(|first: char| first.is_ascii_alphabetic())
            && !name.contains(char::is_whitespace);
        if !typeable {
            return Err(InvalidCommandName(name.to_owned()));
        }
        let extension = Extension {
            help: help.to_owned(),
            handler: Box::new(handler),
        };
        self.extensions.insert(name.to_ascii_uppercase(), extension);
        Ok(())
    }

    /// What `!HELP` replies: "Available options:" and every help line, sorted.
    pub fn help_text(&self) -> String {
        help::text(self)
    }

    /// Recognises a command in a staff member's message; `None` when it is
    /// not a command attempt (after leading whitespace, `!` directly
    /// followed by a letter), so the broker relays it as chat text.
    pub fn parse(&self, body: &str) -> Option<StaffCommand> {
        parse::parse(body, |name| self.extensions.contains_key(name))
    }

    /// Answers `command` from `staff` (a bare JID already checked to be
    /// staff): the reply, or the store's error.
    pub fn run(
        &self,
        store: &dyn Store,
        staff: &str,
        command: StaffCommand,
    ) -> Result<String, Error> {
        match command {
            StaffCommand::Accept(chat_id) => accept::run(store, &self.names, staff, chat_id),
            StaffCommand::Cancel(chat_id) => cancel::run(store, &self.names, staff, chat_id),
            StaffCommand::Finish => finish::run(store, staff),
            StaffCommand::Help => Ok(self.help_text()),
            StaffCommand::Status => status::run(store, &self.names, staff),
            StaffCommand::Waiting => waiting::run(store),
            StaffCommand::Custom { name, args } => match self.extensions.get(&name) {
                Some(extension) => (extension.handler)(&Context { store, staff }, &args),
                None => Ok(unknown::reply(&name)),
            },
            StaffCommand::Misused(help, problem) => Ok(unknown::misused(help, &problem)),
            StaffCommand::Unknown(name) => Ok(unknown::reply(&name)),
        }
    }

    /// [`Commands::parse`], then [`Commands::run`]: `None` for chat text.
    pub fn dispatch(
        &self,
        store: &dyn Store,
        staff: &str,
        body: &str,
    ) -> Option<Result<String, Error>> {
        let command = self.parse(body)?;
        Some(self.run(store, staff, command))
    }
}
