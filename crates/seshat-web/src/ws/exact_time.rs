//! Message times as RFC 3339 text that converts back to the very number
//! the store holds, so that a message's `time` can serve as a history
//! cursor without skipping or repeating a message.
//!
//! The store keeps Unix seconds as a 64-bit float, about a quarter of a
//! microsecond apart today. Microseconds (Chip's format, and the long
//! poll's) would merge nearby times; nanoseconds keep every one apart.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const NANOS_PER_SECOND: f64 = 1e9;

/// Formats Unix seconds as RFC 3339 in UTC with as many fraction digits
/// as needed (up to nine), such as `2024-05-01T17:15:30.123456789Z`.
pub fn format(seconds: f64) -> String {
    let whole = seconds.floor();
    // Exact: subtracting the integer part of a float loses nothing.
    let fraction = seconds - whole;
    let mut nanos = (fraction * NANOS_PER_SECOND).round() as i64;
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
/// Unix seconds; the inverse of [`format`].
pub fn parse(text: &str) -> Option<f64> {
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
            let text = format(seconds);
            assert_eq!(parse(&text), Some(seconds), "{text}");
            // The next float up: the finest step the store can record.
            seconds = f64::from_bits(seconds.to_bits() + 1);
        }
        for whole in [0.0, 1.0, 1_700_000_000.0, 2_000_000_000.5] {
            assert_eq!(parse(&format(whole)), Some(whole));
        }
    }

    #[test]
    fn the_text_is_rfc_3339_in_utc() {
        assert_eq!(format(1_714_583_730.5), "2024-05-01T17:15:30.5Z");
        assert_eq!(format(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(parse("2024-05-01T19:15:30.5+02:00"), Some(1_714_583_730.5));
        assert_eq!(parse("yesterday"), None);
    }

    #[test]
    fn a_fraction_that_rounds_up_carries_into_the_seconds() {
        assert_eq!(format(1.0 - 1e-12), "1970-01-01T00:00:01Z");
        let just_below = f64::from_bits(1_714_583_731.0_f64.to_bits() - 1);
        let text = format(just_below);
        assert!(text.starts_with("2024-05-01T17:15:30.99999"), "{text}");
        assert_eq!(parse(&text), Some(just_below), "{text}");
    }
}
