//! One JSON array of findings. The fields hadolint writes (`code`, `column`, `file`,
//! `level`, `line`, `message`) keep its names and meanings. ballast adds the end of the
//! range, the rule name, related ranges and the fix. Keys are in alphabetical order, as
//! in hadolint's output.

use std::io::{self, Write};

use ballast_analyzer::{Applicability, Diagnostic};
use serde::Serialize;

use super::FileReport;

#[derive(Serialize)]
struct Finding<'a> {
    code: &'a str,
    column: u32,
    end_column: u32,
    end_line: u32,
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FindingFix<'a>>,
    level: &'static str,
    line: u32,
    message: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<Related<'a>>,
    rule: &'a str,
}

#[derive(Serialize)]
struct Related<'a> {
    column: u32,
    end_column: u32,
    end_line: u32,
    line: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct FindingFix<'a> {
    applicability: &'static str,
    edits: Vec<FixEdit<'a>>,
    title: &'a str,
}

/// One edit: replace the range from `line`:`column` to `end_line`:`end_column` with
/// `content`.
#[derive(Serialize)]
struct FixEdit<'a> {
    column: u32,
    content: &'a str,
    end_column: u32,
    end_line: u32,
    line: u32,
}

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let findings: Vec<Finding<'_>> = reports
        .iter()
        .flat_map(|report| {
            report
                .diagnostics
                .iter()
                .map(move |diagnostic| finding(report, diagnostic))
        })
        .collect();
    serde_json::to_writer(&mut *out, &findings)?;
    writeln!(out)
}

fn finding<'a>(report: &'a FileReport, diagnostic: &'a Diagnostic) -> Finding<'a> {
    let (start, end) = report.range(diagnostic.span);
    let related = diagnostic
        .labels
        .iter()
        .map(|label| {
            let range = report.range_aside(label.span);
            let (start, end) = (range.start, range.end);
            Related {
                column: start.column,
                end_column: end.column,
                end_line: end.line,
                line: start.line,
                message: &label.message,
            }
        })
        .collect();
    let fix = diagnostic.fix.as_ref().map(|fix| FindingFix {
        applicability: match fix.applicability {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        },
        edits: fix
            .edits
            .iter()
            .map(|edit| {
                let range = report.range_aside(edit.span);
                let (start, end) = (range.start, range.end);
                FixEdit {
                    column: start.column,
                    content: &edit.replacement,
                    end_column: end.column,
                    end_line: end.line,
                    line: start.line,
                }
            })
            .collect(),
        title: &fix.title,
    });

    Finding {
        code: &diagnostic.code,
        column: start.column,
        end_column: end.column,
        end_line: end.line,
        file: &report.path,
        fix,
        level: diagnostic.severity.as_str(),
        line: start.line,
        message: &diagnostic.message,
        related,
        rule: &diagnostic.name,
    }
}
