//! What every integration test of `seshatd` stands on: a real Prosody, a
//! real SQLite file, the real `seshatd` binary as a separate process, the
//! web side through `seshat-client`, and staff as real XMPP clients.
//!
//! A [`Rig`] is one deployment: a bot account, some staff accounts, a
//! database, a configuration file and the daemon. The tests of this binary
//! share a Prosody while any of them runs (starting one and registering
//! accounts costs time), but each test has its own accounts, database and
//! daemon, so they can run in parallel without seeing each other.

use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use seshat_client::{ChatToken, Client, NewChat, Topic};
use seshat_testkit::{BareJid, Prosody, Show, StaffClient, XmppServer};
use tempfile::TempDir;

/// Every account's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// Generous deadline for anything that normally takes milliseconds; only a
/// failing test waits this long.
pub const WAIT: Duration = Duration::from_secs(20);

/// How long "nothing more arrives" is watched for. Kept short: silence can
/// only be observed by waiting.
pub const QUIET: Duration = Duration::from_millis(300);

/// The section the configuration files use.
pub const SECTION: &str = "Seshat";

/// The Prosody shared by the tests of this binary while any of them runs.
/// The last test to finish drops it, which stops the server, so no
/// process outlives the test binary.
pub fn shared_prosody() -> Arc<Prosody> {
    static SHARED: Mutex<Weak<Prosody>> = Mutex::new(Weak::new());
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(prosody) = shared.upgrade() {
        return prosody;
    }
    let prosody = Arc::new(Prosody::start().expect("start prosody"));
    *shared = Arc::downgrade(&prosody);
    prosody
}

/// A name no other test of this binary uses.
fn unique(name: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    format!("{name}{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Sets up a [`Rig`].
pub struct RigBuilder<S: XmppServer = Prosody> {
    prosody: Arc<S>,
    staff: Vec<String>,
    /// Extra `key = value` lines for the configuration.
    settings: Vec<(String, String)>,
    /// Staff user names that are registered but not configured as staff.
    strangers: Vec<String>,
    /// Keys left out of the configuration.
    omitted: Vec<String>,
    /// `staff_names` entries: staff user name and display name.
    names: Vec<(String, String)>,
    start_daemon: bool,
    /// The PostgreSQL database to use instead of an SQLite file.
    postgres: Option<String>,
}

impl<S: XmppServer> RigBuilder<S> {
    /// Staff members, by short name (`alice`); each gets a unique account.
    pub fn staff(mut self, names: &[&str]) -> Self {
        self.staff = names.iter().map(|name| name.to_string()).collect();
        self
    }

    /// Accounts that exist on the server but are not staff.
    pub fn strangers(mut self, names: &[&str]) -> Self {
        self.strangers = names.iter().map(|name| name.to_string()).collect();
        self
    }

    /// A configuration setting (overrides the rig's defaults).
    pub fn setting(mut self, key: &str, value: &str) -> Self {
        self.settings.retain(|(existing, _)| existing != key);
        self.settings.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Leaves `key` out of the configuration, so that its default applies.
    #[allow(dead_code)] // Only the TLS binary (`tests/tls.rs`) relies on a default.
    pub fn without_setting(mut self, key: &str) -> Self {
        self.omitted.push(key.to_owned());
        self
    }

    /// Puts the store in the PostgreSQL database at `url` (`database =
    /// url`) instead of an SQLite file.
    #[allow(dead_code)] // Only the benchmarks choose PostgreSQL.
    pub fn on_postgres(mut self, url: &str) -> Self {
        self.postgres = Some(url.to_owned());
        self
    }

    /// Prepares everything but does not start the daemon (start it with
    /// [`Rig::start_daemon`]), for tests that need the database filled first.
    pub fn without_daemon(mut self) -> Self {
        self.start_daemon = false;
        self
    }

    /// Registers the accounts, writes the configuration, opens the
    /// database and (unless told otherwise) starts the daemon.
    /// Gives staff member `name` the display name `display` (`staff_names`).
    pub fn staff_name(mut self, name: &str, display: &str) -> Self {
        self.names.push((name.to_owned(), display.to_owned()));
        self
    }

    pub fn build(self) -> Rig<S> {
        let tag = unique("");
        let account = |name: &str| format!("{name}{tag}");
        let bot_user = account("bot");
        let mut users: Vec<String> = vec![bot_user.clone()];
        users.extend(self.staff.iter().map(|name| account(name)));
        users.extend(self.strangers.iter().map(|name| account(name)));
        let pairs: Vec<(&str, &str)> = users.iter().map(|user| (user.as_str(), PASSWORD)).collect();
        self.prosody
            .register_many(&pairs)
            .expect("register accounts");

        let dir = tempfile::Builder::new()
            .prefix("seshatd-test-")
            .tempdir()
            .expect("temporary directory");
        let database = dir.path().join("seshat.db");
        let localusers: Vec<String> = self
            .staff
            .iter()
            .map(|name| self.prosody.jid(&account(name)).to_string())
            .collect();
        let mut settings: Vec<(String, String)> = vec![
            ("username".into(), self.prosody.jid(&bot_user).to_string()),
            ("password".into(), PASSWORD.into()),
            ("localusers".into(), localusers.join(", ")),
            match &self.postgres {
                Some(url) => ("database".into(), url.clone()),
                None => ("sqlitedb".into(), database.display().to_string()),
            },
            ("server".into(), self.prosody.addr()),
            (
                "tls".into(),
                if self.prosody.uses_tls() {
                    "starttls"
                } else {
                    "none"
                }
                .into(),
            ),
            // Staff in these tests are online before chats start; a short
            // settle keeps "nobody available" tests quick.
            ("presence_settle".into(), "0.5".into()),
            ("log_level".into(), "info,seshatd=debug".into()),
        ];
        if !self.names.is_empty() {
            let names: Vec<String> = self
                .names
                .iter()
                .map(|(name, display)| format!("{} = {display}", self.prosody.jid(&account(name))))
                .collect();
            settings.push(("staff_names".into(), names.join(", ")));
        }
        for (key, value) in self.settings {
            settings.retain(|(existing, _)| *existing != key);
            settings.push((key, value));
        }
        settings.retain(|(key, _)| !self.omitted.contains(key));
        let mut text = format!("[{SECTION}]\n");
        for (key, value) in &settings {
            text.push_str(&format!("{key} = {value}\n"));
        }
        let config = dir.path().join("seshat.ini");
        std::fs::write(&config, text).expect("write the configuration");

        let web = match &self.postgres {
            Some(url) => Client::from_store(
                seshat_client::Database::Postgres(url.parse().expect("a PostgreSQL URL"))
                    .open(seshat_client::Limits::default())
                    .expect("open the database"),
            ),
            None => Client::open(&database).expect("open the database"),
        };
        let mut rig = Rig {
            prosody: self.prosody,
            tag,
            bot: bot_user,
            dir,
            config,
            database,
            web,
            daemon: None,
            daemon_runs: 0,
        };
        if self.start_daemon {
            rig.start_daemon();
        }
        rig
    }
}

/// One deployment of Seshat for one test. See the [module docs](self).
pub struct Rig<S: XmppServer = Prosody> {
    /// The XMPP server: Prosody unless the rig was built [`RigBuilder::on`]
    /// another.
    pub prosody: Arc<S>,
    /// Suffix that makes this rig's account names unique.
    tag: String,
    /// The bot's user name.
    bot: String,
    /// Holds the database, configuration and daemon logs.
    dir: TempDir,
    /// The configuration file.
    pub config: PathBuf,
    /// The database file (unused on a rig [`RigBuilder::on_postgres`]).
    pub database: PathBuf,
    /// The web application's side of the database.
    pub web: Client,
    daemon: Option<DaemonProcess>,
    /// How many times the daemon was started, to name its log files.
    daemon_runs: usize,
}

impl Rig {
    /// A rig on the Prosody shared by this test binary.
    pub fn builder() -> RigBuilder {
        RigBuilder::on(shared_prosody())
    }
}

impl<S: XmppServer> Rig<S> {
    /// The account name of short name `name` (`alice` -> `alice7`).
    pub fn user(&self, name: &str) -> String {
        format!("{name}{}", self.tag)
    }

    /// The bare JID of short name `name`.
    pub fn jid(&self, name: &str) -> BareJid {
        self.prosody.jid(&self.user(name))
    }

    /// The bot's bare JID.
    pub fn bot(&self) -> BareJid {
        self.prosody.jid(&self.bot)
    }

    /// Logs `name` in with `resource`, plainly online.
    pub async fn connect(&self, name: &str, resource: &str) -> StaffClient {
        self.connect_with_show(name, resource, None).await
    }

    /// Logs `name` in with `resource` and the given `show`.
    pub async fn connect_with_show(
        &self,
        name: &str,
        resource: &str,
        show: Option<Show>,
    ) -> StaffClient {
        StaffClient::connect_with_show(&*self.prosody, &self.user(name), PASSWORD, resource, show)
            .await
            .unwrap_or_else(|error| panic!("{name} cannot log in: {error}"))
    }

    /// Logs `name` in and waits until the daemon counts them available.
    pub async fn connect_available(&self, name: &str, resource: &str) -> StaffClient {
        let client = self.connect(name, resource).await;
        self.wait_until_available(name).await;
        client
    }

    /// Waits until the daemon has recorded `name` as available (online and
    /// not in a chat).
    pub async fn wait_until_available(&self, name: &str) {
        self.wait_for_availability(name, true).await;
    }

    /// Waits until the daemon has marked every staff-bound message
    /// delivered. Delivery marks wake nobody, so this polls the store.
    pub async fn wait_until_all_delivered(&self) {
        let store = std::sync::Arc::clone(self.web.store());
        seshat_testkit::wait_until_async(
            WAIT,
            "every staff-bound message is marked delivered",
            || store.staff_bound(1).is_ok_and(|left| left.is_empty()),
        )
        .await;
    }

    /// Waits until the daemon has recorded `name` as not available.
    pub async fn wait_until_unavailable(&self, name: &str) {
        self.wait_for_availability(name, false).await;
    }

    async fn wait_for_availability(&self, name: &str, wanted: bool) {
        let jid = self.jid(name).to_string();
        let seen = self
            .web
            .wait_for(Topic::Availability, WAIT, move |store| {
                let available = store.available_staff()?.contains(&jid);
                Ok((available == wanted).then_some(()))
            })
            .await
            .expect("read staff presence");
        if seen.is_none() {
            panic!(
                "{name} never became {}available; daemon log:\n{}",
                if wanted { "" } else { "un" },
                self.daemon_log()
            );
        }
    }

    /// Starts the daemon (again, after [`Rig::kill_daemon`] or
    /// [`Rig::stop_daemon`]).
    pub fn start_daemon(&mut self) {
        assert!(self.daemon.is_none(), "the daemon is already running");
        self.daemon_runs += 1;
        let log = self
            .dir
            .path()
            .join(format!("daemon-{}.log", self.daemon_runs));
        self.daemon = Some(DaemonProcess::spawn(&self.config, &log));
    }

    /// Starts the daemon with extra environment variables (`NOTIFY_SOCKET`,
    /// `WATCHDOG_USEC`), as a service manager would.
    pub fn start_daemon_with_env(&mut self, env: &[(&str, &str)]) {
        assert!(self.daemon.is_none(), "the daemon is already running");
        self.daemon_runs += 1;
        let log = self
            .dir
            .path()
            .join(format!("daemon-{}.log", self.daemon_runs));
        self.daemon = Some(DaemonProcess::spawn_with_env(&self.config, &log, env));
    }

    /// Sends SIGHUP to the running daemon: reload the configuration.
    pub fn reload_daemon(&self) {
        let pid = self.daemon_pid().expect("the daemon is running");
        let sent = Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -HUP failed");
    }

    /// Rewrites the configuration file with `key = value` instead of the
    /// line it had for `key` (or with it added).
    pub fn change_setting(&self, key: &str, value: &str) {
        let text = std::fs::read_to_string(&self.config).expect("read the configuration");
        let mut lines: Vec<String> = text
            .lines()
            .filter(|line| !line.starts_with(&format!("{key} =")))
            .map(str::to_owned)
            .collect();
        lines.push(format!("{key} = {value}"));
        std::fs::write(&self.config, lines.join("\n") + "\n").expect("write the configuration");
    }

    /// Waits until the daemon's log (this run's and the earlier ones')
    /// contains `text`.
    pub async fn wait_for_log(&self, text: &str) {
        seshat_testkit::wait_until_async(WAIT, &format!("the daemon logs {text:?}"), || {
            self.daemon_log().contains(text)
        })
        .await;
    }

    /// Kills the daemon with SIGKILL: no goodbye, no cleanup.
    pub fn kill_daemon(&mut self) {
        let mut daemon = self.daemon.take().expect("the daemon is running");
        daemon.kill();
    }

    /// Stops the daemon with SIGTERM and returns how it exited.
    pub fn stop_daemon(&mut self) -> ExitStatus {
        let mut daemon = self.daemon.take().expect("the daemon is running");
        daemon.terminate()
    }

    /// Waits for the daemon to exit by itself, and returns how it did.
    pub fn wait_for_daemon_exit(&mut self) -> ExitStatus {
        let mut daemon = self.daemon.take().expect("the daemon is running");
        daemon.wait(WAIT).expect("seshatd did not exit")
    }

    /// The running daemon's process id, for signals and `/proc`.
    pub fn daemon_pid(&self) -> Option<u32> {
        self.daemon.as_ref().map(|daemon| daemon.child.id())
    }

    /// Every daemon log of this rig so far, for failure messages.
    pub fn daemon_log(&self) -> String {
        let mut text = String::new();
        for run in 1..=self.daemon_runs {
            let path = self.dir.path().join(format!("daemon-{run}.log"));
            text.push_str(&format!("--- daemon run {run} ---\n"));
            text.push_str(&std::fs::read_to_string(path).unwrap_or_default());
        }
        text
    }
    /// `staff` takes the visitor's chat as a staff member would: waits for
    /// the offer, answers `!ACCEPT n` and waits for the confirmation.
    pub async fn accept(&self, staff: &mut StaffClient, visitor: &Visitor) {
        staff
            .wait_for_message_containing("wants to start", WAIT)
            .await
            .unwrap();
        staff
            .send_chat(&self.bot(), &format!("!ACCEPT {}", visitor.id()))
            .await
            .unwrap();
        staff
            .wait_for_message_containing("You are now handling", WAIT)
            .await
            .unwrap();
    }

    /// A chat `staff` has accepted, its two notices to the visitor taken.
    pub async fn accepted_chat(&self, staff: &mut StaffClient) -> Visitor {
        let mut chat = self.visitor("visitor", None).await;
        self.accept(staff, &chat).await;
        chat.expect(&[
            seshat_client::texts::CHAT_REQUESTED,
            seshat_client::texts::CHAT_STARTED,
        ])
        .await;
        chat
    }

    /// Starts a chat as visitor `name`, with an optional start message.
    pub async fn visitor(&self, name: &str, start_message: Option<&str>) -> Visitor {
        let chat = self
            .web
            .start_chat(name, start_message)
            .await
            .expect("start a chat");
        Visitor {
            web: self.web.clone(),
            chat,
            received: VecDeque::new(),
        }
    }
}

impl<S: XmppServer> RigBuilder<S> {
    /// A rig on `prosody` (for tests that need a server of their own), or
    /// on another XMPP server the kit started.
    pub fn on(prosody: Arc<S>) -> Self {
        RigBuilder {
            prosody,
            staff: vec!["alice".to_owned()],
            settings: Vec::new(),
            strangers: Vec::new(),
            omitted: Vec::new(),
            names: Vec::new(),
            start_daemon: true,
            postgres: None,
        }
    }
}

/// A visitor's chat, seen from the web application.
pub struct Visitor {
    web: Client,
    /// The chat's id and token.
    pub chat: NewChat,
    /// Messages taken from the store but not yet looked at by the test.
    received: VecDeque<String>,
}

impl Visitor {
    /// The chat's numeric id.
    pub fn id(&self) -> i64 {
        self.chat.id
    }

    /// The chat's web token.
    pub fn token(&self) -> &ChatToken {
        &self.chat.token
    }

    /// Sends a message to staff.
    pub async fn say(&self, text: &str) {
        self.web
            .send(&self.chat.token, text)
            .await
            .expect("send as visitor");
    }

    /// The next message for the visitor, waiting up to [`WAIT`].
    pub async fn next(&mut self) -> String {
        let give_up_at = tokio::time::Instant::now() + WAIT;
        while self.received.is_empty() {
            let left = give_up_at.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                panic!(
                    "chat #{}: no message for the visitor within {WAIT:?}",
                    self.chat.id
                );
            }
            let messages = self
                .web
                .receive_waiting(&self.chat.token, left)
                .await
                .expect("receive as visitor");
            self.received
                .extend(messages.into_iter().map(|message| message.text));
        }
        self.received.pop_front().expect("not empty")
    }

    /// Ends the chat from the visitor's side (the widget's close button).
    pub async fn end(&self) {
        self.web
            .end_chat(&self.chat.token)
            .await
            .expect("end the chat");
    }

    /// Queues the messages `0`, `1`, ... `count - 1` for staff in one go,
    /// as a burst the daemon relays while the test does something else.
    pub async fn say_burst(&self, count: usize) {
        let token = self.chat.token.clone();
        self.web
            .run(move |store| {
                for n in 0..count {
                    store.send_from_visitor(&token, &n.to_string())?;
                }
                Ok(())
            })
            .await
            .expect("queue a burst");
    }

    /// Asserts that the next messages for the visitor are exactly `texts`.
    pub async fn expect(&mut self, texts: &[&str]) {
        for expected in texts {
            let text = self.next().await;
            assert_eq!(&text, expected, "chat #{}: visitor received", self.chat.id);
        }
    }

    /// Asserts that nothing more arrives for the visitor for [`QUIET`].
    pub async fn expect_nothing(&mut self) {
        let messages = self
            .web
            .receive_waiting(&self.chat.token, QUIET)
            .await
            .expect("receive as visitor");
        self.received
            .extend(messages.into_iter().map(|message| message.text));
        assert!(
            self.received.is_empty(),
            "chat #{}: unexpected messages for the visitor: {:?}",
            self.chat.id,
            self.received
        );
    }
}

/// Asserts that `staff`'s next message comes from the bot and reads `text`.
pub async fn expect_from_bot(staff: &mut StaffClient, bot: &BareJid, text: &str) {
    let message = staff
        .expect_message_from(bot, WAIT)
        .await
        .unwrap_or_else(|error| panic!("{} waited for {text:?}: {error}", staff.jid()));
    assert_eq!(message.body, text, "{} received", staff.jid());
}

/// `staff` waits for the offer of `chat`, accepts it with the exact reply,
/// and the visitor is told that the chat was requested and has started.
pub async fn accept_offered(staff: &mut StaffClient, bot: &BareJid, chat: &mut Visitor) {
    let id = chat.id();
    staff
        .wait_for_message_containing(&format!("'!ACCEPT {id}'"), WAIT)
        .await
        .unwrap();
    command(
        staff,
        bot,
        &format!("!ACCEPT {id}"),
        &format!("You are now handling chat #{id}. Send '!FINISH' when you are done."),
    )
    .await;
    chat.expect(&[
        seshat_client::texts::CHAT_REQUESTED,
        seshat_client::texts::CHAT_STARTED,
    ])
    .await;
}

/// Sends `text` to the bot and asserts the bot's reply.
pub async fn command(staff: &mut StaffClient, bot: &BareJid, text: &str, reply: &str) {
    staff.send_chat(bot, text).await.expect("send to the bot");
    expect_from_bot(staff, bot, reply).await;
}

/// The `seshatd` binary running as a child process, its stderr in a file.
pub struct DaemonProcess {
    child: Child,
}

impl DaemonProcess {
    /// Starts `seshatd CONFIG Seshat`.
    pub fn spawn(config: &Path, log: &Path) -> Self {
        DaemonProcess::spawn_with_env(config, log, &[])
    }

    /// Starts `seshatd CONFIG Seshat` with extra environment variables.
    pub fn spawn_with_env(config: &Path, log: &Path, env: &[(&str, &str)]) -> Self {
        let log = File::create(log).expect("create the daemon log");
        let child = Command::new(env!("CARGO_BIN_EXE_seshatd"))
            .envs(env.iter().copied())
            .arg(config)
            .arg(SECTION)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start seshatd");
        DaemonProcess { child }
    }

    /// Sends SIGTERM and waits for the exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        self.wait(WAIT).expect("seshatd did not exit after SIGTERM")
    }

    /// Kills the process outright and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits up to `deadline` for the process to exit.
    pub fn wait(&mut self, deadline: Duration) -> Option<ExitStatus> {
        let give_up_at = Instant::now() + deadline;
        loop {
            if let Some(status) = self.child.try_wait().expect("check on seshatd") {
                return Some(status);
            }
            if Instant::now() >= give_up_at {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for DaemonProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `seshatd` with `args` to completion and returns its exit code,
/// stdout and stderr.
pub fn run_seshatd(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_seshatd"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run seshatd");
    (
        output.status.code().expect("exited normally"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Freezes a Prosody with SIGSTOP and thaws it on drop, whatever happens.
pub struct Frozen(String);

impl Frozen {
    /// Stops `prosody` until the value is dropped.
    pub fn freeze(prosody: &Prosody) -> Frozen {
        let pid = std::fs::read_to_string(prosody.dir().join("prosody.pid"))
            .expect("prosody's pid file")
            .trim()
            .to_owned();
        signal("-STOP", &pid);
        Frozen(pid)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        signal("-CONT", &self.0);
    }
}

fn signal(which: &str, pid: &str) {
    let status = Command::new("kill").args([which, pid]).status().unwrap();
    assert!(status.success(), "kill {which} {pid}");
}
