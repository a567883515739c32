//! The demo from start to stop: Prosody, accounts, the ini file, the
//! daemon and the web app (and the echo bot), a banner, then waiting for
//! Ctrl-C, SIGTERM or a part that dies; then everything is stopped in
//! order and its files deleted.
//!
//! If start-up is interrupted or fails, whatever had started is killed
//! and deleted as it is dropped (children are spawned with
//! `kill_on_drop`, Prosody and the directories clean up on drop).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use seshat_testkit::{Prosody, StaffClient};
use tempfile::TempDir;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::accounts::{Account, BOT, ECHO_BOT, ECHO_BOT_RESOURCE, STAFF};
use crate::banner::Banner;
use crate::children::{tail, Program, LOG_TAIL_LINES};
use crate::error::Error;
use crate::ini::{DemoIni, SECTION};
use crate::options::{Options, DEFAULT_LISTEN, DEFAULT_XMPP_PORT};
use crate::{echo, ports};

/// How long the daemon may take to log in, and the web app to listen.
/// Both take well under a second; the margin is for a busy machine.
const READY_DEADLINE: Duration = Duration::from_secs(30);

/// How long the daemon and the web app get to stop after SIGTERM. The web
/// app lets open long polls finish for up to 5 s.
const STOP_GRACE: Duration = Duration::from_secs(15);

/// How often Prosody, which the test kit runs, is checked on.
const PROSODY_CHECK_INTERVAL: Duration = Duration::from_millis(250);

/// The signals that stop the demo.
struct StopSignals {
    /// Ctrl-C at the terminal.
    interrupt: Signal,
    /// `kill`, service managers, the demo's test.
    terminate: Signal,
}

impl StopSignals {
    /// Starts listening; from then on a signal is remembered even if it
    /// arrives while the demo is busy.
    fn install() -> Result<StopSignals, Error> {
        let listen = |kind| signal(kind).map_err(|e| Error::io("listen for Ctrl-C and SIGTERM", e));
        Ok(StopSignals {
            interrupt: listen(SignalKind::interrupt())?,
            terminate: listen(SignalKind::terminate())?,
        })
    }

    /// Waits for either signal; returns its name.
    async fn received(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "Ctrl-C",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}

/// The programs the demo runs, found before anything starts.
struct Binaries {
    /// `seshatd`.
    daemon: PathBuf,
    /// `seshat-webapp`.
    webapp: PathBuf,
}

impl Binaries {
    /// Looks in `dir`, or else beside this program (where cargo puts the
    /// workspace's binaries).
    fn find(dir: Option<&Path>) -> Result<Binaries, Error> {
        let dir = match dir {
            Some(dir) => dir.to_path_buf(),
            None => std::env::current_exe()
                .map_err(|e| Error::io("find this program's directory", e))?
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        };
        let existing = |name: &str| {
            let path = dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(Error::ProgramMissing(path))
            }
        };
        Ok(Binaries {
            daemon: existing("seshatd")?,
            webapp: existing("seshat-webapp")?,
        })
    }
}

/// Everything that runs once start-up has succeeded.
struct Running {
    /// The private XMPP server.
    prosody: Prosody,
    /// The ini file, database and program logs; deleted on drop.
    dir: TempDir,
    /// `seshatd`.
    daemon: Program,
    /// `seshat-webapp`.
    webapp: Program,
    /// Where the web app listens.
    url: String,
    /// The echo bot, with `--staff-bot`.
    echo_bot: Option<EchoBotTask>,
}

/// The echo bot running in the background.
struct EchoBotTask {
    /// Its task; it ends with an error if the connection fails.
    task: JoinHandle<Result<(), Error>>,
    /// Tells it to log out.
    stop: oneshot::Sender<()>,
}

/// Runs the demo until it is asked to stop (success) or a part fails or
/// cannot start (failure, after saying why on stderr).
pub async fn run(options: Options) -> ExitCode {
    match run_until_stopped(options).await {
        Ok(Ending::Asked) => ExitCode::SUCCESS,
        Ok(Ending::PartFailed) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("seshat-demo: {error}");
            ExitCode::FAILURE
        }
    }
}

/// How a demo that started ended.
enum Ending {
    /// By Ctrl-C or SIGTERM.
    Asked,
    /// A part stopped by itself, which has been reported.
    PartFailed,
}

/// Starts the demo, waits, stops it.
async fn run_until_stopped(options: Options) -> Result<Ending, Error> {
    let mut signals = StopSignals::install()?;
    let binaries = Binaries::find(options.bin_dir.as_deref())?;
    let mut running = tokio::select! {
        biased;
        name = signals.received() => {
            println!("{name}: stopping before the demo was ready.");
            return Ok(Ending::Asked);
        }
        started = start(&options, &binaries) => started?,
    };
    print!(
        "{}",
        Banner {
            url: &running.url,
            domain: running.prosody.domain(),
            xmpp_port: running.prosody.port(),
            staff_bot: running.echo_bot.is_some(),
            demo_dir: running.dir.path(),
            prosody_dir: running.prosody.dir(),
        }
        .render()
    );
    flush_stdout();

    let ending = tokio::select! {
        // A Ctrl-C at the terminal reaches the children too; should one of
        // them exit first, the signal still counts as the reason.
        biased;
        name = signals.received() => {
            println!("\n{name}: stopping the web app, the daemon and Prosody.");
            Ending::Asked
        }
        failure = running.first_failure() => {
            eprintln!("\nseshat-demo: {failure}");
            println!("Stopping the rest.");
            Ending::PartFailed
        }
    };
    flush_stdout();
    running.stop().await;
    println!("Stopped; the demo's files are deleted.");
    flush_stdout();
    Ok(ending)
}

/// Starts every part in order, each ready before the next.
async fn start(options: &Options, binaries: &Binaries) -> Result<Running, Error> {
    let xmpp = ports::explicit_or_preferred(
        options
            .xmpp_port
            .map(|port| (std::net::Ipv4Addr::LOCALHOST, port).into()),
        (std::net::Ipv4Addr::LOCALHOST, DEFAULT_XMPP_PORT).into(),
    );
    if let Some(error) = &xmpp.preferred_taken {
        println!("Port {DEFAULT_XMPP_PORT} is in use ({error}); the XMPP server takes a free port instead.");
    }
    let mut accounts: Vec<Account> = STAFF.to_vec();
    if options.staff_bot {
        accounts.push(ECHO_BOT);
    }
    println!("Starting a private XMPP server (Prosody) on 127.0.0.1...");
    flush_stdout();
    let registered: Vec<Account> = std::iter::once(BOT)
        .chain(accounts.iter().copied())
        .collect();
    let prosody = tokio::task::spawn_blocking(move || -> Result<Prosody, Error> {
        let prosody = Prosody::start_on_port(xmpp.address.port())?;
        let pairs: Vec<(&str, &str)> = registered
            .iter()
            .map(|account| (account.user, account.password))
            .collect();
        prosody.register_many(&pairs)?;
        Ok(prosody)
    })
    .await
    .map_err(|e| Error::io("start Prosody", std::io::Error::other(e)))??;

    let dir = tempfile::Builder::new()
        .prefix("seshat-demo-")
        .tempdir()
        .map_err(|e| Error::io("create the demo's temporary directory", e))?;
    let config = dir.path().join("seshat.ini");
    let ini = DemoIni {
        domain: prosody.domain(),
        server: &prosody.addr(),
        bot: BOT,
        staff: &accounts,
        database: &dir.path().join("seshat.db"),
    };
    std::fs::write(&config, ini.render())
        .map_err(|e| Error::io(format!("write {}", config.display()), e))?;

    let listen = ports::explicit_or_preferred(options.listen, DEFAULT_LISTEN);
    if let Some(error) = &listen.preferred_taken {
        println!(
            "{DEFAULT_LISTEN} is in use ({error}); the web page gets a free port instead \
             (or choose one with --listen)."
        );
    }
    println!("Starting seshatd and seshat-webapp...");
    flush_stdout();
    // The database is created by whichever opens it first; both can.
    let daemon = Program::start_daemon(
        &binaries.daemon,
        &config,
        SECTION,
        &dir.path().join("seshatd.log"),
    )?;
    let webapp = Program::start_webapp(
        &binaries.webapp,
        &config,
        SECTION,
        listen.address,
        &dir.path().join("seshat-webapp.log"),
    )?;
    let (mut daemon, mut webapp) = (daemon, webapp);
    let url = webapp
        .program
        .wait_ready(webapp.url, "listening", READY_DEADLINE)
        .await?;
    daemon
        .program
        .wait_ready(daemon.online, "online", READY_DEADLINE)
        .await?;

    let echo_bot = if options.staff_bot {
        let client = StaffClient::connect(
            &prosody,
            ECHO_BOT.user,
            ECHO_BOT.password,
            ECHO_BOT_RESOURCE,
        )
        .await
        .map_err(Error::StaffBot)?;
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(echo::run(client, prosody.jid(BOT.user), stopped));
        Some(EchoBotTask { task, stop })
    } else {
        None
    };
    Ok(Running {
        prosody,
        dir,
        daemon: daemon.program,
        webapp: webapp.program,
        url,
        echo_bot,
    })
}

impl Running {
    /// Waits until a part stops by itself, and says which.
    async fn first_failure(&mut self) -> Error {
        let echo_bot = self.echo_bot.as_mut().map(|bot| &mut bot.task);
        let echo_bot_ended = async {
            match echo_bot {
                Some(task) => match task.await {
                    Ok(Ok(())) => Error::io(
                        "keep the echo bot running",
                        std::io::Error::other("it logged out"),
                    ),
                    Ok(Err(error)) => error,
                    Err(error) => Error::io("run the echo bot", std::io::Error::other(error)),
                },
                None => std::future::pending().await,
            }
        };
        let prosody = &mut self.prosody;
        let prosody_stopped = async {
            let mut checks = tokio::time::interval(PROSODY_CHECK_INTERVAL);
            loop {
                checks.tick().await;
                if !prosody.is_running() {
                    break;
                }
            }
            Error::Exited {
                program: "prosody",
                status: "exited".to_owned(),
                log_tail: tail(&prosody.log(), LOG_TAIL_LINES),
            }
        };
        let (error, echo_bot_finished) = tokio::select! {
            error = self.daemon.exited() => (error, false),
            error = self.webapp.exited() => (error, false),
            error = prosody_stopped => (error, false),
            error = echo_bot_ended => (error, true),
        };
        if echo_bot_finished {
            // Its task is over and must not be awaited again by `stop`.
            self.echo_bot = None;
        }
        error
    }

    /// Stops the echo bot, then the web app and the daemon together, then
    /// Prosody; the directories go last.
    async fn stop(mut self) {
        if let Some(EchoBotTask { task, stop }) = self.echo_bot.take() {
            let _ = stop.send(());
            if let Ok(Err(error)) = task.await {
                eprintln!("seshat-demo: {error}");
            }
        }
        let (webapp, daemon) =
            tokio::join!(self.webapp.stop(STOP_GRACE), self.daemon.stop(STOP_GRACE));
        for (name, stopped) in [("seshat-webapp", webapp), ("seshatd", daemon)] {
            if stopped.is_none() {
                eprintln!(
                    "seshat-demo: {name} did not stop within {} s of SIGTERM and was killed",
                    STOP_GRACE.as_secs()
                );
            }
        }
        let mut prosody = self.prosody;
        let stopped = tokio::task::spawn_blocking(move || {
            let result = prosody.stop();
            // Dropping removes its directory.
            drop(prosody);
            result
        })
        .await;
        match stopped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("seshat-demo: {error}"),
            Err(error) => eprintln!("seshat-demo: stopping Prosody failed: {error}"),
        }
        if let Err(error) = self.dir.close() {
            eprintln!("seshat-demo: could not delete the demo's directory: {error}");
        }
    }
}

/// Makes printed lines visible at once, also when stdout is a pipe (as in
/// the test, or `| tee`).
fn flush_stdout() {
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
}
