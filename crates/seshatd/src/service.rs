//! Talking to the service manager: systemd's notify protocol (`Type=notify`
//! units). Readiness once the store is open and the bot is logged in, a
//! status line as the connection comes and goes, watchdog pings from the
//! event loop, and `RELOADING=1` around a SIGHUP.
//!
//! Outside systemd (no `NOTIFY_SOCKET`) every call does nothing. A failed
//! notification is logged at debug and otherwise ignored: the service
//! manager is the one to notice.

use std::time::Duration;

use sd_notify::NotifyState;

/// The service manager the daemon reports to, read from the environment
/// once at start-up.
#[derive(Debug, Clone, Default)]
pub struct ServiceManager {
    /// How often to ping the watchdog; `None` when no watchdog is set.
    watchdog_interval: Option<Duration>,
}

impl ServiceManager {
    /// The service manager of this process: a watchdog when
    /// `WATCHDOG_USEC` is set (and `WATCHDOG_PID`, if set, is ours).
    pub fn from_environment() -> Self {
        let timeout = std::env::var("WATCHDOG_USEC")
            .ok()
            .and_then(|usec| usec.parse::<u64>().ok())
            .filter(|usec| *usec > 0);
        let ours = std::env::var("WATCHDOG_PID")
            .ok()
            .is_none_or(|pid| pid.parse::<u32>().ok() == Some(std::process::id()));
        ServiceManager {
            watchdog_interval: timeout
                .filter(|_| ours)
                .map(|usec| watchdog_interval(Duration::from_micros(usec))),
        }
    }

    /// How often the event loop should call [`ServiceManager::ping_watchdog`].
    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.watchdog_interval
    }

    /// The daemon is up: the store is open and the bot logged in.
    pub fn ready(&self, status: &str) {
        send(&[NotifyState::Ready, NotifyState::Status(status)]);
    }

    /// A line for `systemctl status`.
    pub fn status(&self, status: &str) {
        send(&[NotifyState::Status(status)]);
    }

    /// The event loop is alive.
    pub fn ping_watchdog(&self) {
        send(&[NotifyState::Watchdog]);
    }

    /// A reload (SIGHUP) starts.
    pub fn reloading(&self) {
        match sd_notify::NotifyState::monotonic_usec_now() {
            Ok(now) => send(&[NotifyState::Reloading, now]),
            Err(_) => send(&[NotifyState::Reloading]),
        }
    }

    /// A reload is done (or failed and the old settings stay).
    pub fn reloaded(&self, status: &str) {
        send(&[NotifyState::Ready, NotifyState::Status(status)]);
    }

    /// The daemon is shutting down.
    pub fn stopping(&self) {
        send(&[NotifyState::Stopping]);
    }
}

/// Pings at half the watchdog timeout, as systemd recommends, so that one
/// late ping does not get the daemon killed.
fn watchdog_interval(timeout: Duration) -> Duration {
    (timeout / 2).max(Duration::from_millis(1))
}

fn send(states: &[NotifyState<'_>]) {
    if let Err(error) = sd_notify::notify(false, states) {
        tracing::debug!(%error, "could not notify the service manager");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watchdog_is_fed_twice_per_timeout() {
        assert_eq!(
            watchdog_interval(Duration::from_secs(30)),
            Duration::from_secs(15)
        );
        assert_eq!(
            watchdog_interval(Duration::from_micros(1)),
            Duration::from_millis(1)
        );
    }
}
