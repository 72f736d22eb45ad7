//! `ballast lint` on the example Dockerfiles: each example reports the problems it was
//! written to show, on the right lines, and nothing else of ballast's own rules.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Runs `ballast lint --format json` on one file and returns the findings as
/// (code, line, message) triples.
fn lint_json(path: &Path) -> Vec<(String, u64, String)> {
    let output = Command::new(env!("CARGO_BIN_EXE_ballast"))
        .args(["lint", "--format", "json"])
        .arg(path)
        .output()
        .expect("the ballast binary runs");
    let code = output.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "ballast lint exited with {code:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let findings: Value = serde_json::from_slice(&output.stdout).expect("the output is JSON");
    findings
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|finding| {
            (
                finding["code"].as_str().unwrap_or_default().to_string(),
                finding["line"].as_u64().unwrap_or_default(),
                finding["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn lines_of(findings: &[(String, u64, String)], code: &str) -> Vec<u64> {
    findings
        .iter()
        .filter(|(found, _, _)| found == code)
        .map(|(_, line, _)| *line)
        .collect()
}

fn message_at<'a>(findings: &'a [(String, u64, String)], code: &str, line: u64) -> &'a str {
    findings
        .iter()
        .find(|(found, at, _)| found == code && *at == line)
        .map_or("", |(_, _, message)| message.as_str())
}

#[test]
fn flask_redis_example_findings() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/flask-redis/Dockerfile");
    let findings = lint_json(&path);

    // Every instruction line with a `# …` after its arguments, with what it does there.
    assert_eq!(
        lines_of(&findings, "BL1001"),
        [3, 4, 8, 9, 10],
        "{findings:#?}"
    );
    assert!(message_at(&findings, "BL1001", 3).contains("too many arguments"));
    assert!(message_at(&findings, "BL1001", 4).contains("`/app  # everything lives here`"));
    assert!(message_at(&findings, "BL1001", 8).contains("in the value"));
    assert!(message_at(&findings, "BL1001", 9).contains("port"));
    assert!(message_at(&findings, "BL1001", 10).contains("/bin/sh -c"));

    assert_eq!(lines_of(&findings, "DL3020"), [5], "ADD of local files");
    assert_eq!(
        lines_of(&findings, "DL3042"),
        [6],
        "pip without --no-cache-dir"
    );
    assert_eq!(
        lines_of(&findings, "BL2003"),
        [3],
        "python 3.7 is past its end of life"
    );
    assert!(message_at(&findings, "BL2003", 3).contains("python 3.7"));

    // Nothing wrong: line 7 has no trailing comment, and the full python 3.7 image is
    // reported as end of life only, because its smaller variants are unsupported too.
    assert!(lines_of(&findings, "BL2002").is_empty());
    assert!(lines_of(&findings, "BL1002").is_empty());
    assert!(lines_of(&findings, "BL1003").is_empty());
    assert!(lines_of(&findings, "BL1004").is_empty());
    assert!(lines_of(&findings, "BL2001").is_empty());
    assert!(lines_of(&findings, "BL2004").is_empty());
}
