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
        let mut fingerprints = Fingerprints::new(&report.path);
        for diagnostic in &report.diagnostics {
            let mut issue = issue(report, diagnostic);
            issue.fingerprint = Some(fingerprints.next(report, diagnostic));
            issues.push(issue);
        }
    }
    serde_json::to_writer(&mut *out, &issues)?;
    writeln!(out)
}

/// The fingerprints of one file's findings: a SHA-1 of the file, the code, the text of the
/// flagged line and how many times the same code was reported on an identical line before.
/// Line numbers are left out, so a finding keeps its fingerprint when lines are added above
/// it, and GitLab does not report it as fixed and new again.
///
/// Each line's text is hashed once per code, not once per finding, so a long line with many
/// findings costs its length a few times instead of once per finding.
struct Fingerprints<'a> {
    path: &'a str,
    /// The number of each line, 0-based, and the number given to its trimmed text.
    text_of_line: HashMap<u32, usize>,
    /// Each distinct trimmed line text and its number.
    texts: HashMap<&'a str, usize>,
    /// For each code and line text: the hasher after the file, code and text, and how many
    /// findings it has had.
    seen: HashMap<(&'a str, usize), (Sha1, u32)>,
}

impl<'a> Fingerprints<'a> {
    fn new(path: &'a str) -> Self {
        Fingerprints {
            path,
            text_of_line: HashMap::new(),
            texts: HashMap::new(),
            seen: HashMap::new(),
        }
    }

    /// Returns the fingerprint of `diagnostic`, the next finding of `report`.
    fn next(&mut self, report: &'a FileReport, diagnostic: &'a Diagnostic) -> String {
        let line = report.lines.line_of(diagnostic.span.start);
        let count = self.texts.len();
        let text_number = *self.text_of_line.entry(line).or_insert_with(|| {
            let line_text = report.line_text(diagnostic.span.start).trim();
            *self.texts.entry(line_text).or_insert(count)
        });
        let path = self.path;
        let (prefix, occurrence) = self
            .seen
            .entry((&diagnostic.code, text_number))
            .or_insert_with(|| {
                let line_text = report.line_text(diagnostic.span.start).trim();
                let mut hasher = Sha1::new();
                for part in [path, &diagnostic.code, line_text] {
                    hasher.update(part.as_bytes());
                    hasher.update([0]);
                }
                (hasher, 0)
            });
        *occurrence += 1;
        let mut hasher = prefix.clone();
        hasher.update(occurrence.to_string().as_bytes());
        hasher.update([0]);
        hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}
