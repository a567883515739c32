//! `Store::staff_bound_to`: staff-bound messages for chosen staff members only.

use seshat_client::{AcceptOutcome, SqliteStore, Store};

#[test]
fn only_messages_for_the_listed_staff_come_back_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("seshat.db")).unwrap();
    let mut tokens = Vec::new();
    for (visitor, staff) in [("v1", "joe@example.com"), ("v2", "bob@example.com")] {
        let chat = store.start_chat(visitor, None).unwrap();
        assert!(matches!(
            store.accept(chat.id, staff).unwrap(),
            AcceptOutcome::Accepted(_)
        ));
        tokens.push(chat.token);
    }
    for n in 0..3 {
        for token in &tokens {
            store
                .send_from_visitor(token, &format!("message {n}"))
                .unwrap();
        }
    }

    let for_bob = store
        .staff_bound_to(&["bob@example.com".to_owned()], 10)
        .unwrap();
    assert_eq!(for_bob.len(), 3);
    assert!(for_bob
        .iter()
        .all(|message| message.staff == "bob@example.com"));
    let texts: Vec<&str> = for_bob
        .iter()
        .map(|message| message.text.as_str())
        .collect();
    assert_eq!(texts, ["message 0", "message 1", "message 2"]);

    let both = ["joe@example.com".to_owned(), "bob@example.com".to_owned()];
    assert_eq!(
        store.staff_bound_to(&both, 4).unwrap(),
        store.staff_bound(4).unwrap()
    );
    assert!(store.staff_bound_to(&[], 10).unwrap().is_empty());
    // A JID that merely contains a listed one is not listed.
    assert!(store
        .staff_bound_to(&["ob@example.com".to_owned()], 10)
        .unwrap()
        .is_empty());
}

#[test]
fn names_with_quotes_and_backslashes_are_matched_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("seshat.db")).unwrap();
    let odd = r#"o\"dd\\one@example.com"#.to_owned();
    let chat = store.start_chat("v", None).unwrap();
    store.accept(chat.id, &odd).unwrap();
    store.send_from_visitor(&chat.token, "hello").unwrap();
    let found = store
        .staff_bound_to(std::slice::from_ref(&odd), 10)
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].staff, odd);
}

#[test]
fn marking_many_delivered_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("seshat.db")).unwrap();
    let chat = store.start_chat("v", None).unwrap();
    store.accept(chat.id, "joe@example.com").unwrap();
    for n in 0..5 {
        store
            .send_from_visitor(&chat.token, &format!("message {n}"))
            .unwrap();
    }
    let due = store.staff_bound(10).unwrap();
    let first_three: Vec<i64> = due.iter().take(3).map(|message| message.id).collect();
    store.mark_all_delivered(&first_three).unwrap();
    store.mark_all_delivered(&[]).unwrap();
    let left: Vec<String> = store
        .staff_bound(10)
        .unwrap()
        .into_iter()
        .map(|message| message.text)
        .collect();
    assert_eq!(left, ["message 3", "message 4"]);
}
