//! The Dockerfile formatter behind `textDocument/formatting` and `ballast fmt`. It works on
//! byte offsets and does not depend on the protocol.
//!
//! What it changes, and only where the meaning stays the same:
//! - instruction keywords in upper case, with no indentation before them and one space
//!   after them (also the trigger keyword of ONBUILD);
//! - continuation lines that start in column 0 get one indent unit, unless the line before
//!   ends inside a quoted string or splits a word (`ins\` then `tall`), where added blanks
//!   would change the instruction;
//! - blanks at the end of lines, and lines of blanks only, are removed, except blanks
//!   before a continuation marker, which belong to the instruction;
//! - comments lose their indentation.
//!
//! What it keeps: heredoc bodies and their terminators, continuation lines that are
//! already indented (hand-aligned lines stay as written), parser directives, comment and
//! blank lines inside a continuation, and line terminators (`\n` or `\r\n`).

use ballast_parser::{Args, Dockerfile, Instruction, Keyword, Node, NodeKind, Span, parse};

/// How to indent continuation lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatOptions {
    /// One indent unit: four spaces by default, or a tab.
    pub indent: String,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions {
            indent: "    ".to_string(),
        }
    }
}

impl FormatOptions {
    /// Indents with `size` spaces, or with a tab when `spaces` is false.
    pub fn new(size: u32, spaces: bool) -> FormatOptions {
        let indent = if spaces {
            " ".repeat(size.clamp(1, 16) as usize)
        } else {
            "\t".to_string()
        };
        FormatOptions { indent }
    }
}

/// Replaces the text in `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// Formats a whole file.
pub fn format(text: &str, options: &FormatOptions) -> String {
    let tree = parse(text);
    apply(text, &edits(text, &tree, options, None))
}

/// Returns the edits that format `text`, in order and without overlaps. With `range`, only the
/// nodes that intersect it are formatted.
pub fn edits(
    text: &str,
    tree: &Dockerfile,
    options: &FormatOptions,
    range: Option<Span>,
) -> Vec<Edit> {
    let mut edits = Vec::new();
    for node in &tree.nodes {
        if range.is_some_and(|range| !overlaps(node.span, range)) {
            continue;
        }
        node_edits(text, node, options, tree.escape, &mut edits);
    }
    edits.retain(|edit| edit.span.text(text) != edit.replacement);
    edits
}

/// Returns whether a node overlaps the range to format; an empty range selects the node
/// that contains it.
fn overlaps(node: Span, range: Span) -> bool {
    if range.is_empty() {
        node.start <= range.start && range.start < node.end
    } else {
        node.start < range.end && range.start < node.end
    }
}

/// Applies edits that are in order and do not overlap.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for edit in edits {
        out.push_str(&text[copied..edit.span.start]);
        out.push_str(&edit.replacement);
        copied = edit.span.end;
    }
    out.push_str(&text[copied..]);
    out
}

fn node_edits(
    text: &str,
    node: &Node,
    options: &FormatOptions,
    escape: char,
    edits: &mut Vec<Edit>,
) {
    let line = first_line(text, node.span);
    match &node.kind {
        NodeKind::Blank => delete(edits, line),
        NodeKind::Comment(comment) => {
            delete(
                edits,
                Span::new(skip_bom(text, line.start), comment.span.start),
            );
            delete(edits, trailing_blanks(text, comment.span));
        }
        NodeKind::Directive(_) => {}
        NodeKind::Instruction(instruction) => {
            instruction_edits(text, node, instruction, options, escape, edits)
        }
    }
}

fn instruction_edits(
    text: &str,
    node: &Node,
    instruction: &Instruction,
    options: &FormatOptions,
    escape: char,
    edits: &mut Vec<Edit>,
) {
    delete(
        edits,
        Span::new(
            skip_bom(text, node.span.start),
            instruction.keyword_span.start,
        ),
    );
    let first_end = instruction
        .physical_lines
        .first()
        .map_or(instruction.keyword_span.end, |line| line.end);
    keyword_edits(text, instruction, first_end, edits);
    if let Args::Onbuild {
        trigger: Some(trigger),
    } = &instruction.args
    {
        keyword_edits(text, trigger, first_end, edits);
    }

    let mut quote: Option<char> = None;
    let mut previous_splits_word = false;
    for (number, line) in instruction.physical_lines.iter().enumerate() {
        let content = line.text(text);
        let starts_flush = content.starts_with(|c: char| !c.is_whitespace());
        if number > 0 && starts_flush && quote.is_none() && !previous_splits_word {
            insert(edits, line.start, &options.indent);
        }
        quote = quote_state_after(content, quote, escape);
        previous_splits_word = splits_word(content, escape);
        delete(edits, trailing_blanks(text, *line));
    }
}

/// Upper-cases the keyword and leaves one space after it when text follows on its line.
fn keyword_edits(text: &str, instruction: &Instruction, line_end: usize, edits: &mut Vec<Edit>) {
    let keyword = instruction.keyword_span;
    if instruction.keyword != Keyword::Unknown {
        edits.push(Edit {
            span: keyword,
            replacement: instruction.keyword.as_str().to_string(),
        });
    }
    let after = &text[keyword.end..line_end];
    let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
    if gap > 0 && gap < after.len() {
        edits.push(Edit {
            span: Span::new(keyword.end, keyword.end + gap),
            replacement: " ".to_string(),
        });
    }
}

/// Returns the quote that is open after `line`, given the one open before it. Inside double
/// quotes the escape character escapes the next character; single quotes take every
/// character literally.
fn quote_state_after(line: &str, mut quote: Option<char>, escape: char) -> Option<char> {
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        match quote {
            None if ch == '"' || ch == '\'' => quote = Some(ch),
            None if ch == escape => {
                chars.next();
            }
            Some('"') if ch == escape => {
                chars.next();
            }
            Some(open) if ch == open => quote = None,
            _ => {}
        }
    }
    quote
}

/// Returns whether a continued line has no blank before its continuation marker, so the
/// word it ends goes on at the start of the next line.
fn splits_word(line: &str, escape: char) -> bool {
    let trimmed = line.trim_end_matches([' ', '\t']);
    match trimmed.strip_suffix(escape) {
        Some(before) => before.ends_with(|c: char| !c.is_whitespace()),
        None => false,
    }
}

/// Returns the first physical line of `span`, without its terminator.
fn first_line(text: &str, span: Span) -> Span {
    let line = span.text(text);
    let end = line.find('\n').unwrap_or(line.len());
    let end = if line[..end].ends_with('\r') {
        end - 1
    } else {
        end
    };
    Span::new(span.start, span.start + end)
}

/// Returns the blanks at the end of `line` (which has no terminator).
fn trailing_blanks(text: &str, line: Span) -> Span {
    let content = line.text(text);
    let kept = content.trim_end_matches([' ', '\t']).len();
    Span::new(line.start + kept, line.end)
}

/// Skips a byte order mark at `start`, which is not whitespace and stays.
fn skip_bom(text: &str, start: usize) -> usize {
    if text[start..].starts_with('\u{feff}') {
        start + '\u{feff}'.len_utf8()
    } else {
        start
    }
}

fn delete(edits: &mut Vec<Edit>, span: Span) {
    if !span.is_empty() {
        edits.push(Edit {
            span,
            replacement: String::new(),
        });
    }
}

fn insert(edits: &mut Vec<Edit>, at: usize, text: &str) {
    edits.push(Edit {
        span: Span::empty(at),
        replacement: text.to_string(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formatted(text: &str) -> String {
        format(text, &FormatOptions::default())
    }

    #[test]
    fn keywords_spacing_and_indent() {
        let text = "  from alpine   AS build\nrun   apk add \\\ncurl \\\n        git   \n";
        assert_eq!(
            formatted(text),
            "FROM alpine   AS build\nRUN apk add \\\n    curl \\\n        git\n"
        );
    }

    #[test]
    fn heredoc_bodies_stay() {
        let text = "FROM a\nrun <<EOF  \n  echo hi   \nEOF\n";
        assert_eq!(formatted(text), "FROM a\nRUN <<EOF\n  echo hi   \nEOF\n");
    }

    #[test]
    fn quoted_and_split_words_are_not_indented() {
        let text = "FROM a\nRUN echo \"a \\\nb\" && apt-get ins\\\ntall x\n";
        assert_eq!(formatted(text), text);
    }

    #[test]
    fn crlf_blank_lines_and_comments() {
        let text = "FROM a\r\n   \r\n   # note  \r\nrun  x\r\n";
        assert_eq!(formatted(text), "FROM a\r\n\r\n# note\r\nRUN x\r\n");
    }

    #[test]
    fn onbuild_trigger_keyword() {
        assert_eq!(
            formatted("FROM a\nonbuild   run   x\n"),
            "FROM a\nONBUILD RUN x\n"
        );
    }

    #[test]
    fn formatting_is_idempotent() {
        let text =
            "  from alpine\nrun   apk add \\\ncurl \\\n        git   \n# c  \nenv A=1   B=2\n";
        let once = formatted(text);
        assert_eq!(formatted(&once), once);
    }
}
