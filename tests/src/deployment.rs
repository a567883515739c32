//! The real parts of a deployment, each in its own process: Prosody (from
//! seshat-testkit), `seshatd`, `seshat-webapp` and chromedriver. Every
//! child is killed when its guard is dropped, also when the test fails.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use seshat_client::{Client as SeshatClient, Database};
use seshat_testkit::{free_port, wait_until, Prosody, StaffClient};

use crate::binaries;

/// Longest wait for any one thing to happen: generous, because two cores
/// are shared with other builds; reached only when something is broken.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// The password of every account in the test.
pub const PASSWORD: &str = "browser-test-password";

/// The section of the shared ini file.
pub const SECTION: &str = "Seshat";

/// A child process, killed and reaped on drop.
pub struct Running {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Running {
    /// Its stderr so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn stop(mut self) {
        self.terminate();
    }

    /// Sends SIGTERM and waits for a clean exit, keeping the guard.
    pub fn terminate(&mut self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {} failed", self.name);
        let mut status = None;
        wait_until(
            DEADLINE,
            &format!("{} exits after SIGTERM", self.name),
            || {
                status = self.child.try_wait().expect("check on the child");
                status.is_some()
            },
        );
        let status = status.expect("exit status");
        assert!(
            status.success(),
            "{} exited with {status}:\n{}",
            self.name,
            self.log()
        );
    }
}

impl Running {
    /// Kills the process with SIGKILL and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Everything but the browser session: the server, the daemon, the app.
pub struct Deployment {
    /// The XMPP server.
    pub prosody: Prosody,
    /// The ini file both programs read.
    config: PathBuf,
    /// The shared SQLite file (unused when the deployment runs on
    /// PostgreSQL: see [`Deployment::store`]).
    pub database: PathBuf,
    /// The shared store, as both programs' `sqlitedb` or `database` names it.
    pub store: Database,
    /// The broker daemon.
    pub daemon: Running,
    /// The example web application.
    pub webapp: Running,
    /// Where the web application listens, such as `http://127.0.0.1:PORT/`.
    pub url: String,
    /// Holds the configuration, database and logs.
    pub dir: tempfile::TempDir,
}

impl Deployment {
    /// Starts Prosody with accounts `bot` and each of `staff`, then
    /// `seshatd` and `seshat-webapp` on one ini file.
    pub fn start(staff: &[&str]) -> Deployment {
        Deployment::start_with_settings(staff, "")
    }

    /// Like [`Deployment::start`], with `extra` lines (`key = value\n`)
    /// added to the ini section both programs read.
    pub fn start_with_settings(staff: &[&str], extra: &str) -> Deployment {
        Deployment::start_on(staff, extra, None)
    }

    /// Like [`Deployment::start_with_settings`], with both programs on
    /// the PostgreSQL database at `url` (`database = url`) instead of an
    /// SQLite file.
    pub fn start_on_postgres(staff: &[&str], url: &str, extra: &str) -> Deployment {
        Deployment::start_on(staff, extra, Some(url))
    }

    fn start_on(staff: &[&str], extra: &str, postgres: Option<&str>) -> Deployment {
        let prosody = Prosody::start().expect("start prosody");
        let mut accounts = vec![("bot", PASSWORD)];
        accounts.extend(staff.iter().map(|name| (*name, PASSWORD)));
        prosody.register_many(&accounts).expect("register accounts");

        let dir = tempfile::Builder::new()
            .prefix("seshat-browser-")
            .tempdir()
            .expect("temporary directory");
        let database = dir.path().join("seshat.db");
        let localusers: Vec<String> = staff
            .iter()
            .map(|name| prosody.jid(name).to_string())
            .collect();
        let store = match postgres {
            Some(url) => Database::Postgres(url.parse().expect("a PostgreSQL URL")),
            None => Database::Sqlite(database.clone()),
        };
        let store_line = match postgres {
            Some(url) => format!("database = {url}"),
            None => format!("sqlitedb = {}", database.display()),
        };
        let config = dir.path().join("seshat.ini");
        let text = format!(
            "[{SECTION}]\n\
             username = {bot}\n\
             password = {PASSWORD}\n\
             localusers = {staff}\n\
             {store_line}\n\
             server = {server}\n\
             tls = none\n\
             presence_settle = 0.5\n\
             log_level = info,seshatd=debug\n\
             rate_limit_per_minute = 30\n\
             {extra}",
            bot = prosody.jid("bot"),
            staff = localusers.join(", "),
            server = prosody.addr(),
        );
        std::fs::write(&config, text).expect("write the configuration");

        let daemon = start_daemon(&config, &dir.path().join("seshatd.log"));
        let (webapp, url) = start_webapp(&config, "127.0.0.1:0", &dir.path().join("webapp-1.log"));
        Deployment {
            prosody,
            config,
            database,
            store,
            daemon,
            webapp,
            url,
            dir,
        }
    }

    /// A client of the shared store, as a web app of one's own would open.
    pub fn open_store(&self) -> SeshatClient {
        let store = self
            .store
            .open(seshat_client::Limits::default())
            .expect("open the shared store");
        SeshatClient::from_store(store)
    }

    /// Waits, through `store`, until the daemon counts some staff member
    /// available; fails the test with both programs' logs if none becomes so.
    pub async fn wait_until_staff_available(&self, store: &SeshatClient) {
        let available = store
            .wait_for(seshat_client::Topic::Availability, DEADLINE, |store| {
                Ok(store.is_available()?.then_some(()))
            })
            .await
            .expect("read availability");
        assert!(
            available.is_some(),
            "no staff member became available:\n{}",
            self.logs()
        );
    }

    /// Starts another `seshat-webapp` (another host, as far as it can
    /// tell) on a copy of the ini file with `extra` lines added, and
    /// returns it with its URL.
    pub fn start_another_webapp(&self, name: &str, extra: &str) -> (Running, String) {
        let text = std::fs::read_to_string(&self.config).expect("read the configuration");
        let config = self.dir.path().join(format!("{name}.ini"));
        std::fs::write(&config, text + extra).expect("write the configuration");
        start_webapp(
            &config,
            "127.0.0.1:0",
            &self.dir.path().join(format!("{name}.log")),
        )
    }

    /// Starts another `seshatd` on the same ini file: on PostgreSQL it
    /// stands by while the first is on duty.
    pub fn start_another_daemon(&self, name: &str) -> Running {
        start_daemon(&self.config, &self.dir.path().join(format!("{name}.log")))
    }

    /// Stops the (first) daemon with SIGTERM and waits for a clean exit.
    pub fn stop_daemon(&mut self) {
        self.daemon.terminate();
    }

    /// Kills the web application outright, as a crash would.
    pub fn crash_webapp(&mut self) {
        self.webapp.kill();
    }

    /// Starts the web application again on the address it had.
    pub fn restart_webapp(&mut self) {
        let address = self
            .url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let (webapp, url) = start_webapp(
            &self.config,
            &address,
            &self.dir.path().join("webapp-2.log"),
        );
        assert_eq!(url, self.url, "the web app came back elsewhere");
        self.webapp = webapp;
    }

    /// Waits for the offer of a chat that started with `start_message`,
    /// checks it names that message, and accepts it as `staff`; returns the
    /// chat's number.
    pub async fn accept_offer(&self, staff: &mut StaffClient, start_message: &str) -> i64 {
        let offer = self.wait_for_offer(staff, start_message).await;
        self.accept(staff, offer.chat_id).await;
        offer.chat_id
    }

    /// Waits for the offer of a chat that started with `start_message`
    /// and checks it names that message; accepts nothing.
    pub async fn wait_for_offer(&self, staff: &mut StaffClient, start_message: &str) -> Offer {
        let offer = staff
            .wait_for_message_containing("wants to start a conversation", DEADLINE)
            .await
            .unwrap_or_else(|error| panic!("no offer: {error}\n{}", self.logs()));
        assert!(
            offer
                .body
                .contains(&format!("The starting message is: '{start_message}'")),
            "{}",
            offer.body
        );
        Offer {
            chat_id: chat_id_in_offer(&offer.body),
            text: offer.body,
        }
    }

    /// `!ACCEPT chat_id`, sent by `staff` to the bot.
    pub async fn accept(&self, staff: &StaffClient, chat_id: i64) {
        staff
            .send_chat(&self.prosody.jid("bot"), &format!("!ACCEPT {chat_id}"))
            .await
            .expect("send !ACCEPT");
    }

    /// Both programs' logs, for failure messages.
    pub fn logs(&self) -> String {
        format!(
            "--- seshatd ---\n{}\n--- seshat-webapp (current run) ---\n{}",
            self.daemon.log(),
            self.webapp.log()
        )
    }
}

/// An offer of a chat, as a staff member received it.
#[derive(Debug, Clone)]
pub struct Offer {
    /// The chat's number, from the `!ACCEPT` hint.
    pub chat_id: i64,
    /// The whole text of the offer.
    pub text: String,
}

/// `seshatd CONFIG Seshat`, its stderr in `log`.
fn start_daemon(config: &Path, log: &Path) -> Running {
    spawn(
        "seshatd",
        Command::new(binaries::require("seshatd"))
            .arg(config)
            .arg(SECTION),
        log,
    )
}

/// `seshat-webapp CONFIG Seshat --listen ADDRESS`; returns it and its URL.
fn start_webapp(config: &Path, address: &str, log: &Path) -> (Running, String) {
    let mut command = Command::new(binaries::require("seshat-webapp"));
    command
        .arg(config)
        .arg(SECTION)
        .args(["--listen", address])
        .stdout(Stdio::piped());
    let mut webapp = spawn("seshat-webapp", &mut command, log);
    let url = read_listening_url(&mut webapp);
    (webapp, url)
}

fn spawn(name: &'static str, command: &mut Command, log: &Path) -> Running {
    let log_file = File::create(log).expect("create a log file");
    let child = command
        .stdin(Stdio::null())
        .stderr(log_file)
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {name}: {error}"));
    Running {
        name,
        child,
        log: log.to_path_buf(),
    }
}

/// The first line the web app prints names its URL; reading it also
/// waits until the app is listening.
fn read_listening_url(webapp: &mut Running) -> String {
    let stdout = webapp.child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the web app's first line");
    line.trim()
        .strip_prefix("seshat-webapp listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}; log:\n{}", webapp.log()))
        .to_owned()
}

/// chromedriver on a free loopback port, ready for sessions.
pub fn start_chromedriver(log: &Path) -> (Running, u16) {
    for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        assert!(
            Path::new(tool).is_file(),
            "{tool} is missing: apt-get install -y chromium chromium-driver"
        );
    }
    let port = free_port().expect("a free port");
    let driver = spawn(
        "chromedriver",
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null()),
        log,
    );
    wait_until(DEADLINE, "chromedriver accepts connections", || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    (driver, port)
}

/// The number in "... reply with the message '!ACCEPT 42'."
fn chat_id_in_offer(offer: &str) -> i64 {
    let start = offer.find("!ACCEPT ").expect("an !ACCEPT hint") + "!ACCEPT ".len();
    offer[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("a chat number")
}
