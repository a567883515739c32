//! Times as the original stores them (Unix seconds, a float from Python's
//! `time.time()`, in columns declared INTEGER) and as the web shows them.

use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::types::ValueRef;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

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

/// Formats Unix seconds as RFC 3339 in UTC with microseconds, as in
/// `2024-05-01T17:15:30.123456Z`.
pub fn to_rfc3339(seconds: f64) -> String {
    let nanos = (seconds * 1e9) as i128;
    let micros_only = nanos - nanos.rem_euclid(1000);
    OffsetDateTime::from_unix_timestamp_nanos(micros_only)
        .ok()
        .and_then(|time| time.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// Parses an RFC 3339 time into Unix seconds.
pub fn from_rfc3339(text: &str) -> Option<f64> {
    let time = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    Some(time.unix_timestamp_nanos() as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_rfc3339() {
        assert_eq!(to_rfc3339(1714583730.123456), "2024-05-01T17:15:30.123456Z");
        assert_eq!(to_rfc3339(0.0), "1970-01-01T00:00:00Z");
        let back = from_rfc3339("2024-05-01T17:15:30.123456Z").unwrap();
        assert!((back - 1714583730.123456).abs() < 1e-6);
        assert_eq!(from_rfc3339("yesterday"), None);
    }

    #[test]
    fn reads_python_floats_and_integers() {
        assert_eq!(read_time(ValueRef::Real(1.5)), Some(1.5));
        assert_eq!(read_time(ValueRef::Integer(2)), Some(2.0));
        assert_eq!(read_time(ValueRef::Null), None);
    }
}
