//! A private ejabberd server (Debian's `ejabberd` package) for one test.
//!
//! Like [`crate::Prosody`], each [`Ejabberd`] lives in its own temporary
//! directory (configuration, spool, logs) on its own free port on
//! 127.0.0.1, and dropping it kills the server and removes the directory.
//! It runs as the `ejabberd` user the package creates (`ejabberdctl`
//! switches to it when started as root), under an Erlang node name of its
//! own, with Erlang distribution on a private port instead of the shared
//! `epmd` daemon: nothing outlives the test, and instances do not meet.
//!
//! Starting takes a second or two; registering an account about half a
//! second (an `ejabberdctl` call against the running node).

mod config;

use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::fs::chown;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::prosody::command::{self, EJABBERDCTL};
use crate::server::XmppServer;
use crate::Error;

/// How long ejabberd may take to accept connections (about 2 s here).
const STARTUP_DEADLINE: Duration = Duration::from_secs(60);

/// How long it may take to exit after SIGTERM or SIGKILL.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(30);

/// How often start-up and shutdown are checked on.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// How many `ejabberdctl register` calls run at once.
const PARALLEL_REGISTRATIONS: usize = 4;

/// Registration passes tried when `ejabberdctl` reports the node down.
const CTL_ATTEMPTS: u32 = 3;

/// Name resolution for the Erlang VM: `localhost` without DNS.
const INETRC: &str = "{lookup,[\"file\",\"native\"]}.\n{host,{127,0,0,1},[\"localhost\"]}.\n";

/// A running private ejabberd instance. See the [module docs](self).
#[derive(Debug)]
pub struct Ejabberd {
    /// Holds everything the instance writes; deleted on drop.
    dir: TempDir,
    /// The client port, kept across restarts.
    port: u16,
    /// `ejabberdctl foreground` while the server runs.
    child: Option<Child>,
    /// Every account registered, as `(user, password)`. ejabberd's database
    /// may lose what was written a moment before a SIGKILL, so after
    /// [`Ejabberd::kill`] they are registered again, as an admin restoring
    /// a server would: accounts in a real crash are long established.
    accounts: Mutex<Vec<(String, String)>>,
    /// Whether the last end was a kill.
    killed: bool,
}

impl Ejabberd {
    /// Starts an instance that speaks plain TCP on loopback, with stream
    /// management. Returns once it accepts connections.
    pub fn start() -> Result<Ejabberd, Error> {
        let (uid, gid) = ejabberd_user()?;
        let dir = tempfile::Builder::new()
            .prefix("seshat-ejabberd-")
            .tempdir()
            .map_err(|e| Error::io("create a temporary directory for ejabberd", e))?;
        let port = crate::free_port().map_err(|e| Error::io("find a free port for ejabberd", e))?;
        let dist_port =
            crate::free_port().map_err(|e| Error::io("find a free port for ejabberd", e))?;
        let node = format!("seshat{port}@localhost");
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            fs::write(&path, text).map_err(|e| Error::io(format!("write {}", path.display()), e))
        };
        write("ejabberd.yml", &config::render_yaml(port))?;
        write(
            "ejabberdctl.cfg",
            &config::render_ctl(dir.path(), &node, dist_port),
        )?;
        write("inetrc", INETRC)?;
        for sub in ["spool", "logs"] {
            let path = dir.path().join(sub);
            fs::create_dir(&path)
                .map_err(|e| Error::io(format!("create {}", path.display()), e))?;
        }
        // ejabberd writes its spool, logs and pid file as its own user.
        for path in [
            dir.path().to_owned(),
            dir.path().join("spool"),
            dir.path().join("logs"),
        ] {
            chown(&path, Some(uid), Some(gid))
                .map_err(|e| Error::io(format!("hand {} to ejabberd", path.display()), e))?;
        }
        let mut ejabberd = Ejabberd {
            dir,
            port,
            child: None,
            accounts: Mutex::new(Vec::new()),
            killed: false,
        };
        ejabberd.launch()?;
        Ok(ejabberd)
    }

    /// The port clients connect to, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// ejabberd's console output and log so far, for failure messages.
    pub fn log(&self) -> String {
        let mut text =
            fs::read_to_string(self.dir.path().join("logs/ejabberd.log")).unwrap_or_default();
        let console = fs::read_to_string(self.console_path()).unwrap_or_default();
        if !console.trim().is_empty() {
            text.push_str("--- console ---\n");
            text.push_str(&console);
        }
        text
    }

    /// Stops the server as an init system would (SIGTERM) and waits for it
    /// to exit; clients see their streams closed. Does nothing if it is
    /// not running.
    pub fn stop(&mut self) -> Result<(), Error> {
        self.end(libc::SIGTERM)
    }

    /// Kills the server outright (SIGKILL): no goodbye to anyone, sockets
    /// closed by the kernel, as in a crash.
    pub fn kill(&mut self) -> Result<(), Error> {
        self.end(libc::SIGKILL)
    }

    /// Starts the server again in the same directory on the same port
    /// (after [`Ejabberd::stop`] or [`Ejabberd::kill`], or stopping it
    /// first): accounts and rosters are kept, sessions are not.
    pub fn restart(&mut self) -> Result<(), Error> {
        self.stop()?;
        self.launch()?;
        if std::mem::take(&mut self.killed) {
            let accounts = self
                .accounts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let pairs: Vec<(&str, &str)> = accounts
                .iter()
                .map(|(user, password)| (user.as_str(), password.as_str()))
                .collect();
            self.register_with_ctl(&pairs, true)?;
        }
        Ok(())
    }

    /// Options every `ejabberdctl` call of this instance needs.
    fn ctl_command(&self, args: &[&str]) -> Command {
        let dir = self.dir.path();
        let mut all: Vec<std::ffi::OsString> = Vec::new();
        for (flag, path) in [
            ("--ctl-config", dir.join("ejabberdctl.cfg")),
            ("--config-dir", dir.to_owned()),
            ("--spool", dir.join("spool")),
            ("--logs", dir.join("logs")),
        ] {
            all.push(flag.into());
            all.push(path.into());
        }
        all.extend(args.iter().map(Into::into));
        EJABBERDCTL.command(&all)
    }

    /// Starts `ejabberdctl foreground` and waits until the server accepts
    /// connections.
    fn launch(&mut self) -> Result<(), Error> {
        let console = File::options()
            .create(true)
            .append(true)
            .open(self.console_path())
            .map_err(|e| Error::io("open ejabberd's console log", e))?;
        let console_err = console
            .try_clone()
            .map_err(|e| Error::io("open ejabberd's console log", e))?;
        let _ = fs::remove_file(self.pid_path());
        let mut command = self.ctl_command(&["foreground"]);
        command
            .stdout(Stdio::from(console))
            .stderr(Stdio::from(console_err));
        let child = EJABBERDCTL.spawn(&mut command)?;
        self.child = Some(child);
        let give_up_at = Instant::now() + STARTUP_DEADLINE;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(self.failure(format!("exited during startup ({status})")));
                }
            }
            let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
            let listening =
                TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok();
            if listening && self.pid().is_some() {
                return Ok(());
            }
            if Instant::now() >= give_up_at {
                return Err(self.failure(format!(
                    "did not accept connections on 127.0.0.1:{} within {STARTUP_DEADLINE:?}",
                    self.port
                )));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Sends `signal` to the Erlang VM (not to `ejabberdctl`, whose `su`
    /// would not pass it on) and waits for the whole chain to exit.
    fn end(&mut self, signal: libc::c_int) -> Result<(), Error> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        self.killed = signal == libc::SIGKILL;
        if let Some(pid) = self.pid() {
            // SAFETY: kill(2) has no memory-safety preconditions. The pid is
            // the VM's, read from the pid file of a server still running
            // under our child, so it cannot have been recycled.
            unsafe {
                libc::kill(pid, signal);
            }
        } else {
            let _ = child.kill();
        }
        let give_up_at = Instant::now() + SHUTDOWN_DEADLINE;
        loop {
            match child.try_wait() {
                Ok(Some(_)) => return Ok(()),
                Ok(None) if Instant::now() < give_up_at => std::thread::sleep(POLL_INTERVAL),
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(self.failure(format!("did not exit within {SHUTDOWN_DEADLINE:?}")));
                }
                Err(e) => return Err(Error::io("wait for ejabberd to exit", e)),
            }
        }
    }

    /// The Erlang VM's process id, once the server has written it.
    fn pid(&self) -> Option<libc::pid_t> {
        fs::read_to_string(self.pid_path())
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    fn failure(&self, what: String) -> Error {
        Error::Ejabberd {
            what,
            log: self.log(),
        }
    }

    fn pid_path(&self) -> PathBuf {
        self.dir.path().join("ejabberd.pid")
    }

    fn console_path(&self) -> PathBuf {
        self.dir.path().join("console.log")
    }

    /// The instance's directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl XmppServer for Ejabberd {
    fn addr(&self) -> String {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)).to_string()
    }

    fn domain(&self) -> &str {
        config::DOMAIN
    }

    fn uses_tls(&self) -> bool {
        false
    }

    /// Registers through `ejabberdctl` against the running node, a few
    /// calls at a time.
    fn register_many(&self, accounts: &[(&str, &str)]) -> Result<(), Error> {
        self.register_with_ctl(accounts, false)?;
        let mut known = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        known.extend(
            accounts
                .iter()
                .map(|(user, password)| (user.to_string(), password.to_string())),
        );
        Ok(())
    }
}

impl Ejabberd {
    /// `ejabberdctl register` for each account; with `again`, an account
    /// that survived is fine.
    fn register_with_ctl(&self, accounts: &[(&str, &str)], again: bool) -> Result<(), Error> {
        let mut attempt = 1;
        loop {
            match self.register_batches(accounts, again || attempt > 1) {
                // ejabberdctl's own Erlang node could not reach the server's
                // (its connection set-up has a deadline a loaded machine can
                // miss); the server is up, since it accepts clients. A
                // bounded retry, with accounts already made accepted.
                Err(Error::CommandFailed { output, .. })
                    if output.contains("nodedown") && attempt < CTL_ATTEMPTS =>
                {
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    /// One pass of [`Ejabberd::register_with_ctl`].
    fn register_batches(&self, accounts: &[(&str, &str)], again: bool) -> Result<(), Error> {
        for batch in accounts.chunks(PARALLEL_REGISTRATIONS) {
            let mut running = Vec::with_capacity(batch.len());
            for (user, password) in batch {
                let mut command = self.ctl_command(&["register", user, config::DOMAIN, password]);
                let child = EJABBERDCTL.spawn(&mut command)?;
                running.push((command, child));
            }
            // Wait for every call of the batch, then report the first failure.
            let mut first_failure = None;
            for (command, child) in running {
                match command::finish(EJABBERDCTL, &command, child) {
                    Err(Error::CommandFailed { output, .. })
                        if again && output.contains("already registered") => {}
                    Err(error) => {
                        first_failure.get_or_insert(error);
                    }
                    Ok(()) => {}
                }
            }
            if let Some(error) = first_failure {
                return Err(error);
            }
        }
        Ok(())
    }
}

impl Drop for Ejabberd {
    /// Kills the server and waits for it, so that it is gone before its
    /// directory is.
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

/// The uid and gid of the `ejabberd` user.
fn ejabberd_user() -> Result<(u32, u32), Error> {
    // SAFETY: getpwnam gets a NUL-terminated name and returns a pointer to
    // static storage or null; we copy the two numbers out at once.
    let entry = unsafe { libc::getpwnam(c"ejabberd".as_ptr()) };
    if entry.is_null() {
        return Err(Error::NoEjabberdUser);
    }
    // SAFETY: not null, so it points at a valid passwd record.
    let entry = unsafe { &*entry };
    Ok((entry.pw_uid, entry.pw_gid))
}
