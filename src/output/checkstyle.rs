//! Checkstyle XML with hadolint's attributes: one `<file>` per input, one `<error>` per
//! finding with `line`, `column`, `severity`, `message` and `source` (the code).

use std::io::{self, Write};

use super::FileReport;

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    write!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?><checkstyle version="4.3">"#
    )?;
    for report in reports {
        write!(out, r#"<file name="{}">"#, escape(&report.path))?;
        for diagnostic in &report.diagnostics {
            let start = report.position(diagnostic.span.start);
            write!(
                out,
                r#"<error column="{}" line="{}" message="{}" severity="{}" source="{}"/>"#,
                start.column,
                start.line,
                escape(&diagnostic.message),
                diagnostic.severity,
                escape(&diagnostic.code)
            )?;
        }
        write!(out, "</file>")?;
    }
    writeln!(out, "</checkstyle>")
}

/// Escapes text for an XML attribute value. Control characters that XML 1.0 does not
/// allow are dropped; tab and line breaks are written as character references.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\n' => escaped.push_str("&#10;"),
            '\r' => escaped.push_str("&#13;"),
            '\t' => escaped.push_str("&#9;"),
            // XML 1.0 allows neither the other controls below U+0020 nor U+FFFE and U+FFFF,
            // even as character references.
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn characters_outside_xml_dropped() {
        assert_eq!(escape("a\u{ffff}b\u{fffe}c\u{1}d\u{fffd}"), "abcd\u{fffd}");
        assert_eq!(escape("<&\t>"), "&lt;&amp;&#9;&gt;");
    }
}
