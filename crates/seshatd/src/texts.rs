//! Every text the daemon sends to staff, word for word as Seshat 0.3.1
//! wrote it (reference section 4), so that staff used to the original
//! see the same replies. Our additions are marked as such.
//!
//! Replies that the original followed with "Send '!HELP' for more
//! options." include [`HELP_SUFFIX`] already; callers send them as they are.
//! Notices queued to visitors live in [`seshat_client::texts`].
//!
//! Whatever a text holds, [`fit_for_staff`] makes it safe to send: the
//! broker passes every text to staff through it (see
//! [`crate::broker::to_staff`]).

use std::fmt::Display;

use seshat_client::limits::is_xml_char;
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

/// Tells the others who were offered a chat that a colleague took it
/// (our addition).
pub fn offer_taken(chat_id: i64, by: &str) -> String {
    format!("Chat #{chat_id} was taken by {by}.")
}

/// Tells the others who were offered a chat that a colleague canceled it
/// (our addition).
pub fn offer_canceled(chat_id: i64, by: &str) -> String {
    format!("Chat #{chat_id} was canceled by {by}.")
}

/// Tells staff who were offered a chat that its visitor left before
/// anyone accepted it (our addition).
pub fn offer_withdrawn(chat_id: i64) -> String {
    format!("Chat #{chat_id} was withdrawn by the visitor.")
}

/// Tells a busy staff member, once, that visitors wait in line (our
/// addition).
pub const SOMEONE_WAITING: &str = "A visitor is waiting in line. Their chat will be offered \
                                   to you when you send '!FINISH'.";

/// The offer of a chat whose handler lost their connection (our
/// addition): says so, then the usual offer, then the conversation so far,
/// oldest first, each line marked with who wrote it.
pub fn reoffer_text(
    chat: &Chat,
    also_sent_to: &[String],
    lost_handler: &str,
    history: &[(String, String)],
) -> String {
    let mut text = format!(
        "Offered again: {lost_handler} lost their connection during this chat. {}",
        offer_text(chat, also_sent_to)
    );
    if !history.is_empty() {
        text.push_str("\nThe conversation so far:");
        for (who, line) in history {
            text.push_str(&format!("\n{who}: {line}"));
        }
    }
    text
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

/// The line `!STATUS` adds when `staff_names` is configured (our
/// addition): who else is online, by name, and whether they are free.
/// `on_duty` holds `(name, open chat id)` pairs; empty gives no line.
pub fn on_duty(on_duty: &[(String, Option<i64>)]) -> Option<String> {
    if on_duty.is_empty() {
        return None;
    }
    let people: Vec<String> = on_duty
        .iter()
        .map(|(name, chat)| match chat {
            Some(chat_id) => format!("{name} (in chat #{chat_id})"),
            None => format!("{name} (free)"),
        })
        .collect();
    Some(format!("On duty: {}.", people.join(", ")))
}

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

/// Most chats `!WAITING` lists; the others are counted (our addition: the
/// original listed every one, and with hundreds waiting the reply could
/// exceed the server's stanza limit and get the bot disconnected).
pub const MAX_WAITING_ROWS: usize = 20;

/// Bytes of rows `!WAITING` lists at most, measured as [`fit_for_staff`]
/// does: long visitor names mean fewer rows, never a cut table.
const WAITING_ROWS_BYTES: usize = MAX_STAFF_TEXT_BYTES / 2;

/// `!WAITING`: a table of the chats waiting to be accepted, oldest first:
/// at most [`MAX_WAITING_ROWS`] of them, then "… and K more" when others
/// wait. `chats` should not be empty; see [`NO_OPEN_REQUESTS`].
pub fn waiting_table(chats: &[Chat]) -> String {
    let (mut rows, mut size, mut listed) = (String::new(), 0, 0);
    for chat in chats.iter().take(MAX_WAITING_ROWS) {
        let row = format!("{} | {}\n", chat.id, chat.visitor);
        size += escaped_size(&row);
        if size > WAITING_ROWS_BYTES {
            break;
        }
        rows.push_str(&row);
        listed += 1;
    }
    if listed < chats.len() {
        rows.push_str(&format!("… and {} more\n", chats.len() - listed));
    }
    format!(
        "Chats waiting to be accepted:\n\nID | Remote user\n---|------------------\n{rows}\n\
         Send '!ACCEPT n' to accept a chat request. Send '!CANCEL n' to cancel a chat request."
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

/// Longest text sent to staff in one message, in bytes as the XML library
/// writes it (`&` takes 5, as `&amp;`): 15 KiB, so that with its envelope
/// a stanza stays below 16 KiB, far below any server's limit (Prosody's
/// default is 256 KiB). A relayed message of the default maximum (4,096
/// bytes) fits unless most of it is `&`, `<` or `>`.
pub const MAX_STAFF_TEXT_BYTES: usize = 15 * 1024;

/// Ends a text [`fit_for_staff`] had to cut.
const CUT_MARK: char = '…';

/// The text as it may be sent to staff: every character XML 1.0 cannot
/// carry ([`is_xml_char`]: control characters, U+FFFE, U+FFFF) replaced
/// by U+FFFD, and cut at a character, ending with `…`, to at most
/// [`MAX_STAFF_TEXT_BYTES`]. Such characters reach the database when
/// another program writes to it (the 2011 Python client did not check);
/// the XML library refuses to write a stanza holding one.
pub fn fit_for_staff(text: &str) -> String {
    let budget = match escaped_size(text) {
        size if size <= MAX_STAFF_TEXT_BYTES => MAX_STAFF_TEXT_BYTES,
        _ => MAX_STAFF_TEXT_BYTES - CUT_MARK.len_utf8(),
    };
    let mut fitted = String::with_capacity(text.len().min(MAX_STAFF_TEXT_BYTES));
    let mut size = 0;
    for c in text.chars().map(xml_safe) {
        size += escaped_len(c);
        if size > budget {
            fitted.push(CUT_MARK);
            break;
        }
        fitted.push(c);
    }
    fitted
}

/// The size of `text` once made XML-safe and escaped, in bytes.
fn escaped_size(text: &str) -> usize {
    text.chars().map(|c| escaped_len(xml_safe(c))).sum()
}

/// `c`, or U+FFFD when XML cannot carry it.
fn xml_safe(c: char) -> char {
    if is_xml_char(c) {
        c
    } else {
        char::REPLACEMENT_CHARACTER
    }
}

/// The bytes `c` takes in XML text, as the XML library escapes it.
fn escaped_len(c: char) -> usize {
    match c {
        '&' | '\r' => 5,
        '<' | '>' => 4,
        c => c.len_utf8(),
    }
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
    fn the_waiting_table_shows_the_oldest_and_counts_the_rest() {
        let chats: Vec<Chat> = (1..=600)
            .map(|id| chat(id, &"&".repeat(100), None, None))
            .collect();
        let table = waiting_table(&chats);
        let rows = table
            .lines()
            .filter(|line| line.ends_with(&"&".repeat(100)))
            .count();
        assert!((1..=MAX_WAITING_ROWS).contains(&rows), "{rows} rows");
        assert!(table.starts_with("Chats waiting to be accepted:\n\nID | Remote user\n---|"));
        assert!(table.contains("\n1 | &&&"), "{table}");
        assert!(table.contains(&format!("\n… and {} more\n\nSend '!ACCEPT n'", 600 - rows)));
        assert!(
            escaped_size(&table) <= MAX_STAFF_TEXT_BYTES,
            "{}",
            escaped_size(&table)
        );
        assert_eq!(fit_for_staff(&table), table);

        let short: Vec<Chat> = (1..=25).map(|id| chat(id, "bo", None, None)).collect();
        let table = waiting_table(&short);
        assert!(table.contains("\n20 | bo\n… and 5 more\n") && !table.contains("21 | bo"));
    }

    #[test]
    fn texts_for_staff_are_made_xml_safe() {
        assert_eq!(
            fit_for_staff("a\u{1}b\u{FFFE}c\u{FFFF}\0"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}\u{FFFD}"
        );
        assert_eq!(fit_for_staff("tab\tline\r\n<&>é"), "tab\tline\r\n<&>é");
    }

    #[test]
    fn texts_for_staff_are_cut_to_the_documented_size() {
        let fits = "é".repeat(MAX_STAFF_TEXT_BYTES / 2);
        assert_eq!(fit_for_staff(&fits), fits);
        let amps = fit_for_staff(&"&".repeat(4096));
        assert!(amps.ends_with("&…") && escaped_size(&amps) <= MAX_STAFF_TEXT_BYTES);
        assert_eq!(amps.chars().count(), (MAX_STAFF_TEXT_BYTES - 3) / 5 + 1);
        let cut = fit_for_staff(&format!("{fits}é"));
        assert!(
            cut.ends_with("é…") && cut.len() <= MAX_STAFF_TEXT_BYTES,
            "{}",
            cut.len()
        );
    }

    proptest::proptest! {
        #[test]
        fn whatever_the_text_staff_get_xml_safe_text_of_bounded_size(text in "(?s).*", big in proptest::bool::ANY) {
            let text = if big { text.repeat(MAX_STAFF_TEXT_BYTES / text.len().max(1) + 1) } else { text };
            let fitted = fit_for_staff(&text);
            proptest::prop_assert!(fitted.chars().all(is_xml_char));
            proptest::prop_assert!(escaped_size(&fitted) <= MAX_STAFF_TEXT_BYTES);
            let safe: String = text.chars().map(xml_safe).collect();
            match fitted.strip_suffix(CUT_MARK).filter(|_| fitted != safe) {
                Some(kept) => proptest::prop_assert!(safe.starts_with(kept) && kept.len() < safe.len()),
                None => proptest::prop_assert_eq!(&fitted, &safe),
            }
        }
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
