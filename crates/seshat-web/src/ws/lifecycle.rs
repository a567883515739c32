//! Which sockets are open, and the signal that closes them all when the
//! application shuts down.
//!
//! An upgraded socket leaves the HTTP server's hands: a graceful shutdown
//! of the server neither waits for it nor closes it. Without this the
//! process would exit with every socket cut, and browsers would report an
//! abnormal closure (1006) instead of a clean one (1000).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

/// Shared by the upgrade handler, every session and [`super::Sockets`].
#[derive(Debug)]
pub struct Lifecycle {
    /// Becomes true once, when the application starts shutting down.
    stopping: watch::Sender<bool>,
    /// How many sessions are running.
    open: watch::Sender<usize>,
}

impl Lifecycle {
    /// Nothing open, not stopping.
    pub fn new() -> Arc<Self> {
        Arc::new(Lifecycle {
            stopping: watch::Sender::new(false),
            open: watch::Sender::new(0),
        })
    }

    /// Counts a new session in, or refuses it once shutdown has begun.
    pub fn admit(self: &Arc<Self>) -> Option<OpenSocket> {
        // Counted before the check, so that a `close_all` that starts in
        // between waits for this session too.
        self.open.send_modify(|open| *open += 1);
        let socket = OpenSocket {
            lifecycle: Arc::clone(self),
            stopping: self.stopping.subscribe(),
        };
        (!*self.stopping.borrow()).then_some(socket)
    }

    /// How many sessions are running.
    pub fn open_count(&self) -> usize {
        *self.open.borrow()
    }

    /// Tells every session to close, then waits up to `grace` for them to
    /// finish. Returns how many were still open when the wait ended.
    pub async fn close_all(&self, grace: Duration) -> usize {
        self.stopping.send_replace(true);
        let mut open = self.open.subscribe();
        let _ = tokio::time::timeout(grace, open.wait_for(|count| *count == 0)).await;
        self.open_count()
    }
}

/// One running session; uncounted when dropped, however it ends.
#[derive(Debug)]
pub struct OpenSocket {
    lifecycle: Arc<Lifecycle>,
    stopping: watch::Receiver<bool>,
}

impl OpenSocket {
    /// Completes once the application is shutting down. Cancel-safe.
    pub async fn stop_requested(&mut self) {
        // An error means the sender is gone, which cannot happen while
        // this guard holds the lifecycle; waiting forever is then right.
        if self.stopping.wait_for(|stopping| *stopping).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.lifecycle.open.send_modify(|open| *open -= 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn close_all_waits_for_sessions_and_refuses_new_ones() {
        let lifecycle = Lifecycle::new();
        let mut socket = lifecycle.admit().expect("admitted");
        assert_eq!(lifecycle.open_count(), 1);
        let session = tokio::spawn(async move {
            socket.stop_requested().await;
            drop(socket);
        });
        assert_eq!(lifecycle.close_all(Duration::from_secs(10)).await, 0);
        session.await.unwrap();
        assert!(lifecycle.admit().is_none());
        assert_eq!(lifecycle.open_count(), 0);
    }

    #[tokio::test]
    async fn close_all_gives_up_after_the_grace() {
        let lifecycle = Lifecycle::new();
        let _stuck = lifecycle.admit().expect("admitted");
        assert_eq!(lifecycle.close_all(Duration::from_millis(10)).await, 1);
    }
}
