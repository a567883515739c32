//! Token buckets that keep one client from starting chats, or one chat from
//! sending messages, faster than a person would.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Below this many tracked keys nothing is pruned: the map stays small and
/// the common case does no extra work.
const PRUNE_THRESHOLD: usize = 1024;

/// Allows `per_minute` actions per key per minute, in bursts of up to
/// `per_minute`, refilling continuously.
pub struct RateLimiter<K> {
    per_minute: u32,
    state: Mutex<Buckets<K>>,
}

struct Buckets<K> {
    by_key: HashMap<K, Bucket>,
    /// Size at which idle buckets are next dropped. It grows with the map
    /// so that pruning a busy map does not happen on every call.
    prune_at: usize,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl<K: Hash + Eq> RateLimiter<K> {
    /// A limiter, or `None` when `per_minute` is 0 (no limit).
    pub fn new(per_minute: u32) -> Option<Self> {
        (per_minute > 0).then(|| RateLimiter {
            per_minute,
            state: Mutex::new(Buckets {
                by_key: HashMap::new(),
                prune_at: PRUNE_THRESHOLD,
            }),
        })
    }

    /// Takes one action's worth for `key` at `now`. When there is none
    /// left, returns how long until there will be.
    pub fn check(&self, key: K, now: Instant) -> Result<(), Duration> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.by_key.len() >= state.prune_at {
            state
                .by_key
                .retain(|_, bucket| bucket.refilled(now, per_second, capacity) < capacity);
            state.prune_at = PRUNE_THRESHOLD.max(state.by_key.len() * 2);
        }
        let bucket = state.by_key.entry(key).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        bucket.tokens = bucket.refilled(now, per_second, capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }

    /// How many keys are tracked (for tests of pruning).
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.state.lock().unwrap().by_key.len()
    }
}

impl Bucket {
    fn refilled(&self, now: Instant, per_second: f64, capacity: f64) -> f64 {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        (self.tokens + elapsed * per_second).min(capacity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_means_no_limiter() {
        assert!(RateLimiter::<u8>::new(0).is_none());
    }

    #[test]
    fn a_burst_up_to_the_limit_passes_then_the_next_waits() {
        let limiter = RateLimiter::new(6).unwrap();
        let start = Instant::now();
        for _ in 0..6 {
            assert_eq!(limiter.check("a", start), Ok(()));
        }
        // Six a minute is one every ten seconds.
        let wait = limiter.check("a", start).unwrap_err();
        assert_eq!(wait.as_secs_f64().round(), 10.0);
        // Other keys have their own bucket.
        assert_eq!(limiter.check("b", start), Ok(()));
    }

    #[test]
    fn tokens_come_back_with_time() {
        let limiter = RateLimiter::new(60).unwrap();
        let start = Instant::now();
        for _ in 0..60 {
            limiter.check(1, start).unwrap();
        }
        assert!(limiter.check(1, start).is_err());
        let later = start + Duration::from_millis(1500);
        assert_eq!(limiter.check(1, later), Ok(()));
        assert!(limiter.check(1, later).is_err());
        // A long pause refills only up to the burst size.
        let much_later = later + Duration::from_secs(3600);
        for _ in 0..60 {
            limiter.check(1, much_later).unwrap();
        }
        assert!(limiter.check(1, much_later).is_err());
    }

    #[test]
    fn idle_keys_are_forgotten_once_the_map_is_large() {
        let limiter = RateLimiter::new(10).unwrap();
        let start = Instant::now();
        for key in 0..PRUNE_THRESHOLD {
            limiter.check(key, start).unwrap();
        }
        assert_eq!(limiter.tracked(), PRUNE_THRESHOLD);
        // A minute later every bucket is full again, so all are dropped.
        limiter
            .check(usize::MAX, start + Duration::from_secs(61))
            .unwrap();
        assert_eq!(limiter.tracked(), 1);
    }

    #[test]
    fn busy_keys_survive_pruning() {
        let limiter = RateLimiter::new(10).unwrap();
        let start = Instant::now();
        for _ in 0..10 {
            limiter.check(0, start).unwrap();
        }
        for key in 1..PRUNE_THRESHOLD {
            limiter.check(key, start).unwrap();
        }
        limiter.check(usize::MAX, start).unwrap();
        assert!(limiter.check(0, start).is_err());
    }
}
