//! Moving the nodes of a tree that follow an edit: their byte offsets change by the number
//! of bytes the edit inserted or removed, and their line numbers by the number of lines.
//!
//! Each syntax type destructures itself without `..`, so a field added to it later fails
//! to compile here until someone decides how that field moves.

use crate::Span;
use crate::syntax::{
    Args, Command, Comment, Directive, Flag, Heredoc, Instruction, KeyValue, Node, NodeKind, SourceMap, SyntaxError,
    Word,
};

/// The change applied to the offsets and line numbers after an edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shift {
    /// Bytes added to every byte offset (negative when the edit removed text).
    pub bytes: isize,
    /// Lines added to every line number.
    pub lines: i64,
}

impl Shift {
    pub(crate) fn is_zero(self) -> bool {
        self.bytes == 0 && self.lines == 0
    }

    fn offset(self, offset: &mut usize) {
        *offset = offset.wrapping_add_signed(self.bytes);
    }

    fn span(self, span: &mut Span) {
        self.offset(&mut span.start);
        self.offset(&mut span.end);
    }

    fn spans(self, spans: &mut [Span]) {
        for span in spans {
            self.span(span);
        }
    }

    /// Line numbers are `u32`, and a text with more lines than that is beyond the tree's
    /// range anyway, so the result wraps instead of failing.
    fn line(self, line: &mut u32) {
        *line = (i64::from(*line) + self.lines) as u32;
    }
}

impl Node {
    pub(crate) fn shift(&mut self, by: Shift) {
        let Node { span, kind } = self;
        by.span(span);
        match kind {
            NodeKind::Blank => {}
            NodeKind::Comment(comment) => comment.shift(by),
            NodeKind::Directive(directive) => directive.shift(by),
            NodeKind::Instruction(instruction) => {
                instruction.shift(by);
                let Instruction { start_line, end_line, .. } = instruction.as_mut();
                by.line(start_line);
                by.line(end_line);
            }
        }
    }
}

impl Comment {
    fn shift(&mut self, by: Shift) {
        let Comment { text: _, span } = self;
        by.span(span);
    }
}

impl Directive {
    fn shift(&mut self, by: Shift) {
        let Directive { name: _, value: _, name_span, value_span, span } = self;
        by.span(name_span);
        by.span(value_span);
        by.span(span);
    }
}

impl Instruction {
    /// Shifts every byte offset. Line numbers are left to the caller, because only a
    /// top-level instruction has them: an ONBUILD trigger's are 0.
    fn shift(&mut self, by: Shift) {
        let Instruction {
            span,
            keyword: _,
            keyword_text: _,
            keyword_span,
            flags,
            args,
            rest: _,
            rest_span,
            heredocs,
            line: _,
            line_map,
            start_line: _,
            end_line: _,
            inner_comments,
            empty_continuation_lines,
            prev_comments: _,
            physical_lines,
        } = self;
        by.span(span);
        by.span(keyword_span);
        for flag in flags {
            flag.shift(by);
        }
        args.shift(by);
        by.span(rest_span);
        for heredoc in heredocs {
            heredoc.shift(by);
        }
        line_map.shift(by);
        by.spans(inner_comments);
        by.spans(empty_continuation_lines);
        by.spans(physical_lines);
    }
}

impl Flag {
    fn shift(&mut self, by: Shift) {
        let Flag { name: _, value: _, text: _, span, name_span, value_span } = self;
        by.span(span);
        by.span(name_span);
        if let Some(value_span) = value_span {
            by.span(value_span);
        }
    }
}

impl Word {
    fn shift(&mut self, by: Shift) {
        let Word { value: _, span } = self;
        by.span(span);
    }
}

impl Args {
    fn shift(&mut self, by: Shift) {
        match self {
            Args::None => {}
            Args::List { words, json: _ } => {
                for word in words {
                    word.shift(by);
                }
            }
            Args::KeyValues { pairs } => {
                for pair in pairs {
                    pair.shift(by);
                }
            }
            Args::Healthcheck { kind, command } => {
                if let Some(kind) = kind {
                    kind.shift(by);
                }
                if let Some(command) = command {
                    command.shift(by);
                }
            }
            Args::Onbuild { trigger } => {
                if let Some(trigger) = trigger {
                    trigger.shift(by);
                }
            }
        }
    }
}

impl Command {
    fn shift(&mut self, by: Shift) {
        match self {
            Command::Exec(words) => {
                for word in words {
                    word.shift(by);
                }
            }
            Command::Shell(word) => word.shift(by),
        }
    }
}

impl KeyValue {
    fn shift(&mut self, by: Shift) {
        let KeyValue { key, value, legacy: _ } = self;
        key.shift(by);
        value.shift(by);
    }
}

impl Heredoc {
    fn shift(&mut self, by: Shift) {
        let Heredoc { name: _, word, fd: _, chomp: _, expand: _, content: _, content_span, terminator_span } = self;
        word.shift(by);
        by.span(content_span);
        if let Some(terminator_span) = terminator_span {
            by.span(terminator_span);
        }
    }
}

impl SourceMap {
    fn shift(&mut self, by: Shift) {
        let SourceMap { pieces } = self;
        for (_, source, _) in pieces {
            by.offset(source);
        }
    }
}

impl SyntaxError {
    pub(crate) fn shift(&mut self, by: Shift) {
        let SyntaxError { message: _, span, kind: _ } = self;
        by.span(span);
    }
}
