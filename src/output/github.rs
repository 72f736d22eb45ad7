//! GitHub Actions workflow commands (`::warning file=…,line=…::message`), which the
//! runner turns into annotations on the pull request.

use std::io::{self, Write};

use ballast_analyzer::Severity;

use super::{FileReport, escape_controls};

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        for diagnostic in &report.diagnostics {
            let (start, end) = report.range(diagnostic.span);
            let command = match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Style => "notice",
            };
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&report.path),
                start.line,
                start.column,
                end.line,
                end.column,
                escape_property(&format!("{} ({})", diagnostic.code, diagnostic.name)),
                escape_data(&diagnostic.message),
            )?;
        }
    }
    Ok(())
}

/// Escapes the message of a workflow command as the runner expects.
/// Terminal controls are escaped too, because the runner's log view acts on them.
fn escape_data(text: &str) -> String {
    escape_controls(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value, which also ends at `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
