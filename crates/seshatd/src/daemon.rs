//! The whole daemon: open the store, connect, run the broker until asked to
//! stop, say goodbye.
//!
//! [`Daemon`] is also how a program of your own runs Seshat with extra
//! commands, without copying any of this crate's code:
//!
//! ```no_run
//! use seshatd::config::Config;
//! use seshatd::daemon::Daemon;
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::load("seshat.ini".as_ref(), "Seshat")?;
//! Daemon::new(config)
//!     .with_command("PING", "!PING - Check that Seshat is listening", |_, _| {
//!         Ok("Pong.".to_owned())
//!     })
//!     .run()
//!     .await?;
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use seshat_client::{Client, Database, Store};
use tokio_xmpp::xmlstream::Timeouts;

use crate::broker::{Broker, BrokerError, BrokerSettings, Reload};
use crate::commands::{Commands, Context, InvalidCommandName};
use crate::config::Config;
use crate::duty::Duty;
use crate::metrics::DaemonMetrics;
use crate::reload::LogLevelSetter;
use crate::service::ServiceManager;
use crate::xmpp::{XmppConnection, XmppSettings};

/// Why the daemon could not run, or stopped on its own.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The database could not be opened (or created, or migrated).
    #[error("{database}: {source}")]
    OpenStore {
        /// The configured store, shown without its password.
        database: Database,
        /// What went wrong.
        #[source]
        source: seshat_client::Error,
    },
    /// A command given to [`Daemon::with_command`] has a name nobody could type.
    #[error(transparent)]
    InvalidCommand(#[from] InvalidCommandName),
    /// The broker stopped.
    #[error(transparent)]
    Broker(#[from] BrokerError),
    /// The metrics endpoint could not listen on `metrics_listen`.
    #[error("cannot serve metrics on {address}: {source}")]
    Metrics {
        /// The configured address.
        address: std::net::SocketAddr,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// The signal handlers could not be installed.
    #[error("cannot listen for shutdown signals: {0}")]
    Signals(#[source] std::io::Error),
}

/// A Seshat daemon, configured and ready to run. See the [module docs](self).
pub struct Daemon {
    config: Config,
    commands: Commands,
    /// A store chosen by the caller; by default the configured one.
    store: Option<Arc<dyn Store>>,
    /// The first invalid command name given, reported by `run`.
    invalid_command: Option<InvalidCommandName>,
    /// Keepalive timing, when not the standard one.
    keepalive: Option<Timeouts>,
    /// Reloaded settings (SIGHUP), when [`Daemon::run`] listens for them.
    reloads: Option<tokio::sync::watch::Receiver<Reload>>,
    /// How a reload changes the log level, when the caller can.
    log_level_setter: Option<LogLevelSetter>,
}

impl Daemon {
    /// A daemon with the six standard commands.
    pub fn new(config: Config) -> Self {
        Daemon {
            config,
            commands: Commands::standard(),
            store: None,
            invalid_command: None,
            keepalive: None,
            reloads: None,
            log_level_setter: None,
        }
    }

    /// Lets a reload (SIGHUP) change the log level through `setter`, such
    /// as the one [`crate::logging::init`] returns.
    pub fn with_log_level_setter(mut self, setter: LogLevelSetter) -> Self {
        self.log_level_setter = Some(setter);
        self
    }

    /// Adds a staff command (or replaces the one with the same name), as
    /// [`Commands::register`] does; `!HELP` lists it. An invalid name makes
    /// [`Daemon::run`] fail.
    pub fn with_command(
        mut self,
        name: &str,
        help: &str,
        handler: impl Fn(&Context<'_>, &str) -> seshat_client::Result<String> + Send + Sync + 'static,
    ) -> Self {
        if let Err(invalid) = self.commands.register(name, help, handler) {
            self.invalid_command.get_or_insert(invalid);
        }
        self
    }

    /// Replaces the whole set of commands.
    pub fn with_commands(mut self, commands: Commands) -> Self {
        self.commands = commands;
        self
    }

    /// Uses `store` instead of opening the configured one.
    pub fn with_store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// Changes the keepalive: after `idle` without a word from the server it
    /// is prompted, and a server silent for `answer` more counts as gone.
    /// The defaults ([`crate::xmpp::KEEPALIVE_IDLE`],
    /// [`crate::xmpp::KEEPALIVE_ANSWER`]) notice a dead link within a
    /// minute; tests use seconds.
    pub fn with_keepalive(mut self, idle: Duration, answer: Duration) -> Self {
        self.keepalive = Some(Timeouts {
            read_timeout: idle,
            response_timeout: answer,
        });
        self
    }

    /// Runs until SIGTERM or Ctrl-C, then sends unavailable presence,
    /// closes the stream and returns `Ok`.
    pub async fn run(mut self) -> Result<(), DaemonError> {
        let stop = seshat_client::signals::stop_requested().map_err(DaemonError::Signals)?;
        let reloads = crate::reload::on_sighup(
            self.config.file.clone(),
            self.config.section.clone(),
            self.config.clone(),
            self.log_level_setter.take(),
        )
        .map_err(DaemonError::Signals)?;
        self.reloads = Some(reloads);
        self.run_until(stop).await
    }

    /// Runs until `shutdown` completes (for embedding and tests).
    ///
    /// On a store that several daemons can share (PostgreSQL), the daemon
    /// logs in to XMPP only while it holds the store's duty lease, and
    /// stands by otherwise: see [`crate::duty`].
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> Result<(), DaemonError> {
        if let Some(invalid) = self.invalid_command {
            return Err(invalid.into());
        }
        let store = match self.store {
            Some(store) => store,
            None => open_store(&self.config)?,
        };
        let standby_possible = store.has_standby();
        tracing::info!(
            account = %self.config.account,
            server = %self.config.server,
            tls = %self.config.tls,
            staff = self.config.staff.len(),
            database = %self.config.database,
            role = role_description(standby_possible),
            "starting"
        );
        if let Some(warning) = self.config.insecure_transport_warning() {
            tracing::warn!("{warning}");
        }
        let mut commands = self.commands;
        commands.set_staff_names(self.config.names());
        let commands = Arc::new(commands);
        let client = Client::from_store(store);
        let metrics = DaemonMetrics::new();
        let metrics_endpoint = match self.config.metrics_listen {
            Some(address) => Some(
                seshat_client::metrics::serve(address, metrics.render(client.clone()))
                    .await
                    .map_err(|source| DaemonError::Metrics { address, source })?,
            ),
            None => None,
        };
        let mut xmpp = XmppSettings::from_config(&self.config);
        if let Some(keepalive) = self.keepalive {
            xmpp.timeouts = keepalive;
        }
        let term = Term {
            client: client.clone(),
            commands,
            settings: BrokerSettings::from_config(&self.config),
            xmpp,
            metrics,
            service: ServiceManager::from_environment(),
            reloads: self.reloads,
        };
        let ran = if standby_possible {
            let duty = Duty::new(client, term.service.clone());
            term.run_on_duty_only(duty, shutdown).await
        } else {
            term.run(shutdown).await
        };
        if let Some(endpoint) = metrics_endpoint {
            endpoint.abort();
        }
        ran?;
        Ok(())
    }
}

/// What `--check-config` and the start-up log say of the daemon's role.
pub fn role_description(standby_possible: bool) -> &'static str {
    if standby_possible {
        "on duty while it holds the store's duty lease, standing by (not logged in to XMPP) \
         while another seshatd holds it"
    } else {
        "always on duty (an SQLite store has no standby)"
    }
}

/// Everything a broker needs, kept so that each spell on duty starts a
/// fresh broker and a fresh XMPP connection.
struct Term {
    client: Client,
    commands: Arc<Commands>,
    settings: BrokerSettings,
    xmpp: XmppSettings,
    metrics: DaemonMetrics,
    service: ServiceManager,
    reloads: Option<tokio::sync::watch::Receiver<Reload>>,
}

impl Term {
    /// Logs in and relays until `shutdown` completes.
    async fn run(&self, shutdown: impl Future<Output = ()>) -> Result<(), BrokerError> {
        let mut settings = self.settings.clone();
        if let Some(reloads) = &self.reloads {
            // A reload received before this spell on duty applies from
            // its start.
            settings.staff = reloads.borrow().staff.clone();
        }
        let mut broker = Broker::new(self.client.clone(), Arc::clone(&self.commands), settings)
            .with_service(self.service.clone())
            .with_metrics(self.metrics.clone());
        if let Some(reloads) = &self.reloads {
            broker = broker.with_reloads(reloads.clone());
        }
        broker
            .run(XmppConnection::start(&self.xmpp), shutdown)
            .await
    }

    /// Stands by until this daemon holds the duty lease, relays while it
    /// does, and stands by again when it loses it, until `shutdown`.
    async fn run_on_duty_only(
        &self,
        duty: Duty,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), BrokerError> {
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => return Ok(()),
                () = duty.claim() => {}
            }
            tracing::info!(holder = %duty.holder(), "on duty: took the duty lease; logging in to XMPP");
            let mut stepped_down = None;
            let on_duty = async {
                tokio::select! {
                    () = &mut shutdown => {}
                    why = duty.keep() => stepped_down = Some(why),
                }
            };
            let ran = self.run(on_duty).await;
            match stepped_down {
                Some(why) => {
                    tracing::warn!(reason = %why, "stepped down: logged out of XMPP; standing by");
                    if let Err(error) = ran {
                        tracing::warn!(%error, "the broker had stopped");
                    }
                }
                None => {
                    duty.release().await;
                    return ran;
                }
            }
        }
    }
}

/// Opens (creating or migrating) the configured store, with the
/// configured message size limit.
fn open_store(config: &Config) -> Result<Arc<dyn Store>, DaemonError> {
    config
        .database
        .open(config.limits())
        .map_err(|source| DaemonError::OpenStore {
            database: config.database.clone(),
            source,
        })
}
