//! Creating accounts on a private Prosody instance with `prosodyctl`.

use super::command::{self, PROSODYCTL};
use super::config::DOMAIN;
use super::Prosody;
use crate::Error;

/// How many `prosodyctl` processes run at once in [`Prosody::register_many`].
/// Each is a short-lived Lua process; a few in parallel hide their start-up
/// time without swamping a small machine.
const PARALLEL_REGISTRATIONS: usize = 8;

impl Prosody {
    /// Creates the account `user@localhost` with `password`.
    ///
    /// Works whether or not the server is running (it writes the account
    /// straight into the server's storage). Registering an existing user
    /// again changes its password.
    pub fn register(&self, user: &str, password: &str) -> Result<(), Error> {
        let mut command = self.register_command(user, password);
        command::run(PROSODYCTL, &mut command)
    }

    /// Creates many accounts in one go, as `(user, password)` pairs.
    ///
    /// Runs several `prosodyctl` processes in parallel, which is much faster
    /// than calling [`Prosody::register`] in a loop when a test needs dozens
    /// of staff accounts.
    pub fn register_many(&self, accounts: &[(&str, &str)]) -> Result<(), Error> {
        let Some(((first_user, first_password), rest)) = accounts.split_first() else {
            return Ok(());
        };
        // The first registration creates the storage directories; doing it
        // alone keeps the parallel ones from racing to create them.
        self.register(first_user, first_password)?;
        for batch in rest.chunks(PARALLEL_REGISTRATIONS) {
            let mut running = Vec::with_capacity(batch.len());
            for (user, password) in batch {
                let mut command = self.register_command(user, password);
                let child = PROSODYCTL.spawn(&mut command)?;
                running.push((command, child));
            }
            // Wait for every process of the batch even if one failed, so no
            // child is left behind; then report the first failure.
            let mut first_failure = None;
            for (command, child) in running {
                if let Err(error) = command::finish(PROSODYCTL, &command, child) {
                    first_failure.get_or_insert(error);
                }
            }
            if let Some(error) = first_failure {
                return Err(error);
            }
        }
        Ok(())
    }

    fn register_command(&self, user: &str, password: &str) -> std::process::Command {
        PROSODYCTL.command(&[
            "--config".as_ref(),
            self.config_path().as_os_str(),
            "register".as_ref(),
            user.as_ref(),
            DOMAIN.as_ref(),
            password.as_ref(),
        ] as &[&std::ffi::OsStr])
    }
}
