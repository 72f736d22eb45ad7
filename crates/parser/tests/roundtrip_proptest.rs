//! Property tests for the parser's invariants on generated input: `parse` never panics,
//! the top-level nodes tile the input, their text is the input byte for byte, and every
//! span in the tree lies inside the input on UTF-8 character boundaries.
//!
//! The input is built from Dockerfile fragments (keywords, flags, quotes, escapes,
//! directives, heredoc openers and terminators, CRLF, a byte order mark, multi-byte
//! characters, comments and blank lines), so most cases reach deep into the parser, plus
//! arbitrary strings. The fuzz target in `fuzz/` checks the same properties.

use ballast_parser::dump::{buildkit_dump, outline};
use ballast_parser::{Args, Command, Instruction, LineIndex, NodeKind, Span, parse};
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    // Keywords, in the cases people write them, and one BuildKit does not know.
    "FROM ",
    "RUN ",
    "COPY ",
    "ADD ",
    "ONBUILD ",
    "HEALTHCHECK ",
    "ENV ",
    "LABEL ",
    "ARG ",
    "CMD ",
    "ENTRYPOINT ",
    "SHELL ",
    "USER ",
    "WORKDIR ",
    "EXPOSE ",
    "VOLUME ",
    "STOPSIGNAL ",
    "MAINTAINER ",
    "run ",
    "Copy ",
    "FOO ",
    " AS ",
    "NONE",
    "CMD",
    // Flags.
    "--from=build ",
    "--mount=type=cache,target=/a ",
    "--chown=\"a b\" ",
    "-- ",
    "--link ",
    "--x='y z' ",
    "--platform=$BUILDPLATFORM ",
    "--",
    // Quotes and escapes.
    "\"",
    "'",
    "\"a b\"",
    "'c d'",
    "\\",
    "`",
    "\\\\",
    "\\\\\\",
    "\\ ",
    "` ",
    "\\\t",
    // Parser directives and comments.
    "# escape=`",
    "# escape=\\",
    "#escape=`",
    "# syntax=docker/dockerfile:1",
    "# check=skip=all",
    "#",
    "# note",
    "#!/bin/sh",
    // Heredoc openers and terminators.
    "<<EOF",
    "<<-EOF",
    "<< EOF",
    "<<- EOF",
    "<<'EOF'",
    "<<\"EOF\"",
    "3<<EOF",
    "<<-\\EOF",
    "<<EO\"F\"",
    "<<",
    "<<<",
    "EOF",
    "\tEOF",
    " EOF",
    "<<A <<B",
    "A",
    "B",
    // Exec form, variables and plain words.
    "[\"a\", \"b\"]",
    "[1]",
    "[\"a\",]",
    "[",
    "]",
    "[]",
    "{",
    "${X:-y}",
    "$X",
    "a",
    "/dst",
    "x=y",
    "k=\"v w\"",
    "echo hi",
    "&&",
    " ",
    "\t",
    "  ",
    "\u{b}",
    "\u{c}",
    // Line breaks in the middle of a line and other characters.
    "\r",
    "\r\n",
    "\n",
    "\u{feff}",
    "中文",
    "😀",
    "é",
    "\u{0}",
    "\u{7f}",
    "\u{200b}",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => "[ -~]{0,6}",
        1 => any::<char>().prop_map(String::from),
    ]
}

fn line() -> impl Strategy<Value = String> {
    proptest::collection::vec(fragment(), 0..8).prop_map(|fragments| fragments.concat())
}

fn terminator() -> impl Strategy<Value = &'static str> {
    prop_oneof![6 => Just("\n"), 2 => Just("\r\n"), 1 => Just("\r"), 1 => Just("")]
}

/// Dockerfile-like text: an optional byte order mark, then lines with mixed terminators.
fn dockerfile_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        proptest::collection::vec((line(), terminator()), 0..24),
    )
        .prop_map(|(bom, lines)| {
            let mut text = if bom {
                String::from("\u{feff}")
            } else {
                String::new()
            };
            for (line, terminator) in lines {
                text.push_str(&line);
                text.push_str(terminator);
            }
            text
        })
}

/// Checks every invariant of the tree of `text`, returning the first broken one.
fn check_invariants(text: &str) -> Result<(), TestCaseError> {
    let tree = parse(text);

    let mut end = 0;
    for node in &tree.nodes {
        prop_assert_eq!(
            node.span.start,
            end,
            "nodes do not tile the input at byte {}",
            end
        );
        end = node.span.end;
    }
    prop_assert_eq!(end, text.len(), "nodes end before the input does");
    prop_assert_eq!(
        tree.text_of_nodes(text),
        text,
        "the tree does not round-trip"
    );
    prop_assert_eq!(tree.len, text.len());

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
        prop_assert!(
            span.start <= span.end && span.end <= text.len(),
            "span {:?} is outside 0..{}",
            span,
            text.len()
        );
        prop_assert!(
            text.is_char_boundary(span.start),
            "span {:?} starts inside a character",
            span
        );
        prop_assert!(
            text.is_char_boundary(span.end),
            "span {:?} ends inside a character",
            span
        );
        let back = index.offset_utf16(text, index.utf16(text, span.start));
        prop_assert!(
            back <= span.start && text.is_char_boundary(back),
            "UTF-16 position of {:?} maps to {}",
            span,
            back
        );
    }

    buildkit_dump(&tree);
    outline(&tree, text);
    Ok(())
}

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn dockerfile_fragments_round_trip(text in dockerfile_text()) {
        check_invariants(&text)?;
    }

    #[test]
    fn arbitrary_strings_round_trip(text in any::<String>()) {
        check_invariants(&text)?;
    }

    #[test]
    fn dockerfile_characters_round_trip(text in "[ -~\t\n\r\\\\`<#\"'\u{feff}中😀]{0,300}") {
        check_invariants(&text)?;
    }
}

/// Inputs that broke an invariant once, kept so they stay fixed.
#[test]
fn known_inputs_round_trip() {
    let inputs = [
        // ONBUILD trigger arguments were shifted by the trigger's offset, into the middle
        // of the replacement characters.
        "ONBUILD COPY \u{fffd}\u{fffd}\u{fffd}",
        "ONBUILD ENV a=b c=d",
        "ONBUILD HEALTHCHECK CMD [\"x\"]",
        "",
        "\u{feff}",
        "\\",
        "RUN <<EOF",
        "RUN <<EOF\r",
    ];
    for input in inputs {
        if let Err(error) = check_invariants(input) {
            panic!("{input:?}: {error}");
        }
    }
}
