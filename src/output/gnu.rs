//! The GNU format: `ballast:FILE:LINE:COLUMN: CODE SEVERITY: MESSAGE`, as editors and
//! `compilation-mode` read it.

use std::io::{self, Write};

use super::{FileReport, escape_controls, escape_line};

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        for diagnostic in &report.diagnostics {
            let start = report.position(diagnostic.span.start);
            let message = escape_controls(&diagnostic.message).replace('\n', " ");
            writeln!(
                out,
                "ballast:{}:{}:{}: {} {}: {}",
                escape_line(&report.path),
                start.line,
                start.column,
                diagnostic.code,
                diagnostic.severity,
                message
            )?;
        }
    }
    Ok(())
}
