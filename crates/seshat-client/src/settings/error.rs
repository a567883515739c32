//! What can be wrong with Seshat's section of an ini file, one line each,
//! naming the file, the section and the key so that the operator can fix
//! it at once. Both programs report their settings with this type.

use std::io;
use std::path::PathBuf;

/// Settings that cannot be used. Every message is a single line
/// that starts with the file name, then the section and key when known,
/// e.g. `seshat.ini [Seshat] localusers: "bob" is not a bare JID (user@domain)`.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    #[error("{}: cannot read the configuration file: {cause}", file.display())]
    Unreadable {
        /// The file as given on the command line.
        file: PathBuf,
        /// Why reading failed.
        cause: io::Error,
    },
    /// The file is not in ini syntax.
    #[error("{}: not a valid ini file: line {line}, column {column}: {message}", file.display())]
    Syntax {
        /// The file as given on the command line.
        file: PathBuf,
        /// Line of the first error, counting from 1.
        line: usize,
        /// Column of the first error, counting from 1.
        column: usize,
        /// What the parser did not expect.
        message: String,
    },
    /// The section named on the command line is not in the file.
    #[error("{} [{section}]: no such section; {}", file.display(), describe_sections(.found))]
    MissingSection {
        /// The file as given on the command line.
        file: PathBuf,
        /// The section that was asked for.
        section: String,
        /// The sections the file does have, in order.
        found: Vec<String>,
    },
    /// One setting is missing or has a value that cannot be used.
    #[error("{} [{section}] {key}: {problem}", file.display())]
    Setting {
        /// The file as given on the command line.
        file: PathBuf,
        /// The section that was read.
        section: String,
        /// The key as spelled in the file, or its main spelling when missing.
        key: String,
        /// What is wrong, in words for the operator.
        problem: String,
    },
}

/// Lists the sections a file has, to help spot a typo in the section name.
fn describe_sections(found: &[String]) -> String {
    if found.is_empty() {
        "the file has no sections".to_owned()
    } else {
        let names: Vec<String> = found.iter().map(|name| format!("[{name}]")).collect();
        format!("the file has {}", names.join(", "))
    }
}
