//! A private PostgreSQL cluster for one test binary, benchmark or demo run.
//!
//! Each [`Postgres`] is a cluster of its own: `initdb` in a temporary
//! directory, a server on a free port on 127.0.0.1 with its socket in that
//! directory, never the system's cluster. TCP connections authenticate
//! with a password (SCRAM), as a real site's do; the kit's own `psql`
//! uses the socket. Dropping it stops the server and removes the
//! directory.
//!
//! PostgreSQL refuses to run as root. Run as root (as CI does), the kit
//! runs `initdb` and the server as the `postgres` user that Debian's
//! package creates, and gives it the directory.
//!
//! [`Postgres::shared`] is one cluster for a whole test binary, each test
//! taking a database of its own ([`Postgres::create_database`]): a
//! cluster costs a second or two to create, a database a few
//! milliseconds. It is stopped and removed when the test binary exits.

use std::fs;
use std::net::{Ipv4Addr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::Error;

/// How long the server may take to accept connections; a second usually,
/// with a margin for a loaded CI machine and crash recovery.
const STARTUP_DEADLINE: Duration = Duration::from_secs(60);

/// How long the server may take to exit after a fast-shutdown request.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(30);

/// How often start-up and shutdown are checked on.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// The superuser the cluster is created with.
pub const USER: &str = "seshat";

/// The database every cluster has from the start.
pub const DATABASE: &str = "seshat";

/// A running private PostgreSQL cluster. See the [module docs](self).
#[derive(Debug)]
pub struct Postgres {
    /// Holds the data directory, the socket and the log; deleted on drop.
    dir: TempDir,
    /// Where the server's binaries are (`/usr/lib/postgresql/15/bin`).
    bin: PathBuf,
    /// The client port on 127.0.0.1, kept across restarts.
    port: u16,
    /// The superuser's password for TCP connections.
    password: String,
    /// Whether the server writes durably (`fsync` on).
    durable: bool,
    /// Who runs the server: `None` is the current user.
    owner: Option<(u32, u32)>,
    /// The server process while it runs.
    child: Mutex<Option<Child>>,
}

impl Postgres {
    /// Starts a cluster that does not sync to disk (`fsync=off`): quick,
    /// for tests that do not test a crash.
    pub fn start() -> Result<Postgres, Error> {
        Postgres::create(false)
    }

    /// Starts a cluster that writes durably, for tests that kill it or
    /// restart it and expect every committed row back.
    pub fn start_durable() -> Result<Postgres, Error> {
        Postgres::create(true)
    }

    /// One durable cluster for the whole test binary, started on first use
    /// and removed when the binary exits.
    ///
    /// # Panics
    ///
    /// Panics when the cluster cannot be started (PostgreSQL is not
    /// installed, say): every test that needs it would fail anyway.
    pub fn shared() -> &'static Postgres {
        static SHARED: OnceLock<Postgres> = OnceLock::new();
        extern "C" fn stop_shared() {
            if let Some(postgres) = SHARED.get() {
                postgres.shut_down(libc::SIGINT);
                let _ = fs::remove_dir_all(postgres.dir.path());
            }
        }
        SHARED.get_or_init(|| {
            let postgres = Postgres::start_durable()
                .unwrap_or_else(|error| panic!("cannot start the shared PostgreSQL: {error}"));
            // SAFETY: registers a function with no arguments that only
            // signals a child process and removes a directory.
            unsafe {
                libc::atexit(stop_shared);
            }
            postgres
        })
    }

    fn create(durable: bool) -> Result<Postgres, Error> {
        let bin = server_binaries()?;
        let dir = tempfile::Builder::new()
            .prefix("seshat-postgres-")
            .tempdir()
            .map_err(|e| Error::io("create a temporary directory for postgresql", e))?;
        let owner = unprivileged_owner()?;
        let password = random_password()?;
        let password_file = dir.path().join("password");
        fs::write(&password_file, format!("{password}\n"))
            .map_err(|e| Error::io("write the postgresql password file", e))?;
        if let Some((uid, gid)) = owner {
            for path in [dir.path(), password_file.as_path()] {
                std::os::unix::fs::chown(path, Some(uid), Some(gid))
                    .map_err(|e| Error::io(format!("give {} to postgres", path.display()), e))?;
            }
        }
        let port = crate::free_port().map_err(|e| Error::io("find a free port", e))?;
        let postgres = Postgres {
            dir,
            bin,
            port,
            password,
            durable,
            owner,
            child: Mutex::new(None),
        };
        let mut initdb = postgres.as_owner(postgres.bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(postgres.data_dir())
            .args([
                "-U",
                USER,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ])
            .args(["--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"])
            .arg(format!("--pwfile={}", password_file.display()));
        run(&mut initdb, "initdb")?;
        fs::remove_file(&password_file)
            .map_err(|e| Error::io("remove the postgresql password file", e))?;
        postgres.start_again()?;
        postgres.psql_in("postgres", &format!("CREATE DATABASE {DATABASE}"))?;
        Ok(postgres)
    }

    /// The port clients connect to, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The superuser's password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The URL of `database` for the superuser, password included:
    /// `postgresql://seshat:PASSWORD@127.0.0.1:PORT/DATABASE`.
    pub fn url_of(&self, database: &str) -> String {
        format!(
            "postgresql://{USER}:{}@127.0.0.1:{}/{database}",
            self.password, self.port
        )
    }

    /// The URL of the database every cluster has, [`DATABASE`].
    pub fn url(&self) -> String {
        self.url_of(DATABASE)
    }

    /// Creates an empty database named `name` (letters, digits and `_`)
    /// and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, Error> {
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{name:?} is not a plain database name"
        );
        self.psql_in("postgres", &format!("CREATE DATABASE {name}"))?;
        Ok(self.url_of(name))
    }

    /// Runs `sql` in `database` through the socket, as the superuser, and
    /// returns what `psql` printed: unaligned, tuples only, columns
    /// separated by `|`. Stops at the first error.
    pub fn psql_in(&self, database: &str, sql: &str) -> Result<String, Error> {
        let mut psql = Command::new(self.bin.join("psql"));
        psql.arg("-h")
            .arg(self.dir.path())
            .args(["-p", &self.port.to_string(), "-U", USER, "-d", database])
            .args([
                "-X",
                "-A",
                "-t",
                "-F",
                "|",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ]);
        let output = run(&mut psql, "psql")?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The directory holding everything the cluster writes; gone once the
    /// [`Postgres`] is dropped.
    pub fn directory(&self) -> &Path {
        self.dir.path()
    }

    /// Whether the server accepts TCP connections now.
    pub fn is_listening(&self) -> bool {
        TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_ok()
    }

    /// Stops the server cleanly (fast shutdown: open sessions are ended).
    pub fn stop(&self) -> Result<(), Error> {
        self.shut_down(libc::SIGINT)
            .then_some(())
            .ok_or_else(|| self.error(format!("did not stop within {SHUTDOWN_DEADLINE:?}")))
    }

    /// Kills the server with SIGKILL, as a crash or a pulled plug would:
    /// the next start recovers from the write-ahead log.
    pub fn kill(&self) -> Result<(), Error> {
        self.shut_down(libc::SIGKILL)
            .then_some(())
            .ok_or_else(|| self.error("did not die of SIGKILL".to_owned()))
    }

    /// Starts the server on the same directory and port; returns once it
    /// accepts connections.
    pub fn start_again(&self) -> Result<(), Error> {
        let mut child = self.lock_child();
        if child.is_some() {
            return Ok(());
        }
        let log = fs::File::create(self.log_path())
            .map_err(|e| Error::io("create the postgresql log", e))?;
        let log_err = log
            .try_clone()
            .map_err(|e| Error::io("share the postgresql log", e))?;
        let mut server = self.as_owner(self.bin.join("postgres"));
        server
            .arg("-D")
            .arg(self.data_dir())
            .args(["-p", &self.port.to_string()])
            .arg("-k")
            .arg(self.dir.path())
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "max_connections=400"])
            .args(["-c", "shared_buffers=32MB"])
            .args([
                "-c",
                &format!("fsync={}", if self.durable { "on" } else { "off" }),
            ])
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        let spawned = server.spawn().map_err(|e| Error::io("start postgres", e))?;
        *child = Some(spawned);
        drop(child);
        self.until_ready()
    }

    /// Stops the server cleanly and starts it again.
    pub fn restart(&self) -> Result<(), Error> {
        self.stop()?;
        self.start_again()
    }

    /// Waits until the server answers a query, or fails with its log.
    fn until_ready(&self) -> Result<(), Error> {
        let give_up_at = Instant::now() + STARTUP_DEADLINE;
        loop {
            if let Some(status) = self
                .lock_child()
                .as_mut()
                .and_then(|child| child.try_wait().ok().flatten())
            {
                self.lock_child().take();
                return Err(self.error(format!("exited during startup ({status})")));
            }
            if self.is_listening() && self.psql_in("postgres", "SELECT 1").is_ok() {
                return Ok(());
            }
            if Instant::now() >= give_up_at {
                return Err(self.error(format!(
                    "did not accept connections on 127.0.0.1:{} within {STARTUP_DEADLINE:?}",
                    self.port
                )));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Sends `signal` to the server and waits for it to exit; false if it
    /// did not within the deadline (it is then killed).
    fn shut_down(&self, signal: libc::c_int) -> bool {
        let Some(mut child) = self.lock_child().take() else {
            return true;
        };
        let pid = child.id() as libc::pid_t;
        // SAFETY: kill(2) on our own child's pid, which we have not reaped.
        unsafe {
            libc::kill(pid, signal);
        }
        let give_up_at = Instant::now() + SHUTDOWN_DEADLINE;
        while Instant::now() < give_up_at {
            if let Ok(Some(_)) = child.try_wait() {
                return true;
            }
            std::thread::sleep(POLL_INTERVAL);
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    fn lock_child(&self) -> std::sync::MutexGuard<'_, Option<Child>> {
        self.child.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// A command run as the cluster's owner.
    fn as_owner(&self, program: PathBuf) -> Command {
        let mut command = Command::new(program);
        if let Some((uid, gid)) = self.owner {
            command.uid(uid).gid(gid).env("HOME", self.dir.path());
        }
        command
    }

    fn error(&self, what: String) -> Error {
        Error::Postgres {
            what,
            log: fs::read_to_string(self.log_path()).unwrap_or_default(),
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if !self.shut_down(libc::SIGINT) {
            tracing::warn!("postgresql did not stop in time and was killed");
        }
    }
}

/// The newest installed server's binaries, or `SESHAT_PG_BIN`.
fn server_binaries() -> Result<PathBuf, Error> {
    if let Some(bin) = std::env::var_os("SESHAT_PG_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let not_found = Error::ProgramNotFound {
        program: "initdb",
        package: "postgresql",
    };
    let Ok(versions) = fs::read_dir("/usr/lib/postgresql") else {
        return Err(not_found);
    };
    versions
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin)
        .ok_or(not_found)
}

/// The user and group the server runs as: `postgres` when we are root
/// (PostgreSQL refuses root), nobody else otherwise.
fn unprivileged_owner() -> Result<Option<(u32, u32)>, Error> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let passwd = fs::read_to_string("/etc/passwd").map_err(|e| Error::io("read /etc/passwd", e))?;
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.first() == Some(&"postgres") && fields.len() > 3)
                .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
                .flatten()
        })
        .map(Some)
        .ok_or(Error::ProgramNotFound {
            program: "the postgres user",
            package: "postgresql",
        })
}

/// A password of 24 random hexadecimal digits.
fn random_password() -> Result<String, Error> {
    let bytes =
        fs::read("/proc/sys/kernel/random/uuid").map_err(|e| Error::io("read a random uuid", e))?;
    Ok(String::from_utf8_lossy(&bytes)
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(24)
        .collect())
}

/// Runs `command` to the end; fails with what it printed unless it succeeded.
fn run(command: &mut Command, name: &'static str) -> Result<Output, Error> {
    let output = command.output().map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => Error::ProgramNotFound {
            program: name,
            package: "postgresql",
        },
        _ => Error::io(format!("run {name}"), error),
    })?;
    if output.status.success() {
        return Ok(output);
    }
    Err(Error::CommandFailed {
        command: format!("{command:?}"),
        status: output.status,
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    })
}
