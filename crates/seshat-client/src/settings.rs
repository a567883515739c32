//! Seshat's section of an ini file, read by the same rules in both
//! programs: the daemon (`seshatd`) and the web application.
//!
//! - One section of one file serves both: each program reads its own keys
//!   and accepts the other's ([`keys`] lists every key and who reads it).
//! - Keys are compared without regard to case, as Python's ConfigParser
//!   did; a setting may have several spellings (`username` or the
//!   original's `xmppusername`).
//! - Every key may carry a `seshat_` prefix, which wins over the bare key,
//!   so that the settings can live in a web framework's own section. An
//!   unknown `seshat_` key is refused as a typo; other keys are left to
//!   the framework.
//! - Values are taken literally (no quotes or escapes); an indented line
//!   continues the value above; an optional key left empty takes its
//!   default.
//! - Every error is one line naming the file, section and key: see
//!   [`SettingsError`].
//!
//! ```
//! use std::path::Path;
//! use seshat_client::settings::{keys, IniSection, Program};
//!
//! let text = "[app:main]\nsqlitedb = web.db\nseshat_sqlitedb = seshat.db\nlocalusers = joe@example.com\n";
//! let section = IniSection::parse(text, Path::new("site.ini"), "app:main")?;
//! assert_eq!(section.required(&keys::SQLITEDB)?.value, "seshat.db");
//! // The web app does not read localusers, but knows it is the daemon's.
//! assert_eq!(section.unread_keys(Program::WebApp)?.other_program, ["localusers"]);
//! # Ok::<(), seshat_client::settings::SettingsError>(())
//! ```

mod database;
mod error;
pub mod keys;
mod section;
pub mod values;

pub use database::read_database;
pub use error::SettingsError;
pub use keys::{Key, Program};
pub use section::{Found, IniSection, UnreadKeys, PREFIX};

#[cfg(test)]
mod tests;
