//! The terminal format: each finding with its source line, a caret under the exact range,
//! labels for related ranges and the fix title, then a summary.

mod snippet;

use std::io::{self, Write};
use std::ops::Range;

use ballast_analyzer::{Applicability, Diagnostic, Severity};
use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::term::termcolor::Buffer;
use codespan_reporting::term::{self, Config};

use super::{FileReport, escape_controls, escape_line, mask_controls};
use snippet::Snippet;

pub fn render(reports: &[FileReport], color: bool, out: &mut dyn Write) -> io::Result<()> {
    let config = Config::default();
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    for report in reports {
        // A Dockerfile can hold escape sequences, which must not reach the terminal.
        let path = escape_line(&report.path);
        let source = mask_controls(&report.source);
        for diagnostic in &report.diagnostics {
            let ranges = ranges(diagnostic, report.source.len());
            let snippet = Snippet::new(&path, report, &source, &ranges);
            let shown = convert(diagnostic, &ranges, &snippet);
            term::emit_to_write_style(&mut buffer, &config, &snippet, &shown)
                .map_err(io::Error::other)?;
        }
    }
    out.write_all(buffer.as_slice())?;
    write_summary(reports, out)
}

/// Returns the primary range of a finding, then the range of each label, clamped to the
/// `len` bytes of the text.
fn ranges(diagnostic: &Diagnostic, len: usize) -> Vec<Range<usize>> {
    let labels = diagnostic.labels.iter().map(|label| label.span);
    std::iter::once(diagnostic.span)
        .chain(labels)
        .map(|span| span.start.min(len)..span.end.min(len))
        .collect()
}

/// Converts a finding to codespan's form, its `ranges` (from [`ranges`]) moved into the
/// text of `snippet`.
fn convert(
    diagnostic: &Diagnostic,
    ranges: &[Range<usize>],
    snippet: &Snippet<'_>,
) -> Report<()> {
    let severity = match diagnostic.severity {
        Severity::Error => ReportSeverity::Error,
        Severity::Warning => ReportSeverity::Warning,
        Severity::Info => ReportSeverity::Note,
        Severity::Style => ReportSeverity::Help,
    };
    let mut labels = vec![Label::primary((), snippet.shown_range(ranges[0].clone()))];
    labels.extend(diagnostic.labels.iter().zip(&ranges[1..]).map(|(label, range)| {
        Label::secondary((), snippet.shown_range(range.clone()))
            .with_message(escape_controls(&label.message))
    }));

    let mut notes = Vec::new();
    if let Some(fix) = &diagnostic.fix {
        let how = match fix.applicability {
            Applicability::Safe => "`--fix` applies it",
            Applicability::Unsafe => "unsafe: `--fix --unsafe-fixes` applies it",
        };
        notes.push(format!("fix: {} ({how})", escape_controls(&fix.title)));
    }
    Report::new(severity)
        .with_code(format!("{}/{}", diagnostic.code, diagnostic.name))
        .with_message(escape_controls(&diagnostic.message))
        .with_labels(labels)
        .with_notes(notes)
}

fn write_summary(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let diagnostics = || reports.iter().flat_map(|report| &report.diagnostics);
    let total = diagnostics().count();
    if total == 0 {
        let files = reports.len();
        return writeln!(
            out,
            "No problems found in {files} {}.",
            plural(files, "file", "files")
        );
    }
    let files = reports
        .iter()
        .filter(|report| !report.diagnostics.is_empty())
        .count();
    let fixable = |applicability| {
        diagnostics()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|fix| fix.applicability == applicability)
            })
            .count()
    };
    let safe = fixable(Applicability::Safe);
    let unsafe_ = fixable(Applicability::Unsafe);
    write!(
        out,
        "Found {total} {} in {files} {}",
        plural(total, "problem", "problems"),
        plural(files, "file", "files")
    )?;
    match (safe, unsafe_) {
        (0, 0) => writeln!(out, "."),
        (safe, 0) => writeln!(out, " ({safe} fixable with `--fix`)."),
        (safe, unsafe_) => {
            writeln!(
                out,
                " ({safe} fixable with `--fix`, {unsafe_} more with `--fix --unsafe-fixes`)."
            )
        }
    }
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use ballast_analyzer::{Diagnostic, Severity};
    use ballast_parser::Span;

    use super::*;

    fn render_one(source: &str, span: Span) -> String {
        let diagnostic = Diagnostic {
            code: "T1".into(),
            name: "test".into(),
            severity: Severity::Warning,
            message: "message".into(),
            span,
            labels: Vec::new(),
            fix: None,
        };
        let report = FileReport::new("Dockerfile".into(), source.into(), vec![diagnostic]);
        let mut out = Vec::new();
        render(&[report], false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn range_across_long_lines_is_cut() {
        let source = format!("FROM a\nRUN a {} \\\n {} z\n", "a".repeat(3000), "b".repeat(3000));
        let output = render_one(&source, Span::new(11, source.len() - 1));
        for line in output.lines() {
            assert!(line.chars().count() <= 220, "{line}");
        }
        assert!(output.contains("┌─ Dockerfile:2:5\n"), "{output}");
        assert!(output.contains("2 │   RUN a aaa"), "{output}");
        assert!(output.contains("bbb z\n"), "{output}");
    }
}
