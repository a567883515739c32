//! The command line: `seshatd CONFIG [SECTION] [--check-config]
//! [--copy-from-sqlite FILE]`.

use std::path::PathBuf;

use clap::Parser;

use crate::config::DEFAULT_SECTION;

/// What the operator asked for on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(
    name = "seshatd",
    version,
    about = "Seshat's broker: relays chats between website visitors and staff in their Jabber/XMPP clients",
    long_about = "Seshat's broker: relays chats between website visitors and staff in their \
                  Jabber/XMPP clients.\n\n\
                  It reads its settings from one section of an ini file, connects to the XMPP \
                  server as the configured bot account, and runs in the foreground, logging to \
                  stderr, until SIGTERM or Ctrl-C. See seshat.sample.ini for every setting."
)]
pub struct Cli {
    /// The ini file holding Seshat's settings (see seshat.sample.ini).
    ///
    /// The same file may be your web framework's own .ini file: Seshat reads
    /// only its section, and keys prefixed with `seshat_` take precedence.
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,

    /// The section of CONFIG to read, without brackets, e.g. `Seshat` or `app:main`.
    ///
    /// Section names are case-sensitive; the original Seshat read the one named Seshat.
    #[arg(value_name = "SECTION", default_value = DEFAULT_SECTION)]
    pub section: String,

    /// Check the configuration, print the effective settings (password
    /// hidden) and exit: status 0 when it is valid, 1 when it is not.
    #[arg(long, conflicts_with = "copy_from_sqlite")]
    pub check_config: bool,

    /// Copy the SQLite database FILE (the old `sqlitedb`) into the empty
    /// PostgreSQL database CONFIG names with `database`, then exit. Stop
    /// seshatd and every web app first; FILE is only read.
    #[arg(long, value_name = "FILE")]
    pub copy_from_sqlite: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_config_file_and_section_are_positional() {
        let cli = Cli::try_parse_from(["seshatd", "production.ini", "app:main"]).unwrap();
        assert_eq!(
            cli,
            Cli {
                config: PathBuf::from("production.ini"),
                section: "app:main".to_owned(),
                check_config: false,
                copy_from_sqlite: None,
            }
        );
    }

    #[test]
    fn the_section_defaults_to_the_original_one() {
        let cli = Cli::try_parse_from(["seshatd", "seshat.ini"]).unwrap();
        assert_eq!(cli.section, "Seshat");
    }

    #[test]
    fn check_config_is_a_flag_anywhere_on_the_line() {
        let cli =
            Cli::try_parse_from(["seshatd", "--check-config", "seshat.ini", "Seshat"]).unwrap();
        assert!(cli.check_config);
        let cli = Cli::try_parse_from(["seshatd", "seshat.ini", "--check-config"]).unwrap();
        assert!(cli.check_config);
        assert_eq!(cli.section, "Seshat");
    }

    #[test]
    fn the_config_file_is_required() {
        let error = Cli::try_parse_from(["seshatd"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::MissingRequiredArgument);
        let error = Cli::try_parse_from(["seshatd", "a.ini", "S", "extra"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument);
    }

    #[test]
    fn help_explains_both_arguments_and_version_comes_from_cargo() {
        let help = Cli::command().render_long_help().to_string();
        assert!(
            help.contains("The ini file holding Seshat's settings"),
            "{help}"
        );
        assert!(help.contains("The section of CONFIG to read"), "{help}");
        assert!(help.contains("[default: Seshat]"), "{help}");
        assert!(help.contains("--check-config"), "{help}");

        let error = Cli::try_parse_from(["seshatd", "--version"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::DisplayVersion);
        assert_eq!(
            error.to_string(),
            format!("seshatd {}\n", env!("CARGO_PKG_VERSION"))
        );
        Cli::command().debug_assert();
    }
}
