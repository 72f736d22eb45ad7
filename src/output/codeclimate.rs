//! Code Climate issues: the engine format (each issue followed by a NUL byte) and
//! GitLab's Code Quality report (a JSON array whose issues carry a fingerprint). The
//! fields and the severity mapping follow hadolint's `codeclimate` and
//! `gitlab_codeclimate` formats.

use std::collections::HashMap;
use std::io::{self, Write};

use ballast_analyzer::{Diagnostic, Severity};
use serde::Serialize;
use sha1::{Digest, Sha1};

use super::FileReport;

#[derive(Serialize)]
struct Issue<'a> {
    categories: [&'static str; 1],
    check_name: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fingerprint: Option<String>,
    location: Location<'a>,
    severity: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Location<'a> {
    lines: Lines,
    path: &'a str,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

fn issue<'a>(report: &'a FileReport, diagnostic: &'a Diagnostic) -> Issue<'a> {
    let (start, end) = report.range(diagnostic.span);
    Issue {
        categories: ["Bug Risk"],
        check_name: &diagnostic.code,
        description: &diagnostic.message,
        fingerprint: None,
        location: Location {
            lines: Lines {
                begin: start.line,
                end: end.line.max(start.line),
            },
            path: &report.path,
        },
        severity: match diagnostic.severity {
            Severity::Error => "blocker",
            Severity::Warning => "major",
            Severity::Info => "info",
            Severity::Style => "minor",
        },
        kind: "issue",
    }
}

/// Writes each issue as a JSON object followed by a NUL byte, as a Code Climate engine does.
pub fn render_codeclimate(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        for diagnostic in &report.diagnostics {
            serde_json::to_writer(&mut *out, &issue(report, diagnostic))?;
            out.write_all(b"\0")?;
        }
    }
    Ok(())
}

/// Writes GitLab's Code Quality report.
pub fn render_gitlab(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let mut issues = Vec::new();
    for report in reports {
        let mut occurrences: HashMap<(&str, &str), u32> = HashMap::new();
        for diagnostic in &report.diagnostics {
            let line_text = report.line_text(diagnostic.span.start).trim();
            let occurrence = occurrences
                .entry((&*diagnostic.code, line_text))
                .or_insert(0);
            *occurrence += 1;
            let mut issue = issue(report, diagnostic);
            issue.fingerprint = Some(fingerprint(
                &report.path,
                &diagnostic.code,
                line_text,
                *occurrence,
            ));
            issues.push(issue);
        }
    }
    serde_json::to_writer(&mut *out, &issues)?;
    writeln!(out)
}

/// Returns a SHA-1 of the file, the code, the text of the flagged line and how many times the
/// same code was reported on an identical line before. Line numbers are left out, so a
/// finding keeps its fingerprint when lines are added above it, and GitLab does not
/// report it as fixed and new again.
fn fingerprint(path: &str, code: &str, line_text: &str, occurrence: u32) -> String {
    let mut hasher = Sha1::new();
    for part in [path, code, line_text, &occurrence.to_string()] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
