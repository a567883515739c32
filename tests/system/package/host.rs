//! The machine the package goes on: its preconditions, `dpkg`, system
//! accounts, and the guard that purges the package whatever happens.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The Debian package's name (`[package.metadata.deb]` in
/// crates/seshatd/Cargo.toml).
pub const PACKAGE: &str = "seshat";

/// The system account the package makes.
pub const ACCOUNT: &str = "seshat";

/// Runs `program args`, panics with its output unless it succeeds.
pub fn run(program: &str, args: &[&str]) -> Output {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {program}: {error}"));
    assert!(
        output.status.success(),
        "{program} {} failed ({}):\n{}{}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The test can only work as root on Debian with systemd's tools: says
/// what is missing, as a failure (CI is root on Debian; this test never
/// skips).
pub fn require_root_debian() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    assert_eq!(
        euid, 0,
        "the package test installs a .deb: run it as root (CI does; ./scripts/test as root)"
    );
    for (tool, package) in [
        ("dpkg", "dpkg (a Debian system)"),
        ("dpkg-query", "dpkg (a Debian system)"),
        ("systemd-analyze", "systemd"),
        ("setpriv", "util-linux"),
    ] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|output| output.status.success());
        assert!(found, "{tool} is missing: install {package}");
    }
    assert!(
        !is_installed(),
        "the {PACKAGE} package is already installed: this test installs and purges it, so \
         run it on a machine without it (dpkg --purge {PACKAGE})"
    );
    assert!(
        account("passwd").is_none() && account("group").is_none(),
        "a {ACCOUNT} user or group exists already; the test would remove it"
    );
}

/// The `.deb` that `./scripts/package` made for this version:
/// `$SESHAT_DEB`, else `target/debian/seshat_VERSION-*.deb` of the workspace.
pub fn built_package() -> PathBuf {
    if let Some(path) = std::env::var_os("SESHAT_DEB") {
        return PathBuf::from(path);
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debian");
    let prefix = format!("{PACKAGE}_{}-", env!("CARGO_PKG_VERSION"));
    let found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with(&prefix) && name.ends_with(".deb"))
        })
        .collect();
    match &found[..] {
        [deb] => deb.clone(),
        [] => panic!(
            "no {prefix}*.deb in {}: run ./scripts/package first (./scripts/test does), \
             or set SESHAT_DEB",
            dir.display()
        ),
        _ => panic!(
            "more than one {prefix}*.deb in {}: {found:?}",
            dir.display()
        ),
    }
}

/// Whether dpkg knows the package as installed (or half-installed).
pub fn is_installed() -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Status}", PACKAGE])
        .output()
        .is_ok_and(|output| {
            output.status.success()
                && !output.stdout.is_empty()
                && output.stdout != b"not-installed"
        })
}

/// The `getent DATABASE seshat` entry's fields, if there is one.
pub fn account(database: &str) -> Option<Vec<String>> {
    let output = Command::new("getent")
        .args([database, ACCOUNT])
        .output()
        .expect("run getent");
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .split(':')
            .map(str::to_owned)
            .collect()
    })
}

/// The numeric id in field 2 of a `getent` entry.
pub fn id_of(entry: &[String]) -> u32 {
    entry[2].parse().expect("a numeric id")
}

/// The package, installed; purged when dropped, also when the test fails,
/// so that the machine is left as it was.
pub struct Installed {
    purged: bool,
}

impl Installed {
    /// `dpkg -i deb`.
    pub fn install(deb: &Path) -> Installed {
        let installed = Installed { purged: false };
        run("dpkg", &["-i", deb.to_str().expect("a UTF-8 path")]);
        installed
    }

    /// `dpkg --purge seshat`, which must succeed.
    pub fn purge(mut self) {
        self.purged = true;
        run("dpkg", &["--purge", PACKAGE]);
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        if !self.purged {
            let _ = Command::new("dpkg").args(["--purge", PACKAGE]).status();
        }
    }
}
