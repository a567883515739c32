//! Times as the original stores them (Unix seconds, a float from Python's
//! `time.time()`, in columns declared INTEGER) and as the web shows them:
//! the one RFC 3339 formatter of the system, so that a message's `time`
//! reads the same on the long poll and on the WebSocket.
//!
//! The text converts back to the very number the store holds, so that a
//! message's `time` can serve as a history cursor without skipping or
//! repeating a message. Stored floats are about a quarter of a
//! microsecond apart today: microseconds (Chip's format) would merge
//! nearby times, nanoseconds keep every one apart.

use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::types::ValueRef;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const NANOS_PER_SECOND: f64 = 1e9;

/// Now, as Unix seconds with a fraction, the way the original writes times.
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs_f64())
        .unwrap_or(0.0)
}

/// Reads a stored time, whether SQLite kept it as REAL (Python, us) or as
/// INTEGER (a float that happened to be whole); NULL and text read as `None`.
pub(crate) fn read_time(value: ValueRef<'_>) -> Option<f64> {
    match value {
        ValueRef::Real(seconds) => Some(seconds),
        ValueRef::Integer(seconds) => Some(seconds as f64),
        _ => None,
    }
}

/// Formats Unix seconds as RFC 3339 in UTC with as many fraction digits
/// as needed (up to nine), such as `2024-05-01T17:15:30.123456789Z`.
pub fn to_rfc3339(seconds: f64) -> String {
    // Only the fraction is scaled: the whole time times 1e9 is beyond
    // what a float holds exactly (it rounds to 256 ns steps today), and
    // subtracting the integer part of a float loses nothing.
    let whole = seconds.floor();
    let mut nanos = ((seconds - whole) * NANOS_PER_SECOND).round() as i64;
    let mut whole = whole as i64;
    if nanos >= 1_000_000_000 {
        whole += 1;
        nanos -= 1_000_000_000;
    }
    OffsetDateTime::from_unix_timestamp(whole)
        .ok()
        .and_then(|time| time.replace_nanosecond(nanos as u32).ok())
        .and_then(|time| time.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// Parses RFC 3339 text (any offset, any number of fraction digits) into
/// Unix seconds; the inverse of [`to_rfc3339`].
pub fn from_rfc3339(text: &str) -> Option<f64> {
    let time = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    // Whole seconds and the fraction are added in one rounding step, which
    // lands on the original float: it is within half a nanosecond of the
    // text, and neighbouring floats are far further apart.
    Some(time.unix_timestamp() as f64 + f64::from(time.nanosecond()) / NANOS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_come_back_exactly() {
        let mut seconds = 1_714_583_730.123_456_7_f64;
        for _ in 0..100_000 {
            let text = to_rfc3339(seconds);
            assert_eq!(from_rfc3339(&text), Some(seconds), "{text}");
            // The next float up: the finest step the store can record.
            seconds = f64::from_bits(seconds.to_bits() + 1);
        }
        for whole in [0.0, 1.0, 1_700_000_000.0, 2_000_000_000.5] {
            assert_eq!(from_rfc3339(&to_rfc3339(whole)), Some(whole));
        }
    }

    #[test]
    fn the_text_is_rfc_3339_in_utc() {
        assert_eq!(to_rfc3339(1_714_583_730.5), "2024-05-01T17:15:30.5Z");
        assert_eq!(to_rfc3339(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(
            from_rfc3339("2024-05-01T19:15:30.5+02:00"),
            Some(1_714_583_730.5)
        );
        assert_eq!(from_rfc3339("yesterday"), None);
    }

    #[test]
    fn the_whole_time_is_not_scaled_into_256_nanosecond_steps() {
        // Stored as 1714583730.000009059906005859375. Scaling all of it by
        // 1e9 gave ...30.000008Z, more than a microsecond early.
        assert_eq!(
            to_rfc3339(1_714_583_730.000_009),
            "2024-05-01T17:15:30.00000906Z"
        );
    }

    #[test]
    fn a_fraction_that_rounds_up_carries_into_the_seconds() {
        assert_eq!(to_rfc3339(1.0 - 1e-12), "1970-01-01T00:00:01Z");
        let just_below = f64::from_bits(1_714_583_731.0_f64.to_bits() - 1);
        let text = to_rfc3339(just_below);
        assert!(text.starts_with("2024-05-01T17:15:30.99999"), "{text}");
        assert_eq!(from_rfc3339(&text), Some(just_below), "{text}");
    }

    #[test]
    fn reads_python_floats_and_integers() {
        assert_eq!(read_time(ValueRef::Real(1.5)), Some(1.5));
        assert_eq!(read_time(ValueRef::Integer(2)), Some(2.0));
        assert_eq!(read_time(ValueRef::Null), None);
    }
}
