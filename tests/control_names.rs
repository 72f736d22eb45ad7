//! File names and other text from the command line reach the terminal escaped in the
//! messages of `ballast lint`, `fmt`, `analyze` and `build`, and exact in JSON.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::engine::engine;
use common::{ballast, temp_dir};

/// A name part that recolours the terminal and rings its bell when printed raw.
const HOSTILE: &str = "x\u{1b}[31mred\u{7}";

/// `HOSTILE` as the messages write it.
const ESCAPED: &str = r"x\x1b[31mred\x07";

fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("the ballast binary runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Runs `ballast ARGS…` in `cwd` with a home and cache folder of its own.
fn run_in(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    run(ballast()
        .args(args)
        .current_dir(cwd)
        .env("HOME", cwd.join(".home"))
        .env("XDG_CONFIG_HOME", cwd.join(".xdg"))
        .env("XDG_CACHE_HOME", cwd.join(".cache"))
        .env_remove("NO_COLOR"))
}

/// Fails when `text` contains a character a terminal acts on instead of printing.
fn assert_printable(text: &str) {
    let control = text
        .chars()
        .find(|&ch| ch.is_control() && ch != '\n' && ch != '\t');
    assert_eq!(control, None, "a control character reaches the terminal in {text:?}");
}

#[test]
fn lint_missing_file_name_escaped() {
    let folder = temp_dir("control-lint-missing");
    let name = format!("no{HOSTILE}file");
    let (code, _, stderr) = run_in(&folder, &["lint", &name]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&format!("no{ESCAPED}file: no such file")), "{stderr}");
    assert_printable(&stderr);
}

#[test]
fn lint_empty_folder_name_escaped() {
    let folder = temp_dir("control-lint-empty");
    std::fs::create_dir(folder.join(HOSTILE)).unwrap();
    let (_, _, stderr) = run_in(&folder, &["lint", HOSTILE]);
    assert!(stderr.contains(&format!("{ESCAPED}: no Dockerfiles found")), "{stderr}");
    assert_printable(&stderr);
}

#[test]
fn lint_config_error_names_escaped() {
    let folder = temp_dir("control-lint-config");
    let config = format!("bad{HOSTILE}.toml");
    let dockerfile = format!("{HOSTILE}.Dockerfile");
    std::fs::write(folder.join(&config), "[[[\n").unwrap();
    std::fs::write(folder.join(&dockerfile), "FROM scratch\n").unwrap();
    let (code, _, stderr) = run_in(&folder, &["lint", "--config", &config, &dockerfile]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&format!("bad{ESCAPED}.toml:1:")), "{stderr}");
    assert!(stderr.contains(&format!("(while linting {ESCAPED}.Dockerfile)")), "{stderr}");
    assert_printable(&stderr);
}

#[test]
fn lint_unknown_code_escaped() {
    let folder = temp_dir("control-lint-code");
    std::fs::write(folder.join("Dockerfile"), "FROM scratch\n").unwrap();
    let (_, _, stderr) = run_in(&folder, &["lint", "--ignore", HOSTILE, "Dockerfile"]);
    assert!(stderr.contains(&format!("`{ESCAPED}` is not a known rule code")), "{stderr}");
    assert_printable(&stderr);
}

#[test]
fn lint_json_keeps_exact_name() {
    let folder = temp_dir("control-lint-json");
    let dockerfile = format!("{HOSTILE}.Dockerfile");
    std::fs::write(folder.join(&dockerfile), "FROM scratch\nMAINTAINER me\n").unwrap();
    let args = ["lint", "--format", "json", "--no-fail", &dockerfile];
    let (code, stdout, stderr) = run_in(&folder, &args);
    assert_eq!(code, 0, "{stderr}");
    let findings: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let first = &findings.as_array().expect("an array of findings")[0];
    assert_eq!(first["file"], dockerfile);
}

#[test]
fn fmt_check_name_escaped() {
    let folder = temp_dir("control-fmt-check");
    let dockerfile = format!("{HOSTILE}.Dockerfile");
    std::fs::write(folder.join(&dockerfile), "from   scratch\n").unwrap();
    let (code, stdout, stderr) = run_in(&folder, &["fmt", "--check", &dockerfile]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(stdout, format!("{ESCAPED}.Dockerfile: not formatted\n"));
}

#[test]
fn fmt_missing_file_name_escaped() {
    let folder = temp_dir("control-fmt-missing");
    let name = format!("no{HOSTILE}file");
    let (code, _, stderr) = run_in(&folder, &["fmt", &name]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&format!("no{ESCAPED}file")), "{stderr}");
    assert_printable(&stderr);
}

#[test]
fn analyze_missing_archive_name_escaped() {
    let folder = temp_dir("control-analyze");
    let source = format!("docker-archive:no{HOSTILE}.tar");
    let (code, _, stderr) = run_in(&folder, &["analyze", "--no-progress", &source]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&format!("no{ESCAPED}.tar")), "{stderr}");
    assert_printable(&stderr);
}

#[test]
fn build_missing_dockerfile_name_escaped() {
    let folder = temp_dir("control-build-missing");
    let dockerfile = format!("no{HOSTILE}.Dockerfile");
    let (code, _, stderr) = run_in(&folder, &["build", ".", "-f", &dockerfile]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&format!("no{ESCAPED}.Dockerfile")), "{stderr}");
    assert_printable(&stderr);
}

/// A real build whose Dockerfile and cache folder have hostile names: the Markdown summary
/// and the warning that the report cannot be cached show them escaped.
#[test]
fn build_names_escaped() {
    let Some(_) = engine() else { return };
    let folder = temp_dir("control-build");
    let dockerfile = format!("{HOSTILE}.Dockerfile");
    std::fs::write(folder.join("a.txt"), "a\n").unwrap();
    std::fs::write(folder.join(&dockerfile), "FROM scratch\nCOPY a.txt /a.txt\n").unwrap();
    // A file where the cache folder should be, so the report cannot be written there.
    let cache: PathBuf = folder.join(format!("cache{HOSTILE}"));
    std::fs::write(&cache, "").unwrap();
    let tag = "ballast-test/control-names";

    let (code, stdout, stderr) = run(ballast()
        .args(["build", ".", "-f", &dockerfile, "-t", tag])
        .args(["--builder", "docker", "--network", "none", "--no-progress"])
        .args(["--format", "markdown"])
        .current_dir(&folder)
        .env("DOCKER_BUILDKIT", "0")
        .env("XDG_CACHE_HOME", &cache));
    let _ = Command::new("docker").args(["rmi", tag]).output();

    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(&format!("`{ESCAPED}.Dockerfile`")), "{stdout}");
    assert_printable(&stdout);
    assert!(stderr.contains(&format!("cache{ESCAPED}/ballast")), "{stderr}");
    assert!(stderr.contains("cannot write the build report"), "{stderr}");
    assert_printable(&stderr);
}

/// A line feed in a file name is written as `\n`. The name then cannot print a line of its
/// own that reads as a finding (`name.Dockerfile:1:1: error …`) in the gnu format, and
/// every message about the file stays on one line.
#[test]
fn line_feed_in_names_escaped() {
    let folder = temp_dir("control-line-feed");
    let name = "bad\nforged.Dockerfile";
    std::fs::write(folder.join(name), "from scratch\nRUN cd /tmp\n").unwrap();

    let (code, stdout, stderr) = run_in(&folder, &["lint", "--no-shellcheck", "-f", "gnu", name]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stdout.is_empty());
    for line in stdout.lines() {
        assert!(line.starts_with(r"ballast:bad\nforged.Dockerfile:"), "{stdout}");
    }

    let (_, stdout, stderr) = run_in(&folder, &["lint", "--no-shellcheck", name]);
    assert!(stdout.contains(r"bad\nforged.Dockerfile:1:1"), "{stdout}{stderr}");
    assert!(!stdout.contains("\nforged.Dockerfile"), "{stdout}");

    let (code, stdout, stderr) = run_in(&folder, &["fmt", "--check", name]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout.trim_end(), r"bad\nforged.Dockerfile: not formatted");

    let (code, _, stderr) = run_in(&folder, &["lint", "missing\nname"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(r"missing\nname: no such file"), "{stderr}");
}
