//! The `seshat-demo` command line without starting anything: a missing
//! program is named with the command that builds it. (The demo running as
//! a whole is tested with the end-to-end suite, `tests/system/demo.rs` at
//! the top of the repository.) Also makes `cargo test --workspace` build
//! the `seshat-demo` binary that suite runs.

use std::process::Stdio;

use tokio::process::Command;

#[tokio::test]
async fn missing_programs_are_named_with_the_command_that_builds_them() {
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_seshat-demo"))
        .arg("--bin-dir")
        .arg(empty.path())
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("seshatd does not exist"), "{stderr}");
    assert!(
        stderr.contains("cargo build -p seshatd -p seshat-webapp"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing was started");
}
