//! A tolerant tokenizer for shell code that brush rejects, typically code that is still
//! being typed: an open quote, `if` without `fi`, a trailing `&&` or `\`.
//!
//! It splits the text into words and operators with byte spans, skips heredoc bodies, and
//! tracks compound commands by their keywords in command position. It has no grammar:
//! misplaced keywords are ignored rather than reported, since brush already reported the
//! first error.

use std::ops::Range;

use super::{
    AndOrOperator, Builder, CommandContext, CommandParts, PipelinePosition, Redirect,
    substitution_context,
};
use crate::Span;

mod tokens;

pub(super) use tokens::lex_words;
use tokens::{Token, TokenKind, lex};

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
        direct: Vec::new(),
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
#[derive(Clone, Debug)]
struct Frame {
    kind: FrameKind,
    preceded_by: Option<AndOrOperator>,
    negated: bool,
    and_or_start: usize,
    /// The pipeline of the enclosing list, which the compound command is an element of.
    pipeline: Vec<Vec<usize>>,
    /// Length of `Parser::direct` when the compound command opened.
    first_direct: usize,
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
    /// The elements of the open pipeline, each with the indexes of the commands read
    /// directly by this parser: its simple command, or the commands of its compound command.
    pipeline: Vec<Vec<usize>>,
    /// Indexes of all commands read directly by this parser, not from substitutions.
    direct: Vec<usize>,
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
            "|" | "|&" => self.pipeline.push(Vec::new()),
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
            self.direct.push(index);
            self.add_to_pipeline_element(&[index]);
        }
    }

    fn add_to_pipeline_element(&mut self, indexes: &[usize]) {
        match self.pipeline.last_mut() {
            Some(element) => element.extend_from_slice(indexes),
            None => self.pipeline.push(indexes.to_vec()),
        }
    }

    /// Gives each command of a pipeline of two or more elements its position. Commands
    /// of a compound element keep the position of a pipeline of their own, as in bash.
    fn end_pipeline(&mut self) {
        let mut elements = std::mem::take(&mut self.pipeline);
        elements.retain(|element| !element.is_empty());
        if elements.len() < 2 {
            return;
        }

        let len = elements.len();
        for (position, element) in elements.into_iter().enumerate() {
            for index in element {
                let Some(command) = self.builder.script.commands.get_mut(index) else {
                    continue;
                };
                if command.context.pipeline.is_none() {
                    let position = PipelinePosition {
                        index: position,
                        len,
                    };
                    command.context.pipeline = Some(position);
                }
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
        let frame = Frame {
            kind,
            preceded_by: self.preceded_by,
            negated: self.negated,
            and_or_start: self.and_or_start,
            pipeline: std::mem::take(&mut self.pipeline),
            first_direct: self.direct.len(),
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
            self.pipeline = frame.pipeline;
            let inside = self.direct[frame.first_direct..].to_vec();
            self.add_to_pipeline_element(&inside);
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
                | FrameKind::Case(CaseState::Item) => context.in_branch = true,
                FrameKind::Case(_) => {}
                FrameKind::Loop {
                    in_condition: false,
                }
                | FrameKind::For { in_header: false } => context.in_loop = true,
                FrameKind::For { in_header: true } => {}
                FrameKind::Brace { function } => {
                    context.in_brace_group = true;
                    context.in_function |= function;
                }
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

    #[test]
    fn assignment_words() {
        assert!(is_assignment("A=1"));
        assert!(is_assignment("PATH+=:/x"));
        assert!(!is_assignment("--opt=1"));
        assert!(!is_assignment("=x"));
    }
}
