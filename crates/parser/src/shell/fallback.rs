//! A tolerant tokenizer for shell code that brush rejects, typically code that is still
//! being typed: an open quote, `if` without `fi`, a trailing `&&` or `\`.
//!
//! It splits the text into words and operators with byte spans, skips heredoc bodies, and
//! tracks compound commands by their keywords in command position. It has no grammar:
//! misplaced keywords are ignored rather than reported, since brush already reported the
//! first error.

use std::ops::Range;

use super::lexer::{self, Construct, skip_construct};
use super::{
    AndOrOperator, Builder, CommandContext, CommandParts, PipelinePosition, Redirect,
    substitution_context,
};
use crate::Span;

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
enum TokenKind {
    Word,
    /// A control operator, `\n` included.
    Control(&'static str),
    Redirection {
        operator: &'static str,
        fd: Option<u32>,
    },
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: TokenKind,
    span: Span,
    /// For the delimiter word of a heredoc: its body, without the delimiter line.
    heredoc_body: Option<Span>,
}

/// A heredoc whose body starts after the next newline.
struct PendingHeredoc {
    delimiter: String,
    strip_tabs: bool,
    token: usize,
}

/// Splits `text[range]` into tokens. Unterminated quotes and substitutions run to the end
/// of the range; an unterminated heredoc body does too.
fn lex(text: &str, range: Range<usize>) -> Vec<Token> {
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
            let delimiter = super::word::analyze(&text[i..word_end]).value;
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
pub(super) fn lex_words(text: &str, range: Range<usize>) -> Vec<Span> {
    lex(text, range)
        .into_iter()
        .map(|token| token.span)
        .collect()
}

/// Parses `builder.text[range]` with the tolerant tokenizer and stores its commands.
pub(super) fn parse(
    builder: &mut Builder<'_>,
    range: Range<usize>,
    context: CommandContext,
    depth: usize,
) {
    let tokens = lex(builder.text, range.clone());
    let and_or_start = builder.script.commands.len();
    let mut parser = Parser {
        builder,
        limit: range.end,
        depth,
        base: context,
        frames: Vec::new(),
        parts: CommandParts::default(),
        preceded_by: context.preceded_by,
        negated: false,
        pipeline: Vec::new(),
        and_or_start,
        function_next: false,
        after_compound: false,
    };
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token.kind {
            TokenKind::Word => parser.word(token),
            TokenKind::Redirection { operator, fd } => {
                if parser.in_extended_test() {
                    parser.plain_word(token.span);
                    continue;
                }
                let target = tokens.next_if(|next| next.kind == TokenKind::Word);
                parser.redirection(operator, fd, token.span, target);
            }
            TokenKind::Control(operator) => {
                let function = operator == "("
                    && tokens
                        .peek()
                        .is_some_and(|next| next.kind == TokenKind::Control(")"));
                if function && parser.parts.words.len() == 1 {
                    tokens.next();
                    parser.function_definition();
                } else {
                    parser.control(operator, token.span);
                }
            }
        }
    }
    parser.finish_command();
    parser.end_pipeline();
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    If { in_condition: bool },
    Loop { in_condition: bool },
    For { in_header: bool },
    Case(CaseState),
    Brace { function: bool },
    Subshell,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CaseState {
    Subject,
    In,
    Patterns,
    Item,
}

/// An open compound command, with the list state to restore when it closes.
#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: FrameKind,
    preceded_by: Option<AndOrOperator>,
    negated: bool,
    and_or_start: usize,
}

struct Parser<'b, 'a> {
    builder: &'b mut Builder<'a>,
    limit: usize,
    depth: usize,
    base: CommandContext,
    frames: Vec<Frame>,
    parts: CommandParts,
    preceded_by: Option<AndOrOperator>,
    negated: bool,
    /// Indexes of the commands of the open pipeline.
    pipeline: Vec<usize>,
    /// Index of the first command of the open and-or list, which `&` sends to the background.
    and_or_start: usize,
    /// Whether the next brace group is a function body.
    function_next: bool,
    /// Whether a compound command just closed, so redirections up to the next control
    /// operator are its own and not a command.
    after_compound: bool,
}

impl Parser<'_, '_> {
    fn word(&mut self, token: Token) {
        let raw = &self.builder.text[token.span.start..token.span.end];
        let top = self.frames.last().map(|frame| frame.kind);

        match top {
            Some(FrameKind::For { in_header: true }) => {
                if raw == "do" {
                    self.set_top(FrameKind::For { in_header: false });
                } else {
                    self.substitutions_only(token.span);
                }
                return;
            }
            Some(FrameKind::Case(
                state @ (CaseState::Subject | CaseState::In | CaseState::Patterns),
            )) => {
                self.case_word(state, raw, token.span);
                return;
            }
            _ => {}
        }

        let command_position = self.parts.words.is_empty()
            && self.parts.assignments.is_empty()
            && self.parts.redirects.is_empty();
        if command_position && self.keyword(raw) {
            return;
        }
        if self.parts.words.is_empty() && is_assignment(raw) {
            let (word, found) = self.builder.word(token.span);
            self.parts.assignments.push(word);
            self.parts.substitutions.extend(found);
            return;
        }
        self.plain_word(token.span);
    }

    fn plain_word(&mut self, span: Span) {
        let (word, found) = self.builder.word(span);
        self.parts.words.push(word);
        self.parts.substitutions.extend(found);
    }

    /// Returns whether the command being read is `[[`, which takes operators as arguments
    /// until `]]`.
    fn in_extended_test(&self) -> bool {
        let words = &self.parts.words;
        words.first().is_some_and(|first| first.raw == "[[")
            && words.last().is_none_or(|last| last.raw != "]]")
    }

    /// Handles a reserved word in command position; returns whether `raw` was one.
    fn keyword(&mut self, raw: &str) -> bool {
        let top = self.frames.last().map(|frame| frame.kind);
        match raw {
            "if" => self.open(FrameKind::If { in_condition: true }),
            "then" | "else" if matches!(top, Some(FrameKind::If { .. })) => {
                self.set_top(FrameKind::If {
                    in_condition: false,
                });
            }
            "elif" if matches!(top, Some(FrameKind::If { .. })) => {
                self.set_top(FrameKind::If { in_condition: true })
            }
            "fi" if matches!(top, Some(FrameKind::If { .. })) => self.close(),
            "while" | "until" => self.open(FrameKind::Loop { in_condition: true }),
            "for" | "select" => self.open(FrameKind::For { in_header: true }),
            "do" if matches!(top, Some(FrameKind::Loop { .. })) => self.set_top(FrameKind::Loop {
                in_condition: false,
            }),
            "done" if matches!(top, Some(FrameKind::Loop { .. } | FrameKind::For { .. })) => {
                self.close()
            }
            "case" => self.open(FrameKind::Case(CaseState::Subject)),
            "esac" if matches!(top, Some(FrameKind::Case(_))) => self.close(),
            "{" => {
                let function = std::mem::take(&mut self.function_next);
                self.open(FrameKind::Brace { function });
            }
            "}" if matches!(top, Some(FrameKind::Brace { .. })) => self.close(),
            "!" => self.negated = true,
            "then" | "else" | "elif" | "fi" | "do" | "done" | "esac" | "}" | "in" => {}
            _ => return false,
        }
        true
    }

    fn case_word(&mut self, state: CaseState, raw: &str, span: Span) {
        match state {
            CaseState::Subject => {
                self.substitutions_only(span);
                self.set_top(FrameKind::Case(CaseState::In));
            }
            CaseState::In if raw == "in" => self.set_top(FrameKind::Case(CaseState::Patterns)),
            CaseState::Patterns if raw == "esac" => self.close(),
            _ => {}
        }
    }

    fn redirection(
        &mut self,
        operator: &'static str,
        fd: Option<u32>,
        span: Span,
        target: Option<Token>,
    ) {
        // NOTE: a redirection without its target (`echo >` while typing) is dropped.
        let Some(target) = target else { return };
        if self.after_compound {
            self.substitutions_only(target.span);
            return;
        }
        let (word, found) = self.builder.word(target.span);
        self.parts.substitutions.extend(found);
        let redirect = Redirect {
            fd,
            operator: operator.to_owned(),
            span,
            target: word,
            heredoc_body: target.heredoc_body,
        };
        self.parts.redirects.push(redirect);
    }

    fn control(&mut self, operator: &'static str, span: Span) {
        let top = self.frames.last().map(|frame| frame.kind);
        self.after_compound = false;
        if self.in_extended_test() && !matches!(operator, "\n" | ";") {
            self.plain_word(span);
            return;
        }
        if let Some(FrameKind::Case(CaseState::Patterns)) = top {
            if operator == ")" {
                self.set_top(FrameKind::Case(CaseState::Item));
            }
            return;
        }
        if matches!(
            top,
            Some(FrameKind::For { in_header: true }) | Some(FrameKind::Case(_))
        ) && !matches!(top, Some(FrameKind::Case(CaseState::Item)))
        {
            return;
        }

        self.finish_command();
        match operator {
            "|" | "|&" => {}
            "&&" | "||" => {
                self.end_pipeline();
                let operator = if operator == "&&" {
                    AndOrOperator::And
                } else {
                    AndOrOperator::Or
                };
                self.preceded_by = Some(operator);
                self.negated = false;
            }
            "(" => self.open(FrameKind::Subshell),
            ")" if top == Some(FrameKind::Subshell) => self.close(),
            ";;" | ";&" | ";;&" if top == Some(FrameKind::Case(CaseState::Item)) => {
                self.end_list(false);
                self.set_top(FrameKind::Case(CaseState::Patterns));
            }
            _ => self.end_list(operator == "&"),
        }
    }

    /// Handles `name()`: the name is not a command and the next brace group is its body.
    fn function_definition(&mut self) {
        self.parts = CommandParts::default();
        self.function_next = true;
    }

    fn substitutions_only(&mut self, span: Span) {
        let (_, found) = self.builder.word(span);
        let context = substitution_context(self.context());
        for range in found {
            self.builder.parse_range(range, context, self.depth + 1);
        }
    }

    fn finish_command(&mut self) {
        let parts = std::mem::take(&mut self.parts);
        if parts.assignments.is_empty() && parts.words.is_empty() && parts.redirects.is_empty() {
            return;
        }
        let index = self.builder.script.commands.len();
        self.builder
            .push_command(parts, self.context(), self.limit, self.depth);
        if self.builder.script.commands.len() > index {
            self.pipeline.push(index);
        }
    }

    fn end_pipeline(&mut self) {
        let members = std::mem::take(&mut self.pipeline);
        if members.len() < 2 {
            return;
        }
        let len = members.len();
        for (position, index) in members.into_iter().enumerate() {
            if let Some(command) = self.builder.script.commands.get_mut(index) {
                command.context.pipeline = Some(PipelinePosition {
                    index: position,
                    len,
                });
            }
        }
    }

    /// Ends an and-or list at `;`, `&`, a newline or a case item terminator.
    fn end_list(&mut self, background: bool) {
        self.end_pipeline();
        if background {
            for command in &mut self.builder.script.commands[self.and_or_start..] {
                command.context.in_background = true;
            }
        }
        self.and_or_start = self.builder.script.commands.len();
        let frame = self.frames.last();
        self.preceded_by = frame.map_or(self.base.preceded_by, |frame| frame.preceded_by);
        self.negated = false;
    }

    fn open(&mut self, kind: FrameKind) {
        self.end_pipeline();
        let frame = Frame {
            kind,
            preceded_by: self.preceded_by,
            negated: self.negated,
            and_or_start: self.and_or_start,
        };
        self.frames.push(frame);
        self.and_or_start = self.builder.script.commands.len();
    }

    fn close(&mut self) {
        self.finish_command();
        self.end_pipeline();
        if let Some(frame) = self.frames.pop() {
            self.preceded_by = frame.preceded_by;
            self.negated = frame.negated;
            self.and_or_start = frame.and_or_start;
            self.after_compound = true;
        }
    }

    fn set_top(&mut self, kind: FrameKind) {
        self.finish_command();
        self.end_pipeline();
        if let Some(frame) = self.frames.last_mut() {
            frame.kind = kind;
        }
        self.preceded_by = self
            .frames
            .last()
            .map_or(self.base.preceded_by, |frame| frame.preceded_by);
        self.negated = false;
    }

    fn context(&self) -> CommandContext {
        let mut context = self.base;
        for frame in &self.frames {
            match frame.kind {
                FrameKind::If { in_condition: true } | FrameKind::Loop { in_condition: true } => {
                    context.in_condition = true;
                }
                FrameKind::If {
                    in_condition: false,
                }
                | FrameKind::Case(_) => context.in_branch = true,
                FrameKind::Loop {
                    in_condition: false,
                }
                | FrameKind::For { .. } => context.in_loop = true,
                FrameKind::Brace { function: true } => context.in_function = true,
                FrameKind::Brace { function: false } => context.in_brace_group = true,
                FrameKind::Subshell => context.in_subshell = true,
            }
            context.negated |= frame.negated;
        }
        context.negated |= self.negated;
        context.preceded_by = self.preceded_by;
        context
    }
}

/// Returns whether a word is `NAME=…` or `NAME+=…`.
fn is_assignment(raw: &str) -> bool {
    let Some(equals) = raw.find('=') else {
        return false;
    };
    let name = raw[..equals].strip_suffix('+').unwrap_or(&raw[..equals]);
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || first.is_ascii_alphabetic())
        && chars.all(|ch| ch == '_' || ch.is_ascii_alphanumeric())
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

    #[test]
    fn assignment_words() {
        assert!(is_assignment("A=1"));
        assert!(is_assignment("PATH+=:/x"));
        assert!(!is_assignment("--opt=1"));
        assert!(!is_assignment("=x"));
    }
}
