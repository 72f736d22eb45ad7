//! `textDocument/foldingRange`: stages, instructions that continue over several lines,
//! heredoc bodies, and blocks of comment lines.

use ballast_parser::{NodeKind, Span};
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind};

use crate::documents::Snapshot;
use crate::spans::trim_line_end;

pub fn folding_ranges(snapshot: &Snapshot) -> Vec<FoldingRange> {
    let text = snapshot.text.as_str();
    let line_of = |offset: usize| snapshot.lines.line_of(offset);
    let last_line = |span: Span| line_of(trim_line_end(text, span).end);
    let mut ranges = Vec::new();

    for stage in &snapshot.index().stages {
        push(
            &mut ranges,
            line_of(stage.span.start),
            last_line(stage.span),
            Some(FoldingRangeKind::Region),
        );
    }

    let mut comments: Option<(u32, u32)> = None;
    for node in &snapshot.tree.nodes {
        if let NodeKind::Comment(comment) = &node.kind {
            let line = line_of(comment.span.start);
            comments = match comments {
                Some((first, last)) if last + 1 == line => Some((first, line)),
                Some((first, last)) => {
                    push(&mut ranges, first, last, Some(FoldingRangeKind::Comment));
                    Some((line, line))
                }
                None => Some((line, line)),
            };
            continue;
        }
        let NodeKind::Instruction(instruction) = &node.kind else {
            continue;
        };

        let logical = instruction.line_span();
        push(
            &mut ranges,
            line_of(logical.start),
            line_of(logical.end),
            None,
        );
        for heredoc in &instruction.heredocs {
            let end = heredoc.terminator_span.unwrap_or(heredoc.content_span);
            push(
                &mut ranges,
                line_of(heredoc.word.span.start),
                last_line(end),
                None,
            );
        }
    }
    if let Some((first, last)) = comments {
        push(&mut ranges, first, last, Some(FoldingRangeKind::Comment));
    }

    ranges.sort_by_key(|range| (range.start_line, std::cmp::Reverse(range.end_line)));
    ranges
}

/// Adds a range of whole lines when it spans more than one line.
fn push(
    ranges: &mut Vec<FoldingRange>,
    start_line: u32,
    end_line: u32,
    kind: Option<FoldingRangeKind>,
) {
    if end_line > start_line {
        ranges.push(FoldingRange {
            start_line,
            start_character: None,
            end_line,
            end_character: None,
            kind,
            collapsed_text: None,
        });
    }
}
