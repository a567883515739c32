//! A private Prosody server for one test, benchmark or demo run.
//!
//! Each [`Prosody`] lives in its own temporary directory (configuration,
//! data, log, certificate), listens on its own free port on 127.0.0.1 and
//! runs as a child process in the foreground. Dropping it kills the server
//! and removes the directory.
//!
//! The methods that start and stop the server block the calling thread for
//! a fraction of a second. That is fine in `#[tokio::test]`s; elsewhere in
//! async code, wrap them in `tokio::task::spawn_blocking`.

mod accounts;
mod cert;
pub(crate) mod command;
mod config;

use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;
use xmpp_parsers::jid::BareJid;

use self::cert::TlsFiles;

/// Which certificate an instance that requires STARTTLS presents.
#[derive(Debug, Clone, Copy)]
enum Certificate {
    /// One that signs itself.
    SelfSigned,
    /// One issued by a private CA made for the instance.
    FromPrivateCa,
}
use self::command::PROSODY;
use crate::Error;

/// How long Prosody may take to accept connections. It usually takes about
/// 0.2 s; the margin is for a loaded CI machine.
const STARTUP_DEADLINE: Duration = Duration::from_secs(20);

/// How long Prosody may take to exit after SIGTERM.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(10);

/// How often start-up and shutdown are checked on.
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// A running private Prosody instance. See the [module docs](self).
#[derive(Debug)]
pub struct Prosody {
    /// Holds everything the instance writes; deleted on drop.
    dir: TempDir,
    /// The Lua configuration inside `dir`; `prosodyctl` needs it too.
    config_path: PathBuf,
    /// The client port, kept across restarts so clients can reconnect to
    /// the same address.
    port: u16,
    /// Present for a TLS instance: what clients must trust.
    tls: Option<TlsFiles>,
    /// The server process while it runs; `None` after [`Prosody::stop`].
    child: Option<Child>,
}

impl Prosody {
    /// Starts an instance that speaks plain TCP (no TLS) on loopback.
    ///
    /// Returns once the server accepts connections.
    pub fn start() -> Result<Prosody, Error> {
        Prosody::create(None, None, false)
    }

    /// Starts a plain-TCP instance that offers PLAIN as its only SASL
    /// mechanism, so that a client's `<auth>` carries the password (in
    /// base64) instead of a SCRAM proof: for tests that check where the
    /// password may end up.
    pub fn start_with_only_plain_sasl() -> Result<Prosody, Error> {
        Prosody::create(None, None, true)
    }

    /// Starts an instance that speaks plain TCP on 127.0.0.1:`port`, a port
    /// chosen by the caller rather than a free one picked by the kit: for
    /// the demo, whose users type the port into a Jabber client once and
    /// keep it. Port 0 picks a free one, as [`Prosody::start`] does.
    ///
    /// Fails with an [`Error::Io`] of kind `AddrInUse` when something
    /// already listens there: Prosody itself would only log the clash and
    /// keep running without a client port.
    pub fn start_on_port(port: u16) -> Result<Prosody, Error> {
        if port != 0 {
            // Closed again at once, so that Prosody can bind it.
            TcpListener::bind((Ipv4Addr::LOCALHOST, port))
                .map_err(|e| Error::io(format!("listen on 127.0.0.1:{port}"), e))?;
        }
        Prosody::create(None, Some(port).filter(|&port| port != 0), false)
    }

    /// Starts an instance that requires STARTTLS, with a freshly generated
    /// self-signed certificate for `localhost`.
    ///
    /// Clients must trust [`Prosody::certificate_path`]. For tokio-xmpp
    /// (through rustls-native-certs) that means setting the environment
    /// variable `SSL_CERT_FILE` to it before connecting. The environment is
    /// shared by the whole process, so do that in a test binary of its own.
    pub fn start_with_tls() -> Result<Prosody, Error> {
        Prosody::create(Some(Certificate::SelfSigned), None, false)
    }

    /// Starts an instance that requires STARTTLS, with a certificate for
    /// `localhost` issued by a private CA made for it, as a site's
    /// internal CA would issue one. Clients must trust [`Prosody::trust_path`],
    /// the CA.
    pub fn start_with_private_ca() -> Result<Prosody, Error> {
        Prosody::create(Some(Certificate::FromPrivateCa), None, false)
    }

    /// Creates the directory and configuration, then starts the server on
    /// `port`, or on a free port when it is `None`.
    fn create(
        certificate: Option<Certificate>,
        port: Option<u16>,
        only_plain_sasl: bool,
    ) -> Result<Prosody, Error> {
        let dir = tempfile::Builder::new()
            .prefix("seshat-prosody-")
            .tempdir()
            .map_err(|e| Error::io("create a temporary directory for prosody", e))?;
        let data_dir = dir.path().join("data");
        fs::create_dir(&data_dir)
            .map_err(|e| Error::io(format!("create {}", data_dir.display()), e))?;
        let tls = match certificate {
            Some(Certificate::SelfSigned) => {
                Some(cert::generate_self_signed(dir.path(), config::DOMAIN)?)
            }
            Some(Certificate::FromPrivateCa) => {
                Some(cert::generate_from_private_ca(dir.path(), config::DOMAIN)?)
            }
            None => None,
        };
        let port = match port {
            Some(port) => port,
            None => crate::free_port().map_err(|e| Error::io("find a free port for prosody", e))?,
        };
        let config_path = dir.path().join("prosody.cfg.lua");
        fs::write(
            &config_path,
            config::render(dir.path(), port, tls.as_ref(), only_plain_sasl),
        )
        .map_err(|e| Error::io(format!("write {}", config_path.display()), e))?;

        let mut prosody = Prosody {
            dir,
            config_path,
            port,
            tls,
            child: None,
        };
        prosody.launch()?;
        Ok(prosody)
    }

    /// The port clients connect to, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The XMPP domain of every account: `localhost`.
    pub fn domain(&self) -> &'static str {
        config::DOMAIN
    }

    /// The address clients connect to: `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        self.socket_addr().to_string()
    }

    /// The bare JID `user@localhost`.
    ///
    /// # Panics
    ///
    /// Panics if `user` is not a valid JID local part (a bug in the test).
    pub fn jid(&self, user: &str) -> BareJid {
        let text = format!("{user}@{}", config::DOMAIN);
        BareJid::new(&text).unwrap_or_else(|e| panic!("{text:?} is not a valid JID: {e}"))
    }

    /// Whether this instance requires STARTTLS.
    pub fn uses_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// The PEM file a client must trust: the certificate itself when
    /// self-signed, the CA that issued it otherwise; `None` for a plain
    /// instance.
    pub fn trust_path(&self) -> Option<&Path> {
        self.tls.as_ref().map(|files| files.trust.as_path())
    }

    /// The PEM certificate the server presents; `None` for a plain instance.
    pub fn certificate_path(&self) -> Option<&Path> {
        self.tls.as_ref().map(|files| files.certificate.as_path())
    }

    /// The instance's directory (configuration, data, log).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The instance's Lua configuration file.
    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    /// Prosody's log and console output so far, for diagnosing a failing
    /// test.
    pub fn log(&self) -> String {
        let mut text = fs::read_to_string(self.log_path()).unwrap_or_default();
        let console = fs::read_to_string(self.console_path()).unwrap_or_default();
        if !console.trim().is_empty() {
            text.push_str("--- console ---\n");
            text.push_str(&console);
        }
        text
    }

    /// Whether the server process is running.
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Stops the server with SIGTERM and waits for it to exit. Connected
    /// clients see their streams closed. Does nothing if it is not running.
    ///
    /// If it does not exit within a few seconds it is killed and
    /// [`Error::ProsodyWouldNotStop`] is returned.
    pub fn stop(&mut self) -> Result<(), Error> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        send_sigterm(&child);
        let give_up_at = Instant::now() + SHUTDOWN_DEADLINE;
        loop {
            match child.try_wait() {
                Ok(Some(_status)) => return Ok(()),
                Ok(None) if Instant::now() < give_up_at => std::thread::sleep(POLL_INTERVAL),
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(Error::ProsodyWouldNotStop {
                        pid: child.id(),
                        waited: SHUTDOWN_DEADLINE,
                    });
                }
                Err(e) => return Err(Error::io("wait for prosody to exit", e)),
            }
        }
    }

    /// Stops the server (if running) and starts it again in the same
    /// directory on the same port: accounts and rosters are kept, sessions
    /// are not. Returns once it accepts connections again.
    ///
    /// This is how a test proves that a client reconnects.
    pub fn restart(&mut self) -> Result<(), Error> {
        self.stop()?;
        self.launch()
    }

    /// Starts the server process and waits until it accepts connections.
    fn launch(&mut self) -> Result<(), Error> {
        // Console output is appended, so a restart keeps the earlier lines.
        let console = File::options()
            .create(true)
            .append(true)
            .open(self.console_path())
            .map_err(|e| Error::io("open prosody's console log", e))?;
        let console_err = console
            .try_clone()
            .map_err(|e| Error::io("open prosody's console log", e))?;
        let mut command = PROSODY.command(&[
            "--config".as_ref(),
            self.config_path.as_os_str(),
            // Foreground: it stays our child, so we can signal and reap it.
            "-F".as_ref(),
        ] as &[&std::ffi::OsStr]);
        command
            .stdout(Stdio::from(console))
            .stderr(Stdio::from(console_err));
        let child = PROSODY.spawn(&mut command)?;
        tracing::debug!(port = self.port, pid = child.id(), "prosody started");
        self.child = Some(child);
        self.wait_until_listening()
    }

    /// Polls a TCP connect until the server accepts, failing early if the
    /// process exits and late if the deadline passes.
    fn wait_until_listening(&mut self) -> Result<(), Error> {
        let give_up_at = Instant::now() + STARTUP_DEADLINE;
        loop {
            if let Some(child) = self.child.as_mut() {
                match child.try_wait() {
                    Ok(None) => {}
                    Ok(Some(status)) => {
                        self.child = None;
                        return Err(Error::ProsodyExited {
                            status,
                            log_path: self.log_path(),
                            log: self.log(),
                        });
                    }
                    Err(e) => return Err(Error::io("check on prosody", e)),
                }
            }
            if TcpStream::connect_timeout(&self.socket_addr(), Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if Instant::now() >= give_up_at {
                return Err(Error::ProsodyNotListening {
                    port: self.port,
                    waited: STARTUP_DEADLINE,
                    log: self.log(),
                });
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    fn socket_addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("prosody.log")
    }

    fn console_path(&self) -> PathBuf {
        self.dir.path().join("console.log")
    }
}

impl crate::XmppServer for Prosody {
    fn addr(&self) -> String {
        Prosody::addr(self)
    }

    fn domain(&self) -> &str {
        Prosody::domain(self)
    }

    fn uses_tls(&self) -> bool {
        Prosody::uses_tls(self)
    }

    fn register_many(&self, accounts: &[(&str, &str)]) -> Result<(), Error> {
        Prosody::register_many(self, accounts)
    }
}

impl Drop for Prosody {
    /// Kills the server outright (no need to be gentle with a server that
    /// is about to lose its directory) and reaps it; the directory is then
    /// removed.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Asks `child` to shut down cleanly, as an init system would.
fn send_sigterm(child: &Child) {
    let Ok(pid) = libc::pid_t::try_from(child.id()) else {
        return;
    };
    // SAFETY: kill(2) has no memory-safety preconditions. The pid is that
    // of our own child which we have not reaped yet, so it cannot have been
    // recycled for another process.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
}
