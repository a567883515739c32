//! `!HELP`: the list of commands.

use seshat_client::Error;

use super::{Command, Context, NoArgument};

/// `!HELP - Show available commands`: every registered command's help
/// line, sorted, including commands a library user added.
#[derive(Debug, Clone, Copy, Default)]
pub struct Help;

impl Command for Help {
    type Argument = NoArgument;

    fn name(&self) -> &str {
        "HELP"
    }

    fn help(&self) -> &str {
        "!HELP - Show available commands"
    }

    fn run(&self, context: &Context<'_>, _: NoArgument) -> Result<String, Error> {
        Ok(context.commands.help_text())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, JOE};

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
}
