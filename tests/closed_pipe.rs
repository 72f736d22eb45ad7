//! Output into a pipe whose reader has gone (`ballast analyze … | head -1`) is not an error:
//! each command stays quiet about it and exits with the code its work earned.

mod common;

use std::process::{Command, Stdio};

use common::fixtures::{Item, layer, legacy_archive};
use common::{ballast, temp_dir, widowed_pipe};

/// Runs the command twice, into a closed pipe and into a normal one, and checks that both
/// runs end with the same exit code and that the first prints no pipe error.
fn assert_quiet_on_closed_pipe(mut make: impl FnMut() -> Command, expected_code: i32) {
    let normal = make().output().expect("ballast runs");
    assert_eq!(
        normal.status.code(),
        Some(expected_code),
        "stderr: {}",
        String::from_utf8_lossy(&normal.stderr)
    );
    assert!(!normal.stdout.is_empty(), "the command writes to standard output");

    let closed = make()
        .stdout(Stdio::from(widowed_pipe()))
        .output()
        .expect("ballast runs");
    let stderr = String::from_utf8_lossy(&closed.stderr);
    assert!(!stderr.contains("Broken pipe"), "closed pipe reported: {stderr}");
    assert!(!stderr.contains("os error 32"), "closed pipe reported: {stderr}");
    assert_eq!(closed.status.code(), Some(expected_code), "stderr: {stderr}");
}

#[test]
fn analyze_into_a_closed_pipe() {
    let folder = temp_dir("closed-pipe-analyze");
    let archive = folder.join("image.tar");
    let base = layer(&[Item::File("bin/sh", b"#!")]);
    let added = layer(&[Item::File("data", &[7u8; 4096])]);
    let removed = layer(&[Item::File(".wh.data", b"")]);
    legacy_archive(&archive, &[&base, &added, &removed], &[]);
    let archive = archive.to_str().unwrap();

    for format in ["json", "tty"] {
        assert_quiet_on_closed_pipe(
            || {
                let mut command = ballast();
                command.args(["analyze", "--no-progress", "--format", format, archive]);
                command
            },
            0,
        );
    }
    // A failing gate keeps its exit code when the reader has gone.
    assert_quiet_on_closed_pipe(
        || {
            let mut command = ballast();
            command.args(["analyze", "--no-progress", "--ci", "--max-wasted-bytes", "0"]);
            command.args(["--format", "json", archive]);
            command
        },
        1,
    );
}

#[test]
fn lint_into_a_closed_pipe() {
    let folder = temp_dir("closed-pipe-lint");
    let dockerfile = folder.join("Dockerfile");
    std::fs::write(&dockerfile, "FROM debian\nRUN apt-get install curl\n").unwrap();
    let dockerfile = dockerfile.to_str().unwrap();

    for format in ["tty", "json", "sarif"] {
        assert_quiet_on_closed_pipe(
            || {
                let mut command = ballast();
                command.args(["lint", "--no-shellcheck", "--format", format, dockerfile]);
                command
            },
            1,
        );
    }
}

#[test]
fn rules_into_a_closed_pipe() {
    assert_quiet_on_closed_pipe(
        || {
            let mut command = ballast();
            command.arg("rules");
            command
        },
        0,
    );
}
