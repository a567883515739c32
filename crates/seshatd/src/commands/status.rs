//! `!STATUS`: which chat a staff member is in.

use seshat_client::{Error, StaffNames, Store};

use crate::texts;

/// The line `!HELP` shows.
pub const HELP: &str = "!STATUS - Show your current chat status";

/// The staff member's open chat and its visitor, with the visitor's email
/// address when they gave one. When `staff_names` is configured, a second
/// line names the colleagues online and says who is free.
pub fn run(store: &dyn Store, names: &StaffNames, staff: &str) -> Result<String, Error> {
    let mut reply = match store.open_chat_of(staff)? {
        Some(chat) => texts::in_chat(&chat),
        None => texts::not_in_a_chat_status(),
    };
    if names.iter().next().is_some() {
        let colleagues: Vec<(String, Option<i64>)> = store
            .staff_on_duty()?
            .into_iter()
            .filter(|(jid, _)| jid != staff)
            .map(|(jid, chat)| (names.for_staff(&jid), chat))
            .collect();
        if let Some(line) = texts::on_duty(&colleagues) {
            reply.push('\n');
            reply.push_str(&line);
        }
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use seshat_client::Store;

    use super::super::testing::{Fixture, BOB, JOE};
    use crate::texts;

    #[test]
    fn with_names_configured_status_says_who_else_is_on_duty() {
        let mut f = Fixture::new();
        f.commands.set_staff_names(
            seshat_client::StaffNames::parse(&format!("{JOE} = Joe, {BOB} = Bob")).unwrap(),
        );
        f.store.set_presence(JOE, "desk", true).unwrap();
        f.store.set_presence(BOB, "desk", true).unwrap();
        f.store
            .set_presence("carol@example.com", "desk", true)
            .unwrap();
        let chat = f.open_chat("alice", JOE);
        assert_eq!(
            f.send(BOB, "!STATUS"),
            format!(
                "{}\nOn duty: carol@example.com (free), Joe (in chat #{}).",
                texts::not_in_a_chat_status(),
                chat.id
            )
        );
    }

    #[test]
    fn status_names_the_chat_the_visitor_and_their_address() {
        let f = Fixture::new();
        let chat = f.open_chat("alice", JOE);
        assert_eq!(f.send(JOE, "!STATUS"), texts::in_chat(&f.chat(chat.id)));
        assert_eq!(f.send(BOB, "!Status"), texts::not_in_a_chat_status());
        f.store.set_email(&chat.token, "alice@example.org").unwrap();
        assert!(f
            .send(JOE, "!STATUS")
            .ends_with(" Their email address is alice@example.org."));
    }
}
