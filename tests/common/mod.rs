//! Helpers shared by the integration tests: the `ballast` binary, temporary folders, the
//! shared corpus, a real container engine, and archive fixtures written by the tests.
#![allow(dead_code)]

pub mod engine;
pub mod fixtures;

use std::os::fd::FromRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `ballast` binary Cargo built for these tests.
pub fn ballast() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ballast"))
}

/// Runs `ballast analyze ARGS… --format json` and returns the exit code and the parsed report.
pub fn analyze_json(args: &[&str]) -> (i32, serde_json::Value, String) {
    let output: Output = ballast()
        .arg("analyze")
        .args(args)
        .args(["--format", "json", "--no-progress"])
        .output()
        .expect("the ballast binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let code = output.status.code().unwrap_or(-1);
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!("ballast analyze {args:?} printed no JSON ({error}); exit {code}; stderr: {stderr}")
    });
    (code, report, stderr)
}

/// Runs `ballast analyze ARGS…` when no report is expected; returns the exit code and
/// standard error.
pub fn analyze_failure(args: &[&str]) -> (i32, String) {
    let output = ballast()
        .arg("analyze")
        .args(args)
        .arg("--no-progress")
        .output()
        .expect("the ballast binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), stderr)
}

/// The folder shared by the project's sessions, beside the repository.
pub fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// A fresh, empty folder under the system's temporary folder. Dropping the value removes the
/// folder and its contents, so keep it alive while anything reads the folder. Passing it by
/// value, as in `Command::env("X", temp_dir("x"))`, drops it at once.
pub struct TempDir(tempfile::TempDir);

impl std::ops::Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.path().as_os_str()
    }
}

/// A file inside a [`TempDir`], named by a UTF-8 path. The folder lives as long as this value.
pub struct TempFile {
    _folder: TempDir,
    path: String,
}

impl TempFile {
    /// Names the file `name` inside `folder`, which is kept until this value is dropped.
    pub fn new(folder: TempDir, name: &str) -> TempFile {
        let path = folder
            .join(name)
            .into_os_string()
            .into_string()
            .expect("the temporary folder has a UTF-8 path");
        TempFile {
            _folder: folder,
            path,
        }
    }
}

impl TempFile {
    /// Returns the path as text, for argument lists.
    pub fn as_str(&self) -> &str {
        &self.path
    }
}

impl std::ops::Deref for TempFile {
    type Target = Path;

    fn deref(&self) -> &Path {
        Path::new(&self.path)
    }
}

impl AsRef<Path> for TempFile {
    fn as_ref(&self) -> &Path {
        Path::new(&self.path)
    }
}

impl AsRef<std::ffi::OsStr> for TempFile {
    fn as_ref(&self) -> &std::ffi::OsStr {
        std::ffi::OsStr::new(&self.path)
    }
}

/// Creates a [`TempDir`] whose name starts with `ballast-test-NAME-`. It is readable by every
/// user, like a folder made with the default umask, because engines and builders may read
/// it as another user.
pub fn temp_dir(name: &str) -> TempDir {
    use std::os::unix::fs::PermissionsExt;
    let folder = tempfile::Builder::new()
        .prefix(&format!("ballast-test-{name}-"))
        .permissions(std::fs::Permissions::from_mode(0o755))
        .tempdir()
        .expect("a test folder can be created");
    TempDir(folder)
}

/// Whether missing tools must fail the tests instead of skipping them.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

/// Reports a missing tool: a skip message normally, a panic when `CI=true`.
pub fn skip(reason: &str) {
    if in_ci() {
        panic!("{reason} (CI=true, so this is a failure, not a skip)");
    }
    eprintln!("skipped: {reason}");
}

/// Whether a program can be started (`PROGRAM --version` or similar succeeds).
pub fn tool_works(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Reads a figure from a JSON report by a `/`-separated pointer.
pub fn figure(report: &serde_json::Value, pointer: &str) -> serde_json::Value {
    report
        .pointer(pointer)
        .unwrap_or_else(|| panic!("the report has no {pointer}"))
        .clone()
}

pub fn u64_at(report: &serde_json::Value, pointer: &str) -> u64 {
    figure(report, pointer)
        .as_u64()
        .unwrap_or_else(|| panic!("{pointer} is not an unsigned integer"))
}

/// Returns the write end of a pipe whose read end is already closed, so every write to it
/// fails with `EPIPE` at once, whatever the timing.
pub fn widowed_pipe() -> std::fs::File {
    let mut fds = [0; 2];
    // SAFETY: `pipe` fills both descriptors on success; each is owned by exactly one value.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe() failed");
    unsafe {
        drop(std::fs::File::from_raw_fd(fds[0]));
        std::fs::File::from_raw_fd(fds[1])
    }
}
