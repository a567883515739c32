//! The daemon's log: lines on stderr at the configured `log_level`, and a
//! cap that keeps secrets out of it at every level.
//!
//! Our own code never logs the password (it is a
//! [`Secret`](crate::config::Secret)), but a dependency can. tokio-xmpp logs
//! every buffer it writes or reads at trace level ("SEND ..."/"RECV ..."),
//! SASL `<auth>` included, and against a server that offers only PLAIN
//! that element carries the password in base64. So whatever the
//! configured level, records of the [`WIRE_CRATES`] are let through at
//! [`WIRE_CRATES_MAX_LEVEL`] at most: their debug lines (connection
//! attempts, stream management decisions) stay available, their wire dumps
//! never appear. The cap is a filter of its own, combined with the
//! configured one, so no `log_level` directive can lift it.
//!
//! A program that embeds [`crate::daemon::Daemon`] with a subscriber of its
//! own should add [`wire_cap`] to it.

use std::io::IsTerminal;

use tracing_subscriber::filter::{FilterExt, LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Layer};

use crate::reload::LogLevelSetter;

/// The crates that see the XMPP stream raw (the XML, the SASL exchange).
pub const WIRE_CRATES: &[&str] = &[
    "tokio_xmpp",
    "xmpp_parsers",
    "xso",
    "rxml",
    "minidom",
    "sasl",
];

/// The most detailed level at which the [`WIRE_CRATES`] are logged.
pub const WIRE_CRATES_MAX_LEVEL: LevelFilter = LevelFilter::DEBUG;

/// The filter that holds the [`WIRE_CRATES`] to [`WIRE_CRATES_MAX_LEVEL`]
/// and lets everything else through (the configured level decides).
pub fn wire_cap() -> Targets {
    Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_targets(
            WIRE_CRATES
                .iter()
                .map(|target| (*target, WIRE_CRATES_MAX_LEVEL)),
        )
}

/// How log lines are written (`log_format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// One line of text per record (the default).
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

impl LogFormat {
    /// Reads `text` or `json` (any case).
    pub fn parse(value: &str) -> Result<LogFormat, String> {
        match value.to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!("\"{value}\" is not a log format: text or json")),
        }
    }
}

impl std::fmt::Display for LogFormat {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        })
    }
}

/// Sends the process's log to stderr at `log_level` (an `EnvFilter`
/// directive such as `info` or `info,seshatd=debug`; `info` if it does not
/// parse), capped by [`wire_cap`]. Records of crates that use the `log`
/// crate, tokio-xmpp among them, go the same way. Returns how to change
/// the level later (a reload); the cap stays whatever the new level says.
pub fn init(log_level: &str, format: LogFormat) -> LogLevelSetter {
    let configured = EnvFilter::try_new(log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let (configured, handle) = reload::Layer::new(configured);
    let lines = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            // Colours for a person at a terminal, plain text for a file or journal.
            .with_ansi(std::io::stderr().is_terminal())
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .boxed(),
    }
    .with_filter(configured.and(wire_cap()));
    tracing_subscriber::registry().with(lines).init();
    Box::new(move |level: &str| {
        let filter = EnvFilter::try_new(level).map_err(|error| error.to_string())?;
        handle.reload(filter).map_err(|error| error.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use tracing::Level;

    #[test]
    fn the_log_format_is_text_or_json() {
        assert_eq!(LogFormat::parse("JSON"), Ok(LogFormat::Json));
        assert_eq!(LogFormat::parse("text"), Ok(LogFormat::Text));
        assert_eq!(
            LogFormat::parse("xml"),
            Err("\"xml\" is not a log format: text or json".to_owned())
        );
    }

    #[test]
    fn wire_crates_are_capped_below_trace_and_others_are_not() {
        let cap = wire_cap();
        assert!(!cap.would_enable("tokio_xmpp::xmlstream::capture", &Level::TRACE));
        assert!(cap.would_enable("tokio_xmpp::stanzastream::worker", &Level::DEBUG));
        assert!(!cap.would_enable("xmpp_parsers", &Level::TRACE));
        assert!(cap.would_enable("seshatd::broker", &Level::TRACE));
    }
}
