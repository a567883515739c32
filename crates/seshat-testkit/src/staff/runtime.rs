//! The one thread on which every staff connection runs.
//!
//! tokio-xmpp 6 can stall when its internal tasks run on several threads
//! at once: `Client::send_stanza` locks the stream's sender half while the
//! client's worker task polls the receiver half with `try_lock`, and when
//! that fails it returns `Pending` without arranging to be woken again.
//! From then on nothing is received, not even the server's XEP-0198 acks.
//! Seen here as a reproducible hang with two clients sending to each other
//! on a multi-threaded runtime, never on a current-thread one.
//!
//! So the connections do not run on the caller's runtime, which may well be
//! multi-threaded (`#[tokio::main]`, benchmarks), but on a current-thread
//! runtime of their own in a background thread, shared by all staff
//! clients of the process. The test talks to them only through channels,
//! which work across runtimes.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle};
use tokio::task::JoinHandle;

/// Runs `future` on the staff connections' thread.
pub(super) fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    handle().spawn(future)
}

fn handle() -> &'static Handle {
    static HANDLE: OnceLock<Handle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let runtime = Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("could not build the runtime for staff connections");
        let handle = runtime.handle().clone();
        std::thread::Builder::new()
            .name("seshat-testkit-staff".to_owned())
            // Lives as long as the process; the tasks it runs end with
            // their StaffClients.
            .spawn(move || runtime.block_on(std::future::pending::<()>()))
            .expect("could not start the thread for staff connections");
        handle
    })
}
