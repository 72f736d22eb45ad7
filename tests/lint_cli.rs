//! `ballast lint`, `ballast rules` and `ballast rule` run as a user runs them: exit codes,
//! standard input, folder discovery, configuration sources, fixes and diffs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Creates a fresh folder for one test under Cargo's temporary folder for integration tests.
fn folder(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lint-cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).unwrap();
    path
}

fn write(folder: &Path, relative: &str, text: &str) -> PathBuf {
    let path = folder.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `ballast ARGS…` in `cwd` with a home folder of its own and no `HADOLINT_*` or
/// `NO_COLOR` from the caller's environment, plus `env`.
fn ballast(cwd: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ballast"));
    command
        .args(args)
        .current_dir(cwd)
        .env("HOME", cwd.join(".home"))
        .env("XDG_CONFIG_HOME", cwd.join(".xdg"));
    for (name, _) in std::env::vars() {
        if name.starts_with("HADOLINT_") || name == "NO_COLOR" {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("the ballast binary runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The rules these tests use, so rules added later do not change the expected findings.
const SELECT: &str = "DL1000,BL1000,DL3020,MaintainerDeprecated";

/// Runs `ballast lint --select SELECT ARGS…`.
fn lint(cwd: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
    let mut full = vec!["lint", "--select", SELECT];
    full.extend_from_slice(args);
    ballast(cwd, &full, stdin, env)
}

/// Returns the `(file, code)` pairs of a `--format json` run.
fn findings(run: &Run) -> Vec<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|error| {
        panic!("not JSON ({error}): {}\nstderr: {}", run.stdout, run.stderr)
    });
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["file"].as_str().unwrap().to_string(),
                finding["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const CLEAN: &str = "FROM alpine:3.20\nCOPY app /app\n";
const ADD_LOCAL: &str = "FROM alpine:3.20\nADD app /app\n";
const MAINTAINER: &str = "FROM alpine:3.20\nMAINTAINER me\n";

#[test]
fn exit_zero_when_clean() {
    let dir = folder("exit-zero");
    write(&dir, "Dockerfile", CLEAN);
    let run = lint(&dir, &["Dockerfile"], None, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("No problems found in 1 file."),
        "{}",
        run.stdout
    );
}

#[test]
fn exit_one_on_findings() {
    let dir = folder("exit-one");
    write(&dir, "Dockerfile", ADD_LOCAL);
    let run = lint(&dir, &["Dockerfile"], None, &[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("DL3020"), "{}", run.stdout);
}

#[test]
fn threshold_and_no_fail() {
    let dir = folder("threshold");
    write(&dir, "Dockerfile", MAINTAINER);
    assert_eq!(lint(&dir, &["Dockerfile"], None, &[]).code, 1);
    assert_eq!(
        lint(&dir, &["-t", "error", "Dockerfile"], None, &[]).code,
        0
    );
    assert_eq!(
        lint(
            &dir,
            &["--failure-threshold", "none", "Dockerfile"],
            None,
            &[]
        )
        .code,
        0
    );
    assert_eq!(lint(&dir, &["--no-fail", "Dockerfile"], None, &[]).code, 0);
    assert_eq!(
        lint(
            &dir,
            &[
                "--severity",
                "MaintainerDeprecated=error",
                "-t",
                "error",
                "Dockerfile"
            ],
            None,
            &[]
        )
        .code,
        1
    );
}

#[test]
fn ignore_and_severity_flags() {
    let dir = folder("ignore-flag");
    write(
        &dir,
        "Dockerfile",
        "FROM alpine:3.20\nADD a /a\nMAINTAINER me\n",
    );
    let run = lint(
        &dir,
        &[
            "-f",
            "json",
            "--ignore",
            "DL3020,maintainer-deprecated",
            "Dockerfile",
        ],
        None,
        &[],
    );
    assert_eq!(findings(&run), []);
    assert_eq!(run.code, 0);

    let run = lint(
        &dir,
        &[
            "-f",
            "json",
            "--severity",
            "DL3020=style",
            "--style",
            "MaintainerDeprecated",
            "Dockerfile",
        ],
        None,
        &[],
    );
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        value
            .as_array()
            .unwrap()
            .iter()
            .all(|finding| finding["level"] == "style"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.code, 0,
        "style findings stay below the default threshold"
    );
}

#[test]
fn invalid_severity_is_a_usage_error() {
    let dir = folder("bad-severity");
    let run = lint(&dir, &["--severity", "DL3020=loud"], None, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("invalid level `loud`"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_file_does_not_stop_others() {
    let dir = folder("missing-file");
    write(&dir, "Dockerfile", ADD_LOCAL);
    let run = lint(
        &dir,
        &["-f", "json", "nope/Dockerfile", "Dockerfile"],
        None,
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("nope/Dockerfile: no such file or folder"),
        "{}",
        run.stderr
    );
    assert_eq!(
        findings(&run),
        [("Dockerfile".to_string(), "DL3020".to_string())]
    );

    let only_missing = lint(&dir, &["nope/Dockerfile"], None, &[]);
    assert_eq!(only_missing.code, 2);
    assert!(
        !only_missing.stdout.contains("No problems found"),
        "{}",
        only_missing.stdout
    );
}

#[cfg(unix)]
#[test]
fn unreadable_file_does_not_stop_others() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder("unreadable");
    write(&dir, "a/Dockerfile", ADD_LOCAL);
    let locked = write(&dir, "b/Dockerfile", ADD_LOCAL);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads a file with mode 000; reading `/proc/self/mem` from offset 0 fails for
    // every user on Linux.
    let unreadable = if std::fs::read(&locked).is_err() {
        "b/Dockerfile".to_string()
    } else if std::fs::read("/proc/self/mem").is_err() {
        "/proc/self/mem".to_string()
    } else {
        eprintln!("skipped: no file here is unreadable for this user");
        return;
    };

    let run = lint(
        &dir,
        &["-f", "json", &unreadable, "a/Dockerfile"],
        None,
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(&format!("{unreadable}: cannot read the file")),
        "{}",
        run.stderr
    );
    assert_eq!(
        findings(&run),
        [("a/Dockerfile".to_string(), "DL3020".to_string())]
    );
}

#[test]
fn stdin_with_filename() {
    let dir = folder("stdin");
    write(
        &dir,
        "sub/.ballast.toml",
        "ignore = [\"MaintainerDeprecated\"]\n",
    );
    let text = "FROM alpine:3.20\nADD a /a\nMAINTAINER me\n";
    let run = lint(
        &dir,
        &["-f", "json", "--stdin-filename", "sub/Dockerfile", "-"],
        Some(text),
        &[],
    );
    assert_eq!(
        findings(&run),
        [("sub/Dockerfile".to_string(), "DL3020".to_string())]
    );

    let plain = lint(&dir, &["-f", "gnu", "-"], Some(text), &[]);
    assert!(
        plain.stdout.starts_with("ballast:-:2:1: DL3020 error:"),
        "{}",
        plain.stdout
    );
}

/// Returns the `(file, code)` pairs of a CopyIgnoredFile-only `--format json` run.
fn ignored_copies(cwd: &Path, args: &[&str], stdin: Option<&str>) -> Vec<(String, String)> {
    let mut full = vec!["lint", "--select", "CopyIgnoredFile", "-f", "json"];
    full.extend_from_slice(args);
    findings(&ballast(cwd, &full, stdin, &[]))
}

#[test]
fn context_option_reads_its_dockerignore() {
    let dir = folder("context-option");
    // The Dockerfile lives apart from the context, as with `docker build -f docker/Dockerfile .`.
    write(&dir, ".dockerignore", "secrets\n");
    write(
        &dir,
        "docker/Dockerfile",
        "FROM alpine:3.20\nCOPY secrets /secrets\n",
    );
    let finding = [(
        "docker/Dockerfile".to_string(),
        "CopyIgnoredFile".to_string(),
    )];

    assert!(ignored_copies(&dir, &["docker/Dockerfile"], None).is_empty());
    assert_eq!(
        ignored_copies(&dir, &["--context", ".", "docker/Dockerfile"], None),
        finding
    );

    // A `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's.
    write(&dir, "docker/Dockerfile.dockerignore", "other\n");
    assert!(ignored_copies(&dir, &["--context", ".", "docker/Dockerfile"], None).is_empty());

    let stdin = "FROM alpine:3.20\nCOPY secrets /secrets\n";
    assert_eq!(
        ignored_copies(&dir, &["--context", ".", "-"], Some(stdin)),
        [("-".to_string(), "CopyIgnoredFile".to_string())]
    );
}

#[test]
fn context_option_must_be_folder() {
    let dir = folder("context-not-folder");
    let dockerfile = write(&dir, "Dockerfile", CLEAN);
    let run = lint(
        &dir,
        &["--context", "missing", dockerfile.to_str().unwrap()],
        None,
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--context missing: not a folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn stdin_filename_needs_dash() {
    let dir = folder("stdin-needs-dash");
    let run = lint(&dir, &["--stdin-filename", "x"], None, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("add `-` to the paths"),
        "{}",
        run.stderr
    );
}

#[test]
fn folder_discovery_honours_gitignore() {
    let dir = folder("discovery");
    for name in [
        "Dockerfile",
        "Containerfile",
        "svc/api.Dockerfile",
        "svc/Dockerfile.dev",
        "svc/web__Dockerfile",
        ".devcontainer/Dockerfile",
        "ignored/Dockerfile",
        "build.log",
    ] {
        write(&dir, name, ADD_LOCAL);
    }
    write(&dir, "svc/Dockerfile.dockerignore", "*\n");
    write(&dir, "notes.dockerfile", ADD_LOCAL);
    write(&dir, ".gitignore", "ignored/\n");

    let run = lint(&dir, &["-f", "json", "."], None, &[]);
    let mut files: Vec<String> = findings(&run).into_iter().map(|(file, _)| file).collect();
    files.sort();
    assert_eq!(
        files,
        [
            ".devcontainer/Dockerfile",
            "Containerfile",
            "Dockerfile",
            "svc/Dockerfile.dev",
            "svc/api.Dockerfile",
            "svc/web__Dockerfile",
        ]
    );

    let default_path = lint(&dir, &["-f", "json"], None, &[]);
    assert_eq!(findings(&default_path).len(), 6);
}

#[test]
fn explicit_file_of_any_name() {
    let dir = folder("explicit-name");
    write(&dir, "build.txt", ADD_LOCAL);
    let run = lint(&dir, &["-f", "json", "build.txt"], None, &[]);
    assert_eq!(
        findings(&run),
        [("build.txt".to_string(), "DL3020".to_string())]
    );
}

#[test]
fn ballast_toml_found_walking_up() {
    let dir = folder("ballast-toml");
    write(&dir, ".ballast.toml", "ignore = [\"DL3020\"]\n");
    write(&dir, ".hadolint.yaml", "ignored: [MaintainerDeprecated]\n");
    write(
        &dir,
        "deep/er/Dockerfile",
        "FROM alpine:3.20\nADD a /a\nMAINTAINER me\n",
    );
    let run = lint(&dir, &["-f", "json", "deep/er/Dockerfile"], None, &[]);
    assert_eq!(
        findings(&run),
        [(
            "deep/er/Dockerfile".to_string(),
            "MaintainerDeprecated".to_string()
        )]
    );
}

#[test]
fn hadolint_yaml_when_no_ballast_toml() {
    let dir = folder("hadolint-yaml");
    write(
        &dir,
        ".hadolint.yml",
        "ignored:\n  - MaintainerDeprecated\nfailure-threshold: error\n",
    );
    write(
        &dir,
        "Dockerfile",
        "FROM alpine:3.20\nADD a /a\nMAINTAINER me\n",
    );
    let run = lint(&dir, &["-f", "json", "Dockerfile"], None, &[]);
    assert_eq!(
        findings(&run),
        [("Dockerfile".to_string(), "DL3020".to_string())]
    );
}

#[test]
fn hadolint_yaml_in_home() {
    let dir = folder("hadolint-home");
    write(&dir, ".home/.hadolint/hadolint.yaml", "ignored: [DL3020]\n");
    write(&dir, "Dockerfile", ADD_LOCAL);
    let run = lint(&dir, &["Dockerfile"], None, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn hadolint_environment_variables() {
    let dir = folder("hadolint-env");
    write(
        &dir,
        "Dockerfile",
        "FROM alpine:3.20\nADD a /a\nMAINTAINER me\n",
    );
    let env = [
        ("HADOLINT_IGNORE", "DL3020"),
        ("HADOLINT_FAILURE_THRESHOLD", "error"),
    ];
    let run = lint(&dir, &["-f", "json", "Dockerfile"], None, &env);
    assert_eq!(
        findings(&run),
        [("Dockerfile".to_string(), "MaintainerDeprecated".to_string())]
    );
    assert_eq!(
        run.code, 0,
        "a warning is below the `error` threshold from HADOLINT_FAILURE_THRESHOLD"
    );

    // The command line wins over the environment for single values.
    let run = lint(&dir, &["-t", "warning", "Dockerfile"], None, &env);
    assert_eq!(run.code, 1);
}

#[test]
fn environment_ignored_with_ballast_toml() {
    let dir = folder("env-vs-toml");
    write(&dir, ".ballast.toml", "failure-threshold = \"warning\"\n");
    write(&dir, "Dockerfile", ADD_LOCAL);
    let run = lint(
        &dir,
        &["-f", "json", "Dockerfile"],
        None,
        &[("HADOLINT_IGNORE", "DL3020")],
    );
    assert_eq!(findings(&run).len(), 1);
}

#[test]
fn explicit_config_replaces_search() {
    let dir = folder("explicit-config");
    write(&dir, ".ballast.toml", "ignore = [\"DL3020\"]\n");
    write(&dir, "other.toml", "ignore = [\"MaintainerDeprecated\"]\n");
    write(
        &dir,
        "Dockerfile",
        "FROM alpine:3.20\nADD a /a\nMAINTAINER me\n",
    );
    let run = lint(
        &dir,
        &["-f", "json", "--config", "other.toml", "Dockerfile"],
        None,
        &[],
    );
    assert_eq!(
        findings(&run),
        [("Dockerfile".to_string(), "DL3020".to_string())]
    );
}

#[test]
fn invalid_config_names_the_file() {
    let dir = folder("invalid-config");
    write(&dir, ".ballast.toml", "ignored = [\"DL3020\"]\n");
    write(&dir, "Dockerfile", ADD_LOCAL);
    let run = lint(&dir, &["Dockerfile"], None, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(".ballast.toml:1:1: invalid configuration"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("ignored"), "{}", run.stderr);
}

#[test]
fn invalid_config_gives_line_and_column() {
    let cases = [
        (".ballast.toml", "ignore = [\"DL3003\"]\nselect = [\"DL3020\"\n", ":2:19: ", "unclosed array"),
        (".ballast.toml", "[severity]\nDL3020 = \"loud\"\n", ":2:10: ", "severity.DL3020: invalid level"),
        (".ballast.toml", "no-fail = true\nignored = []\n", ":2:1: ", "unknown field `ignored`"),
        (".hadolint.yaml", "ignored:\n  - DL3003\nfailure-threshold: [x\n", ":3:20: ", "failure-threshold"),
        (".hadolint.yaml", "ignored: [DL3003]\nfailure-threshold: loud\n", ":2:20: ", "invalid failure threshold"),
        (".hadolint.yaml", "no-fail: true\nignored: 5\n", ":2:10: ", "ignored: invalid type"),
    ];
    for (index, (file, text, location, message)) in cases.into_iter().enumerate() {
        let dir = folder(&format!("invalid-config-location-{index}"));
        write(&dir, file, text);
        write(&dir, "Dockerfile", ADD_LOCAL);
        let run = lint(&dir, &["Dockerfile"], None, &[]);
        assert_eq!(run.code, 2, "{text:?}: {}", run.stderr);
        let expected = format!("{file}{location}invalid configuration: ");
        assert!(run.stderr.contains(&expected), "{text:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{text:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{text:?}: {}", run.stderr);
    }
}

#[test]
fn fix_writes_safe_fixes() {
    let dir = folder("fix");
    let path = write(
        &dir,
        "Dockerfile",
        "FROM alpine:3.20\nADD a /a\nMAINTAINER me\n",
    );
    let run = lint(&dir, &["--fix", "-f", "json", "Dockerfile"], None, &[]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "FROM alpine:3.20\nCOPY a /a\nMAINTAINER me\n"
    );
    assert_eq!(
        findings(&run),
        [("Dockerfile".to_string(), "MaintainerDeprecated".to_string())]
    );
    assert_eq!(run.code, 1);

    let run = lint(&dir, &["--unsafe-fixes", "Dockerfile"], None, &[]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "FROM alpine:3.20\nCOPY a /a\nLABEL org.opencontainers.image.authors=\"me\"\n"
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn fix_then_lint_reports_nothing_fixed() {
    let dir = folder("fix-relint");
    write(
        &dir,
        "Dockerfile",
        "FROM alpine:3.20\nADD a /a\nadd b /b\nMAINTAINER me\n",
    );
    let first = lint(&dir, &["-f", "json", "Dockerfile"], None, &[]);
    assert_eq!(findings(&first).len(), 3);
    lint(&dir, &["--fix", "--unsafe-fixes", "Dockerfile"], None, &[]);
    let second = lint(&dir, &["-f", "json", "Dockerfile"], None, &[]);
    assert_eq!(findings(&second), []);
}

#[test]
fn diff_prints_without_writing() {
    let dir = folder("diff");
    let path = write(&dir, "Dockerfile", ADD_LOCAL);
    let run = lint(&dir, &["--diff", "Dockerfile"], None, &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .starts_with("--- a/Dockerfile\n+++ b/Dockerfile\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\n-ADD app /app\n+COPY app /app\n"),
        "{}",
        run.stdout
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ADD_LOCAL);

    write(&dir, "Dockerfile", CLEAN);
    let clean = lint(&dir, &["--diff", "Dockerfile"], None, &[]);
    assert_eq!((clean.code, clean.stdout.as_str()), (0, ""));
}

#[test]
fn fix_on_stdin_prints_fixed_text() {
    let dir = folder("fix-stdin");
    let run = lint(&dir, &["--fix", "-"], Some(ADD_LOCAL), &[]);
    assert_eq!(run.stdout, "FROM alpine:3.20\nCOPY app /app\n");
    assert!(run.stderr.contains("No problems found"), "{}", run.stderr);
}

#[test]
fn fix_skips_syntax_error_regions() {
    let dir = folder("fix-syntax");
    let text = "FROM alpine:3.20\nADD --bogus a /a\nADD b /b\n";
    let path = write(&dir, "Dockerfile", text);
    let run = lint(&dir, &["--fix", "Dockerfile"], None, &[]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "FROM alpine:3.20\nADD --bogus a /a\nCOPY b /b\n"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn fix_moves_comment_out_of_from() {
    let dir = folder("fix-from-comment");
    let path = write(&dir, "Dockerfile", "FROM alpine:3.20 # the base\nADD b /b\n");
    let run = ballast(&dir, &["lint", "--select", "BL1001,DL3020", "--fix", "Dockerfile"], None, &[]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# the base\nFROM alpine:3.20\nCOPY b /b\n"
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn unknown_select_code_warns() {
    let dir = folder("unknown-select");
    write(&dir, "Dockerfile", ADD_LOCAL);
    let run = ballast(&dir, &["lint", "--select", "DL9999,shellcheck", "Dockerfile"], None, &[]);
    assert!(run.stderr.contains("`DL9999` is not a known rule"), "{}", run.stderr);
    assert!(!run.stderr.contains("`shellcheck` is not"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn unreadable_folder_in_search_is_an_error() {
    use std::os::unix::fs::PermissionsExt;

    let dir = folder("unreadable-folder");
    write(&dir, "tree/Dockerfile", CLEAN);
    write(&dir, "tree/locked/Dockerfile", ADD_LOCAL);
    let locked = dir.join("tree/locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // root reads the folder anyway, so as root the linter runs as `nobody` through setpriv.
    let output = if std::fs::read_dir(&locked).is_ok() {
        Command::new("setpriv")
            .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_ballast"))
            .args(["lint", "--select", SELECT, "tree"])
            .current_dir(&dir)
            .env("HOME", dir.join(".home"))
            .output()
    } else {
        Command::new(env!("CARGO_BIN_EXE_ballast"))
            .args(["lint", "--select", SELECT, "tree"])
            .current_dir(&dir)
            .env("HOME", dir.join(".home"))
            .output()
    };
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let output = output.expect("ballast runs (setpriv, from util-linux, runs it as root)");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not linted"), "{stderr}");
}

#[test]
fn fix_keeps_crlf_line_ends() {
    let dir = folder("fix-crlf");
    let path = write(&dir, "Dockerfile", "FROM alpine:3.20 # base\r\nADD b /b\r\n");
    ballast(&dir, &["lint", "--select", "BL1001,DL3020", "--fix", "Dockerfile"], None, &[]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# base\r\nFROM alpine:3.20\r\nCOPY b /b\r\n"
    );
}

#[test]
fn fix_keeps_byte_order_mark() {
    let dir = folder("fix-bom");
    let path = write(&dir, "Dockerfile", "\u{feff}FROM alpine:3.20 # base\nADD b /b\n");
    ballast(&dir, &["lint", "--select", "BL1001,DL3020", "--fix", "Dockerfile"], None, &[]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "\u{feff}# base\nFROM alpine:3.20\nCOPY b /b\n"
    );
}

#[test]
fn folder_without_dockerfiles_warns() {
    let dir = folder("no-dockerfiles");
    write(&dir, "src/main.rs", "fn main() {}\n");
    let run = lint(&dir, &["src"], None, &[]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("src: no Dockerfiles found"),
        "{}",
        run.stderr
    );
}

#[test]
fn help_documents_exit_status() {
    let dir = folder("help");
    let run = lint(&dir, &["--help"], None, &[]);
    assert_eq!(run.code, 0);
    for line in [
        "Exit status:",
        "  0  no finding",
        "  1  a finding",
        "  2  a usage error",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing `{line}` in:\n{}",
            run.stdout
        );
    }
}

#[test]
fn rules_table_and_json() {
    let dir = folder("rules");
    let table = ballast(&dir, &["rules"], None, &[]);
    assert_eq!(table.code, 0);
    assert!(table.stdout.starts_with("CODE"), "{}", table.stdout);
    assert!(table.stdout.contains("DL3020  "), "{}", table.stdout);

    let json = ballast(&dir, &["rules", "--format", "json"], None, &[]);
    let rules: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let add = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|rule| rule["code"] == "DL3020")
        .unwrap();
    assert_eq!(add["name"], "add-instead-of-copy");
    assert_eq!(add["severity"], "error");
    assert!(
        add["documentation"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad")
    );
}

#[test]
fn rule_prints_documentation() {
    let dir = folder("rule");
    let run = ballast(&dir, &["rule", "dl3020"], None, &[]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("# DL3020 (add-instead-of-copy)\n"),
        "{}",
        run.stdout
    );
    for section in [
        "## What it does",
        "## Why is this bad",
        "## Example",
        "## Fix",
    ] {
        assert!(run.stdout.contains(section), "{section}");
    }
    let by_name = ballast(&dir, &["rule", "maintainer-deprecated"], None, &[]);
    assert!(
        by_name.stdout.starts_with("# MaintainerDeprecated"),
        "{}",
        by_name.stdout
    );

    let unknown = ballast(&dir, &["rule", "DL0000"], None, &[]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("unknown rule `DL0000`: run `ballast rules`"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn whole_corpus_lints_without_panic() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    if !corpus.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the corpus is missing at {}",
            corpus.display()
        );
        eprintln!("skipped: no corpus at {}", corpus.display());
        return;
    }
    let run = ballast(
        &corpus,
        &["lint", "--no-fail", "-f", "json", "."],
        None,
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(value.as_array().is_some());
}

#[test]
fn unknown_config_codes_warn() {
    let dir = folder("unknown-config-code");
    write(
        &dir,
        ".ballast.toml",
        "ignore = [\"DL9999\", \"add-instead-of-copy\"]\n",
    );
    write(&dir, "Dockerfile", ADD_LOCAL);
    write(&dir, "sub/Dockerfile", ADD_LOCAL);
    let run = lint(&dir, &["Dockerfile", "sub/Dockerfile"], None, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("not a known rule code"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains(".ballast.toml: `DL9999`"),
        "{}",
        run.stderr
    );
}

#[test]
fn many_files_keep_input_order() {
    let dir = folder("input-order");
    // The first file is the largest, so with files linted in parallel it finishes last.
    let mut large = String::from("FROM alpine:3.20\n");
    for index in 0..2000 {
        large.push_str(&format!(
            "ENV VAR_{index}=value_{index}\nRUN echo {index}\n"
        ));
    }
    large.push_str("ADD app /app\n");
    let mut names = vec!["large.Dockerfile".to_string()];
    write(&dir, &names[0], &large);
    for index in 0..16 {
        let name = format!("{index:02}.Dockerfile");
        write(
            &dir,
            &name,
            if index % 2 == 0 {
                ADD_LOCAL
            } else {
                MAINTAINER
            },
        );
        names.push(name);
    }
    // Arguments in reverse order, so the order of the output is not the sorted one.
    names[1..].reverse();
    let mut args = vec!["-f", "json"];
    args.extend(names.iter().map(String::as_str));

    let run = lint(&dir, &args, None, &[]);
    let files: Vec<String> = findings(&run).into_iter().map(|(file, _)| file).collect();
    let mut expected = names.clone();
    expected.dedup();
    let mut reported = files.clone();
    reported.dedup();
    assert_eq!(reported, expected);

    let diff = lint(
        &dir,
        &["--diff", "large.Dockerfile", "00.Dockerfile"],
        None,
        &[],
    );
    let large_at = diff.stdout.find("--- a/large.Dockerfile");
    let small_at = diff.stdout.find("--- a/00.Dockerfile");
    assert!(large_at.is_some(), "{}", diff.stdout);
    assert!(large_at < small_at, "{}", diff.stdout);
}
