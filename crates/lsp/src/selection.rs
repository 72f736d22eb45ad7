//! `textDocument/selectionRange`: from the name or word under the cursor out to its flag or
//! argument, the instruction's logical line, the instruction with its heredocs, the stage,
//! and the whole document.

use ballast_parser::{Args, Command, Instruction, NodeKind, Span};
use tower_lsp_server::ls_types::{Position, SelectionRange};

use crate::documents::Snapshot;
use crate::encoding::Encoding;
use crate::spans::{instruction_extent, trim_line_end};

pub fn selection_ranges(
    snapshot: &Snapshot,
    encoding: Encoding,
    positions: &[Position],
) -> Vec<SelectionRange> {
    let converter = snapshot.positions(encoding);
    positions
        .iter()
        .map(|&position| {
            let offset = converter.offset(position);
            let spans = enclosing_spans(snapshot, offset);
            let mut range: Option<SelectionRange> = None;
            for span in spans.into_iter().rev() {
                range = Some(SelectionRange {
                    range: converter.range(span),
                    parent: range.map(Box::new),
                });
            }
            range.unwrap_or(SelectionRange {
                range: converter.range(Span::empty(offset)),
                parent: None,
            })
        })
        .collect()
}

/// Returns the spans around `offset`, innermost first. Each contains the one before it.
fn enclosing_spans(snapshot: &Snapshot, offset: usize) -> Vec<Span> {
    let text = snapshot.text.as_str();
    let mut candidates = Vec::new();

    if let Some(occurrence) = snapshot.index().occurrence_at(offset) {
        candidates.push(occurrence.span);
    }
    let node = snapshot
        .tree
        .nodes
        .iter()
        .find(|node| node.span.contains(offset) || node.span.end == offset);
    if let Some(node) = node {
        match &node.kind {
            NodeKind::Instruction(instruction) => {
                candidates.extend(word_spans(instruction, offset));
                if let Some(heredoc) = instruction
                    .heredocs
                    .iter()
                    .find(|heredoc| heredoc.content_span.contains(offset))
                {
                    candidates.push(trim_line_end(text, heredoc.content_span));
                } else {
                    candidates.push(instruction.line_span());
                }
                candidates.push(instruction_extent(text, instruction));
            }
            NodeKind::Comment(comment) => candidates.push(comment.span),
            NodeKind::Directive(directive) => {
                for part in [directive.name_span, directive.value_span] {
                    if part.start <= offset && offset <= part.end {
                        candidates.push(part);
                    }
                }
                candidates.push(directive.span);
            }
            NodeKind::Blank => {}
        }
    }
    if let Some(stage) = snapshot.index().stage_at(offset) {
        candidates.push(trim_line_end(text, stage.span));
    }
    candidates.push(Span::new(0, text.len()));

    candidates.sort_by_key(|span| span.len());
    let mut chain: Vec<Span> = Vec::new();
    for span in candidates {
        let contains_offset = span.start <= offset && offset <= span.end;
        let contains_previous = chain
            .last()
            .is_none_or(|inner| span.start <= inner.start && inner.end <= span.end);
        let grows = chain.last() != Some(&span);
        if contains_offset && contains_previous && grows {
            chain.push(span);
        }
    }
    chain
}

/// Returns the flag or argument word at `offset`: for a flag, its value, then the whole flag.
fn word_spans(instruction: &Instruction, offset: usize) -> Vec<Span> {
    let at = |span: Span| span.start <= offset && offset <= span.end;
    let mut spans = Vec::new();
    for flag in &instruction.flags {
        if at(flag.span) {
            if let Some(value) = flag.value_span.filter(|&value| at(value)) {
                spans.push(value);
            }
            spans.push(flag.span);
        }
    }
    if at(instruction.keyword_span) {
        spans.push(instruction.keyword_span);
    }
    let mut words: Vec<Span> = instruction
        .args
        .words()
        .iter()
        .map(|word| word.span)
        .collect();
    match &instruction.args {
        Args::KeyValues { pairs } => {
            for pair in pairs {
                if at(pair.key.span) {
                    spans.push(pair.key.span);
                } else if at(pair.value.span) {
                    spans.push(pair.value.span);
                }
                words.push(pair.key.span.cover(pair.value.span));
            }
        }
        Args::Healthcheck { kind, command } => {
            words.extend(kind.iter().map(|word| word.span));
            match command {
                Some(Command::Exec(exec)) => words.extend(exec.iter().map(|word| word.span)),
                Some(Command::Shell(word)) => words.push(word.span),
                None => {}
            }
        }
        _ => {}
    }
    spans.extend(words.into_iter().filter(|&span| at(span)));
    if at(instruction.rest_span) {
        spans.push(instruction.rest_span);
    }
    spans
}
