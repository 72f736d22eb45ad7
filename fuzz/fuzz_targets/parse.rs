//! Fuzzes `ballast_parser::parse`: it must not panic on any input, its top-level nodes must
//! tile the input so their text is the input byte for byte, and every span in the tree must
//! lie inside the input on UTF-8 character boundaries.
//!
//! `crates/parser/tests/roundtrip_proptest.rs` checks the same properties on generated
//! Dockerfile-like text in the normal test run.

#![no_main]

use ballast_parser::dump::{buildkit_dump, outline};
use ballast_parser::{Args, Command, Instruction, LineIndex, NodeKind, Span, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Invalid UTF-8 is replaced rather than skipped, so every input reaches the parser.
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let tree = parse(text);

    let mut end = 0;
    for node in &tree.nodes {
        assert_eq!(
            node.span.start, end,
            "nodes do not tile the input at byte {end}"
        );
        end = node.span.end;
    }
    assert_eq!(end, text.len(), "nodes end before the input does");
    assert_eq!(
        tree.text_of_nodes(text),
        text,
        "the tree does not round-trip"
    );

    let mut spans = Vec::new();
    for node in &tree.nodes {
        spans.push(node.span);
        match &node.kind {
            NodeKind::Blank => {}
            NodeKind::Comment(comment) => spans.push(comment.span),
            NodeKind::Directive(directive) => {
                spans.extend([directive.span, directive.name_span, directive.value_span])
            }
            NodeKind::Instruction(instruction) => instruction_spans(instruction, &mut spans),
        }
    }
    spans.extend(tree.errors.iter().map(|error| error.span));

    let index = LineIndex::new(text);
    for span in spans {
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "span {span:?} is outside 0..{}",
            text.len()
        );
        assert!(
            text.is_char_boundary(span.start),
            "span {span:?} starts inside a character"
        );
        assert!(
            text.is_char_boundary(span.end),
            "span {span:?} ends inside a character"
        );
        // Positions inside a line terminator clamp to the end of the line's text, so the
        // conversion back is checked for validity, not equality.
        let back = index.offset_utf16(text, index.utf16(text, span.start));
        assert!(
            back <= span.start && text.is_char_boundary(back),
            "UTF-16 position of {span:?} maps back to {back}"
        );
    }

    buildkit_dump(&tree);
    outline(&tree, text);
});

/// Collects every span of an instruction, its arguments, heredocs and ONBUILD trigger.
fn instruction_spans(instruction: &Instruction, spans: &mut Vec<Span>) {
    spans.extend([
        instruction.span,
        instruction.keyword_span,
        instruction.rest_span,
        instruction.line_span(),
    ]);
    for flag in &instruction.flags {
        spans.extend([flag.span, flag.name_span]);
        spans.extend(flag.value_span);
    }
    match &instruction.args {
        Args::None => {}
        Args::List { words, .. } => spans.extend(words.iter().map(|word| word.span)),
        Args::KeyValues { pairs } => spans.extend(
            pairs
                .iter()
                .flat_map(|pair| [pair.key.span, pair.value.span]),
        ),
        Args::Healthcheck { kind, command } => {
            spans.extend(kind.iter().map(|kind| kind.span));
            match command {
                Some(Command::Exec(words)) => spans.extend(words.iter().map(|word| word.span)),
                Some(Command::Shell(word)) => spans.push(word.span),
                None => {}
            }
        }
        Args::Onbuild { trigger } => {
            if let Some(trigger) = trigger {
                instruction_spans(trigger, spans);
            }
        }
    }
    for heredoc in &instruction.heredocs {
        spans.extend([heredoc.word.span, heredoc.content_span]);
        spans.extend(heredoc.terminator_span);
    }
    spans.extend(instruction.inner_comments.iter().copied());
    spans.extend(instruction.empty_continuation_lines.iter().copied());
    spans.extend(instruction.physical_lines.iter().copied());
}
