//! `textDocument/semanticTokens/full` and `/range`: keywords, flags, variables, strings,
//! comments, stage names, base images, heredoc delimiters and bodies.
//!
//! Tokens come in two layers. The base layer (comments, quoted strings, heredoc bodies) is
//! cut around the top layer (keywords, flags, names, variables), so a `$VAR` inside a
//! string keeps its own colour. After one sort, every step walks the tokens in order once,
//! and no step looks at a line more than once, so the time grows with the document's size.

use ballast_parser::{Args, Instruction, Keyword, Node, NodeKind, Span};
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
};

use crate::documents::Snapshot;
use crate::encoding::{Encoding, ForwardPositions, length};
use crate::index::{Role, SymbolKind};
use crate::spans::intersects;

/// Token types, in legend order.
const KEYWORD: u32 = 0;
const COMMENT: u32 = 1;
const FLAG: u32 = 2;
const VARIABLE: u32 = 3;
const STRING: u32 = 4;
const STAGE: u32 = 5;
const IMAGE: u32 = 6;
const PROPERTY: u32 = 7;
const OPERATOR: u32 = 8;
const NUMBER: u32 = 9;
const HEREDOC_DELIMITER: u32 = 10;

/// Token modifier bits, in legend order.
const DECLARATION: u32 = 1 << 0;
const DEPRECATED: u32 = 1 << 1;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: vec![
            SemanticTokenType::KEYWORD,
            SemanticTokenType::COMMENT,
            SemanticTokenType::PARAMETER,
            SemanticTokenType::VARIABLE,
            SemanticTokenType::STRING,
            SemanticTokenType::NAMESPACE,
            SemanticTokenType::CLASS,
            SemanticTokenType::PROPERTY,
            SemanticTokenType::OPERATOR,
            SemanticTokenType::NUMBER,
            SemanticTokenType::MACRO,
        ],
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::DEPRECATED,
        ],
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Token {
    span: Span,
    kind: u32,
    modifiers: u32,
}

/// Returns the tokens of the nodes that intersect `range`, or of the whole document.
pub fn semantic_tokens(
    snapshot: &Snapshot,
    encoding: Encoding,
    range: Option<Span>,
) -> SemanticTokens {
    let text = snapshot.text.as_str();
    let range = range.unwrap_or(Span::new(0, text.len()));
    let mut top = Vec::new();
    let mut base = Vec::new();

    for node in snapshot
        .tree
        .nodes
        .iter()
        .filter(|node| intersects(node.span, range))
    {
        node_tokens(node, text, snapshot.tree.escape, &mut top, &mut base);
    }
    for occurrence in snapshot.index().occurrences_in(range) {
        let kind = match snapshot.index().symbols[occurrence.symbol].kind {
            SymbolKind::Stage => STAGE,
            SymbolKind::Variable => VARIABLE,
            SymbolKind::Heredoc => continue,
        };
        let modifiers = if occurrence.role == Role::Declaration {
            DECLARATION
        } else {
            0
        };
        top.push(Token {
            span: occurrence.span,
            kind,
            modifiers,
        });
    }

    let top = without_overlaps(top);
    let tokens = cut(base, &top);
    let tokens = split_lines(
        snapshot,
        tokens
            .into_iter()
            .filter(|token| intersects(token.span, range)),
    );
    SemanticTokens {
        result_id: None,
        data: encode(snapshot, encoding, &tokens),
    }
}

fn node_tokens(node: &Node, text: &str, escape: char, top: &mut Vec<Token>, base: &mut Vec<Token>) {
    match &node.kind {
        NodeKind::Comment(comment) => top.push(token(comment.span, COMMENT)),
        NodeKind::Directive(directive) => {
            top.push(token(
                Span::new(directive.span.start, directive.name_span.start),
                COMMENT,
            ));
            top.push(token(directive.name_span, PROPERTY));
            top.push(token(directive.value_span, STRING));
        }
        NodeKind::Instruction(instruction) => {
            instruction_tokens(instruction, text, escape, top, base)
        }
        NodeKind::Blank => {}
    }
}

fn instruction_tokens(
    instruction: &Instruction,
    text: &str,
    escape: char,
    top: &mut Vec<Token>,
    base: &mut Vec<Token>,
) {
    let modifiers = if instruction.keyword == Keyword::Maintainer {
        DEPRECATED
    } else {
        0
    };
    top.push(Token {
        span: instruction.keyword_span,
        kind: KEYWORD,
        modifiers,
    });
    for flag in &instruction.flags {
        top.push(token(Span::new(flag.span.start, flag.name_span.end), FLAG));
    }
    for comment in &instruction.inner_comments {
        top.push(token(*comment, COMMENT));
    }
    continuation_markers(instruction, text, top);

    match &instruction.args {
        Args::List { words, json: true } => {
            base.extend(words.iter().map(|word| token(word.span, STRING)))
        }
        Args::Onbuild {
            trigger: Some(trigger),
        } => {
            top.push(token(trigger.keyword_span, KEYWORD));
            for flag in &trigger.flags {
                top.push(token(Span::new(flag.span.start, flag.name_span.end), FLAG));
            }
            quoted_strings(instruction, text, escape, base);
        }
        Args::Healthcheck { kind, .. } => {
            top.extend(kind.iter().map(|word| token(word.span, KEYWORD)));
            quoted_strings(instruction, text, escape, base);
        }
        _ => quoted_strings(instruction, text, escape, base),
    }

    match instruction.keyword {
        Keyword::From => {
            let words = instruction.args.words();
            // A base layer token, so variables in the image name keep their own colour.
            if let Some(image) = words.first() {
                base.push(token(image.span, IMAGE));
            }
            if words.len() >= 3 && words[1].value.eq_ignore_ascii_case("as") {
                top.push(token(words[1].span, KEYWORD));
            }
        }
        Keyword::Expose => {
            for word in instruction.args.words() {
                if word.value.starts_with(|c: char| c.is_ascii_digit()) {
                    top.push(token(word.span, NUMBER));
                }
            }
        }
        _ => {}
    }

    for heredoc in &instruction.heredocs {
        top.push(token(heredoc.word.span, HEREDOC_DELIMITER));
        base.push(token(heredoc.content_span, STRING));
        if let Some(terminator) = heredoc.terminator_span {
            top.push(token(terminator, HEREDOC_DELIMITER));
        }
    }
}

/// Marks the escape character that ends each continued physical line.
fn continuation_markers(instruction: &Instruction, text: &str, top: &mut Vec<Token>) {
    let count = instruction.physical_lines.len();
    for line in instruction
        .physical_lines
        .iter()
        .take(count.saturating_sub(1))
    {
        let trimmed = line.text(text).trim_end_matches([' ', '\t', '\r']);
        if let Some(marker) = trimmed.chars().next_back() {
            let end = line.start + trimmed.len();
            top.push(token(Span::new(end - marker.len_utf8(), end), OPERATOR));
        }
    }
}

/// Quoted strings after the keyword, across continuation lines. Single quotes take every
/// character literally; in double quotes the escape character escapes the next one.
fn quoted_strings(instruction: &Instruction, text: &str, escape: char, base: &mut Vec<Token>) {
    let mut open: Option<(char, usize)> = None;
    let from = instruction
        .rest_span
        .start
        .max(instruction.keyword_span.end);
    for line in &instruction.physical_lines {
        if line.end <= from {
            continue;
        }
        let start = line.start.max(from);
        let mut chars = text[start..line.end].char_indices().peekable();
        while let Some((relative, ch)) = chars.next() {
            let at = start + relative;
            match open {
                None if ch == '"' || ch == '\'' => open = Some((ch, at)),
                None if ch == escape => {
                    chars.next();
                }
                Some(('"', _)) if ch == escape => {
                    chars.next();
                }
                Some((quote, begin)) if ch == quote => {
                    base.push(token(Span::new(begin, at + 1), STRING));
                    open = None;
                }
                _ => {}
            }
        }
        // A string that continues on the next physical line is split at the line end.
        if let Some((quote, begin)) = open {
            base.push(token(Span::new(begin, line.end), STRING));
            open = Some((quote, line.end));
        }
    }
}

fn token(span: Span, kind: u32) -> Token {
    Token {
        span,
        kind,
        modifiers: 0,
    }
}

/// Sorts tokens and drops any that overlaps the one before it.
fn without_overlaps(mut tokens: Vec<Token>) -> Vec<Token> {
    tokens.sort_by_key(|token| (token.span.start, token.span.end));
    let mut kept: Vec<Token> = Vec::with_capacity(tokens.len());
    for token in tokens {
        if token.span.is_empty() {
            continue;
        }
        if kept
            .last()
            .is_none_or(|last| last.span.end <= token.span.start)
        {
            kept.push(token);
        }
    }
    kept
}

/// Merges the base layer into the top layer: base tokens keep only the parts that no top
/// token covers. Both inputs end up sorted; the result is sorted and has no overlaps.
fn cut(base: Vec<Token>, top: &[Token]) -> Vec<Token> {
    let base = without_overlaps(base);
    let mut merged = Vec::with_capacity(base.len() + top.len());
    let mut next_top = 0;
    for token in base {
        while next_top < top.len() && top[next_top].span.end <= token.span.start {
            merged.push(top[next_top]);
            next_top += 1;
        }
        let mut start = token.span.start;
        let mut scan = next_top;
        while scan < top.len() && top[scan].span.start < token.span.end {
            let cover = top[scan].span;
            if cover.start > start {
                merged.push(Token {
                    span: Span::new(start, cover.start),
                    ..token
                });
            }
            start = start.max(cover.end);
            scan += 1;
        }
        if start < token.span.end {
            merged.push(Token {
                span: Span::new(start, token.span.end),
                ..token
            });
        }
    }
    merged.extend_from_slice(&top[next_top..]);
    merged.sort_by_key(|token| token.span.start);
    merged
}

/// Splits tokens that cross line ends into one token a line, without line terminators.
fn split_lines(snapshot: &Snapshot, tokens: impl Iterator<Item = Token>) -> Vec<Token> {
    let text = snapshot.text.as_str();
    let mut out = Vec::new();
    for token in tokens {
        let mut start = token.span.start;
        while start < token.span.end {
            let line = snapshot.lines.line_of(start);
            let line_end = snapshot
                .lines
                .line_span(line)
                .map_or(text.len(), |span| span.end);
            let end = token.span.end.min(line_end);
            let piece = Span::new(start, end);
            let kept = piece.text(text).trim_end_matches(['\n', '\r']).len();
            if kept > 0 {
                out.push(Token {
                    span: Span::new(start, start + kept),
                    ..token
                });
            }
            start = end;
        }
    }
    out
}

/// Encodes tokens as the protocol's relative five-number groups.
fn encode(snapshot: &Snapshot, encoding: Encoding, tokens: &[Token]) -> Vec<SemanticToken> {
    let mut positions = ForwardPositions::new(snapshot.positions(encoding));
    let mut data = Vec::with_capacity(tokens.len());
    let (mut previous_line, mut previous_start) = (0, 0);
    for token in tokens {
        let position = positions.position(token.span.start);
        let delta_line = position.line - previous_line;
        let delta_start = if delta_line == 0 {
            position.character - previous_start
        } else {
            position.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: length(token.span.text(&snapshot.text), encoding),
            token_type: token.kind,
            token_modifiers_bitset: token.modifiers,
        });
        previous_line = position.line;
        previous_start = position.character;
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(String, u32)> {
        let snapshot = Snapshot::parse(
            "file:///Dockerfile".parse().unwrap(),
            1,
            text.to_string(),
            Default::default(),
        );
        let tokens = semantic_tokens(&snapshot, Encoding::Utf8, None).data;
        let (mut line, mut column) = (0u32, 0u32);
        let lines: Vec<&str> = text.split('\n').collect();
        tokens
            .iter()
            .map(|token| {
                if token.delta_line > 0 {
                    line += token.delta_line;
                    column = token.delta_start;
                } else {
                    column += token.delta_start;
                }
                let source =
                    &lines[line as usize][column as usize..(column + token.length) as usize];
                (source.to_string(), token.token_type)
            })
            .collect()
    }

    #[test]
    fn variable_inside_string_splits_the_string() {
        let tokens = kinds("FROM a AS b\nENV X=1\nRUN echo \"v=$X!\"\n");
        assert!(
            tokens.contains(&("\"v=$".to_string(), STRING)),
            "{tokens:?}"
        );
        assert!(tokens.contains(&("X".to_string(), VARIABLE)), "{tokens:?}");
        assert!(tokens.contains(&("!\"".to_string(), STRING)), "{tokens:?}");
        assert!(tokens.contains(&("b".to_string(), STAGE)), "{tokens:?}");
        assert!(tokens.contains(&("a".to_string(), IMAGE)), "{tokens:?}");
    }

    #[test]
    fn heredoc_body_lines_are_strings() {
        let tokens = kinds("FROM a\nRUN <<EOF\necho one\necho two\nEOF\n");
        assert!(tokens.contains(&("<<EOF".to_string(), HEREDOC_DELIMITER)));
        assert!(tokens.contains(&("echo one".to_string(), STRING)));
        assert!(tokens.contains(&("echo two".to_string(), STRING)));
        assert!(tokens.contains(&("EOF".to_string(), HEREDOC_DELIMITER)));
    }
}
