//! How long to wait before the next connection attempt.
//!
//! Exponential backoff with jitter: the first attempt after a loss is made
//! at once (most losses are a blip, and a quick return lets the server
//! resume the session), then the pause doubles from about one second up to
//! [`MAX_DELAY`]. Each pause is drawn between half and all of its nominal
//! value, so that many daemons cut off by the same server restart do not
//! knock on its door in the same instant.

use std::time::Duration;

/// The nominal pause before the second attempt.
pub const FIRST_DELAY: Duration = Duration::from_secs(1);

/// The longest nominal pause between attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// A connection must stay up this long before a later loss starts the
/// backoff from the beginning again; a server that accepts and then drops
/// us at once must not be hammered.
pub const STABLE_AFTER: Duration = Duration::from_secs(30);

/// The attempt counter of one run of reconnection attempts.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    /// Attempts made since the last stable connection.
    attempts: u32,
}

impl Backoff {
    /// A fresh counter: the next attempt is immediate.
    pub fn new() -> Self {
        Backoff::default()
    }

    /// The pause before the next attempt, given a uniformly random number
    /// in `[0, 1)` for the jitter, and counts the attempt.
    pub fn next_delay(&mut self, random: f64) -> Duration {
        let attempt = self.attempts;
        self.attempts = self.attempts.saturating_add(1);
        if attempt == 0 {
            return Duration::ZERO;
        }
        // 1 s, 2 s, 4 s, ... capped; the exponent is capped too so the
        // multiplication cannot overflow however long the outage lasts.
        let nominal = FIRST_DELAY
            .saturating_mul(1 << (attempt - 1).min(16))
            .min(MAX_DELAY);
        nominal.mul_f64(0.5 + 0.5 * random.clamp(0.0, 1.0))
    }

    /// Starts over: called once a connection has proved stable.
    pub fn reset(&mut self) {
        self.attempts = 0;
    }
}

/// A uniformly random number in `[0, 1)` from the operating system, for
/// the jitter; falls back to the middle if the OS cannot provide one.
pub fn random_unit() -> f64 {
    match getrandom::u64() {
        Ok(bits) => (bits >> 11) as f64 / (1u64 << 53) as f64,
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_attempt_is_immediate() {
        assert_eq!(Backoff::new().next_delay(0.7), Duration::ZERO);
    }

    #[test]
    fn pauses_double_from_one_second_up_to_a_minute() {
        let mut backoff = Backoff::new();
        backoff.next_delay(0.0);
        // With the top of the jitter range the nominal value shows.
        let nominal: Vec<u64> = (0..9).map(|_| backoff.next_delay(1.0).as_secs()).collect();
        assert_eq!(nominal, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn jitter_keeps_each_pause_between_half_and_all_of_it() {
        for random in [0.0, 0.25, 0.5, 0.999] {
            let mut backoff = Backoff::new();
            backoff.next_delay(random);
            backoff.next_delay(random);
            let delay = backoff.next_delay(random); // nominal 2 s
            assert!(delay >= Duration::from_secs(1), "{delay:?}");
            assert!(delay <= Duration::from_secs(2), "{delay:?}");
        }
    }

    #[test]
    fn a_very_long_outage_stays_at_the_maximum() {
        let mut backoff = Backoff::new();
        for _ in 0..10_000 {
            assert!(backoff.next_delay(1.0) <= MAX_DELAY);
        }
    }

    #[test]
    fn reset_starts_over_with_an_immediate_attempt() {
        let mut backoff = Backoff::new();
        for _ in 0..5 {
            backoff.next_delay(0.5);
        }
        backoff.reset();
        assert_eq!(backoff.next_delay(0.5), Duration::ZERO);
    }

    #[test]
    fn random_numbers_are_in_the_unit_interval() {
        for _ in 0..1000 {
            let value = random_unit();
            assert!((0.0..1.0).contains(&value), "{value}");
        }
    }
}
