//! The workspace's programs, as Cargo built them. `cargo test --workspace`
//! builds every binary of the workspace into the target directory before
//! it runs a test (`seshatd`, `seshat-webapp` and `seshat-demo` each have
//! an integration test of their own, which makes Cargo build them), and a
//! test binary runs from `target/<profile>/deps/`, so they are found in
//! the directory above the running test.

use std::path::PathBuf;

/// The directory that overrides where the programs are looked for.
pub const BIN_DIR_VARIABLE: &str = "SESHAT_BIN_DIR";

/// A program the suite needs is not where Cargo builds it.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} does not exist: run `cargo build --workspace --bins` first (or `cargo test --workspace`), \
     or set {BIN_DIR_VARIABLE} to the directory that holds it",
    path.display()
)]
pub struct MissingProgram {
    /// Where the program was looked for.
    pub path: PathBuf,
}

/// The path of the workspace's program `name`: in `$SESHAT_BIN_DIR` when
/// that is set, else in the target directory this test binary runs from.
pub fn program(name: &str) -> Result<PathBuf, MissingProgram> {
    let dir = match std::env::var_os(BIN_DIR_VARIABLE) {
        Some(dir) => PathBuf::from(dir),
        None => target_dir(),
    };
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(MissingProgram { path })
    }
}

/// `target/<profile>/`: the running test or benchmark lives in its `deps/`.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the path of the running test");
    let mut dir = exe
        .parent()
        .expect("a test binary lives in a directory")
        .to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir
}

/// [`program`], or a panic that says how to build it: for tests.
pub fn require(name: &str) -> PathBuf {
    program(name).unwrap_or_else(|missing| panic!("{missing}"))
}
