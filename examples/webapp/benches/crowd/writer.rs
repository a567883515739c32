//! The store writer: a second process on the database that does what the
//! daemon does to it when every staff member answers at once. It waits on
//! the store for staff-bound messages, marks them delivered and writes one
//! staff reply to each, each reply its own commit. Waiting on the store is
//! the daemon's kind of wait, so its idle cost stands in for the daemon's.

use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

use seshat_client::{Client, Topic};

/// Staff-bound messages handled per look, as the daemon batches them.
const BATCH: usize = 100;
/// How long one wait lasts before it is simply renewed.
const WAIT: Duration = Duration::from_secs(3600);

/// Runs until the benchmark closes this process's stdin (or kills it).
pub fn run(database: &Path) {
    std::thread::spawn(|| {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("an async runtime");
    runtime.block_on(async {
        let client = Client::open(database).expect("open the shared database");
        loop {
            let found = client
                .wait_for(Topic::Staff, WAIT, |store| {
                    let messages = store.staff_bound(BATCH)?;
                    Ok((!messages.is_empty()).then_some(messages))
                })
                .await
                .expect("read staff-bound messages");
            let Some(messages) = found else { continue };
            client
                .run(move |store| {
                    let ids: Vec<i64> = messages.iter().map(|message| message.id).collect();
                    store.mark_all_delivered(&ids)?;
                    for message in &messages {
                        store.reply_from_staff(&message.staff, &format!("re: {}", message.text))?;
                    }
                    Ok(())
                })
                .await
                .expect("deliver and reply");
        }
    });
}
