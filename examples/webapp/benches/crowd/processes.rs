//! The two processes besides this one: the release `seshat-webapp` on
//! its own ini file, and the store writer (this benchmark's binary again,
//! see `writer`). Each is killed when its guard is dropped, so nothing
//! outlives the benchmark, also when it fails.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

/// A child process, killed and reaped on drop.
pub struct Process {
    child: Child,
    /// Held open while the child should run: the writer exits when it
    /// closes, even if this process dies without dropping the guard.
    _stdin: Option<ChildStdin>,
}

impl Process {
    /// Its process id, for `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `seshat-webapp` on the database `database`, listening on a free
/// loopback port; returns it and its URL (`http://127.0.0.1:PORT/`) once
/// it accepts connections. Configuration and log go to `dir`.
pub fn start_webapp(database: &Path, dir: &Path) -> (Process, String) {
    // The benchmark serves no page, but the app refuses to start without
    // jQuery: an empty stand-in spares it `npm ci`.
    let jquery = dir.join("jquery");
    std::fs::create_dir_all(&jquery).expect("create the jQuery directory");
    std::fs::write(jquery.join("jquery.min.js"), "").expect("write the jQuery stand-in");
    let config = dir.join("seshat.ini");
    std::fs::write(
        &config,
        format!(
            "[Seshat]\nsqlitedb = {}\nrate_limit_per_minute = 0\njquery_dir = {}\n",
            database.display(),
            jquery.display()
        ),
    )
    .expect("write the configuration");
    let log = File::create(dir.join("webapp.log")).expect("create the web app's log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_seshat-webapp"))
        .arg(&config)
        .arg("Seshat")
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start seshat-webapp");
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut first_line)
        .expect("read the web app's first line");
    let url = first_line
        .trim()
        .strip_prefix("seshat-webapp listening on ")
        .unwrap_or_else(|| panic!("the web app did not start: {first_line:?}"))
        .to_owned();
    let process = Process {
        child,
        _stdin: None,
    };
    (process, url)
}

/// Starts this binary again as the store writer on `database`, with
/// `role` set in its environment to say so.
pub fn start_writer(role: &str, database: &Path, dir: &Path) -> Process {
    let log = File::create(dir.join("writer.log")).expect("create the writer's log");
    let mut child = Command::new(std::env::current_exe().expect("this benchmark's path"))
        .env(role, database)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start the store writer");
    let stdin = child.stdin.take();
    Process {
        child,
        _stdin: stdin,
    }
}
