//! SIGHUP: re-read the configuration file and apply what can change
//! without a restart, the staff list (see [`crate::broker::Reload`]) and
//! the log level. Anything else needs a restart, and the log says which
//! changed keys were left as they were. A file that no longer parses is
//! refused with its one-line error, and the running settings stay.

use std::path::PathBuf;

use tokio::sync::watch;

use crate::broker::Reload;
use crate::config::Config;

/// Applies a new log level; `Err` names what is wrong with it.
pub type LogLevelSetter = Box<dyn Fn(&str) -> Result<(), String> + Send>;

/// Listens for SIGHUP and, at each, reads `section` of `file` again and
/// publishes the broker's part (the receiver starts with `running`'s);
/// `log_level` (when given) gets the new level. Only the latest reload
/// matters, so a broker that starts later (a standby taking over) begins
/// with it.
/// The handler is installed before this returns, so a SIGHUP sent right
/// after start-up is not lost (nor does it kill the process, as SIGHUP's
/// default action would).
pub fn on_sighup(
    file: PathBuf,
    section: String,
    running: Config,
    log_level: Option<LogLevelSetter>,
) -> std::io::Result<watch::Receiver<Reload>> {
    let (sender, receiver) = watch::channel(Reload {
        staff: running.staff.clone(),
    });
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut hangup = signal(SignalKind::hangup())?;
        tokio::spawn(async move {
            let mut running = running;
            while hangup.recv().await.is_some() {
                tracing::info!("SIGHUP received; reading the configuration again");
                let config = match Config::load(&file, &section) {
                    Ok(config) => config,
                    Err(error) => {
                        tracing::error!("the configuration was not reloaded: {error}");
                        continue;
                    }
                };
                if let Some(set_level) = &log_level {
                    if config.log_level != running.log_level {
                        match set_level(&config.log_level) {
                            Ok(()) => {
                                tracing::info!(log_level = %config.log_level, "log level changed")
                            }
                            Err(error) => tracing::error!(%error, "the log level was not changed"),
                        }
                    }
                }
                let needs_restart = config.changes_needing_restart(&running);
                if !needs_restart.is_empty() {
                    tracing::warn!(
                        keys = %needs_restart.join(", "),
                        "these settings changed but take effect only after a restart"
                    );
                }
                let reload = Reload {
                    staff: config.staff.clone(),
                };
                running = config;
                if sender.send(reload).is_err() {
                    break;
                }
            }
        });
    }
    #[cfg(not(unix))]
    {
        let _ = (file, section, running, log_level, sender);
    }
    Ok(receiver)
}
