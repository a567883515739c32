//! Every text the daemon sends to staff, word for word as Seshat 0.3.1
//! wrote it (reference section 4), so that staff used to the original
//! see the same replies. Our additions are marked as such.
//!
//! Replies that the original followed with "Send '!HELP' for more
//! options." include [`HELP_SUFFIX`] already; callers send them as they are.
//! Notices queued to visitors live in [`seshat_client::texts`].

use std::fmt::Display;

use seshat_client::Chat;

/// Appended to replies that leave the staff member wondering what to do next.
pub const HELP_SUFFIX: &str = " Send '!HELP' for more options.";

/// Reply to ordinary text from a staff member who is in no chat.
pub const NOT_IN_A_CHAT: &str = "You are not currently in a chat. Send '!WAITING' to see a list \
                                 of available chats, or '!HELP' for other options.";

/// The offer of a new chat, sent to each available staff member.
/// `also_sent_to` lists the other staff members offered the same chat
/// (empty when this one is the only one). The visitor's email address,
/// when known, comes last (our addition) so that the original sentences
/// stay exactly as they were.
pub fn offer_text(chat: &Chat, also_sent_to: &[String]) -> String {
    let mut text = format!(
        "Remote user '{}' wants to start a conversation.",
        chat.visitor
    );
    if let Some(start) = chat
        .start_message
        .as_deref()
        .filter(|start| !start.is_empty())
    {
        text.push_str(&format!(" The starting message is: '{start}'"));
    }
    text.push_str(&format!(
        " To accept this request, reply with the message '!ACCEPT {}'.",
        chat.id
    ));
    if !also_sent_to.is_empty() {
        text.push_str(&format!(
            " Requests were also sent to: {}.",
            also_sent_to.join(", ")
        ));
    }
    if let Some(email) = &chat.email {
        text.push_str(&email_sentence(email));
    }
    text
}

/// Tells staff who were offered a chat that nobody accepted it in time and
/// the visitor was told so (our addition: the original had no timeout).
pub fn offer_expired(chat_id: i64) -> String {
    format!("Chat #{chat_id} was not accepted in time; the visitor has been told that no one was able to answer.")
}

/// `!ACCEPT` or `!CANCEL` of a chat id no chat has. Takes any displayable
/// id so that a number too large for a chat id is echoed as typed.
pub fn no_such_chat(chat_id: impl Display) -> String {
    format!("Chat #{chat_id} does not exist.{HELP_SUFFIX}")
}

/// `!ACCEPT` from a staff member who already has an open chat.
pub fn already_handling_other(current_id: i64, visitor: &str) -> String {
    format!("You are already handling chat #{current_id} with {visitor}.{HELP_SUFFIX}")
}

/// `!ACCEPT n` of the chat the staff member already accepted.
pub fn already_handling(chat_id: i64) -> String {
    format!("You are already handling chat #{chat_id}.{HELP_SUFFIX}")
}

/// `!ACCEPT n` of a chat another staff member accepted.
pub fn handled_by(chat_id: i64, staff: &str) -> String {
    format!("Chat #{chat_id} is already handled by {staff}.{HELP_SUFFIX}")
}

/// `!ACCEPT n` of a chat that is closed or was canceled.
pub fn already_finished(chat_id: i64) -> String {
    format!("Chat #{chat_id} is already finished.{HELP_SUFFIX}")
}

/// `!ACCEPT n` of a chat that failed: nobody answered in time, or nobody
/// was available, and its visitor stopped waiting (our addition: the
/// original let staff accept it, for nobody).
pub fn chat_failed(chat_id: i64) -> String {
    format!(
        "Chat #{chat_id} has expired; the visitor was told that no one was able to answer.{HELP_SUFFIX}"
    )
}

/// `!ACCEPT n` succeeded.
pub fn now_handling(chat_id: i64) -> String {
    format!("You are now handling chat #{chat_id}. Send '!FINISH' when you are done.")
}

/// `!CANCEL n` of the chat the staff member accepted themselves.
pub fn cancel_own_chat(chat_id: i64) -> String {
    format!("You have already accepted chat #{chat_id}. Send '!FINISH' to close it.{HELP_SUFFIX}")
}

/// `!CANCEL n` of a chat another staff member accepted.
pub fn accepted_by(chat_id: i64, staff: &str) -> String {
    format!("Chat #{chat_id} has already been accepted by {staff}.{HELP_SUFFIX}")
}

/// `!CANCEL n` of a chat that is already over.
pub fn already_closed(chat_id: i64) -> String {
    format!("Chat #{chat_id} is already closed.{HELP_SUFFIX}")
}

/// `!CANCEL n` succeeded.
pub fn canceled(chat_id: i64) -> String {
    format!("You canceled chat #{chat_id}.")
}

/// `!FINISH` from a staff member in no chat.
pub fn not_active_in_a_chat() -> String {
    format!("You are not currently active in a chat.{HELP_SUFFIX}")
}

/// `!FINISH` succeeded; the same text is queued to the visitor.
pub const CHAT_CLOSED: &str = seshat_client::texts::CHAT_CLOSED;

/// `!STATUS` from a staff member in no chat.
pub fn not_in_a_chat_status() -> String {
    format!("You are not in a chat.{HELP_SUFFIX}")
}

/// `!STATUS` of the staff member's open chat; the visitor's email address
/// is added when known (our addition).
pub fn in_chat(chat: &Chat) -> String {
    let mut text = format!(
        "You are in chat #{} with {}. Send '!FINISH' when you are done.",
        chat.id, chat.visitor
    );
    if let Some(email) = &chat.email {
        text.push_str(&email_sentence(email));
    }
    text
}

/// `!WAITING` when no chat waits to be accepted.
pub const NO_OPEN_REQUESTS: &str = "There aren't any open chat requests.";

/// `!WAITING`: a table of the chats waiting to be accepted, oldest first.
/// `chats` should not be empty; see [`NO_OPEN_REQUESTS`].
pub fn waiting_table(chats: &[Chat]) -> String {
    let rows: Vec<String> = chats
        .iter()
        .map(|chat| format!("{} | {}", chat.id, chat.visitor))
        .collect();
    format!(
        "Chats waiting to be accepted:\n\nID | Remote user\n---|------------------\n{}\n\n\
         Send '!ACCEPT n' to accept a chat request. Send '!CANCEL n' to cancel a chat request.",
        rows.join("\n")
    )
}

/// `!HELP`: the given help lines, sorted, one per line.
pub fn help<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    let mut lines: Vec<&str> = lines.into_iter().collect();
    lines.sort_unstable();
    format!("Available options:\n{}", lines.join("\n"))
}

/// A message starting with `!` that names no command (our wording).
pub fn unknown_command(command: &str) -> String {
    format!("'{command}' is not a command.{HELP_SUFFIX}")
}

/// A command whose arguments do not fit its pattern (our wording):
/// `problem` says what is wrong, `help_line` shows the right form.
pub fn usage(problem: &str, help_line: &str) -> String {
    format!("{problem} Usage: {help_line}.{HELP_SUFFIX}")
}

/// A staff message that could not be relayed to the visitor, for instance
/// because it is too long or holds a character XMPP cannot carry (our
/// wording). `reason` is the error, e.g. "the message is empty".
pub fn message_not_delivered(reason: impl Display) -> String {
    format!("Your message was not delivered: {reason}.")
}

/// The sentence that gives the visitor's email address (our addition).
fn email_sentence(email: &str) -> String {
    format!(" Their email address is {email}.")
}

#[cfg(test)]
mod tests {
    use seshat_client::ChatStatus;

    use super::*;

    fn chat(id: i64, visitor: &str, start_message: Option<&str>, email: Option<&str>) -> Chat {
        Chat {
            id,
            visitor: visitor.to_owned(),
            staff: None,
            status: ChatStatus::Waiting,
            start_message: start_message.map(str::to_owned),
            email: email.map(str::to_owned),
            started_at: 0.0,
            offered_at: None,
        }
    }

    #[test]
    fn offers_word_for_word() {
        assert_eq!(
            offer_text(&chat(7, "Anonymous", None, None), &[]),
            "Remote user 'Anonymous' wants to start a conversation. \
             To accept this request, reply with the message '!ACCEPT 7'."
        );
        assert_eq!(
            offer_text(&chat(7, "Anonymous", Some(""), None), &[]),
            "Remote user 'Anonymous' wants to start a conversation. \
             To accept this request, reply with the message '!ACCEPT 7'."
        );
        assert_eq!(
            offer_text(
                &chat(12, "alice", Some("Coming from page /pricing"), None),
                &["bob@example.com".to_owned(), "carol@example.com".to_owned()]
            ),
            "Remote user 'alice' wants to start a conversation. \
             The starting message is: 'Coming from page /pricing' \
             To accept this request, reply with the message '!ACCEPT 12'. \
             Requests were also sent to: bob@example.com, carol@example.com."
        );
    }

    #[test]
    fn offers_end_with_the_email_address_when_known() {
        assert_eq!(
            offer_text(
                &chat(3, "alice", Some("Hi"), Some("alice@example.org")),
                &["bob@example.com".to_owned()]
            ),
            "Remote user 'alice' wants to start a conversation. \
             The starting message is: 'Hi' \
             To accept this request, reply with the message '!ACCEPT 3'. \
             Requests were also sent to: bob@example.com. \
             Their email address is alice@example.org."
        );
    }

    #[test]
    fn accept_replies_word_for_word() {
        assert_eq!(
            already_handling_other(4, "alice"),
            "You are already handling chat #4 with alice. Send '!HELP' for more options."
        );
        assert_eq!(
            no_such_chat(9),
            "Chat #9 does not exist. Send '!HELP' for more options."
        );
        assert_eq!(
            no_such_chat("99999999999999999999"),
            "Chat #99999999999999999999 does not exist. Send '!HELP' for more options."
        );
        assert_eq!(
            already_handling(4),
            "You are already handling chat #4. Send '!HELP' for more options."
        );
        assert_eq!(
            handled_by(4, "joe@example.com"),
            "Chat #4 is already handled by joe@example.com. Send '!HELP' for more options."
        );
        assert_eq!(
            already_finished(4),
            "Chat #4 is already finished. Send '!HELP' for more options."
        );
        assert_eq!(
            chat_failed(4),
            "Chat #4 has expired; the visitor was told that no one was able to answer. \
             Send '!HELP' for more options."
        );
        assert_eq!(
            now_handling(4),
            "You are now handling chat #4. Send '!FINISH' when you are done."
        );
    }

    #[test]
    fn cancel_finish_and_status_replies_word_for_word() {
        assert_eq!(
            cancel_own_chat(5),
            "You have already accepted chat #5. Send '!FINISH' to close it. \
             Send '!HELP' for more options."
        );
        assert_eq!(
            accepted_by(5, "bob@example.com"),
            "Chat #5 has already been accepted by bob@example.com. Send '!HELP' for more options."
        );
        assert_eq!(
            already_closed(5),
            "Chat #5 is already closed. Send '!HELP' for more options."
        );
        assert_eq!(canceled(5), "You canceled chat #5.");
        assert_eq!(
            not_active_in_a_chat(),
            "You are not currently active in a chat. Send '!HELP' for more options."
        );
        assert_eq!(CHAT_CLOSED, "The chat is now closed.");
        assert_eq!(
            not_in_a_chat_status(),
            "You are not in a chat. Send '!HELP' for more options."
        );
        assert_eq!(
            in_chat(&chat(6, "alice", None, None)),
            "You are in chat #6 with alice. Send '!FINISH' when you are done."
        );
        assert_eq!(
            in_chat(&chat(6, "alice", None, Some("alice@example.org"))),
            "You are in chat #6 with alice. Send '!FINISH' when you are done. \
             Their email address is alice@example.org."
        );
    }

    #[test]
    fn the_waiting_table_word_for_word() {
        assert_eq!(NO_OPEN_REQUESTS, "There aren't any open chat requests.");
        assert_eq!(
            waiting_table(&[
                chat(1, "Anonymous", None, None),
                chat(3, "alice", None, None)
            ]),
            "Chats waiting to be accepted:\n\
             \n\
             ID | Remote user\n\
             ---|------------------\n\
             1 | Anonymous\n\
             3 | alice\n\
             \n\
             Send '!ACCEPT n' to accept a chat request. Send '!CANCEL n' to cancel a chat request."
        );
    }

    #[test]
    fn help_sorts_its_lines() {
        assert_eq!(
            help([
                "!STATUS - Show your current chat status",
                "!ACCEPT n - Accept chat request #n"
            ]),
            "Available options:\n\
             !ACCEPT n - Accept chat request #n\n\
             !STATUS - Show your current chat status"
        );
    }

    #[test]
    fn the_other_staff_texts() {
        assert_eq!(
            NOT_IN_A_CHAT,
            "You are not currently in a chat. Send '!WAITING' to see a list of available \
             chats, or '!HELP' for other options."
        );
        assert_eq!(HELP_SUFFIX, " Send '!HELP' for more options.");
        assert_eq!(
            unknown_command("!FOO"),
            "'!FOO' is not a command. Send '!HELP' for more options."
        );
        assert_eq!(
            usage(
                "!FINISH takes no arguments.",
                "!FINISH - Close your current chat"
            ),
            "!FINISH takes no arguments. Usage: !FINISH - Close your current chat. \
             Send '!HELP' for more options."
        );
        assert_eq!(
            message_not_delivered(seshat_client::Error::MessageTooLong {
                len: 5000,
                max: 4096
            }),
            "Your message was not delivered: the message is 5000 bytes long; \
             at most 4096 are allowed."
        );
        assert_eq!(
            offer_expired(8),
            "Chat #8 was not accepted in time; the visitor has been told that no one was able to answer."
        );
    }
}
