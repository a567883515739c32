//! The WAL is copied back into the database in the background, not by the
//! request whose commit happens to make it long.

use std::time::{Duration, Instant};

use seshat_client::{SqliteStore, Store};

#[test]
fn the_wal_is_checkpointed_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seshat.db");
    let store = SqliteStore::open(&path).unwrap();
    let chat = store.start_chat("Anonymous", None).unwrap();
    store.accept(chat.id, "joe@example.com").unwrap();
    let size_before = std::fs::metadata(&path).unwrap().len();

    // A few thousand WAL frames: far below the size at which a committing
    // connection would checkpoint by itself, so only the background thread
    // can move these pages into the database file.
    for n in 0..400 {
        store
            .send_from_visitor(&chat.token, &format!("message {n} {}", "x".repeat(200)))
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let size = std::fs::metadata(&path).unwrap().len();
        if size > size_before {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the database file did not grow: nothing was checkpointed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(store.staff_bound(1000).unwrap().len(), 400);
}
