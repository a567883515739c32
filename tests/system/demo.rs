//! The demo as a newcomer runs it: the real `seshat-demo` binary as a
//! process, on free ports, with its real Prosody, `seshatd` and
//! `seshat-webapp`. The tests read its banner, use the page and the staff
//! accounts it prints, then stop it (or break it) and check that nothing
//! it started is left: no process, no listening port, no directory.
//!
//! `seshatd` and `seshat-webapp` must be built next to `seshat-demo`
//! (see [`binaries`]).

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use seshat_system_tests::binaries;
use seshat_testkit::{BareJid, StaffClient};
use tokio::io::{AsyncBufReadExt as _, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// Longest wait for start-up, a reply or shutdown: generous, because two
/// cores are shared with other builds; reached only when something is
/// broken.
const DEADLINE: Duration = Duration::from_secs(90);

/// The last line of the banner.
const BANNER_END: &str = "Press Ctrl-C to stop";

/// What the banner told us.
#[derive(Debug)]
struct Banner {
    /// The web page, `http://127.0.0.1:PORT/`.
    url: String,
    /// Staff accounts and their passwords.
    staff: Vec<(BareJid, String)>,
    /// The XMPP server's port on 127.0.0.1.
    xmpp_port: u16,
    /// The demo's directory and Prosody's log file.
    logs: Vec<PathBuf>,
    /// The whole text, for failure messages.
    text: String,
}

impl Banner {
    /// Reads the banner's lines (see the demo's `banner` module).
    fn parse(text: &str) -> Banner {
        let field = |line: &str, label: &str| -> Option<String> {
            line.trim_start()
                .strip_prefix(label)
                .map(|rest| rest.trim().to_owned())
        };
        let mut url = None;
        let mut staff = Vec::new();
        let mut xmpp_port = None;
        let mut logs = Vec::new();
        for line in text.lines() {
            if let Some(value) = field(line, "Web page:") {
                url = Some(value);
            } else if let Some(value) = field(line, "Staff:") {
                let words: Vec<&str> = value.split_whitespace().collect();
                let [jid, "password:", password] = words[..] else {
                    panic!("unexpected staff line {line:?}");
                };
                staff.push((BareJid::new(jid).unwrap(), password.to_owned()));
            } else if let Some(value) = field(line, "Server:") {
                let port = value
                    .strip_prefix("127.0.0.1 port ")
                    .and_then(|rest| rest.split(',').next())
                    .unwrap_or_else(|| panic!("unexpected server line {line:?}"));
                xmpp_port = Some(port.parse().unwrap());
            } else if let Some(value) = field(line, "Logs:") {
                let path = value.split(" (").next().unwrap();
                logs.push(PathBuf::from(path));
            }
        }
        Banner {
            url: url.unwrap_or_else(|| panic!("no web page in the banner:\n{text}")),
            staff,
            xmpp_port: xmpp_port.unwrap_or_else(|| panic!("no server in the banner:\n{text}")),
            logs,
            text: text.to_owned(),
        }
    }

    /// The directories the demo made: its own, and Prosody's (the parent
    /// of its log).
    fn directories(&self) -> Vec<PathBuf> {
        self.logs
            .iter()
            .map(|path| {
                if path.extension().is_some_and(|ext| ext == "log") {
                    path.parent().unwrap().to_path_buf()
                } else {
                    path.clone()
                }
            })
            .collect()
    }
}

/// The demo running as a child process. If a test fails, dropping it
/// stops the demo with SIGTERM, so that the demo still stops its own
/// children.
struct RunningDemo {
    /// The `seshat-demo` process.
    child: Child,
    /// Its stdout, where the banner and the stopping messages go.
    stdout: Lines<BufReader<ChildStdout>>,
    /// Everything read from stdout so far.
    output: String,
    /// The demo's stderr.
    stderr_log: PathBuf,
    /// Holds `stderr_log`.
    _stderr_dir: tempfile::TempDir,
}

impl RunningDemo {
    /// Starts `seshat-demo` on free ports with `extra` arguments and reads
    /// its banner.
    async fn start(extra: &[&str]) -> (RunningDemo, Banner) {
        let binary = binaries::require("seshat-demo");
        for program in ["seshatd", "seshat-webapp"] {
            binaries::require(program);
        }
        let stderr_dir = tempfile::tempdir().unwrap();
        let stderr_log = stderr_dir.path().join("stderr.log");
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0", "--xmpp-port", "0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_log).unwrap())
            .spawn()
            .expect("start seshat-demo");
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut demo = RunningDemo {
            child,
            stdout,
            output: String::new(),
            stderr_log,
            _stderr_dir: stderr_dir,
        };
        demo.read_until(BANNER_END).await;
        let banner = Banner::parse(&demo.output);
        (demo, banner)
    }

    /// Reads stdout until a line contains `needle`.
    async fn read_until(&mut self, needle: &str) {
        let found = tokio::time::timeout(DEADLINE, async {
            while let Some(line) = self.stdout.next_line().await.unwrap() {
                self.output.push_str(&line);
                self.output.push('\n');
                if line.contains(needle) {
                    return true;
                }
            }
            false
        })
        .await;
        assert!(
            found == Ok(true),
            "no line with {needle:?} from seshat-demo; stdout:\n{}\nstderr:\n{}",
            self.output,
            self.stderr()
        );
    }

    /// What the demo wrote to stderr so far.
    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }

    /// The demo's process id.
    fn pid(&self) -> libc::pid_t {
        libc::pid_t::try_from(self.child.id().expect("still running")).unwrap()
    }

    /// Sends SIGTERM, as `kill` or a service manager would.
    fn terminate(&self) {
        signal(self.pid(), libc::SIGTERM);
    }

    /// Waits for the demo to exit by itself and returns how it ended.
    async fn exit_status(&mut self) -> ExitStatus {
        let status = tokio::time::timeout(DEADLINE, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("seshat-demo did not exit; stderr:\n{}", self.stderr()))
            .unwrap();
        // The rest of stdout, for the messages about stopping.
        while let Ok(Some(line)) = self.stdout.next_line().await {
            self.output.push_str(&line);
            self.output.push('\n');
        }
        status
    }
}

impl Drop for RunningDemo {
    /// A failed test still stops the demo the way a person would, so
    /// that the demo stops its children; SIGKILL only as a last resort.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            if let Some(pid) = self.child.id() {
                signal(pid as libc::pid_t, libc::SIGTERM);
            }
            let mut exited = false;
            let give_up = std::time::Instant::now() + DEADLINE;
            while !exited && std::time::Instant::now() < give_up {
                exited = !matches!(self.child.try_wait(), Ok(None));
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.start_kill();
        }
    }
}

/// Sends `signal` to `pid`.
fn signal(pid: libc::pid_t, signal: libc::c_int) {
    // SAFETY: kill(2) has no memory-safety preconditions; the pid is one
    // we started or found, and a stale pid only makes the call fail.
    let result = unsafe { libc::kill(pid, signal) };
    assert_eq!(result, 0, "kill({pid}, {signal}) failed");
}

/// Processes whose command line mentions any of `dirs`: the demo's
/// daemon, web app and Prosody all name their configuration file there.
fn processes_using(dirs: &[PathBuf]) -> Vec<(libc::pid_t, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<libc::pid_t>() else {
            continue;
        };
        let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let command_line = String::from_utf8_lossy(&raw).replace('\0', " ");
        if dirs
            .iter()
            .any(|dir| command_line.contains(dir.to_string_lossy().as_ref()))
        {
            found.push((pid, command_line.trim().to_owned()));
        }
    }
    found
}

/// Checks that the demo left nothing: no process, no listener, no files.
fn assert_all_gone(banner: &Banner) {
    let dirs = banner.directories();
    assert_eq!(dirs.len(), 2, "two log locations in:\n{}", banner.text);
    assert_eq!(processes_using(&dirs), Vec::new(), "processes left running");
    assert!(
        TcpStream::connect(("127.0.0.1", banner.xmpp_port)).is_err(),
        "Prosody still accepts connections on port {}",
        banner.xmpp_port
    );
    let web = banner
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    assert!(
        TcpStream::connect(web).is_err(),
        "the web app still accepts connections at {web}"
    );
    for dir in dirs {
        assert!(!dir.exists(), "{} was not deleted", dir.display());
    }
}

/// An HTTP client for the visitor's side.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(DEADLINE)
        .build()
        .unwrap()
}

/// What `GET /chat/available` says.
async fn staff_available(http: &reqwest::Client, url: &str) -> bool {
    let answer: serde_json::Value = http
        .get(format!("{url}chat/available"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["available"]
        .as_bool()
        .unwrap_or_else(|| panic!("not an availability: {answer}"))
}

/// Polls `GET /chat/available` until it says `wanted`.
async fn wait_for_availability(http: &reqwest::Client, url: &str, wanted: bool) {
    let give_up = tokio::time::Instant::now() + DEADLINE;
    while staff_available(http, url).await != wanted {
        assert!(
            tokio::time::Instant::now() < give_up,
            "/chat/available did not become {wanted} within {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_the_staff_accounts_work_and_sigterm_stops_everything() {
    let (mut demo, banner) = RunningDemo::start(&[]).await;
    assert!(
        banner.url.starts_with("http://127.0.0.1:"),
        "{}",
        banner.text
    );
    assert_ne!(
        banner.url, "http://127.0.0.1:0/",
        "the real port is printed"
    );
    assert_eq!(banner.staff.len(), 2, "{}", banner.text);
    assert!(!banner.text.contains("Echo bot"), "no bot unless asked");

    let http = http();
    let page = http.get(&banner.url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains(r#"class="seshat-chat""#),
        "the page embeds the widget:\n{page}"
    );
    // Nobody is online yet, so the widget stays hidden...
    assert!(!staff_available(&http, &banner.url).await);

    // ...until a staff member logs in with what the banner says.
    let (jid, password) = &banner.staff[1];
    let staff = StaffClient::connect_to(
        &format!("127.0.0.1:{}", banner.xmpp_port),
        jid,
        password,
        "test",
    )
    .await
    .unwrap_or_else(|error| panic!("{error}; banner:\n{}", banner.text));
    wait_for_availability(&http, &banner.url, true).await;

    demo.terminate();
    let status = demo.exit_status().await;
    assert!(
        status.success(),
        "seshat-demo exited with {status}; stderr:\n{}",
        demo.stderr()
    );
    assert!(demo.output.contains("SIGTERM: stopping"), "{}", demo.output);
    assert!(demo.output.contains("Stopped;"), "{}", demo.output);
    assert_all_gone(&banner);
    drop(staff);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_bot_answers_a_visitor_through_the_whole_loop() {
    let (mut demo, banner) = RunningDemo::start(&["--staff-bot"]).await;
    assert!(
        banner.text.contains("It is a program, not a person"),
        "{}",
        banner.text
    );
    let http = http();
    wait_for_availability(&http, &banner.url, true).await;

    let started: serde_json::Value = http
        .post(format!("{}chat/start", banner.url))
        .form(&[("name", "Visitor")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = started["token"].as_str().unwrap().to_owned();
    let mut conversation = Conversation {
        http: &http,
        url: &banner.url,
        token: &token,
        seen: Vec::new(),
        status: String::new(),
    };
    conversation.wait_for_text("not a person").await;
    conversation.send("hello, anyone?").await;
    conversation.wait_for_text("Echo: hello, anyone?").await;
    conversation.send("bye").await;
    conversation.wait_for_text("Goodbye!").await;
    conversation.wait_for_status("closed").await;

    demo.terminate();
    let status = demo.exit_status().await;
    assert!(status.success(), "{status}; stderr:\n{}", demo.stderr());
    assert_all_gone(&banner);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_that_dies_is_named_and_the_rest_are_stopped() {
    let (mut demo, banner) = RunningDemo::start(&[]).await;
    let daemons: Vec<_> = processes_using(&banner.directories())
        .into_iter()
        .filter(|(_, command_line)| command_line.contains("/seshatd "))
        .collect();
    let [(daemon_pid, _)] = daemons[..] else {
        panic!("expected one seshatd, found {daemons:?}");
    };
    signal(daemon_pid, libc::SIGKILL);

    let status = demo.exit_status().await;
    assert_eq!(status.code(), Some(1), "stderr:\n{}", demo.stderr());
    let stderr = demo.stderr();
    assert!(
        stderr.contains("seshatd stopped unexpectedly (killed by signal 9)"),
        "{stderr}"
    );
    assert!(
        demo.output.contains("Stopping the rest."),
        "{}",
        demo.output
    );
    assert_all_gone(&banner);
}

/// A visitor's chat over the HTTP routes.
struct Conversation<'a> {
    /// The visitor's HTTP client.
    http: &'a reqwest::Client,
    /// The web page, `http://127.0.0.1:PORT/`.
    url: &'a str,
    /// The chat's token from `POST /chat/start`.
    token: &'a str,
    /// Every message text received so far.
    seen: Vec<String>,
    /// The last status received.
    status: String,
}

impl Conversation<'_> {
    /// Sends `text` as the visitor and checks it was taken.
    async fn send(&self, text: &str) {
        let sent: serde_json::Value = self
            .http
            .post(format!("{}chat/sendmessage/{}", self.url, self.token))
            .form(&[("text", text)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(sent["sent"], true, "{sent}");
    }

    /// One long poll: takes whatever is pending, waiting a few seconds
    /// for something to arrive.
    async fn receive(&mut self) {
        let answer: serde_json::Value = self
            .http
            .get(format!("{}chat/recvmessage/{}", self.url, self.token))
            .query(&[("wait", "5")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for message in answer["messages"].as_array().unwrap() {
            self.seen.push(message["text"].as_str().unwrap().to_owned());
        }
        self.status = answer["status"].as_str().unwrap().to_owned();
    }

    /// Receives until a message containing `needle` has arrived.
    async fn wait_for_text(&mut self, needle: &str) {
        let give_up = tokio::time::Instant::now() + DEADLINE;
        while !self.seen.iter().any(|text| text.contains(needle)) {
            assert!(
                tokio::time::Instant::now() < give_up,
                "no message containing {needle:?}; received {:?}",
                self.seen
            );
            self.receive().await;
        }
    }

    /// Receives until the chat's status is `wanted`.
    async fn wait_for_status(&mut self, wanted: &str) {
        let give_up = tokio::time::Instant::now() + DEADLINE;
        while self.status != wanted {
            assert!(
                tokio::time::Instant::now() < give_up,
                "status stayed {:?}; received {:?}",
                self.status,
                self.seen
            );
            self.receive().await;
        }
    }
}

#[test]
fn the_banner_is_read_as_printed() {
    let text = "\
  Web page:  http://127.0.0.1:8080/
  Staff:     alice@localhost    password: alice-demo
  Server:    127.0.0.1 port 15222, no TLS (plain text is fine: loopback only)
  Logs:      /tmp/seshat-demo-x (seshatd.log, seshat-webapp.log)
  Logs:      /tmp/seshat-prosody-y/prosody.log
";
    let banner = Banner::parse(text);
    assert_eq!(banner.url, "http://127.0.0.1:8080/");
    assert_eq!(
        banner.staff,
        [(
            BareJid::new("alice@localhost").unwrap(),
            "alice-demo".to_owned()
        )]
    );
    assert_eq!(banner.xmpp_port, 15222);
    assert_eq!(
        banner.directories(),
        [
            PathBuf::from("/tmp/seshat-demo-x"),
            PathBuf::from("/tmp/seshat-prosody-y")
        ]
    );
}
