//! Waiting for a condition with a deadline, the replacement for sleeping.
//!
//! A test that sleeps "long enough" is slow when the machine is fast and
//! flaky when it is slow. Instead, poll the condition every few
//! milliseconds and give up loudly after a generous deadline.

use std::time::{Duration, Instant};

/// How often the condition is polled. Short enough to add no noticeable
/// latency, long enough not to burn a core while waiting.
const POLL_INTERVAL: Duration = Duration::from_millis(5);

/// Blocks until `condition` returns true, polling every few milliseconds.
///
/// # Panics
///
/// Panics with `timed out after {deadline:?}: {what}` if the condition is
/// still false once `deadline` has passed. `what` should describe the
/// condition in words ("the bot is online"), so that the panic explains
/// itself.
pub fn wait_until(deadline: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let give_up_at = Instant::now() + deadline;
    loop {
        if condition() {
            return;
        }
        if Instant::now() >= give_up_at {
            panic!("timed out after {deadline:?}: {what}");
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// The async twin of [`wait_until`]: yields to the runtime between polls
/// instead of blocking the thread.
///
/// # Panics
///
/// Panics with `timed out after {deadline:?}: {what}` if the condition is
/// still false once `deadline` has passed.
pub async fn wait_until_async(deadline: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let give_up_at = tokio::time::Instant::now() + deadline;
    loop {
        if condition() {
            return;
        }
        if tokio::time::Instant::now() >= give_up_at {
            panic!("timed out after {deadline:?}: {what}");
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_as_soon_as_the_condition_holds() {
        let mut calls = 0;
        wait_until(Duration::from_secs(5), "third call", || {
            calls += 1;
            calls == 3
        });
        assert_eq!(calls, 3);
    }

    #[test]
    #[should_panic(expected = "timed out after 20ms: never")]
    fn panics_with_the_description_after_the_deadline() {
        wait_until(Duration::from_millis(20), "never", || false);
    }

    #[tokio::test]
    async fn async_twin_returns_when_the_condition_holds() {
        let started = std::sync::atomic::AtomicUsize::new(0);
        wait_until_async(Duration::from_secs(5), "second call", || {
            started.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 1
        })
        .await;
    }

    #[tokio::test]
    #[should_panic(expected = "timed out after 20ms: never")]
    async fn async_twin_panics_after_the_deadline() {
        wait_until_async(Duration::from_millis(20), "never", || false).await;
    }
}
