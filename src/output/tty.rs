//! The terminal format: each finding with its source line, a caret under the exact range,
//! labels for related ranges and the fix title, then a summary.

use std::io::{self, Write};

use ballast_analyzer::{Applicability, Diagnostic, Severity};
use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::termcolor::Buffer;
use codespan_reporting::term::{self, Config};

use super::{FileReport, escape_controls, mask_controls};

pub fn render(reports: &[FileReport], color: bool, out: &mut dyn Write) -> io::Result<()> {
    let config = Config::default();
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    for report in reports {
        // A Dockerfile can hold escape sequences, which must not reach the terminal.
        let path = escape_controls(&report.path);
        let source = mask_controls(&report.source);
        // Editors hide a byte order mark, so the snippet leaves it out and is not shifted by it.
        let bom = report.lines.column_start(0).unwrap_or(0);
        let file = SimpleFile::new(path.as_ref(), &source[bom..]);
        for diagnostic in &report.diagnostics {
            term::emit_to_write_style(
                &mut buffer,
                &config,
                &file,
                &convert(diagnostic, bom, report.source.len()),
            )
            .map_err(io::Error::other)?;
        }
    }
    out.write_all(buffer.as_slice())?;
    write_summary(reports, out)
}

/// Converts a finding to codespan's form, its ranges moved back by the `bom` bytes the
/// snippet leaves out and clamped to the `len` bytes of the text.
fn convert(diagnostic: &Diagnostic, bom: usize, len: usize) -> Report<()> {
    let severity = match diagnostic.severity {
        Severity::Error => ReportSeverity::Error,
        Severity::Warning => ReportSeverity::Warning,
        Severity::Info => ReportSeverity::Note,
        Severity::Style => ReportSeverity::Help,
    };
    let clamp = |start: usize, end: usize| {
        start.min(len).saturating_sub(bom)..end.min(len).saturating_sub(bom)
    };
    let mut labels = vec![Label::primary(
        (),
        clamp(diagnostic.span.start, diagnostic.span.end),
    )];
    labels.extend(diagnostic.labels.iter().map(|label| {
        Label::secondary((), clamp(label.span.start, label.span.end))
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
