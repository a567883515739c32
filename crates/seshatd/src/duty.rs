//! One daemon on duty, the others standing by: several `seshatd` processes
//! (on several hosts) may share one PostgreSQL store and one bot account,
//! but only the one holding the store's duty lease logs in to XMPP. Two
//! sessions of the bot would split the staff's messages between them.
//!
//! - A standby tries to claim the lease every [`CLAIM_EVERY`]; the lease
//!   lasts [`LEASE`] by the database's clock, so when the daemon on duty
//!   dies (`kill -9`, host gone, network cut) a standby takes over within
//!   `LEASE + CLAIM_EVERY` (7 s) plus its XMPP login.
//! - The daemon on duty renews the lease every [`RENEW_EVERY`]. If no
//!   renewal has succeeded for [`STEP_DOWN_AFTER`], measured from the
//!   moment the last successful renewal was *sent*, it logs out of XMPP
//!   and stands by: by then its lease may be about to run out, and a
//!   standby that can reach the database may be taking over. Since
//!   `STEP_DOWN_AFTER` is shorter than `LEASE`, the two are never on duty
//!   at once by their own reckoning.
//! - On a clean stop the lease is released at once, so that a standby
//!   takes over without waiting for it to run out.
//!
//! A store that only one host can open (SQLite) has no standby: there the
//! daemon is always on duty and none of this runs.

use std::time::Duration;

use seshat_client::Client;
use tokio::time::{Instant, MissedTickBehavior};

use crate::service::ServiceManager;

/// How long a claimed or renewed lease lasts, by the database's clock.
pub const LEASE: Duration = Duration::from_secs(6);
/// How often the daemon on duty renews its lease.
pub const RENEW_EVERY: Duration = Duration::from_secs(2);
/// How often a standby tries to claim the lease.
pub const CLAIM_EVERY: Duration = Duration::from_secs(1);
/// How long the daemon on duty goes on without a successful renewal before
/// it steps down (shorter than [`LEASE`]).
pub const STEP_DOWN_AFTER: Duration = Duration::from_millis(4500);

/// Why the daemon on duty stepped down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepDown {
    /// Another daemon holds the lease now (this one's ran out unseen).
    TakenOver,
    /// No renewal reached the database for [`STEP_DOWN_AFTER`].
    Unrenewed,
}

impl std::fmt::Display for StepDown {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            StepDown::TakenOver => "another seshatd holds the duty lease",
            StepDown::Unrenewed => "the duty lease could not be renewed in time",
        })
    }
}

/// This daemon's part in the store's duty lease.
#[derive(Clone)]
pub struct Duty {
    store: Client,
    holder: String,
    /// Told that a standby is up (it never logs in), and kept from
    /// thinking a standby hung.
    service: ServiceManager,
}

impl Duty {
    /// This process's claim on `store`'s lease, under a name that tells
    /// operators which host and process holds it; `service` hears of the
    /// standby.
    pub fn new(store: Client, service: ServiceManager) -> Self {
        let mut nonce = [0u8; 4];
        // Without randomness the pid still tells processes apart on a host.
        let _ = getrandom::fill(&mut nonce);
        let holder = format!(
            "{}/{}/{:08x}",
            host_name(),
            std::process::id(),
            u32::from_le_bytes(nonce)
        );
        Duty {
            store,
            holder,
            service,
        }
    }

    /// The name this daemon holds the lease under (`host/pid/nonce`).
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Waits, standing by, until this daemon holds the lease.
    pub async fn claim(&self) {
        let mut attempts = tokio::time::interval(CLAIM_EVERY);
        attempts.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut said_standing_by = false;
        loop {
            attempts.tick().await;
            self.service.ping_watchdog();
            let claimed = self.try_claim().await;
            if let Ok(true) = claimed {
                return;
            }
            if !said_standing_by {
                match claimed {
                    Err(error) => {
                        tracing::warn!(%error, "standing by: cannot reach the store to claim duty")
                    }
                    _ => tracing::info!(
                        holder = %self.holder,
                        "standing by: another seshatd is on duty; not logging in to XMPP"
                    ),
                }
                // A standby is up and doing its job; systemd must not
                // wait for a login that may never come.
                self.service
                    .ready("standing by: another seshatd is on duty");
                said_standing_by = true;
            }
        }
    }

    /// Renews the lease while on duty; returns when this daemon must step
    /// down.
    pub async fn keep(&self) -> StepDown {
        let mut renewals = tokio::time::interval(RENEW_EVERY);
        renewals.set_missed_tick_behavior(MissedTickBehavior::Delay);
        // The claim that put this daemon on duty was sent just before.
        renewals.tick().await;
        let mut renewed_at = Instant::now();
        loop {
            // Stepping down is due at a fixed moment, whether or not a
            // renewal is under way then.
            tokio::select! {
                _ = renewals.tick() => {}
                () = tokio::time::sleep_until(renewed_at + STEP_DOWN_AFTER) => {
                    return StepDown::Unrenewed;
                }
            }
            let sent_at = Instant::now();
            match tokio::time::timeout_at(renewed_at + STEP_DOWN_AFTER, self.try_claim()).await {
                Ok(Ok(true)) => renewed_at = sent_at,
                Ok(Ok(false)) => return StepDown::TakenOver,
                Ok(Err(error)) => tracing::warn!(%error, "could not renew the duty lease"),
                Err(_) => return StepDown::Unrenewed,
            }
        }
    }

    /// Gives the lease up, so that a standby takes over at once.
    pub async fn release(&self) {
        let holder = self.holder.clone();
        if let Err(error) = self
            .store
            .run(move |store| store.release_duty(&holder))
            .await
        {
            tracing::warn!(%error, "could not release the duty lease; a standby takes over when it runs out");
        }
    }

    async fn try_claim(&self) -> seshat_client::Result<bool> {
        let holder = self.holder.clone();
        self.store
            .run(move |store| store.claim_duty(&holder, LEASE))
            .await
    }
}

/// The machine's name, for the lease holder's name.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daemon_on_duty_steps_down_before_its_lease_can_run_out() {
        assert!(STEP_DOWN_AFTER + RENEW_EVERY / 2 < LEASE);
        assert!(RENEW_EVERY * 2 <= STEP_DOWN_AFTER);
        // A standby takes over well within the 10 s the issue allows,
        // leaving time for its XMPP login.
        assert!(LEASE + CLAIM_EVERY <= Duration::from_secs(7));
    }
}
