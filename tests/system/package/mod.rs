//! The Debian package as an admin installs it: the `.deb` that
//! `./scripts/package` built is installed with `dpkg -i`, its systemd units
//! pass `systemd-analyze verify`, its account, ini file, manual pages and
//! widget are where they belong, the installed `seshatd` logs in to a
//! private Prosody as the `seshat` user and the installed `seshat-webapp`
//! serves the widget and jQuery, and `dpkg --purge` leaves the machine as
//! it was.
//!
//! Needs root on Debian (CI is), with `systemd` and `libjs-jquery`
//! installed; fails, never skips, without them. `./scripts/test` builds
//! the package first.

mod host;

use std::fs::File;
use std::io::{BufRead as _, BufReader};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use seshat_testkit::{wait_until, Prosody, StaffClient};

use host::{account, id_of, run, Installed, ACCOUNT};

/// Longest wait for one thing to happen; reached only when broken.
const DEADLINE: Duration = Duration::from_secs(60);

/// Every account's password.
const PASSWORD: &str = "package-test-password";

/// Where the package puts the units.
const UNITS: [&str; 2] = [
    "/usr/lib/systemd/system/seshatd.service",
    "/usr/lib/systemd/system/seshat-webapp.service",
];

/// Files the package must install.
const FILES: [&str; 9] = [
    "/usr/bin/seshatd",
    "/usr/bin/seshat-webapp",
    "/usr/share/seshat/static/seshat.js",
    "/usr/share/seshat/static/chatstyle.css",
    "/usr/share/doc/seshat/LICENSE-BSD",
    "/usr/share/doc/seshat/LICENSE-GPL",
    "/usr/share/doc/seshat/copyright",
    "/usr/share/man/man1/seshatd.1.gz",
    "/usr/share/man/man1/seshat-webapp.1.gz",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_package_installs_runs_as_seshat_and_purges_without_a_trace() {
    host::require_root_debian();
    let deb = host::built_package();

    let installed = Installed::install(&deb);
    check_installed_files();
    let (uid, gid) = check_account();
    run_installed_programs(uid, gid).await;
    installed.purge();

    check_nothing_left();
}

/// The units verify; the files, the conffile and the manual pages are there.
fn check_installed_files() {
    run("systemd-analyze", &["verify", UNITS[0], UNITS[1]]);
    for file in FILES.iter().chain(&UNITS) {
        assert!(Path::new(file).is_file(), "{file} was not installed");
    }
    for (page, name) in [
        ("/usr/share/man/man1/seshatd.1.gz", "seshatd"),
        ("/usr/share/man/man1/seshat-webapp.1.gz", "seshat-webapp"),
    ] {
        let text = String::from_utf8(run("zcat", &[page]).stdout).expect("roff is text");
        assert!(text.contains(&format!(".TH {name} 1")), "{page}:\n{text}");
    }
    let conffiles = run("dpkg-query", &["-W", "-f=${Conffiles}", host::PACKAGE]).stdout;
    assert!(
        String::from_utf8_lossy(&conffiles).contains("/etc/seshat/seshat.ini"),
        "/etc/seshat/seshat.ini is not a conffile: {}",
        String::from_utf8_lossy(&conffiles)
    );
}

/// The system user and group exist, own the state directory and can read
/// the ini file (and nobody else can); returns their ids.
fn check_account() -> (u32, u32) {
    let user = account("passwd").expect("the package made no seshat user");
    let group = account("group").expect("the package made no seshat group");
    let (uid, gid) = (id_of(&user), id_of(&group));
    assert!(uid < 1000, "seshat is not a system user: {user:?}");
    assert_eq!(user[3].parse::<u32>().unwrap(), gid, "{user:?}");
    assert_eq!(user[5], "/var/lib/seshat", "{user:?}");
    assert!(user[6].ends_with("nologin"), "seshat can log in: {user:?}");

    let ini = std::fs::metadata("/etc/seshat/seshat.ini").expect("/etc/seshat/seshat.ini");
    assert_eq!(ini.mode() & 0o7777, 0o640, "mode of /etc/seshat/seshat.ini");
    assert_eq!((ini.uid(), ini.gid()), (0, gid), "owner of the ini file");

    let state = std::fs::metadata("/var/lib/seshat").expect("/var/lib/seshat");
    assert!(state.is_dir());
    assert_eq!(
        (state.uid(), state.gid()),
        (uid, gid),
        "owner of /var/lib/seshat"
    );
    assert_eq!(state.mode() & 0o7777, 0o750, "mode of /var/lib/seshat");
    (uid, gid)
}

/// The installed programs, as the seshat user, against a private Prosody.
async fn run_installed_programs(uid: u32, gid: u32) {
    let prosody = Prosody::start().expect("start prosody");
    prosody
        .register_many(&[("bot", PASSWORD), ("alice", PASSWORD)])
        .expect("register accounts");

    // A configuration and database of the test's, which only seshat reads.
    let dir = tempfile::Builder::new()
        .prefix("seshat-package-")
        .tempdir()
        .expect("temporary directory");
    std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown the directory");
    let config = dir.path().join("seshat.ini");
    std::fs::write(
        &config,
        format!(
            "[Seshat]\nusername = {bot}\npassword = {PASSWORD}\nlocalusers = {alice}\n\
             sqlitedb = {database}\nserver = {server}\ntls = none\npresence_settle = 0.5\n",
            bot = prosody.jid("bot"),
            alice = prosody.jid("alice"),
            database = dir.path().join("seshat.db").display(),
            server = prosody.addr(),
        ),
    )
    .expect("write the configuration");
    std::os::unix::fs::chown(&config, Some(uid), Some(gid)).expect("chown the configuration");
    let config = config.to_str().expect("a UTF-8 path");

    let checked = run(
        "setpriv",
        &as_seshat(&["/usr/bin/seshatd", "--check-config", config, "Seshat"]),
    );
    assert!(
        String::from_utf8_lossy(&checked.stdout).contains(&prosody.jid("bot").to_string()),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );

    let mut alice = StaffClient::connect(&prosody, "alice", PASSWORD, "desk")
        .await
        .expect("alice logs in");
    let daemon = AsSeshat::spawn(
        &["/usr/bin/seshatd", config, "Seshat"],
        &dir.path().join("seshatd.log"),
        Stdio::null(),
    );
    // The bot is logged in once Alice sees it online.
    if let Err(error) = alice
        .wait_for_available_from(&prosody.jid("bot"), DEADLINE)
        .await
    {
        panic!("the bot never came online: {error}\n{}", daemon.log());
    }
    // Long past setpriv's exec: the process is seshatd itself.
    assert_eq!(daemon.uid(), uid, "seshatd does not run as seshat");

    let (webapp, url) = start_webapp(config, &dir.path().join("webapp.log"));
    for (path, file) in [
        ("static/seshat.js", "seshat.js"),
        ("static/jquery/jquery.min.js", "jquery.min.js"),
    ] {
        let response = reqwest::get(format!("{url}{path}"))
            .await
            .unwrap_or_else(|error| panic!("GET {path}: {error}\n{}", webapp.log()));
        assert_eq!(response.status(), 200, "GET {path}\n{}", webapp.log());
        assert!(
            !response.bytes().await.unwrap().is_empty(),
            "{file} is empty"
        );
    }

    webapp.stop();
    daemon.stop();
    alice.disconnect().await.expect("alice logs out");
}

/// `seshat-webapp CONFIG Seshat --listen 127.0.0.1:0` as seshat; returns
/// it and the URL its first line names (also when it is listening).
fn start_webapp(config: &str, log: &Path) -> (AsSeshat, String) {
    let mut webapp = AsSeshat::spawn(
        &[
            "/usr/bin/seshat-webapp",
            config,
            "Seshat",
            "--listen",
            "127.0.0.1:0",
        ],
        log,
        Stdio::piped(),
    );
    let stdout = webapp.child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the web app's first line");
    let url = line
        .trim()
        .strip_prefix("seshat-webapp listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}:\n{}", webapp.log()))
        .to_owned();
    (webapp, url)
}

/// After the purge: no package, no account, no file it made.
fn check_nothing_left() {
    assert!(!host::is_installed(), "dpkg still knows {}", host::PACKAGE);
    assert_eq!(account("passwd"), None, "the seshat user is left");
    assert_eq!(account("group"), None, "the seshat group is left");
    for path in
        FILES
            .iter()
            .chain(&UNITS)
            .chain(&["/etc/seshat", "/var/lib/seshat", "/usr/share/seshat"])
    {
        assert!(!Path::new(path).exists(), "{path} is left after the purge");
    }
    let overrides = run("dpkg-statoverride", &["--list"]).stdout;
    assert!(
        !String::from_utf8_lossy(&overrides).contains("/etc/seshat"),
        "a stat override is left: {}",
        String::from_utf8_lossy(&overrides)
    );
}

/// `setpriv` arguments that run `command` as the seshat user and group.
fn as_seshat<'a>(command: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--reuid",
        ACCOUNT,
        "--regid",
        ACCOUNT,
        "--init-groups",
        "--",
    ];
    args.extend_from_slice(command);
    args
}

/// A program running as the seshat user (setpriv execs it, so the child
/// is the program itself); killed when dropped.
struct AsSeshat {
    child: Child,
    log: PathBuf,
}

impl AsSeshat {
    fn spawn(command: &[&str], log: &Path, stdout: Stdio) -> AsSeshat {
        let child = Command::new("setpriv")
            .args(as_seshat(command))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(File::create(log).expect("create a log file"))
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", command[0]));
        AsSeshat {
            child,
            log: log.to_path_buf(),
        }
    }

    /// Its stderr so far.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The real user id it runs as, from /proc.
    fn uid(&self) -> u32 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the process's status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().next())
            .and_then(|uid| uid.parse().ok())
            .expect("a Uid: line")
    }

    /// SIGTERM, then a clean exit.
    fn stop(mut self) {
        let pid = i32::try_from(self.child.id()).expect("a pid");
        // SAFETY: kill has no memory-safety preconditions; the pid is our
        // unreaped child's.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0, "kill -TERM");
        let mut status = None;
        wait_until(DEADLINE, "the program exits after SIGTERM", || {
            status = self.child.try_wait().expect("check on the child");
            status.is_some()
        });
        let status = status.expect("an exit status");
        assert!(status.success(), "exited with {status}:\n{}", self.log());
    }
}

impl Drop for AsSeshat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
