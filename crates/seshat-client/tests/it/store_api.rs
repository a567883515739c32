//! The store contract: the client API's behaviour as a web application
//! and the daemon see it, on both stores: a real SQLite file and a real
//! PostgreSQL database (a private server the test kit starts). Each test
//! runs once per engine (`store_api::sqlite::...`, `store_api::postgres::...`),
//! so the two cannot drift apart; the few that look at one engine's own
//! files or plans run on that engine only.

use rusqlite::Connection;
use seshat_client::{
    texts, AcceptOutcome, Author, CancelOutcome, ChatStatus, ChatToken, Error, HistoryEntry,
    Limits, SendOutcome, Store,
};

use crate::engines::{Engine, Fixture};

fn fixture(engine: Engine) -> Fixture {
    Fixture::open(engine, Limits::default())
}

fn texts_of(store: &dyn Store, token: &ChatToken) -> Vec<String> {
    store
        .take_for_visitor(token)
        .unwrap()
        .into_iter()
        .map(|m| m.text)
        .collect()
}

on_both_engines!(
    starting_a_chat_queues_the_original_greeting,
    messages_before_acceptance_wait_and_the_visitor_is_told,
    staff_replies_reach_the_visitor_in_order_with_their_author,
    ending_an_open_chat_tells_both_sides,
    history_does_not_show_the_closing_notice_as_the_visitors,
    a_visitor_leaving_before_acceptance_withdraws_the_request,
    accept_outcomes_follow_the_original,
    cancel_outcomes_follow_the_original,
    availability_means_online_and_not_in_a_chat,
    a_wrong_token_is_no_such_chat_and_reveals_nothing,
    bad_input_is_refused_and_writes_nothing,
    history_pages_backwards_through_both_directions,
    acknowledged_delivery_keeps_messages_until_acknowledged,
    offers_are_marked_with_their_time_once,
    email_is_stored_with_the_chat,
    a_chat_handed_back_waits_again_with_what_its_handler_missed_settled,
    notices_reach_the_visitor_and_staff_on_duty_are_listed_with_their_chat,
    chats_are_counted_by_status_even_with_odd_rows,
);

fn starting_a_chat_queues_the_original_greeting(engine: Engine) {
    let f = fixture(engine);
    let chat = f
        .store
        .start_chat("Anonymous", Some("Coming from page /"))
        .unwrap();
    assert_eq!(f.store.status(&chat.token).unwrap(), ChatStatus::Waiting);
    assert_eq!(
        texts_of(f.store.as_ref(), &chat.token),
        [texts::CHAT_REQUESTED]
    );
    assert_eq!(
        texts::CHAT_REQUESTED,
        "Your chat request has been sent. Please wait while it is answered."
    );
    let stored = f.store.chat(chat.id).unwrap().unwrap();
    assert_eq!(stored.start_message.as_deref(), Some("Coming from page /"));
    assert_eq!(stored.visitor, "Anonymous");
}

fn messages_before_acceptance_wait_and_the_visitor_is_told(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Anonymous", None).unwrap();
    assert_eq!(
        f.store.send_from_visitor(&chat.token, "hello").unwrap(),
        SendOutcome::HeldUntilAccepted
    );
    assert_eq!(
        texts_of(f.store.as_ref(), &chat.token),
        [
            texts::CHAT_REQUESTED,
            "Your message will be delivered when the chat begins."
        ]
    );
    // Not yet due to anyone: nobody accepted.
    assert!(f.store.staff_bound(10).unwrap().is_empty());

    assert!(matches!(
        f.store.accept(chat.id, "joe@example.com").unwrap(),
        AcceptOutcome::Accepted(_)
    ));
    assert_eq!(
        texts_of(f.store.as_ref(), &chat.token),
        ["Your chat has started."]
    );
    let due = f.store.staff_bound(10).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].text.as_str(), due[0].staff.as_str()),
        ("hello", "joe@example.com")
    );

    assert_eq!(
        f.store.send_from_visitor(&chat.token, "second").unwrap(),
        SendOutcome::Sent
    );
    f.store.mark_all_delivered(&[due[0].id]).unwrap();
    let due: Vec<_> = f
        .store
        .staff_bound(10)
        .unwrap()
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(due, ["second"]);
}

fn staff_replies_reach_the_visitor_in_order_with_their_author(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Anonymous", None).unwrap();
    f.store.take_for_visitor(&chat.token).unwrap();
    f.store.accept(chat.id, "joe@example.com").unwrap();
    for n in 0..5 {
        assert_eq!(
            f.store
                .reply_from_staff("joe@example.com", &format!("reply {n}"))
                .unwrap(),
            Some(chat.id)
        );
    }
    let messages = f.store.take_for_visitor(&chat.token).unwrap();
    let texts: Vec<_> = messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Your chat has started.",
            "reply 0",
            "reply 1",
            "reply 2",
            "reply 3",
            "reply 4"
        ]
    );
    assert_eq!(messages[0].author, Author::Seshat);
    assert_eq!(messages[1].author, Author::Staff("joe@example.com".into()));
    assert!(messages.windows(2).all(|w| w[0].id < w[1].id));
    // Taken means taken: the next call returns nothing.
    assert!(f.store.take_for_visitor(&chat.token).unwrap().is_empty());
    // A staff member in no chat gets None and nothing is queued.
    assert_eq!(
        f.store.reply_from_staff("bob@example.com", "hi").unwrap(),
        None
    );
}

fn ending_an_open_chat_tells_both_sides(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Anonymous", None).unwrap();
    f.store.accept(chat.id, "joe@example.com").unwrap();
    f.store.take_for_visitor(&chat.token).unwrap();
    assert!(f.store.end_chat(&chat.token).unwrap());
    assert_eq!(f.store.status(&chat.token).unwrap(), ChatStatus::Closed);
    assert_eq!(
        texts_of(f.store.as_ref(), &chat.token),
        [texts::CHAT_CLOSED]
    );
    let due = f.store.staff_bound(10).unwrap();
    assert_eq!(due[0].text, "The chat is now closed.");
    // Writing to a closed chat is refused and explained.
    assert_eq!(
        f.store.send_from_visitor(&chat.token, "hello?").unwrap(),
        SendOutcome::ChatIsOver
    );
    assert_eq!(
        texts_of(f.store.as_ref(), &chat.token),
        ["This chat is already closed."]
    );
    assert_eq!(f.store.staff_bound(10).unwrap().len(), 1);
    assert!(!f.store.end_chat(&chat.token).unwrap());
}

fn history_does_not_show_the_closing_notice_as_the_visitors(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Anonymous", None).unwrap();
    f.store.accept(chat.id, "joe@example.com").unwrap();
    f.store.send_from_visitor(&chat.token, "bye now").unwrap();
    assert!(f.store.end_chat(&chat.token).unwrap());

    let history = f.store.history(&chat.token, None, 25).unwrap();
    let from_visitor: Vec<_> = history
        .iter()
        .filter_map(|entry| match entry {
            HistoryEntry::FromVisitor { text, .. } => Some(text.as_str()),
            HistoryEntry::ToVisitor(_) => None,
        })
        .collect();
    assert_eq!(from_visitor, ["bye now"]);
    // The visitor's own copy of the notice is there, from Seshat, newest.
    assert!(matches!(&history[0],
        HistoryEntry::ToVisitor(m) if m.text == texts::CHAT_CLOSED && m.author == Author::Seshat));
    let notices = history
        .iter()
        .filter(|entry| matches!(entry, HistoryEntry::ToVisitor(m) if m.text == texts::CHAT_CLOSED))
        .count();
    assert_eq!(notices, 1);

    // Staff are still told, after the visitor's last words.
    let due: Vec<_> = f
        .store
        .staff_bound(10)
        .unwrap()
        .into_iter()
        .map(|m| (m.staff, m.text))
        .collect();
    assert_eq!(
        due,
        [
            ("joe@example.com".to_owned(), "bye now".to_owned()),
            ("joe@example.com".to_owned(), texts::CHAT_CLOSED.to_owned()),
        ]
    );
    let to_joe = f
        .store
        .staff_bound_to(&["joe@example.com".to_owned()], 10)
        .unwrap();
    assert_eq!(to_joe.last().unwrap().text, texts::CHAT_CLOSED);

    // The same words typed by a visitor are still the visitor's.
    let other = f.store.start_chat("Bob", None).unwrap();
    f.store.accept(other.id, "ann@example.com").unwrap();
    f.store
        .send_from_visitor(&other.token, texts::CHAT_CLOSED)
        .unwrap();
    assert!(f
        .store
        .history(&other.token, None, 25)
        .unwrap()
        .iter()
        .any(|entry| matches!(entry,
            HistoryEntry::FromVisitor { text, .. } if text == texts::CHAT_CLOSED)));
}

fn a_visitor_leaving_before_acceptance_withdraws_the_request(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Anonymous", None).unwrap();
    f.store.mark_notified(chat.id).unwrap();
    assert!(f.store.end_chat(&chat.token).unwrap());
    assert!(f.store.waiting_chats().unwrap().is_empty());
    assert_eq!(
        f.store.accept(chat.id, "joe@example.com").unwrap(),
        AcceptOutcome::AlreadyFinished
    );
}

fn accept_outcomes_follow_the_original(engine: Engine) {
    let f = fixture(engine);
    let first = f.store.start_chat("Alice", None).unwrap();
    let second = f.store.start_chat("Bob", None).unwrap();
    assert_eq!(
        f.store.accept(999, "joe@example.com").unwrap(),
        AcceptOutcome::NoSuchChat
    );
    assert!(
        matches!(f.store.accept(first.id, "joe@example.com").unwrap(), AcceptOutcome::Accepted(c) if c.status == ChatStatus::Open)
    );
    assert!(
        matches!(f.store.accept(second.id, "joe@example.com").unwrap(), AcceptOutcome::BusyWith(c) if c.id == first.id && c.visitor == "Alice")
    );
    assert_eq!(
        f.store.accept(first.id, "bob@example.com").unwrap(),
        AcceptOutcome::HandledBy("joe@example.com".into())
    );
    assert_eq!(
        f.store.finish("joe@example.com").unwrap().unwrap().id,
        first.id
    );
    assert_eq!(
        f.store.accept(first.id, "bob@example.com").unwrap(),
        AcceptOutcome::AlreadyFinished
    );
    assert_eq!(f.store.finish("joe@example.com").unwrap(), None);

    // A failed chat's visitor was told nobody could answer and stopped
    // waiting: it cannot be accepted any more.
    assert!(f
        .store
        .fail_chat(second.id, texts::NOBODY_AVAILABLE)
        .unwrap());
    assert_eq!(
        f.store.accept(second.id, "bob@example.com").unwrap(),
        AcceptOutcome::Failed
    );
    assert_eq!(
        f.store.chat(second.id).unwrap().unwrap().status,
        ChatStatus::Failed
    );
}

fn cancel_outcomes_follow_the_original(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Alice", None).unwrap();
    let other = f.store.start_chat("Bob", None).unwrap();
    f.store.take_for_visitor(&chat.token).unwrap();
    assert_eq!(
        f.store.cancel(999, "joe@example.com").unwrap(),
        CancelOutcome::NoSuchChat
    );
    assert!(matches!(
        f.store.cancel(chat.id, "joe@example.com").unwrap(),
        CancelOutcome::Canceled(_)
    ));
    assert_eq!(
        texts_of(f.store.as_ref(), &chat.token),
        ["Your chat was canceled."]
    );
    assert_eq!(
        f.store.cancel(chat.id, "joe@example.com").unwrap(),
        CancelOutcome::AlreadyClosed
    );
    assert_eq!(
        f.store.accept(chat.id, "joe@example.com").unwrap(),
        AcceptOutcome::AlreadyFinished
    );
    f.store.accept(other.id, "joe@example.com").unwrap();
    assert_eq!(
        f.store.cancel(other.id, "joe@example.com").unwrap(),
        CancelOutcome::AcceptedBySelf
    );
    assert_eq!(
        f.store.cancel(other.id, "bob@example.com").unwrap(),
        CancelOutcome::AcceptedBy("joe@example.com".into())
    );
}

fn availability_means_online_and_not_in_a_chat(engine: Engine) {
    let f = fixture(engine);
    assert!(!f.store.is_available().unwrap());
    f.store
        .set_presence("joe@example.com", "laptop", true)
        .unwrap();
    f.store
        .set_presence("joe@example.com", "phone", false)
        .unwrap();
    assert!(f.store.is_available().unwrap());
    assert_eq!(f.store.available_staff().unwrap(), ["joe@example.com"]);

    // Busy staff are not available (the original's defect 2).
    let chat = f.store.start_chat("Alice", None).unwrap();
    f.store.accept(chat.id, "joe@example.com").unwrap();
    assert!(!f.store.is_available().unwrap());
    assert!(f.store.available_staff().unwrap().is_empty());
    f.store.finish("joe@example.com").unwrap();
    assert!(f.store.is_available().unwrap());

    // Offline on every resource means offline.
    f.store
        .set_presence("joe@example.com", "laptop", false)
        .unwrap();
    assert!(!f.store.is_available().unwrap());
    f.store
        .set_presence("bob@example.com", "desk", true)
        .unwrap();
    f.store.reset_presence().unwrap();
    assert!(!f.store.is_available().unwrap());
}

fn a_wrong_token_is_no_such_chat_and_reveals_nothing(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Alice", None).unwrap();
    f.store.accept(chat.id, "joe@example.com").unwrap();
    let stranger = ChatToken::generate();
    assert!(matches!(
        f.store.take_for_visitor(&stranger),
        Err(Error::NoSuchChat)
    ));
    assert!(matches!(
        f.store.send_from_visitor(&stranger, "hi"),
        Err(Error::NoSuchChat)
    ));
    assert!(matches!(
        f.store.end_chat(&stranger),
        Err(Error::NoSuchChat)
    ));
    assert!(matches!(f.store.status(&stranger), Err(Error::NoSuchChat)));
    assert!(matches!(
        f.store.history(&stranger, None, 25),
        Err(Error::NoSuchChat)
    ));
    // The real chat is untouched.
    assert_eq!(f.store.status(&chat.token).unwrap(), ChatStatus::Open);
    assert!(matches!(
        f.store.token_of(12345),
        Err(Error::NoSuchChatId(12345))
    ));
}

fn bad_input_is_refused_and_writes_nothing(engine: Engine) {
    let f = Fixture::open(
        engine,
        Limits {
            max_message_bytes: 100,
            max_name_chars: 10,
        },
    );
    let store = &f.store;
    let chat = store.start_chat("Alice", None).unwrap();
    store.accept(chat.id, "joe@example.com").unwrap();
    let before = (
        f.count("chat"),
        f.count("localmessagequeue"),
        f.count("remotemessagequeue"),
    );

    assert!(matches!(
        store.send_from_visitor(&chat.token, ""),
        Err(Error::EmptyMessage)
    ));
    assert!(matches!(
        store.send_from_visitor(&chat.token, " \n\t "),
        Err(Error::EmptyMessage)
    ));
    assert!(matches!(
        store.send_from_visitor(&chat.token, &"x".repeat(101)),
        Err(Error::MessageTooLong { len: 101, max: 100 })
    ));
    assert!(matches!(
        store.send_from_visitor(&chat.token, "nul\0"),
        Err(Error::ForbiddenCharacter(0))
    ));
    assert!(matches!(
        store.start_chat("A much too long name", None),
        Err(Error::NameTooLong { .. })
    ));
    assert!(matches!(
        store.start_chat("   ", None),
        Err(Error::EmptyName)
    ));
    assert!(matches!(
        store.start_chat("Bob", Some(&"x".repeat(101))),
        Err(Error::MessageTooLong { .. })
    ));
    assert!(matches!(
        store.reply_from_staff("joe@example.com", ""),
        Err(Error::EmptyMessage)
    ));
    assert!(matches!(
        store.set_email(&chat.token, "not an email"),
        Err(Error::InvalidEmail)
    ));

    let after = (
        f.count("chat"),
        f.count("localmessagequeue"),
        f.count("remotemessagequeue"),
    );
    assert_eq!(before, after);
    // At the limit is fine, and HTML is stored as written (escaping is the renderer's job).
    assert_eq!(
        store
            .send_from_visitor(&chat.token, &"x".repeat(100))
            .unwrap(),
        SendOutcome::Sent
    );
    store
        .send_from_visitor(&chat.token, "<img src=x onerror=alert(1)>")
        .unwrap();
    assert_eq!(
        store.staff_bound(10).unwrap()[1].text,
        "<img src=x onerror=alert(1)>"
    );
}

fn history_pages_backwards_through_both_directions(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Alice", None).unwrap();
    f.store.accept(chat.id, "joe@example.com").unwrap();
    for n in 0..6 {
        f.store
            .send_from_visitor(&chat.token, &format!("visitor {n}"))
            .unwrap();
        f.store
            .reply_from_staff("joe@example.com", &format!("staff {n}"))
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = f.store.history(&chat.token, cursor, 5).unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 5);
        for entry in &page {
            let (id, text, time) = match entry {
                HistoryEntry::FromVisitor {
                    id,
                    text,
                    posted_at,
                } => (*id, text.clone(), *posted_at),
                HistoryEntry::ToVisitor(m) => (m.id, m.text.clone(), m.posted_at),
            };
            seen.push(text);
            cursor = Some((time, id));
        }
    }
    // 1 greeting + 1 "chat started" + 12 messages, newest first, none twice.
    assert_eq!(seen.len(), 14);
    assert_eq!(seen.first().unwrap(), "staff 5");
    assert_eq!(seen.last().unwrap(), texts::CHAT_REQUESTED);
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 14);
}

fn acknowledged_delivery_keeps_messages_until_acknowledged(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Alice", None).unwrap();
    f.store.accept(chat.id, "joe@example.com").unwrap();
    f.store.reply_from_staff("joe@example.com", "one").unwrap();
    let pending = f.store.peek_for_visitor(&chat.token).unwrap();
    assert_eq!(pending.len(), 3);
    assert_eq!(f.store.peek_for_visitor(&chat.token).unwrap(), pending);
    assert_eq!(f.store.acknowledge(&chat.token, pending[1].id).unwrap(), 2);
    let rest: Vec<_> = f
        .store
        .peek_for_visitor(&chat.token)
        .unwrap()
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(rest, ["one"]);
    // A message id from another chat acknowledges nothing here.
    let other = f.store.start_chat("Bob", None).unwrap();
    assert_eq!(f.store.acknowledge(&other.token, pending[2].id).unwrap(), 0);
    assert_eq!(f.store.peek_for_visitor(&chat.token).unwrap().len(), 1);
}

fn offers_are_marked_with_their_time_once(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Alice", None).unwrap();
    let waiting = f.store.waiting_chats().unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].status, ChatStatus::Waiting);
    assert_eq!(waiting[0].offered_at, None);
    assert!(f.store.mark_notified(chat.id).unwrap());
    assert!(!f.store.mark_notified(chat.id).unwrap());
    let offered = f.store.waiting_chats().unwrap();
    assert_eq!(offered[0].status, ChatStatus::Notified);
    assert!(offered[0].offered_at.is_some());
    assert!(f.store.fail_chat(chat.id, texts::NOBODY_ANSWERED).unwrap());
    assert!(!f.store.fail_chat(chat.id, texts::NOBODY_ANSWERED).unwrap());
    assert_eq!(
        f.store
            .take_for_visitor(&chat.token)
            .unwrap()
            .last()
            .unwrap()
            .text,
        texts::NOBODY_ANSWERED
    );
}

fn email_is_stored_with_the_chat(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Alice", None).unwrap();
    f.store
        .set_email(&chat.token, " alice@example.com ")
        .unwrap();
    assert_eq!(
        f.store.chat(chat.id).unwrap().unwrap().email.as_deref(),
        Some("alice@example.com")
    );
}

/// Every query the daemon and the web side run on each event uses an index,
/// so their cost does not grow with the number of finished chats.
#[test]
fn hot_queries_use_indexes_not_table_scans() {
    let f = fixture(Engine::Sqlite);
    let connection = Connection::open(f.sqlite_path()).unwrap();
    let hot = [
        "SELECT chatid FROM chat WHERE token = 'x'",
        // Statuses are parameters, as the store binds them.
        "SELECT chatid FROM chat WHERE status IN (?1, ?2) ORDER BY chatid",
        "SELECT chatid FROM chat WHERE localuser = ?1 AND status = ?2",
        "SELECT messageid FROM remotemessagequeue WHERE chatid = 1 AND sendtime IS NULL ORDER BY messageid",
        "SELECT m.messageid FROM localmessagequeue AS m JOIN chat AS c ON c.chatid = m.chatid
           WHERE m.sendtime IS NULL AND c.localuser IS NOT NULL ORDER BY m.messageid LIMIT 10",
        "SELECT EXISTS (SELECT 1 FROM onlinestatus AS o WHERE o.online = 1 AND NOT EXISTS
           (SELECT 1 FROM chat AS c WHERE c.localuser = o.localuser AND c.status = ?1))",
    ];
    for query in hot {
        let mut statement = connection
            .prepare(&format!("EXPLAIN QUERY PLAN {query}"))
            .unwrap();
        // The plan is made without the values, as for the store's statements.
        let unbound = vec![rusqlite::types::Null; statement.parameter_count()];
        let plan: Vec<String> = statement
            .query_map(rusqlite::params_from_iter(unbound), |row| {
                row.get::<_, String>(3)
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for step in &plan {
            let scans_a_table =
                step.starts_with("SCAN ") && !step.contains("USING") && step != "SCAN CONSTANT ROW";
            assert!(!scans_a_table, "{query}\n uses a full scan: {plan:?}");
        }
    }
}

fn a_chat_handed_back_waits_again_with_what_its_handler_missed_settled(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Dana", None).unwrap();
    f.store.accept(chat.id, "joe@example.com").unwrap();
    texts_of(f.store.as_ref(), &chat.token);
    f.store.send_from_visitor(&chat.token, "anyone?").unwrap();
    // Only the handler can lose it, and only while it is open.
    assert_eq!(
        f.store
            .hand_back(chat.id, "bob@example.com", "gone")
            .unwrap(),
        None
    );
    assert_eq!(
        f.store
            .hand_back(chat.id, "joe@example.com", "gone")
            .unwrap(),
        Some(1)
    );
    let stored = f.store.chat(chat.id).unwrap().unwrap();
    assert_eq!((stored.status, stored.staff), (ChatStatus::Waiting, None));
    assert_eq!(texts_of(f.store.as_ref(), &chat.token), ["gone"]);
    assert!(f.store.staff_bound(10).unwrap().is_empty());
    assert_eq!(
        f.store
            .hand_back(chat.id, "joe@example.com", "gone")
            .unwrap(),
        None
    );
    // The visitor's words stay in the history for the next offer.
    let history = f.store.history(&chat.token, None, 10).unwrap();
    assert!(history
        .iter()
        .any(|entry| matches!(entry, HistoryEntry::FromVisitor { text, .. } if text == "anyone?")));
}

fn notices_reach_the_visitor_and_staff_on_duty_are_listed_with_their_chat(engine: Engine) {
    let f = fixture(engine);
    let chat = f.store.start_chat("Dana", None).unwrap();
    texts_of(f.store.as_ref(), &chat.token);
    assert!(f
        .store
        .tell_visitor(chat.id, "You are number 1 in line.")
        .unwrap());
    assert!(!f.store.tell_visitor(chat.id + 100, "nobody").unwrap());
    assert_eq!(
        texts_of(f.store.as_ref(), &chat.token),
        ["You are number 1 in line."]
    );
    f.store.set_presence("joe@example.com", "a", true).unwrap();
    f.store.set_presence("joe@example.com", "b", true).unwrap();
    f.store.set_presence("bob@example.com", "a", true).unwrap();
    f.store.set_presence("ann@example.com", "a", false).unwrap();
    f.store.accept(chat.id, "joe@example.com").unwrap();
    assert_eq!(
        f.store.staff_on_duty().unwrap(),
        vec![
            ("bob@example.com".to_owned(), None),
            ("joe@example.com".to_owned(), Some(chat.id))
        ]
    );
}

fn chats_are_counted_by_status_even_with_odd_rows(engine: Engine) {
    let f = fixture(engine);
    let open = f.store.start_chat("a", None).unwrap();
    f.store.start_chat("b", None).unwrap();
    f.store.accept(open.id, "joe@example.com").unwrap();
    // Another program wrote a status nobody knows, twice.
    f.execute_raw(match engine {
        // SQLite keeps whatever type a writer gives.
        Engine::Sqlite => {
            "INSERT INTO chat (remoteuser, starttime, status) VALUES ('x', 0, 'weird');
             INSERT INTO chat (remoteuser, starttime, status) VALUES ('y', 0, 'odd');"
        }
        Engine::Postgres => {
            "INSERT INTO chat (remoteuser, starttime, status) VALUES ('x', 0, 42);
             INSERT INTO chat (remoteuser, starttime, status) VALUES ('y', 0, NULL);"
        }
    });
    let mut counts = f.store.chat_counts().unwrap();
    counts.sort_by_key(|(status, _)| status.as_str());
    assert_eq!(
        counts,
        vec![
            (ChatStatus::Closed, 2),
            (ChatStatus::Open, 1),
            (ChatStatus::Waiting, 1)
        ]
    );
}

#[test]
fn the_check_fails_when_the_file_is_gone_and_passes_when_it_is_back() {
    let f = fixture(Engine::Sqlite);
    f.store.check().unwrap();
    let moved = f.sqlite_path().with_extension("moved");
    std::fs::rename(f.sqlite_path(), &moved).unwrap();
    assert!(matches!(f.store.check(), Err(Error::Database(_))));
    std::fs::rename(&moved, f.sqlite_path()).unwrap();
    f.store.check().unwrap();
}
