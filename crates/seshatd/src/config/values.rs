//! Parsers for the values of individual settings. Each returns the problem
//! in the operator's words; the caller adds file, section and key.

use std::time::Duration;

use seshat_client::StaffNames;
use xmpp_parsers::jid::BareJid;

/// The levels `log_level` accepts on its own.
const LOG_LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

/// Reads a bare JID `user@domain`. The jid crate normalises it as XMPP
/// servers do (lower-case domain, nodeprep'd user), so it compares equal
/// to the JIDs found in stanzas whatever case the operator typed.
pub fn bare_jid(value: &str) -> Result<BareJid, String> {
    match BareJid::new(value) {
        Ok(jid) if jid.node().is_some() => Ok(jid),
        _ => Err(format!("\"{value}\" is not a bare JID (user@domain)")),
    }
}

/// Reads comma-separated bare JIDs; spaces around commas and empty items
/// (a trailing comma) are ignored, duplicates are kept once.
pub fn jid_list(value: &str) -> Result<Vec<BareJid>, String> {
    let mut jids: Vec<BareJid> = Vec::new();
    for item in value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let jid = bare_jid(item)?;
        if !jids.contains(&jid) {
            jids.push(jid);
        }
    }
    if jids.is_empty() {
        return Err("lists no staff JID; give at least one, e.g. joe@example.com".to_owned());
    }
    Ok(jids)
}

/// Reads a non-negative number of seconds; fractions are allowed (`0.5`)
/// so that tests can use short delays.
pub fn seconds(value: &str) -> Result<Duration, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite())
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .ok_or_else(|| format!("\"{value}\" is not a number of seconds (0 or more)"))
}

/// Reads a whole number of at least 1.
pub fn positive_count(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(count) if count > 0 => Ok(count),
        _ => Err(format!("\"{value}\" is not a whole number of at least 1")),
    }
}

/// Reads a log level (`info`, `debug`...) or, when it contains `=`, a full
/// `tracing` filter such as `info,seshatd=debug`. A bare word that is not
/// a level is refused: the filter syntax would silently read it as a
/// module name and log nothing useful.
pub fn log_level(value: &str) -> Result<String, String> {
    let is_level = LOG_LEVELS
        .iter()
        .any(|level| level.eq_ignore_ascii_case(value));
    if is_level {
        return Ok(value.to_ascii_lowercase());
    }
    if value.contains('=')
        && tracing_subscriber::EnvFilter::builder()
            .parse(value)
            .is_ok()
    {
        return Ok(value.to_owned());
    }
    Err(format!(
        "\"{value}\" is not a log level ({}) or a filter like info,seshatd=debug",
        LOG_LEVELS.join(", ")
    ))
}

/// Reads `jid = Display Name` pairs separated by commas, by the rules
/// the web side reads them with ([`StaffNames::parse`]), and checks each
/// JID fully: it must be one of `staff` (a name for anyone else is surely
/// a typo).
pub fn staff_names(value: &str, staff: &[BareJid]) -> Result<Vec<(BareJid, String)>, String> {
    let names = StaffNames::parse(value).map_err(|error| error.to_string())?;
    names
        .iter()
        .map(|(jid, name)| {
            let jid = bare_jid(jid)?;
            if !staff.contains(&jid) {
                return Err(format!("{jid} is not one of localusers"));
            }
            Ok((jid, name.to_owned()))
        })
        .collect()
}

/// Checks an XMPP resource (the part after `/` in a full JID).
pub fn resource(value: &str, account: &BareJid) -> Result<String, String> {
    match account.with_resource_str(value) {
        Ok(full) => Ok(full.resource().as_str().to_owned()),
        Err(_) => Err(format!("\"{value}\" is not a valid XMPP resource")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(text: &str) -> BareJid {
        BareJid::new(text).unwrap()
    }

    #[test]
    fn bare_jids_are_normalised_and_checked() {
        assert_eq!(
            bare_jid("Joe@Example.COM").unwrap().as_str(),
            "joe@example.com"
        );
        for bad in [
            "bob",
            "example.com",
            "bob@",
            "@example.com",
            "bob@example.com/desk",
            "a@b@c",
        ] {
            assert_eq!(
                bare_jid(bad),
                Err(format!("\"{bad}\" is not a bare JID (user@domain)")),
                "{bad}"
            );
        }
    }

    #[test]
    fn jid_lists_ignore_spaces_empty_items_and_duplicates() {
        assert_eq!(
            jid_list(" joe@example.com ,bob@example.com,, JOE@example.com,").unwrap(),
            vec![jid("joe@example.com"), jid("bob@example.com")]
        );
        assert!(jid_list(" , ")
            .unwrap_err()
            .starts_with("lists no staff JID"));
        assert_eq!(
            jid_list("joe@example.com, bob"),
            Err("\"bob\" is not a bare JID (user@domain)".to_owned())
        );
    }

    #[test]
    fn seconds_accept_fractions_and_refuse_the_rest() {
        assert_eq!(seconds("300"), Ok(Duration::from_secs(300)));
        assert_eq!(seconds("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(seconds("0"), Ok(Duration::ZERO));
        for bad in ["-1", "ten", "", "inf", "NaN", "1e400"] {
            assert_eq!(
                seconds(bad),
                Err(format!("\"{bad}\" is not a number of seconds (0 or more)")),
                "{bad}"
            );
        }
    }

    #[test]
    fn counts_must_be_positive_whole_numbers() {
        assert_eq!(positive_count("4096"), Ok(4096));
        for bad in ["0", "-5", "1.5", "lots"] {
            assert_eq!(
                positive_count(bad),
                Err(format!("\"{bad}\" is not a whole number of at least 1"))
            );
        }
    }

    #[test]
    fn log_levels_and_filters() {
        assert_eq!(log_level("DEBUG"), Ok("debug".to_owned()));
        assert_eq!(
            log_level("info,seshatd=trace"),
            Ok("info,seshatd=trace".to_owned())
        );
        assert_eq!(
            log_level("verbose"),
            Err("\"verbose\" is not a log level (off, error, warn, info, debug, trace) or a filter like info,seshatd=debug".to_owned())
        );
        assert!(log_level("seshatd=loud").is_err());
    }

    #[test]
    fn staff_names_are_pairs_of_configured_staff() {
        let staff = [jid("joe@example.com"), jid("bob@example.com")];
        assert_eq!(
            staff_names("joe@example.com = Joe Bloggs, Bob@Example.com=Bob,", &staff).unwrap(),
            vec![
                (jid("joe@example.com"), "Joe Bloggs".to_owned()),
                (jid("bob@example.com"), "Bob".to_owned())
            ]
        );
        assert_eq!(
            staff_names("joe@example.com", &staff),
            Err("\"joe@example.com\" is not of the form jid = Display Name".to_owned())
        );
        assert_eq!(
            staff_names("joe@example.com = ", &staff),
            Err("\"joe@example.com =\" does not give a printable name".to_owned())
        );
        assert_eq!(
            staff_names("eve@example.com = Eve", &staff),
            Err("eve@example.com is not one of localusers".to_owned())
        );
    }

    #[test]
    fn resources_are_checked() {
        let account = jid("bot@example.com");
        assert_eq!(resource("seshat", &account), Ok("seshat".to_owned()));
        assert_eq!(
            resource("", &account),
            Err("\"\" is not a valid XMPP resource".to_owned())
        );
    }
}
