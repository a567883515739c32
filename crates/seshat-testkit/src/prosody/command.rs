//! Running the helper programs (`prosodyctl`, `openssl`) and turning their
//! failures into [`Error`]s that say what to do.

use std::io;
use std::process::{Child, Command, Output, Stdio};

use crate::Error;

/// A helper program and the Debian package that provides it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Program {
    pub(crate) name: &'static str,
    pub(crate) package: &'static str,
}

pub(crate) const PROSODY: Program = Program {
    name: "prosody",
    package: "prosody",
};

pub(crate) const PROSODYCTL: Program = Program {
    name: "prosodyctl",
    package: "prosody",
};

pub(crate) const OPENSSL: Program = Program {
    name: "openssl",
    package: "openssl",
};

pub(crate) const EJABBERDCTL: Program = Program {
    name: "ejabberdctl",
    package: "ejabberd",
};

impl Program {
    /// A command for this program with `args`, its output captured.
    pub(crate) fn command<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Command {
        let mut command = Command::new(self.name);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Maps a failure to start this program to [`Error::ProgramNotFound`]
    /// when it is missing.
    pub(crate) fn spawn_error(&self, error: io::Error) -> Error {
        if error.kind() == io::ErrorKind::NotFound {
            Error::ProgramNotFound {
                program: self.name,
                package: self.package,
            }
        } else {
            Error::io(format!("start {}", self.name), error)
        }
    }

    /// Starts `command` (made by [`Program::command`]).
    pub(crate) fn spawn(&self, command: &mut Command) -> Result<Child, Error> {
        command.spawn().map_err(|e| self.spawn_error(e))
    }
}

/// Waits for a child started with [`Program::spawn`] and fails unless it
/// exited successfully.
pub(crate) fn finish(program: Program, command: &Command, child: Child) -> Result<(), Error> {
    let output = child
        .wait_with_output()
        .map_err(|e| Error::io(format!("wait for {}", program.name), e))?;
    check(command, output)
}

/// Runs `command` to completion and fails unless it exited successfully.
pub(crate) fn run(program: Program, command: &mut Command) -> Result<(), Error> {
    let child = program.spawn(command)?;
    finish(program, command, child)
}

fn check(command: &Command, output: Output) -> Result<(), Error> {
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Err(Error::CommandFailed {
        command: describe(command),
        status: output.status,
        output: text.trim().to_owned(),
    })
}

/// The command line as one would type it.
fn describe(command: &Command) -> String {
    let mut line = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}
