//! `ballast build` against a real Docker engine: attribution line by line and the bytes of each
//! image finding, with the classic builder and with BuildKit, on purpose-made contexts and on
//! the shared image cases.

mod common;

use std::path::Path;
use std::process::Command;

use common::engine::{BASE_IMAGE, Builder, Engine, engine};
use common::{TempDir, ballast, shared_dir, skip, temp_dir, widowed_pipe};
use serde_json::Value;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Classic,
    BuildKit,
}

/// Returns a PATH whose first folder, made inside `parent`, contains a `docker` that is
/// Debian's 20.10 client, which has BuildKit built in. The client first on PATH may want the
/// buildx plugin instead.
fn buildkit_path(parent: &Path) -> Option<String> {
    if !Path::new("/usr/bin/docker").is_file() {
        skip("/usr/bin/docker (Debian's docker.io client with BuildKit built in) is missing");
        return None;
    }
    let folder = parent.join("buildkit-client");
    std::fs::create_dir(&folder).ok()?;
    std::os::unix::fs::symlink("/usr/bin/docker", folder.join("docker")).ok()?;
    let path = std::env::var("PATH").unwrap_or_default();
    Some(format!("{}:{path}", folder.display()))
}

/// Runs `ballast build --format json` and returns the exit code, the report and stderr.
fn build(mode: Mode, context: &Path, extra: &[&str]) -> (i32, Value, String) {
    build_with_env(mode, context, extra, &[])
}

/// Runs `ballast build --format json` with the variables `env` set.
fn build_with_env(
    mode: Mode,
    context: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (i32, Value, String) {
    let cache = temp_dir("cache");
    let mut command = ballast();
    command
        .arg("build")
        .arg(context)
        .args([
            "--network",
            "none",
            "--format",
            "json",
            "--no-progress",
            "--builder",
            "docker",
        ])
        .args(extra)
        .envs(env.iter().copied())
        .env("XDG_CACHE_HOME", &cache);
    match mode {
        Mode::Classic => {
            command.env("DOCKER_BUILDKIT", "0");
        }
        Mode::BuildKit => {
            command.env("DOCKER_BUILDKIT", "1");
            if let Some(path) = buildkit_path(&cache) {
                command.env("PATH", path);
            }
        }
    }
    let output = command.output().expect("ballast runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let code = output.status.code().unwrap_or(-1);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!("ballast build printed no JSON ({error}); exit {code}; stderr: {stderr}")
    });
    (code, report, stderr)
}

fn context(files: &[(&str, &[u8])]) -> TempDir {
    let folder = temp_dir("ctx");
    for (name, content) in files {
        let path = folder.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    folder
}

/// (start line, stored bytes, wasted bytes) of each instruction with a layer.
fn costs(report: &Value) -> Vec<(u64, u64, u64)> {
    report["instructions"]
        .as_array()
        .expect("instructions")
        .iter()
        .filter(|cost| !cost["layers"].as_array().unwrap().is_empty())
        .map(|cost| {
            (
                cost["start_line"].as_u64().unwrap(),
                cost["stored_bytes"].as_u64().unwrap(),
                cost["wasted_bytes"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (line, bytes) of each finding with `code`.
fn findings(report: &Value, code: &str) -> Vec<(u64, Option<u64>)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["code"] == code)
        .map(|finding| (finding["line"].as_u64().unwrap(), finding["bytes"].as_u64()))
        .collect()
}

fn busybox_size() -> u64 {
    std::fs::metadata("/bin/busybox")
        .map(|meta| meta.len())
        .unwrap_or(0)
}

const WASTE_DOCKERFILE: &str = "FROM ballast-test/busybox\nCOPY blob.bin /tmp/blob.bin\nRUN rm /tmp/blob.bin\nCOPY app.txt /srv/app.txt\nRUN chmod 600 /srv/app.txt\n";

fn waste_context() -> TempDir {
    let blob = vec![7u8; 300_000];
    let app = vec![1u8; 200_000];
    let folder = context(&[("blob.bin", &blob), ("app.txt", &app)]);
    std::fs::write(folder.join("Dockerfile"), WASTE_DOCKERFILE).unwrap();
    folder
}

fn check_waste(mode: Mode) {
    let Some(_) = engine() else { return };
    let (code, report, stderr) = build(mode, &waste_context(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["attribution"]["status"], "aligned", "{stderr}");
    assert_eq!(report["attribution"]["base_layers"], 2);

    let costs = costs(&report);
    let base = busybox_size();
    assert_eq!(costs[0], (1, base, 0), "FROM carries the base layers");
    assert_eq!(costs[1], (2, 300_000, 300_000));
    assert_eq!(costs[2].0, 3);
    assert_eq!(costs[3], (4, 200_000, 200_000));
    assert_eq!(costs[4], (5, 200_000, 0));

    assert_eq!(findings(&report, "BL3001"), vec![(2, Some(300_000))]);
    assert_eq!(findings(&report, "BL3002"), vec![(5, Some(200_000))]);
}

#[test]
fn waste_classic_builder() {
    check_waste(Mode::Classic);
}

#[test]
fn waste_buildkit() {
    check_waste(Mode::BuildKit);
}

#[test]
fn unchanged_run_owns_no_bytes() {
    let Some(_) = engine() else { return };
    let folder = context(&[]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM ballast-test/busybox\nRUN true\nCMD [\"sh\"]\n",
    )
    .unwrap();
    for mode in [Mode::Classic, Mode::BuildKit] {
        let (code, report, stderr) = build(mode, &folder, &["--no-cache"]);
        assert_eq!(code, 0, "{mode:?}: {stderr}");
        assert_eq!(report["attribution"]["status"], "aligned", "{mode:?}");
        let run = report["instructions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|cost| cost["start_line"] == 2)
            .expect("the RUN line has a history entry")
            .clone();
        assert_eq!(run["stored_bytes"], 0, "{mode:?}");
        // The classic builder records an empty layer; BuildKit keeps a layer of folder stubs.
        let layers = run["layers"].as_array().unwrap().len();
        assert_eq!(layers, usize::from(mode == Mode::BuildKit), "{mode:?}");
    }
}

/// Returns the message of the one finding with `code`.
fn message(report: &Value, code: &str) -> String {
    finding(report, code)["message"]
        .as_str()
        .unwrap()
        .to_owned()
}

// A hard link to a file of a lower layer makes overlayfs copy the file up, so the new layer
// stores it again with the same content and metadata. The tar names the data by the path
// that sorts first: `bin/bb2` contains the data and `bin/busybox` links to it, while with
// `bin/zz` the data stays at `bin/busybox`.
#[test]
fn hard_link_copy_is_reported_as_link() {
    let Some(_) = engine() else { return };
    for link in ["/bin/bb2", "/bin/zz"] {
        let folder = context(&[]);
        std::fs::write(
            folder.join("Dockerfile"),
            format!("FROM ballast-test/busybox\nRUN ln /bin/busybox {link}\n"),
        )
        .unwrap();
        for mode in [Mode::Classic, Mode::BuildKit] {
            let (code, report, stderr) = build(mode, &folder, &["--no-cache"]);
            assert_eq!(code, 0, "{link} {mode:?}: {stderr}");
            assert_eq!(
                findings(&report, "BL3002"),
                vec![(2, Some(busybox_size()))],
                "{link} {mode:?}"
            );
            let text = message(&report, "BL3002");
            assert!(text.contains("makes a hard link to 1 file"), "{link} {mode:?}: {text}");
            assert!(text.contains("`ln -s`"), "{link} {mode:?}: {text}");
            assert!(!text.contains("COPY"), "{link} {mode:?}: {text}");
            let hidden = &report["image"]["wasted"]["top_files"][0];
            assert_eq!(hidden["path"], "/bin/busybox", "{link} {mode:?}");
            assert_eq!(hidden["reason"], "metadata-only", "{link} {mode:?}");
            assert_eq!(hidden["changed"]["links"], true, "{link} {mode:?}");
            assert_eq!(hidden["changed"]["mode"], false, "{link} {mode:?}");
        }
    }
}

#[test]
fn target_stage_is_attributed() {
    let Some(_) = engine() else { return };
    let folder = context(&[("a.txt", b"stage a\n"), ("b.txt", &[2u8; 10_000])]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM ballast-test/busybox AS first\nCOPY a.txt /a.txt\n\nFROM ballast-test/busybox AS second\nCOPY b.txt /b.txt\nCOPY --from=first /a.txt /a.txt\n\nFROM scratch\nCOPY a.txt /only.txt\n",
    )
    .unwrap();
    for mode in [Mode::Classic, Mode::BuildKit] {
        let (code, report, stderr) = build(mode, &folder, &["--target", "second"]);
        assert_eq!(code, 0, "{mode:?}: {stderr}");
        assert_eq!(report["stage"], 1, "{mode:?}");
        assert_eq!(report["attribution"]["status"], "aligned", "{mode:?}");
        let lines: Vec<u64> = costs(&report).iter().map(|cost| cost.0).collect();
        assert_eq!(lines, vec![4, 5, 6], "{mode:?}");
        assert_eq!(costs(&report)[1], (5, 10_000, 0), "{mode:?}");
        assert_eq!(
            costs(&report)[2],
            (6, 8, 0),
            "{mode:?}: the file COPY --from brought"
        );
    }
}

#[test]
fn target_lints_only_needed_stages() {
    let Some(_) = engine() else { return };
    let folder = context(&[]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM ballast-test/busybox AS files\nRUN cd /bin && echo a > /a.txt\nFROM ballast-test/busybox AS tools\nRUN cd /bin && true\nFROM ballast-test/busybox AS unused\nRUN cd /bin && true\nFROM tools AS app\nCOPY --from=files /a.txt /a.txt\nRUN cd /bin && true\nFROM ballast-test/busybox AS after\nRUN cd /bin && true\n",
    )
    .unwrap();
    let lines = |report: &Value, code: &str| -> Vec<u64> {
        findings(report, code).iter().map(|finding| finding.0).collect()
    };
    for mode in [Mode::Classic, Mode::BuildKit] {
        let (code, report, stderr) = build(mode, &folder, &["--target", "app"]);
        assert_eq!(code, 0, "{mode:?}: {stderr}");
        assert_eq!(report["stage"], 3, "{mode:?}");
        // `app` is built on `tools` and copies from `files`, but needs neither `unused` nor
        // `after`.
        assert_eq!(lines(&report, "DL3003"), vec![2, 4, 9], "{mode:?}");
        assert_eq!(lines(&report, "DL3006"), vec![1, 3], "{mode:?}");
    }

    let (code, report, stderr) = build(Mode::Classic, &folder, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines(&report, "DL3003"), vec![2, 4, 6, 9, 11]);
}

/// A target built `FROM ${BASE}`, where `--build-arg BASE=unrelated` replaces the default
/// `deps`. The two base stages add different numbers of layers.
const BUILD_ARG_BASE: &str = "ARG BASE=deps\nFROM scratch AS deps\nADD deps.txt /deps.txt\nFROM scratch AS unrelated\nADD unrelated.txt /unrelated.txt\nCOPY more.txt /more.txt\nFROM ${BASE} AS app\nCOPY app.txt /app.txt\n";

#[test]
fn build_arg_chooses_target_base() {
    let Some(_) = engine() else { return };
    let folder = context(&[
        ("deps.txt", b"deps\n"),
        ("unrelated.txt", b"unrelated\n"),
        ("more.txt", b"more\n"),
        ("app.txt", b"app\n"),
    ]);
    std::fs::write(folder.join("Dockerfile"), BUILD_ARG_BASE).unwrap();
    let tag = "ballast-test/build-arg-base";
    let lines = |report: &Value| -> Vec<u64> {
        costs(report).iter().map(|cost| cost.0).collect()
    };
    let add_lines = |report: &Value| -> Vec<u64> {
        findings(report, "DL3020").iter().map(|finding| finding.0).collect()
    };

    let unrelated_base = ["--target", "app", "-t", tag, "--build-arg", "BASE=unrelated"];
    for mode in [Mode::Classic, Mode::BuildKit] {
        let (code, report, stderr) = build(mode, &folder, &unrelated_base);
        assert_eq!(code, 0, "{mode:?}: {stderr}");
        assert_eq!(report["stage"], 2, "{mode:?}");
        let status = &report["attribution"]["status"];
        assert_eq!(status, "aligned", "{mode:?}: {}", report["attribution"]);
        assert_eq!(lines(&report), vec![5, 6, 8], "{mode:?}");
        assert_eq!(add_lines(&report), vec![5], "{mode:?}: only `unrelated` is linted");
        assert_eq!(report["warnings"], serde_json::json!([]), "{mode:?}");
    }

    // `--build-arg NAME` takes the value from the environment, as the docker client does.
    let from_env = ["--target", "app", "-t", tag, "--build-arg", "BASE"];
    let (code, report, stderr) =
        build_with_env(Mode::Classic, &folder, &from_env, &[("BASE", "unrelated")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["attribution"]["status"], "aligned", "{}", report["attribution"]);
    assert_eq!(lines(&report), vec![5, 6, 8]);
    assert_eq!(add_lines(&report), vec![5]);

    let (code, report, stderr) = build(Mode::Classic, &folder, &["--target", "app", "-t", tag]);
    let _ = Command::new("docker").args(["rmi", tag]).output();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["attribution"]["status"], "aligned", "{}", report["attribution"]);
    assert_eq!(lines(&report), vec![3, 8], "the default `deps`");
    assert_eq!(add_lines(&report), vec![3]);
}

/// When the build fails, the findings still follow `--build-arg`: here the base image
/// cannot be pulled without network, and `BASE=ruby:3.3` decides BL2002 and BL2008.
#[test]
fn failed_build_lints_with_build_args() {
    let Some(_) = engine() else { return };
    let folder = context(&[]);
    std::fs::write(
        folder.join("Dockerfile"),
        "ARG BASE=alpine:3.19\nFROM ${BASE}\nRUN gem install rake\n",
    )
    .unwrap();
    let codes = |report: &Value| -> Vec<String> {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|finding| finding["code"].as_str().unwrap_or("").to_string())
            .collect()
    };

    let (code, report, stderr) = build(Mode::Classic, &folder, &["--build-arg", "BASE=ruby:3.3"]);
    assert_ne!(code, 0, "the pull fails without network: {stderr}");
    let with_ruby = codes(&report);
    assert!(with_ruby.contains(&"BL2002".to_string()), "{with_ruby:?}");
    assert!(!with_ruby.contains(&"BL2008".to_string()), "{with_ruby:?}");

    let (code, report, stderr) = build(Mode::Classic, &folder, &[]);
    assert_ne!(code, 0, "the pull fails without network: {stderr}");
    let defaults = codes(&report);
    assert!(defaults.contains(&"BL2008".to_string()), "{defaults:?}");
}

#[test]
fn onbuild_trigger_is_tied_to_from() {
    let Some(_) = engine() else { return };
    let folder = context(&[("app.txt", b"app\n")]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM ballast-test/busybox AS parent\nONBUILD RUN echo triggered > /marker\n\nFROM parent\nCOPY app.txt /app.txt\n",
    )
    .unwrap();
    for mode in [Mode::Classic, Mode::BuildKit] {
        let (code, report, stderr) = build(mode, &folder, &[]);
        assert_eq!(code, 0, "{mode:?}: {stderr}");
        let status = &report["attribution"]["status"];
        assert_eq!(status, "aligned", "{mode:?}: {}", report["attribution"]);
        let steps = report["attribution"]["steps"].as_array().unwrap();
        let trigger = steps
            .iter()
            .find(|step| step["role"] == "onbuild-trigger")
            .unwrap_or_else(|| panic!("{mode:?}: no trigger step in {steps:?}"));
        assert_eq!(trigger["lines"], serde_json::json!([4, 4]), "{mode:?}");
    }
}

#[test]
fn failed_build_keeps_status_and_lints() {
    let Some(_) = engine() else { return };
    let folder = context(&[]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM ballast-test/busybox\nMAINTAINER someone\nRUN exit 3\n",
    )
    .unwrap();
    for mode in [Mode::Classic, Mode::BuildKit] {
        let (code, report, stderr) = build(mode, &folder, &[]);
        assert_ne!(code, 0, "{mode:?}");
        assert_ne!(
            code, 2,
            "{mode:?}: the builder's status, not ballast's error status"
        );
        assert_eq!(report["build"]["exit_code"], code, "{mode:?}");
        assert_eq!(report["build"]["succeeded"], false, "{mode:?}");
        assert!(report["image"].is_null(), "{mode:?}");
        let (streamed, tail) = stderr
            .split_once("the build failed")
            .unwrap_or_else(|| panic!("{mode:?}: no failure message in {stderr}"));
        assert!(
            streamed.contains("exit 3"),
            "{mode:?}: the builder's output names the step: {streamed}"
        );
        // With --no-progress every line was streamed, so the log is not printed again.
        assert!(
            !tail.contains("exit 3"),
            "{mode:?}: the log is printed once: {tail}"
        );
        let codes: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|finding| finding["code"].as_str())
            .collect();
        assert!(
            codes.contains(&"MaintainerDeprecated"),
            "{mode:?}: {codes:?}"
        );
    }
}

/// BL1006 reports that `docker build` stops on a variable in `COPY --from`. Both builders of the
/// engine reject the file, and the failed build's lint reports that line.
#[test]
fn variable_in_copy_from_fails_the_build() {
    let Some(_) = engine() else { return };
    let folder = context(&[("x.txt", b"x\n")]);
    std::fs::write(
        folder.join("Dockerfile"),
        "ARG SRC=files\nFROM scratch AS files\nCOPY x.txt /x.txt\nFROM scratch\nARG SRC\nCOPY --from=$SRC /x.txt /y.txt\n",
    )
    .unwrap();
    for mode in [Mode::Classic, Mode::BuildKit] {
        let (code, report, stderr) = build(mode, &folder, &[]);
        assert_ne!(code, 0, "{mode:?}: the build succeeded: {stderr}");
        assert_eq!(report["build"]["succeeded"], false, "{mode:?}");
        assert_eq!(findings(&report, "BL1006"), vec![(6, None)], "{mode:?}");
    }
}

/// `--select`, `--ignore`, `--severity` and `--config` choose the lint's rules as they do
/// for `ballast lint`. A configuration file that cannot be read stops the command before
/// the builder runs.
#[test]
fn lint_rule_flags_apply_to_build() {
    let Some(_) = engine() else { return };
    let folder = context(&[("x.txt", b"x\n")]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM scratch\nMAINTAINER someone\nCOPY x.txt /x.txt\n",
    )
    .unwrap();
    std::fs::write(folder.join("ignore-dl4000.toml"), "ignore = [\"DL4000\"]\n").unwrap();
    let codes = |extra: &[&str]| -> Vec<String> {
        let (code, report, stderr) = build(Mode::Classic, &folder, extra);
        assert_eq!(code, 0, "{extra:?}: {stderr}");
        let mut codes: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| finding["code"].as_str().unwrap().to_string())
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(codes(&[]), ["DL4000", "MaintainerDeprecated"]);
    assert_eq!(codes(&["--ignore", "DL4000"]), ["MaintainerDeprecated"]);
    assert_eq!(codes(&["--select", "DL4000"]), ["DL4000"]);
    assert_eq!(codes(&["--severity", "MaintainerDeprecated=off"]), ["DL4000"]);
    let config = folder.join("ignore-dl4000.toml");
    assert_eq!(
        codes(&["--config", config.to_str().unwrap()]),
        ["MaintainerDeprecated"]
    );

    let missing = folder.join("missing.toml");
    let output = ballast()
        .arg("build")
        .arg(&*folder)
        .args(["--network", "none", "--no-progress", "--builder", "docker"])
        .arg("--config")
        .arg(&missing)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("missing.toml"), "{stderr}");
    assert!(!stderr.contains("Step 1/"), "the builder ran: {stderr}");
    assert!(output.stdout.is_empty(), "{}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn build_into_a_closed_pipe() {
    let Some(_) = engine() else { return };
    let folder = context(&[("x.txt", b"x\n")]);
    std::fs::write(folder.join("Dockerfile"), "FROM scratch\nCOPY x.txt /x.txt\n").unwrap();
    for format in ["tty", "json", "markdown"] {
        let output = ballast()
            .arg("build")
            .arg(&*folder)
            .args(["--network", "none", "--no-progress", "--builder", "docker"])
            .args(["--format", format])
            .stdout(std::process::Stdio::from(widowed_pipe()))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("Broken pipe"), "{format}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{format}: {stderr}");
    }
}

#[test]
fn report_lands_in_cache_folder() {
    let Some(_) = engine() else { return };
    let folder = context(&[("x.txt", b"x\n")]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM scratch\nCOPY x.txt /x.txt\n",
    )
    .unwrap();
    let cache = temp_dir("cache-check");
    let output = ballast()
        .arg("build")
        .arg(&folder)
        .args(["--network", "none", "--no-progress", "--format", "markdown"])
        .env("XDG_CACHE_HOME", &cache)
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let markdown = String::from_utf8_lossy(&output.stdout);
    assert!(markdown.contains("### ballast build"), "{markdown}");
    let reports: Vec<_> = std::fs::read_dir(cache.join("ballast/reports"))
        .expect("the reports folder exists")
        .collect();
    assert_eq!(reports.len(), 1);
}

/// Copies a shared case to a temporary folder and runs its prepare script there.
fn prepared_case(name: &str) -> Option<TempDir> {
    let source = shared_dir().join("cases").join(name);
    if !source.is_dir() {
        skip(&format!("{} is missing", source.display()));
        return None;
    }
    let folder = temp_dir(name);
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), folder.join(entry.file_name())).unwrap();
    }
    let status = Command::new("sh")
        .arg(folder.join("prepare.sh"))
        .status()
        .unwrap();
    assert!(status.success(), "prepare.sh of {name} failed");
    Some(folder)
}

fn case_report(name: &str) -> Option<Value> {
    engine()?;
    let folder = prepared_case(name)?;
    let (code, report, stderr) = build(Mode::Classic, &folder, &[]);
    assert_eq!(code, 0, "{name}: {stderr}");
    assert_eq!(report["attribution"]["status"], "aligned", "{name}");
    Some(report)
}

#[test]
fn case_chmod_rewrites_file() {
    let Some(report) = case_report("15-chmod-rewrites-file") else {
        return;
    };
    assert_eq!(findings(&report, "BL3002"), vec![(5, Some(1_048_576))]);
    assert_eq!(report["image"]["totals"]["wasted_bytes"], 1_048_576);
}

#[test]
fn case_waste_per_instruction() {
    let Some(report) = case_report("16-waste-attribution-per-instruction") else {
        return;
    };
    assert_eq!(
        findings(&report, "BL3002"),
        vec![(5, Some(524_288)), (6, Some(524_288)), (7, Some(524_288))]
    );
    assert_eq!(report["image"]["totals"]["wasted_bytes"], 1_572_864);

    // Each message names what its line changed, and the advice fits that change: COPY
    // cannot set a time, so the `touch` line is not advised to use `COPY --chown`.
    let message = |line: u64| -> String {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|finding| finding["code"] == "BL3002" && finding["line"] == line)
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(message(5).contains("only the mode of"), "{}", message(5));
    assert!(message(5).contains("COPY --chmod"), "{}", message(5));
    assert!(message(6).contains("only the modification time of"), "{}", message(6));
    assert!(!message(6).contains("COPY"), "{}", message(6));
    assert!(message(7).contains("only the owner of"), "{}", message(7));
    assert!(message(7).contains("COPY --chown"), "{}", message(7));
}

#[test]
fn case_copy_then_delete() {
    let Some(report) = case_report("17-copy-then-delete-later") else {
        return;
    };
    assert_eq!(findings(&report, "BL3001"), vec![(4, Some(3_145_728))]);
    let labels = &report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["code"] == "BL3001")
        .unwrap()["labels"];
    assert_eq!(labels[0]["line"], 6);
}

#[test]
fn case_chown_after_copy() {
    let Some(report) = case_report("18-chown-after-copy") else {
        return;
    };
    assert_eq!(findings(&report, "BL3002"), vec![(5, Some(1_048_585))]);
}

#[test]
fn case_scratch_without_ca_bundle() {
    let Some(report) = case_report("19-scratch-without-ca-bundle") else {
        return;
    };
    assert_eq!(findings(&report, "BL3007"), vec![(1, None)]);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["code"] == "BL3007")
        .unwrap()
        .clone();
    assert_eq!(finding["labels"][0]["line"], 3);
}

#[test]
fn case_dynamic_binary_in_scratch() {
    let Some(report) = case_report("20-dynamic-binary-in-scratch") else {
        return;
    };
    let found = findings(&report, "BL3006");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 2);
    let message = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["code"] == "BL3006")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("/lib64/ld-linux-x86-64.so.2") || message.contains("ld-"),
        "{message}"
    );

    // The program's size is evidence, not a saving: the terminal report does not list it
    // under "top savings".
    let folder = prepared_case("20-dynamic-binary-in-scratch").unwrap();
    let cache = temp_dir("case-20-tty-cache");
    let output = ballast()
        .arg("build")
        .arg(&folder)
        .args(["--network", "none", "--no-progress", "--builder", "docker"])
        .env("XDG_CACHE_HOME", &cache)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("BL3006"), "{stdout}");
    assert!(!stdout.contains("line 2 BL3006"), "{stdout}");
}

#[test]
fn secret_deleted_later_is_reported() {
    let Some(_) = engine() else { return };
    let folder = context(&[
        (
            "id_rsa",
            b"-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n",
        ),
        (".npmrc", b"//registry.example.com/:_authToken=abc123\n"),
    ]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM ballast-test/busybox\nCOPY id_rsa /root/.ssh/id_rsa\nCOPY .npmrc /root/.npmrc\nRUN rm /root/.ssh/id_rsa\n",
    )
    .unwrap();
    let (code, report, stderr) = build(Mode::Classic, &folder, &[]);
    assert_eq!(code, 0, "{stderr}");
    let secrets = findings(&report, "BL3004");
    assert_eq!(
        secrets,
        vec![(2, Some(51)), (3, Some(42))],
        "{:#}",
        report["findings"]
    );
    let text = serde_json::to_string(&report["findings"]).unwrap();
    assert!(
        !text.contains("abc123"),
        "the content must never be printed"
    );
}

/// Builds `dockerfile` with `files` as the context and tags it `tag`, with the classic builder.
fn base_image(engine: &Engine, tag: &str, files: &[(&str, &[u8])], dockerfile: &str) {
    let folder = context(files);
    std::fs::write(folder.join("Dockerfile"), dockerfile).unwrap();
    engine
        .build(Builder::Classic, &folder, "Dockerfile", tag)
        .unwrap_or_else(|error| panic!("the base image {tag} builds: {error}"));
}

/// Returns the one finding with `code`, as JSON.
fn finding(report: &Value, code: &str) -> Value {
    let all: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["code"] == code)
        .collect();
    assert_eq!(all.len(), 1, "{code}: {:#}", report["findings"]);
    all[0].clone()
}

const OS_RELEASE: &[u8] = b"PRETTY_NAME=\"Test Linux 1\"\nID=testlinux\n";

#[test]
fn static_entrypoint_from_base_image() {
    let Some(engine) = engine() else { return };
    // Three layers: busybox, its applet links, and /etc/os-release; the entrypoint is set here
    // and the Dockerfile under test sets none.
    base_image(
        engine,
        "ballast-test/distro",
        &[("os-release", OS_RELEASE)],
        "FROM ballast-test/busybox\nCOPY os-release /etc/os-release\nENTRYPOINT [\"/bin/busybox\", \"sleep\", \"1\"]\n",
    );
    let folder = context(&[("app.txt", &[5u8; 70_000])]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM ballast-test/distro\nCOPY app.txt /srv/app.txt\n",
    )
    .unwrap();
    let base_bytes = busybox_size() + OS_RELEASE.len() as u64;
    for mode in [Mode::Classic, Mode::BuildKit] {
        let (code, report, stderr) = build(mode, &folder, &[]);
        assert_eq!(code, 0, "{mode:?}: {stderr}");
        assert_eq!(report["attribution"]["base_layers"], 3, "{mode:?}");

        assert_eq!(
            findings(&report, "BL3005"),
            vec![(1, Some(base_bytes))],
            "{mode:?}"
        );
        let found = finding(&report, "BL3005");
        assert_eq!(
            found["labels"][0]["line"], 1,
            "{mode:?}: run by the base image's entrypoint"
        );
        let message = found["message"].as_str().unwrap();
        assert!(
            message.starts_with("/bin/busybox is statically linked"),
            "{message}"
        );

        let base = &report["image"]["base"];
        assert_eq!(base["layers"], 3, "{mode:?}: {base}");
        assert_eq!(base["chosen_by"], "attribution", "{mode:?}");
        assert_eq!(base["base_stored_bytes"], base_bytes, "{mode:?}");
        assert_eq!(base["stored_bytes"], 70_000, "{mode:?}");
        assert_eq!(base["wasted_bytes"], 0, "{mode:?}");
    }
}

#[test]
fn base_scope_counts_every_base_layer() {
    let Some(engine) = engine() else { return };
    // The base stores 40,000 bytes in its third layer that the Dockerfile under test deletes:
    // that waste belongs to the base, not to the Dockerfile.
    base_image(
        engine,
        "ballast-test/three-layers",
        &[("data.bin", &[3u8; 40_000])],
        "FROM ballast-test/busybox\nCOPY data.bin /opt/data.bin\n",
    );
    let folder = context(&[("extra.bin", &[4u8; 25_000])]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM ballast-test/three-layers\nCOPY extra.bin /opt/extra.bin\nRUN rm /opt/data.bin /opt/extra.bin\n",
    )
    .unwrap();
    let cache = temp_dir("gate");
    let output = ballast()
        .arg("build")
        .arg(&folder)
        .args([
            "--network",
            "none",
            "--format",
            "json",
            "--no-progress",
            "--builder",
            "docker",
        ])
        .args(["--max-wasted-bytes", "30000"])
        .env("XDG_CACHE_HOME", &cache)
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("no JSON ({error}): {stderr}"));
    let base = &report["image"]["base"];
    assert_eq!(base["layers"], 3, "{base}");
    assert_eq!(base["chosen_by"], "attribution");
    assert_eq!(base["base_stored_bytes"], busybox_size() + 40_000);
    assert_eq!(base["stored_bytes"], 25_000);
    assert_eq!(base["wasted_bytes"], 25_000);
    assert_eq!(base["base_bytes_hidden"], 40_000);
    // The gate judges the Dockerfile's own waste: 25,000 bytes pass a 30,000-byte limit.
    assert_eq!(report["gate"]["passed"], true, "{}", report["gate"]);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

#[test]
fn gate_has_image_size_and_dive_rules() {
    let Some(_) = engine() else { return };
    let folder = waste_context();
    let dive_ci = folder.join("gate.yaml");
    std::fs::write(
        &dive_ci,
        "rules:\n  lowestEfficiency: 0.1\n  highestUserWastedPercent: disabled\n",
    )
    .unwrap();
    let size = busybox_size() + 500_000;
    let (code, report, stderr) = build(
        Mode::Classic,
        &folder,
        &[
            "--ci",
            "--max-image-size",
            "1MB",
            "--ci-config",
            dive_ci.to_str().unwrap(),
        ],
    );
    let gate = &report["gate"];
    let rules: Vec<(&str, bool)> = gate["rules"]
        .as_array()
        .unwrap_or_else(|| panic!("no gate rules: {gate} {stderr}"))
        .iter()
        .map(|rule| (rule["rule"].as_str().unwrap(), rule["passed"] == true))
        .collect();
    // The image's tar streams exceed 1,000,000 bytes: busybox and 500,000 file bytes.
    assert!(size > 1_000_000);
    assert_eq!(
        rules,
        vec![("max-image-size", false), ("lowestEfficiency", true)],
        "{gate}"
    );
    assert_eq!(gate["rules"][1]["origin"], dive_ci.display().to_string());
    assert_eq!(gate["passed"], false);
    assert_eq!(code, 1, "a failed gate exits with 1: {stderr}");
}

#[test]
fn dynamic_entrypoint_from_base_image() {
    let Some(engine) = engine() else { return };
    let Ok(program) = std::fs::read("/bin/true") else {
        skip("/bin/true is missing; any dynamically linked program would do");
        return;
    };
    base_image(
        engine,
        "ballast-test/dynamic-entry",
        &[("app", &program)],
        "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n",
    );
    let folder = context(&[("x.txt", b"x\n")]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM ballast-test/dynamic-entry\nCOPY x.txt /x.txt\nCMD [\"--version\"]\n",
    )
    .unwrap();
    for mode in [Mode::Classic, Mode::BuildKit] {
        let (code, report, stderr) = build(mode, &folder, &[]);
        assert_eq!(code, 0, "{mode:?}: {stderr}");
        assert_eq!(
            findings(&report, "BL3006"),
            vec![(1, Some(program.len() as u64))],
            "{mode:?}: the base image's layer added /app"
        );
        let found = finding(&report, "BL3006");
        assert_eq!(
            found["labels"][0]["line"], 1,
            "{mode:?}: the base image set the entrypoint"
        );
        assert!(
            found["message"].as_str().unwrap().starts_with("/app "),
            "{found}"
        );
    }
}

#[test]
fn tls_entrypoint_from_base_stage() {
    let Some(_) = engine() else { return };
    let busybox = std::fs::read("/bin/busybox").unwrap_or_default();
    let folder = context(&[("busybox", &busybox)]);
    // The final stage sets no entrypoint; the first stage's names an https:// URL.
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM scratch AS fetcher\nCOPY busybox /bin/busybox\nENTRYPOINT [\"/bin/busybox\", \"wget\", \"https://updates.example.com/feed\"]\n\nFROM fetcher\nLABEL role=fetcher\n",
    )
    .unwrap();
    let (code, report, stderr) = build(Mode::Classic, &folder, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(findings(&report, "BL3007"), vec![(1, None)]);
    assert_eq!(finding(&report, "BL3007")["labels"][0]["line"], 3);
}

#[test]
fn package_caches_are_measured() {
    let Some(_) = engine() else { return };
    let folder = context(&[]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM ballast-test/busybox\nRUN mkdir -p /var/lib/apt/lists/partial && head -c 30000 /dev/zero > /var/lib/apt/lists/deb.example_dists_main && touch /var/lib/apt/lists/lock\nRUN mkdir -p /root/.cache/pip/http /app/__pycache__ && head -c 12000 /dev/zero > /root/.cache/pip/http/0 && head -c 3000 /dev/zero > /app/__pycache__/m.pyc\nRUN mkdir -p /var/cache/apk && head -c 5000 /dev/zero > /var/cache/apk/index.tar.gz && rm -r /var/cache/apk\n",
    )
    .unwrap();
    for mode in [Mode::Classic, Mode::BuildKit] {
        let (code, report, stderr) = build(mode, &folder, &["--no-cache"]);
        assert_eq!(code, 0, "{mode:?}: {stderr}");
        // One finding per instruction and kind of cache; a cache removed in its own RUN ships
        // nothing.
        assert_eq!(
            findings(&report, "BL3003"),
            vec![(2, Some(30_000)), (3, Some(3_000)), (3, Some(12_000))],
            "{mode:?}"
        );
    }
}

#[test]
fn build_tools_are_measured() {
    let Some(_) = engine() else { return };
    let folder = context(&[
        ("gcc-12", &[1u8; 50_000]),
        ("include/stdio.h", &[2u8; 20_000]),
        ("include/sys/types.h", &[3u8; 5_000]),
        ("gzip", &[4u8; 9_000]),
    ]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM ballast-test/busybox\nCOPY gcc-12 /usr/bin/gcc-12\nCOPY include /usr/include\nCOPY gzip /usr/bin/gzip\n",
    )
    .unwrap();
    for mode in [Mode::Classic, Mode::BuildKit] {
        let (code, report, stderr) = build(mode, &folder, &[]);
        assert_eq!(code, 0, "{mode:?}: {stderr}");
        assert_eq!(
            findings(&report, "BL3008"),
            vec![(2, Some(50_000)), (3, Some(25_000))],
            "{mode:?}"
        );
    }
}

#[test]
fn context_folders_are_measured() {
    let Some(_) = engine() else { return };
    let dockerfile = "FROM ballast-test/busybox\nCOPY . /src\nCOPY tests /checks\n";
    let folder = context(&[
        (".git/objects/pack/pack-1.pack", &[1u8; 70_000]),
        (".git/HEAD", b"ref: refs/heads/main\n"),
        ("node_modules/left-pad/index.js", &[2u8; 1_000]),
        ("tests/data.bin", &[3u8; 66_000]),
        ("src/main.txt", b"main\n"),
        ("Dockerfile", dockerfile.as_bytes()),
    ]);
    for mode in [Mode::Classic, Mode::BuildKit] {
        let (code, report, stderr) = build(mode, &folder, &[]);
        assert_eq!(code, 0, "{mode:?}: {stderr}");
        // node_modules contains less than 64 KiB, and `COPY tests /checks` puts the files outside any
        // tests/ folder of the image.
        assert_eq!(
            findings(&report, "BL3009"),
            vec![(2, Some(70_021)), (2, Some(66_000))],
            "{mode:?}"
        );
    }

    std::fs::write(folder.join(".dockerignore"), ".git\n").unwrap();
    let (code, report, stderr) = build(Mode::Classic, &folder, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        findings(&report, "BL3009"),
        vec![(2, Some(66_000))],
        "an ignored .git is not copied"
    );
}

/// Runs `ballast build --builder BUILDER` on a context of three files, with the builder's image
/// storage in a fresh folder given through its `--root`, `--runroot` and `--storage-driver`
/// options after `--`. Returns the report, or `None` after a skip message when the builder
/// cannot build here.
fn build_without_engine(builder: &str, extra: &[&str]) -> Option<Value> {
    if !common::tool_works(builder, &["version"]) {
        skip(&format!(
            "{builder} is missing; install Debian's {builder} to build without a Docker engine"
        ));
        return None;
    }
    let folder = context(&[
        ("x.txt", b"x\n"),
        ("data.bin", &[6u8; 30_000]),
        ("new.bin", &[7u8; 20_000]),
    ]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM scratch\nMAINTAINER a\nCOPY x.txt /x.txt\nCOPY data.bin /srv/data.bin\nCOPY new.bin /srv/data.bin\nCMD [\"/x\"]\n",
    )
    .unwrap();
    let storage = temp_dir(builder);
    let root = storage.join("root");
    // Podman rejects a run root longer than 50 characters, which a folder inside TMPDIR can
    // exceed, so it gets a short folder directly under /tmp.
    let run_folder = tempfile::Builder::new()
        .prefix("ballast-run-")
        .tempdir_in("/tmp")
        .expect("a run root folder can be created");
    let runroot = run_folder.path();
    let output = ballast()
        .arg("build")
        .arg(&folder)
        .args(["--builder", builder, "--network", "none"])
        .args(["--format", "json", "--no-progress"])
        .arg("--")
        .args(extra)
        .arg("--root")
        .arg(&root)
        .arg(format!("--runroot={}", runroot.display()))
        .args(["--storage-driver", "vfs"])
        .env("XDG_CACHE_HOME", storage.join("cache"))
        // Without a Docker engine: the image must come from the builder's own export.
        .env(
            "DOCKER_HOST",
            format!("unix://{}/no-engine.sock", storage.display()),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("no JSON ({error}): {stderr}"));
    if report["build"]["succeeded"] != true {
        let log = report["build"]["log"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        skip(&format!(
            "{builder} is installed but cannot build in this container: {}",
            log.last().and_then(Value::as_str).unwrap_or("(no output)")
        ));
        return None;
    }
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        report["warnings"].as_array().unwrap().is_empty(),
        "{stderr}"
    );
    let ids = report["build"]["command"]
        .as_array()
        .unwrap()
        .iter()
        .any(|word| word == "--iidfile");
    assert!(ids, "{}", report["build"]["command"]);
    assert!(!findings(&report, "MaintainerDeprecated").is_empty());
    Some(report)
}

/// Checks the figures of the image [`build_without_engine`] builds: the 30,000 bytes of
/// data.bin that new.bin replaces are wasted when the layers are kept apart.
fn check_engine_less_image(report: &Value, layered: bool) {
    let image = &report["image"];
    assert_eq!(
        image["totals"]["final_bytes"], 20_002,
        "{}",
        image["totals"]
    );
    if !layered {
        // One layer for the whole stage: nothing is hidden, and the layer is tied to lines 1-6.
        assert_eq!(
            report["attribution"]["status"], "squashed",
            "{}",
            report["attribution"]
        );
        let costs = costs(report);
        assert_eq!(costs.len(), 1, "{costs:?}");
        assert_eq!(costs[0], (1, 20_002, 0));
        return;
    }
    assert_eq!(
        report["attribution"]["status"], "aligned",
        "{}",
        report["attribution"]
    );
    assert_eq!(image["base"]["layers"], 0);
    assert_eq!(image["base"]["wasted_bytes"], 30_000);
    assert_eq!(
        costs(report),
        vec![(3, 2, 0), (4, 30_000, 30_000), (5, 20_000, 0)]
    );
    let found = finding(report, "BL3001");
    assert_eq!(found["line"], 4, "{found}");
    assert_eq!(found["bytes"], 30_000, "{found}");
    assert_eq!(found["labels"][0]["line"], 5, "{found}");
}

#[test]
fn buildah_builds_without_engine() {
    // buildah 1.28 runs RUN steps with `--isolation oci` here; a chroot isolation rejects
    // `--network none`.
    let Some(report) = build_without_engine("buildah", &["--isolation", "oci", "--layers"]) else {
        return;
    };
    check_engine_less_image(&report, true);
    let description = report["image"]["source"]["description"].as_str().unwrap();
    assert!(description.contains("exported by buildah"), "{description}");
}

#[test]
fn buildah_squashed_build() {
    // Without --layers buildah commits one layer for the whole build.
    let Some(report) = build_without_engine("buildah", &["--isolation", "oci"]) else {
        return;
    };
    check_engine_less_image(&report, false);
}

#[test]
fn podman_builds_without_engine() {
    let Some(report) = build_without_engine("podman", &[]) else {
        return;
    };
    check_engine_less_image(&report, true);
    let description = report["image"]["source"]["description"].as_str().unwrap();
    assert!(description.contains("exported by podman"), "{description}");
}

#[test]
fn buildx_builder() {
    if !common::tool_works("docker", &["buildx", "version"]) {
        skip("docker buildx is not installed (.ci/run installs the plugin from Debian 13's docker-buildx package)");
        return;
    }
    let Some(_) = engine() else { return };
    let folder = context(&[("x.txt", b"x\n")]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM scratch\nCOPY x.txt /x.txt\n",
    )
    .unwrap();
    let cache = temp_dir("buildx-cache");
    let output = ballast()
        .arg("build")
        .arg(&folder)
        .args(["--builder", "buildx", "--network", "none"])
        .args(["--format", "json", "--no-progress"])
        .env("XDG_CACHE_HOME", &cache)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("no JSON ({error}): {stderr}"));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(report["build"]["builder"], "buildx");
    assert_eq!(report["attribution"]["status"], "aligned");
    assert_eq!(costs(&report), vec![(2, 2, 0)]);
}

#[test]
fn example_builds_offline() {
    let Some(_) = engine() else { return };
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scratch-files");
    let (code, report, stderr) = build(Mode::Classic, &example, &["-t", "ballast-test/example"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(costs(&report), vec![(3, 45, 0), (4, 15, 0)]);
    let _ = BASE_IMAGE;
}

/// With a lint format, standard output contains the findings in that format only and the size
/// report goes to standard error beside it.
#[test]
fn lint_format_keeps_size_report_on_stderr() {
    let Some(_) = engine() else { return };
    let folder = context(&[("big.bin", &[9u8; 100_000])]);
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM scratch\nCOPY big.bin /big.bin\nMAINTAINER someone\n",
    )
    .unwrap();
    let cache = temp_dir("sarif-cache");
    let output = ballast()
        .arg("build")
        .arg(&folder)
        .args(["--network", "none", "--format", "sarif", "--no-progress"])
        .args(["--builder", "docker"])
        .env("XDG_CACHE_HOME", &cache)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let sarif: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("stdout is not SARIF ({error}): {stderr}"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().any(|result| result["ruleId"] == "DL4000"),
        "{results:?}"
    );
    assert!(stderr.contains("COPY big.bin /big.bin"), "{stderr}");
    assert!(stderr.contains("image size"), "{stderr}");
}
