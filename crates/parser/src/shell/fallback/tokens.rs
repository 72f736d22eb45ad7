//! The tokens of the fallback tokenizer: words, control operators and redirection
//! operators with byte spans, and the bodies of heredocs.

use std::ops::Range;

use crate::Span;
use crate::shell::lexer::{self, Construct, skip_construct};
use crate::shell::word;

/// Control and redirection operators, longest first so that the first match is the
/// longest one, as the shell reads them.
const OPERATORS: [&str; 23] = [
    "<<<", "<<-", "&>>", ";;&", "&&", "||", ";;", ";&", "|&", "<<", ">>", "<&", ">&", "<>", ">|",
    "&>", "&", "|", ";", "<", ">", "(", ")",
];

const REDIRECTIONS: [&str; 12] = [
    "<<<", "<<-", "&>>", "<<", ">>", "<&", ">&", "<>", ">|", "&>", "<", ">",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokenKind {
    Word,
    /// A control operator, `\n` included.
    Control(&'static str),
    Redirection {
        operator: &'static str,
        fd: Option<u32>,
    },
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Token {
    pub(super) kind: TokenKind,
    pub(super) span: Span,
    /// For the delimiter word of a heredoc: its body, without the delimiter line.
    pub(super) heredoc_body: Option<Span>,
}

/// A heredoc whose body starts after the next newline.
struct PendingHeredoc {
    delimiter: String,
    strip_tabs: bool,
    token: usize,
}

/// Splits `text[range]` into tokens. Unterminated quotes and substitutions run to the end
/// of the range; an unterminated heredoc body does too.
pub(super) fn lex(text: &str, range: Range<usize>) -> Vec<Token> {
    let bytes = &text.as_bytes()[..range.end];
    let end = range.end;
    let mut tokens: Vec<Token> = Vec::new();
    let mut pending: Vec<PendingHeredoc> = Vec::new();
    let mut delimiter_next: Option<bool> = None;
    let mut i = range.start;

    while i < end {
        let byte = bytes[i];
        if matches!(byte, b' ' | b'\t') || (byte == b'\\' && bytes.get(i + 1) == Some(&b'\n')) {
            i = lexer::skip_blanks(bytes, i, end).max(i + 1);
            continue;
        }
        if byte == b'\\' && i + 1 == end {
            // A continuation cut off at the end: the next line is not typed yet.
            break;
        }
        if byte == b'#' {
            while i < end && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if byte == b'\n' {
            tokens.push(Token {
                kind: TokenKind::Control("\n"),
                span: Span::new(i, i + 1),
                heredoc_body: None,
            });
            i = read_heredoc_bodies(bytes, i + 1, &mut pending, &mut tokens);
            continue;
        }

        if let Some((token, next)) = lex_operator(bytes, i) {
            if let TokenKind::Redirection { operator, .. } = token.kind {
                if operator == "<<" || operator == "<<-" {
                    delimiter_next = Some(operator == "<<-");
                }
            }
            tokens.push(token);
            i = next;
            continue;
        }

        let word_end = lexer::word_end(bytes, i).max(next_char(text, i));
        if let Some(strip_tabs) = delimiter_next.take() {
            let delimiter = word::analyze(&text[i..word_end]).value;
            pending.push(PendingHeredoc {
                delimiter,
                strip_tabs,
                token: tokens.len(),
            });
        }
        tokens.push(Token {
            kind: TokenKind::Word,
            span: Span::new(i, word_end),
            heredoc_body: None,
        });
        i = word_end;
    }
    tokens
}

/// Lexes the operator at `i`, with its descriptor digits, or a process substitution word.
fn lex_operator(bytes: &[u8], i: usize) -> Option<(Token, usize)> {
    let digits = bytes[i..]
        .iter()
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    let at = i + digits;
    let operator = OPERATORS
        .iter()
        .find(|operator| bytes[at..].starts_with(operator.as_bytes()))?;
    let is_redirection = REDIRECTIONS.contains(operator);
    if digits > 0 && !(is_redirection && operator.starts_with(['<', '>'])) {
        return None;
    }

    let after = at + operator.len();
    if matches!(*operator, "<" | ">") && bytes.get(after) == Some(&b'(') {
        let end = skip_construct(bytes, after + 1, Construct::Paren).end;
        let token = Token {
            kind: TokenKind::Word,
            span: Span::new(i, end),
            heredoc_body: None,
        };
        return Some((token, end));
    }

    let kind = if is_redirection {
        let fd = std::str::from_utf8(&bytes[i..at])
            .ok()
            .and_then(|digits| digits.parse().ok());
        TokenKind::Redirection { operator, fd }
    } else {
        TokenKind::Control(operator)
    };
    Some((
        Token {
            kind,
            span: Span::new(i, after),
            heredoc_body: None,
        },
        after,
    ))
}

/// Reads the bodies of the heredocs opened on the line that just ended, starting at
/// `start`, and returns the offset after the last delimiter line.
fn read_heredoc_bodies(
    bytes: &[u8],
    start: usize,
    pending: &mut Vec<PendingHeredoc>,
    tokens: &mut [Token],
) -> usize {
    let mut i = start;
    for heredoc in pending.drain(..) {
        let body_start = i;
        let mut body_end = bytes.len();
        while i < bytes.len() {
            let line_end = bytes[i..]
                .iter()
                .position(|&byte| byte == b'\n')
                .map_or(bytes.len(), |n| i + n);
            let mut line = &bytes[i..line_end];
            if heredoc.strip_tabs {
                while let [b'\t', rest @ ..] = line {
                    line = rest;
                }
            }
            let is_delimiter = line == heredoc.delimiter.as_bytes();
            let line_start = i;
            i = (line_end + 1).min(bytes.len());
            if is_delimiter {
                body_end = line_start;
                break;
            }
        }
        tokens[heredoc.token].heredoc_body = Some(Span::new(body_start, body_end.max(body_start)));
    }
    i
}

/// Returns the offset of the character after the one at `i`, so that lexing always
/// advances.
fn next_char(text: &str, i: usize) -> usize {
    i + text[i..].chars().next().map_or(1, char::len_utf8)
}

/// Returns the span of every token in `text[range]`, operators included, as words. It
/// serves `[[ … ]]`, whose operators are arguments of the test.
pub(in crate::shell) fn lex_words(text: &str, range: Range<usize>) -> Vec<Span> {
    lex(text, range)
        .into_iter()
        .map(|token| token.span)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        lex(text, 0..text.len())
            .into_iter()
            .map(|token| (token.kind, token.span.text(text)))
            .collect()
    }

    #[test]
    fn lex_splits_words_and_operators() {
        let tokens = kinds("a&&b 2>&1 >>f;c");
        assert_eq!(
            tokens,
            [
                (TokenKind::Word, "a"),
                (TokenKind::Control("&&"), "&&"),
                (TokenKind::Word, "b"),
                (
                    TokenKind::Redirection {
                        operator: ">&",
                        fd: Some(2)
                    },
                    "2>&"
                ),
                (TokenKind::Word, "1"),
                (
                    TokenKind::Redirection {
                        operator: ">>",
                        fd: None
                    },
                    ">>"
                ),
                (TokenKind::Word, "f"),
                (TokenKind::Control(";"), ";"),
                (TokenKind::Word, "c"),
            ]
        );
    }

    #[test]
    fn lex_skips_heredoc_body() {
        let text = "cat <<-'EOF' | sh\n\techo no\n\tEOF\nnext";
        let tokens = lex(text, 0..text.len());
        let words: Vec<&str> = tokens
            .iter()
            .filter(|token| token.kind == TokenKind::Word)
            .map(|token| token.span.text(text))
            .collect();
        assert_eq!(words, ["cat", "'EOF'", "sh", "next"]);
        let body = tokens[2].heredoc_body.unwrap();
        assert_eq!(body.text(text), "\techo no\n");
    }

    #[test]
    fn lex_unterminated_heredoc_runs_to_end() {
        let text = "cat <<EOF\nline";
        let tokens = lex(text, 0..text.len());
        assert_eq!(tokens[2].heredoc_body.unwrap().text(text), "line");
    }

    #[test]
    fn lex_process_substitution_is_one_word() {
        assert_eq!(
            kinds("diff <(a b) c"),
            [
                (TokenKind::Word, "diff"),
                (TokenKind::Word, "<(a b)"),
                (TokenKind::Word, "c")
            ]
        );
    }
}
