//! `!STATUS`: which chat a staff member is in.

use seshat_client::Error;

use crate::texts;

use super::{Command, Context, NoArgument};

/// `!STATUS - Show your current chat status`: the open chat and its
/// visitor, with the visitor's email address when they gave one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Status;

impl Command for Status {
    type Argument = NoArgument;

    fn name(&self) -> &str {
        "STATUS"
    }

    fn help(&self) -> &str {
        "!STATUS - Show your current chat status"
    }

    fn run(&self, context: &Context<'_>, _: NoArgument) -> Result<String, Error> {
        Ok(match context.store.open_chat_of(context.staff)? {
            Some(chat) => texts::in_chat(&chat),
            None => texts::not_in_a_chat_status(),
        })
    }
}

#[cfg(test)]
mod tests {
    use seshat_client::Store;

    use super::super::testing::{Fixture, BOB, JOE};

    #[test]
    fn status_names_the_chat_and_visitor() {
        let fixture = Fixture::new();
        let chat = fixture.open_chat("alice", JOE);
        assert_eq!(
            fixture.send(JOE, "!STATUS"),
            format!(
                "You are in chat #{} with alice. Send '!FINISH' when you are done.",
                chat.id
            )
        );
        assert_eq!(
            fixture.send(BOB, "!Status"),
            "You are not in a chat. Send '!HELP' for more options."
        );
    }

    #[test]
    fn status_gives_the_email_address_when_known() {
        let fixture = Fixture::new();
        let chat = fixture.open_chat("alice", JOE);
        fixture
            .store
            .set_email(&chat.token, "alice@example.org")
            .unwrap();
        assert_eq!(
            fixture.send(JOE, "!STATUS"),
            format!(
                "You are in chat #{} with alice. Send '!FINISH' when you are done. \
                 Their email address is alice@example.org.",
                chat.id
            )
        );
    }
}
