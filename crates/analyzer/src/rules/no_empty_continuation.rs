//! NoEmptyContinuation: blank lines inside a continued instruction.

use ballast_parser::Span;

use crate::diagnostic::{Edit, Fix};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports an instruction whose continuation lines include empty or whitespace-only
    /// lines, as BuildKit's check of the same name does. BuildKit reports it once, on the
    /// instruction's last line; ballast does the same and marks each empty line.
    ///
    /// ## Why is this bad
    /// BuildKit skips the empty line and keeps the instruction going, while a reader sees
    /// the blank line as the end of it. Older Docker versions treated this as an error, and
    /// BuildKit may do so again.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && \
    ///
    ///     apt-get install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && \
    ///     apt-get install -y curl
    /// ```
    ///
    /// ## Fix
    /// Deletes the empty lines. The fix is safe: BuildKit ignores them.
    pub NoEmptyContinuation {
        code: "NoEmptyContinuation",
        name: "no-empty-continuation",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let syntax = inst.syntax;
        if syntax.empty_continuation_lines.is_empty() {
            continue;
        }
        let last_line = syntax
            .physical_lines
            .last()
            .copied()
            .unwrap_or(syntax.keyword_span);
        let edits: Vec<Edit> = syntax
            .empty_continuation_lines
            .iter()
            .map(|line| Edit::delete(with_terminator(cx.source, *line)))
            .collect();
        let lines = syntax.empty_continuation_lines.clone();
        let diagnostic = cx.report(
            last_line,
            "this instruction continues past an empty line: remove the empty lines from the continuation",
        );
        for line in lines {
            diagnostic.label(line, "empty line inside the continuation");
        }
        diagnostic.fix(Fix::safe("Delete the empty continuation lines", edits));
    }
}

/// Extends a line's span over its `\n` or `\r\n`.
fn with_terminator(source: &str, line: Span) -> Span {
    let rest = source.get(line.end..).unwrap_or("");
    let terminator = if rest.starts_with("\r\n") {
        2
    } else if rest.starts_with('\n') || rest.starts_with('\r') {
        1
    } else {
        0
    };
    Span::new(line.start, line.end + terminator)
}
