//! Span helpers shared by the features.

use ballast_parser::{Instruction, Span};

/// `span` without the line terminators at its end.
pub fn trim_line_end(text: &str, span: Span) -> Span {
    let kept = span.text(text).trim_end_matches(['\n', '\r']).len();
    Span::new(span.start, span.start + kept)
}

/// An instruction from its keyword to the end of its last line, heredoc bodies included,
/// without the final line terminator.
pub fn instruction_extent(text: &str, instruction: &Instruction) -> Span {
    let end = trim_line_end(text, instruction.span).end;
    Span::new(
        instruction.keyword_span.start,
        end.max(instruction.keyword_span.start),
    )
}

/// Whether two spans share a byte, or touch when one of them is empty.
pub fn intersects(a: Span, b: Span) -> bool {
    a.start <= b.end && b.start <= a.end
}
