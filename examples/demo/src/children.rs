//! `seshatd` and `seshat-webapp` as child processes: started with their
//! output going to log files, watched for the moment they are ready, and
//! stopped with SIGTERM (SIGKILL only if they do not listen).
//!
//! Readiness comes from the programs' own output, not from waiting "long
//! enough": the web app prints `seshat-webapp listening on URL` once its
//! socket is bound, and the daemon logs `online` once its XMPP session is
//! up.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

use crate::error::{describe_exit, Error};

/// How the web app announces its address on stdout, followed by the URL.
const WEBAPP_LISTENING: &str = "seshat-webapp listening on ";

/// The daemon's log event once its XMPP session is bound (the `online`
/// event of its broker, as tracing's plain format writes it).
const DAEMON_ONLINE: &str = "seshatd::broker: online";

/// How many lines of a log an error message quotes.
pub const LOG_TAIL_LINES: usize = 15;

/// A running child, killed with SIGKILL if dropped without
/// [`Program::stop`] (when start-up is abandoned).
#[derive(Debug)]
pub struct Program {
    /// `seshatd` or `seshat-webapp`, for messages.
    pub name: &'static str,
    /// The process.
    child: Child,
    /// Where its output goes.
    log: PathBuf,
}

/// The daemon, once it is running: `online` fires when its XMPP session
/// is up.
pub struct StartedDaemon {
    /// The process.
    pub program: Program,
    /// Fires once, at the first `online` line.
    pub online: oneshot::Receiver<()>,
}

/// The web app, once it is running: `url` fires when it listens.
pub struct StartedWebapp {
    /// The process.
    pub program: Program,
    /// Its address, such as `http://127.0.0.1:8080/`.
    pub url: oneshot::Receiver<String>,
}

impl Program {
    /// Starts `seshatd CONFIG SECTION`, its log (stderr) going to `log`.
    pub fn start_daemon(
        binary: &Path,
        config: &Path,
        section: &str,
        log: &Path,
    ) -> Result<StartedDaemon, Error> {
        let mut command = Command::new(binary);
        command
            .arg(config)
            .arg(section)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let (mut program, file) = Program::spawn("seshatd", command, log, false)?;
        let stderr = program.child.stderr.take().expect("stderr is piped");
        let (online_tx, online) = oneshot::channel();
        let mut online_tx = Some(online_tx);
        tokio::spawn(copy_lines(stderr, file, move |line| {
            if line.contains(DAEMON_ONLINE) {
                if let Some(tx) = online_tx.take() {
                    let _ = tx.send(());
                }
            }
        }));
        Ok(StartedDaemon { program, online })
    }

    /// Starts `seshat-webapp CONFIG SECTION --listen ADDRESS`, its stdout
    /// and stderr going to `log`.
    pub fn start_webapp(
        binary: &Path,
        config: &Path,
        section: &str,
        listen: std::net::SocketAddr,
        log: &Path,
    ) -> Result<StartedWebapp, Error> {
        let mut command = Command::new(binary);
        command
            .arg(config)
            .arg(section)
            .arg("--listen")
            .arg(listen.to_string())
            .stdout(Stdio::piped());
        let (mut program, file) = Program::spawn("seshat-webapp", command, log, true)?;
        // stderr straight into the file (see spawn); stdout through us,
        // for the URL.
        let stdout = program.child.stdout.take().expect("stdout is piped");
        let (url_tx, url) = oneshot::channel();
        let mut url_tx = Some(url_tx);
        tokio::spawn(copy_lines(stdout, file, move |line| {
            if let Some(address) = line.trim().strip_prefix(WEBAPP_LISTENING) {
                if let Some(tx) = url_tx.take() {
                    let _ = tx.send(address.to_owned());
                }
            }
        }));
        Ok(StartedWebapp { program, url })
    }

    /// Spawns `command` with stdin closed, and stderr into `log` when
    /// `stderr_to_log`; returns the log file for what the caller copies
    /// into it from the pipes it set up.
    fn spawn(
        name: &'static str,
        mut command: Command,
        log: &Path,
        stderr_to_log: bool,
    ) -> Result<(Program, File), Error> {
        let file =
            File::create(log).map_err(|e| Error::io(format!("create {}", log.display()), e))?;
        let stderr = file
            .try_clone()
            .map_err(|e| Error::io(format!("open {}", log.display()), e))?;
        command.stdin(Stdio::null()).kill_on_drop(true);
        if stderr_to_log {
            command.stderr(Stdio::from(stderr));
        }
        let child = command
            .spawn()
            .map_err(|e| Error::io(format!("start {name}"), e))?;
        Ok((
            Program {
                name,
                child,
                log: log.to_path_buf(),
            },
            file,
        ))
    }

    /// Waits until the process exits by itself.
    pub async fn exited(&mut self) -> Error {
        let status = match self.child.wait().await {
            Ok(status) => describe_exit(status),
            Err(error) => format!("cannot be watched: {error}"),
        };
        self.exited_error(status)
    }

    /// The error saying that this program stopped, quoting its log.
    fn exited_error(&self, status: String) -> Error {
        Error::Exited {
            program: self.name,
            status,
            log_tail: self.log_tail(),
        }
    }

    /// The error saying that this program was not `ready` in time.
    pub fn not_ready(&self, ready: &'static str, waited: Duration) -> Error {
        Error::NotReady {
            program: self.name,
            ready,
            waited,
            log_tail: self.log_tail(),
        }
    }

    /// Waits for `signal` (a readiness channel) unless the process exits
    /// first or `deadline` passes.
    pub async fn wait_ready<T>(
        &mut self,
        signal: oneshot::Receiver<T>,
        ready: &'static str,
        deadline: Duration,
    ) -> Result<T, Error> {
        tokio::select! {
            biased;
            received = signal => match received {
                Ok(value) => Ok(value),
                // The copying task ended: the output closed, so the
                // process is on its way out; report how it ended.
                Err(_) => Err(self.exited().await),
            },
            error = self.exited() => Err(error),
            () = tokio::time::sleep(deadline) => Err(self.not_ready(ready, deadline)),
        }
    }

    /// Asks the process to stop with SIGTERM and waits up to `grace` for
    /// it, then kills it. Returns how it ended, or `None` if it had to be
    /// killed.
    pub async fn stop(&mut self, grace: Duration) -> Option<ExitStatus> {
        if let Some(pid) = self
            .child
            .id()
            .and_then(|pid| libc::pid_t::try_from(pid).ok())
        {
            // SAFETY: kill(2) has no memory-safety preconditions. The pid
            // is that of our own child, which has not been reaped (`id`
            // returns None once it has), so it cannot belong to another
            // process.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        match tokio::time::timeout(grace, self.child.wait()).await {
            Ok(Ok(status)) => Some(status),
            Ok(Err(_)) | Err(_) => {
                let _ = self.child.kill().await;
                None
            }
        }
    }

    /// The last lines of the log.
    pub fn log_tail(&self) -> String {
        tail(
            &std::fs::read_to_string(&self.log).unwrap_or_default(),
            LOG_TAIL_LINES,
        )
    }
}

/// Copies `output` line by line into `file`, showing each line to
/// `watch` first, until the process closes it.
async fn copy_lines(output: impl AsyncRead + Unpin, mut file: File, mut watch: impl FnMut(&str)) {
    let mut lines = BufReader::new(output).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        watch(&line);
        // A full disk must not stop the program: its log is for people.
        let _ = writeln!(file, "{line}");
    }
}

/// The last `count` lines of `text`.
pub fn tail(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(count)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_is_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a\n", 5), "a");
        assert_eq!(tail("", 5), "");
    }

    #[tokio::test]
    async fn readiness_comes_from_the_output_and_an_early_exit_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("fake.log");
        // A stand-in for the web app that announces itself, then one that
        // fails before it does.
        let script = format!("echo '{WEBAPP_LISTENING}http://127.0.0.1:1/'; exec sleep 60");
        let mut command = Command::new("sh");
        command.args(["-c", &script]).stdout(Stdio::piped());
        let (mut program, file) = Program::spawn("fake", command, &log, true).unwrap();
        let stdout = program.child.stdout.take().unwrap();
        let (url_tx, url) = oneshot::channel();
        let mut url_tx = Some(url_tx);
        tokio::spawn(copy_lines(stdout, file, move |line| {
            if let Some(address) = line.strip_prefix(WEBAPP_LISTENING) {
                let _ = url_tx.take().unwrap().send(address.to_owned());
            }
        }));
        let address = program
            .wait_ready(url, "listening", Duration::from_secs(30))
            .await
            .unwrap();
        assert_eq!(address, "http://127.0.0.1:1/");
        let status = program.stop(Duration::from_secs(30)).await.unwrap();
        assert!(!status.success(), "sleep dies of SIGTERM: {status}");

        let mut command = Command::new("sh");
        command.args(["-c", "echo 'cannot listen' >&2; exit 3"]);
        let (mut failing, _file) = Program::spawn("failing", command, &log, true).unwrap();
        let (_never_tx, never) = oneshot::channel::<()>();
        let error = failing
            .wait_ready(never, "listening", Duration::from_secs(30))
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("failing stopped unexpectedly (exit status 3)"),
            "{message}"
        );
        assert!(message.contains("cannot listen"), "{message}");
    }
}
