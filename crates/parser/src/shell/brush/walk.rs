//! Turns a brush syntax tree into simple commands.

use std::ops::Range;

use brush_parser::ast::{self, SourceLocation};

use super::CharOffsets;
use crate::Span;
use crate::shell::{
    AndOrOperator, Builder, CommandContext, CommandParts, PipelinePosition, Redirect, Word,
    fallback, heredoc_body_span, lexer, substitution_context,
};

/// Walks one brush syntax tree of the slice `builder.text[base..limit]`.
pub(super) struct Walker<'b, 'a> {
    pub(super) builder: &'b mut Builder<'a>,
    pub(super) base: usize,
    pub(super) limit: usize,
    pub(super) offsets: CharOffsets,
    pub(super) depth: usize,
}

impl Walker<'_, '_> {
    pub(super) fn program(&mut self, program: &ast::Program, context: CommandContext) {
        for list in &program.complete_commands {
            self.list(list, context);
        }
    }

    fn list(&mut self, list: &ast::CompoundList, context: CommandContext) {
        for ast::CompoundListItem(and_or, separator) in &list.0 {
            let background = matches!(separator, ast::SeparatorOperator::Async);
            self.and_or(
                and_or,
                CommandContext {
                    in_background: context.in_background || background,
                    ..context
                },
            );
        }
    }

    fn and_or(&mut self, list: &ast::AndOrList, context: CommandContext) {
        self.pipeline(&list.first, context);
        for item in &list.additional {
            let (operator, pipeline) = match item {
                ast::AndOr::And(pipeline) => (AndOrOperator::And, pipeline),
                ast::AndOr::Or(pipeline) => (AndOrOperator::Or, pipeline),
            };
            self.pipeline(
                pipeline,
                CommandContext {
                    preceded_by: Some(operator),
                    ..context
                },
            );
        }
    }

    fn pipeline(&mut self, pipeline: &ast::Pipeline, context: CommandContext) {
        let context = CommandContext {
            negated: context.negated || pipeline.bang,
            ..context
        };
        let len = pipeline.seq.len();
        for (index, command) in pipeline.seq.iter().enumerate() {
            let mut element = context;
            if len > 1 {
                element.pipeline = Some(PipelinePosition { index, len });
            }
            self.command(command, element);
        }
    }

    fn command(&mut self, command: &ast::Command, context: CommandContext) {
        match command {
            ast::Command::Simple(simple) => self.simple(simple, context),
            ast::Command::Compound(compound, redirects) => {
                self.compound(compound, context);
                if let Some(redirects) = redirects {
                    self.compound_redirects(&redirects.0, context);
                }
            }
            ast::Command::Function(function) => {
                let body = CommandContext {
                    in_function: true,
                    ..context
                };
                self.compound(&function.body.0, body);
                if let Some(redirects) = &function.body.1 {
                    self.compound_redirects(&redirects.0, body);
                }
            }
            ast::Command::ExtendedTest(test) => self.extended_test(test, context),
        }
    }

    fn compound(&mut self, compound: &ast::CompoundCommand, context: CommandContext) {
        match compound {
            // TODO: substitutions inside `(( … ))` and `for (( … ))` headers are not searched.
            ast::CompoundCommand::Arithmetic(arithmetic) => self.arithmetic(arithmetic, context),
            ast::CompoundCommand::ArithmeticForClause(clause) => {
                self.list(
                    &clause.body.list,
                    CommandContext {
                        in_loop: true,
                        ..context
                    },
                );
            }
            ast::CompoundCommand::BraceGroup(group) => {
                self.list(
                    &group.list,
                    CommandContext {
                        in_brace_group: true,
                        ..context
                    },
                );
            }
            ast::CompoundCommand::Subshell(subshell) => {
                self.list(
                    &subshell.list,
                    CommandContext {
                        in_subshell: true,
                        ..context
                    },
                );
            }
            ast::CompoundCommand::ForClause(clause) => {
                for value in clause.values.iter().flatten() {
                    self.word_substitutions(value, context);
                }
                self.list(
                    &clause.body.list,
                    CommandContext {
                        in_loop: true,
                        ..context
                    },
                );
            }
            ast::CompoundCommand::CaseClause(clause) => {
                self.word_substitutions(&clause.value, context);
                for item in &clause.cases {
                    if let Some(list) = &item.cmd {
                        self.list(
                            list,
                            CommandContext {
                                in_branch: true,
                                ..context
                            },
                        );
                    }
                }
            }
            ast::CompoundCommand::IfClause(clause) => {
                let condition = CommandContext {
                    in_condition: true,
                    ..context
                };
                let branch = CommandContext {
                    in_branch: true,
                    ..context
                };
                self.list(&clause.condition, condition);
                self.list(&clause.then, branch);
                for part in clause.elses.iter().flatten() {
                    if let Some(list) = &part.condition {
                        self.list(list, condition);
                    }
                    self.list(&part.body, branch);
                }
            }
            ast::CompoundCommand::WhileClause(clause)
            | ast::CompoundCommand::UntilClause(clause) => {
                self.list(
                    &clause.0,
                    CommandContext {
                        in_condition: true,
                        ..context
                    },
                );
                self.list(
                    &clause.1.list,
                    CommandContext {
                        in_loop: true,
                        ..context
                    },
                );
            }
        }
    }

    /// Handles `(( … ))`, which runs no command, unless it is really `( ( … ) )`. brush
    /// 0.3.0 reads two `(` tokens as arithmetic even when a blank separates them, but bash
    /// reads them as two nested subshells.
    fn arithmetic(&mut self, arithmetic: &ast::ArithmeticCommand, context: CommandContext) {
        let span = self.offsets.span(&arithmetic.loc).shift(self.base);
        let end = span.end.min(self.limit);
        let start = lexer::skip_word_gap(self.builder.text.as_bytes(), span.start, end);
        let text = &self.builder.text.as_bytes()[start..end];
        if text.starts_with(b"((") || !text.starts_with(b"(") || !text.ends_with(b")") {
            return;
        }

        let inner = CommandContext {
            in_subshell: true,
            ..context
        };
        self.builder
            .parse_range(start + 1..end - 1, inner, self.depth + 1);
    }

    fn simple(&mut self, command: &ast::SimpleCommand, context: CommandContext) {
        let mut parts = CommandParts::default();
        let mut process_substitutions = Vec::new();

        let prefix = command.prefix.iter().flat_map(|prefix| &prefix.0);
        for item in prefix {
            self.item(item, true, &mut parts, &mut process_substitutions);
        }
        if let Some(name) = &command.word_or_name {
            self.push_word(name, &mut parts.words, &mut parts.substitutions);
        }
        let suffix = command.suffix.iter().flat_map(|suffix| &suffix.0);
        for item in suffix {
            self.item(item, false, &mut parts, &mut process_substitutions);
        }

        self.builder
            .push_command(parts, context, self.limit, self.depth);

        let inner = CommandContext {
            in_subshell: true,
            ..substitution_context(context)
        };
        for subshell in process_substitutions {
            self.list(&subshell.list, inner);
        }
    }

    fn item<'t>(
        &mut self,
        item: &'t ast::CommandPrefixOrSuffixItem,
        in_prefix: bool,
        parts: &mut CommandParts,
        process_substitutions: &mut Vec<&'t ast::SubshellCommand>,
    ) {
        match item {
            ast::CommandPrefixOrSuffixItem::IoRedirect(redirect) => {
                if let Some((redirect, subshell)) =
                    self.redirect(redirect, &mut parts.substitutions)
                {
                    parts.redirects.push(redirect);
                    process_substitutions.extend(subshell);
                }
            }
            ast::CommandPrefixOrSuffixItem::Word(word) => {
                self.push_word(word, &mut parts.words, &mut parts.substitutions);
            }
            ast::CommandPrefixOrSuffixItem::AssignmentWord(_, word) => {
                let list = if in_prefix {
                    &mut parts.assignments
                } else {
                    &mut parts.words
                };
                self.push_word(word, list, &mut parts.substitutions);
            }
            ast::CommandPrefixOrSuffixItem::ProcessSubstitution(_, subshell) => {
                if let Some(word) = self.process_substitution_word(subshell) {
                    parts.words.push(word);
                    process_substitutions.push(subshell);
                }
            }
        }
    }

    fn push_word(
        &self,
        word: &ast::Word,
        list: &mut Vec<Word>,
        substitutions: &mut Vec<Range<usize>>,
    ) {
        let Some(span) = self.word_span(word) else {
            return;
        };
        let (word, found) = self.builder.word(span);
        list.push(word);
        substitutions.extend(found);
    }

    /// Returns the byte span of a word. brush's end is exact, but its start may lag behind.
    fn word_span(&self, word: &ast::Word) -> Option<Span> {
        let location = word.location()?;
        let span = self.offsets.span(&location).shift(self.base);
        let bytes = self.builder.text.as_bytes();
        let end = trim_continuations(bytes, span.start, span.end.min(self.limit));
        let start = lexer::skip_word_gap(bytes, span.start, end);
        Some(Span::new(start, end))
    }

    /// Builds the word `<(…)` or `>(…)`. brush places the subshell at its `(`, so the word
    /// starts one byte earlier.
    fn process_substitution_word(&self, subshell: &ast::SubshellCommand) -> Option<Word> {
        let parens = self.offsets.span(&subshell.loc).shift(self.base);
        let end = parens.end.min(self.limit);
        let open = lexer::skip_word_gap(self.builder.text.as_bytes(), parens.start, end);
        let start = open.checked_sub(1)?.max(self.base);
        let (word, _) = self.builder.word(Span::new(start, end));
        Some(word)
    }

    fn redirect<'t>(
        &self,
        redirect: &'t ast::IoRedirect,
        substitutions: &mut Vec<Range<usize>>,
    ) -> Option<(Redirect, Option<&'t ast::SubshellCommand>)> {
        use ast::IoFileRedirectKind as Kind;

        let mut heredoc = None;
        let mut subshell = None;
        let (fd, operator, target) = match redirect {
            ast::IoRedirect::File(fd, kind, target) => {
                let operator = match kind {
                    Kind::Read => "<",
                    Kind::Write => ">",
                    Kind::Append => ">>",
                    Kind::ReadAndWrite => "<>",
                    Kind::Clobber => ">|",
                    Kind::DuplicateInput => "<&",
                    Kind::DuplicateOutput => ">&",
                };
                let target = match target {
                    ast::IoFileRedirectTarget::Filename(word)
                    | ast::IoFileRedirectTarget::Duplicate(word) => {
                        let span = self.word_span(word)?;
                        let (word, found) = self.builder.word(span);
                        substitutions.extend(found);
                        word
                    }
                    // `|&` adds a `2>&1` that is not in the text.
                    ast::IoFileRedirectTarget::Fd(_) => return None,
                    ast::IoFileRedirectTarget::ProcessSubstitution(_, process) => {
                        subshell = Some(process);
                        self.process_substitution_word(process)?
                    }
                };
                (*fd, operator, target)
            }
            ast::IoRedirect::HereDocument(fd, document) => {
                let operator = if document.remove_tabs { "<<-" } else { "<<" };
                let span = self.word_span(&document.here_end)?;
                let (word, _) = self.builder.word(span);
                heredoc = self.heredoc_body(&document.doc);
                (*fd, operator, word)
            }
            ast::IoRedirect::HereString(fd, word) => {
                let (word, found) = self.builder.word(self.word_span(word)?);
                substitutions.extend(found);
                (*fd, "<<<", word)
            }
            ast::IoRedirect::OutputAndError(word, append) => {
                let (word, found) = self.builder.word(self.word_span(word)?);
                substitutions.extend(found);
                (None, if *append { "&>>" } else { "&>" }, word)
            }
        };

        let fd = fd.and_then(|fd| u32::try_from(fd).ok());
        let span = self.operator_span(operator, fd.is_some(), target.span.start);
        let redirect = Redirect {
            fd,
            operator: operator.to_owned(),
            span,
            target,
            heredoc_body: heredoc,
        };
        Some((redirect, subshell))
    }

    /// Finds `operator`, with its descriptor digits when `has_fd`, before `target_start`.
    fn operator_span(&self, operator: &str, has_fd: bool, target_start: usize) -> Span {
        let bytes = self.builder.text.as_bytes();
        let mut end = target_start;
        while end > self.base {
            if matches!(bytes[end - 1], b' ' | b'\t') {
                end -= 1;
            } else if end >= self.base + 2 && bytes[end - 1] == b'\n' && bytes[end - 2] == b'\\' {
                end -= 2;
            } else {
                break;
            }
        }

        let Some(start) = end
            .checked_sub(operator.len())
            .filter(|&start| start >= self.base)
        else {
            return Span::empty(target_start);
        };
        if &bytes[start..end] != operator.as_bytes() {
            return Span::empty(target_start);
        }

        let mut fd_start = start;
        while has_fd && fd_start > self.base && bytes[fd_start - 1].is_ascii_digit() {
            fd_start -= 1;
        }
        Span::new(fd_start, end)
    }

    fn heredoc_body(&self, document: &ast::Word) -> Option<Span> {
        let location = document.location()?;
        let span = self.offsets.span(&location).shift(self.base);
        let span = Span::new(span.start, span.end.min(self.limit));
        Some(heredoc_body_span(self.builder.text, span))
    }

    /// Stores `[[ … ]]` as a command whose words are its tokens, `[[` and `]]` included.
    fn extended_test(&mut self, test: &ast::ExtendedTestExprCommand, context: CommandContext) {
        let span = self.offsets.span(&test.loc).shift(self.base);
        let end = span.end.min(self.limit);
        let start = lexer::skip_word_gap(self.builder.text.as_bytes(), span.start, end);

        let mut parts = CommandParts::default();
        for token in fallback::lex_words(self.builder.text, start..end) {
            let (word, found) = self.builder.word(token);
            parts.words.push(word);
            parts.substitutions.extend(found);
        }
        self.builder
            .push_command(parts, context, self.limit, self.depth);
    }

    /// Parses the substitutions in a word that belongs to no simple command, such as the
    /// subject of `case` or a value list of `for`.
    fn word_substitutions(&mut self, word: &ast::Word, context: CommandContext) {
        let Some(span) = self.word_span(word) else {
            return;
        };
        let (_, found) = self.builder.word(span);
        for range in found {
            self.builder
                .parse_range(range, substitution_context(context), self.depth + 1);
        }
    }

    /// Parses the substitutions in the redirections of a compound command.
    // NOTE: `{ …; } > file` keeps its redirections only here: the public model has no node
    // for compound commands, so rules see the commands inside but not the redirection.
    fn compound_redirects(&mut self, redirects: &[ast::IoRedirect], context: CommandContext) {
        let mut found = Vec::new();
        for redirect in redirects {
            self.redirect(redirect, &mut found);
        }
        for range in found {
            self.builder
                .parse_range(range, substitution_context(context), self.depth + 1);
        }
    }
}

/// Moves `end` back over line continuations that brush counts into the preceding word.
fn trim_continuations(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end >= start + 2 && bytes[end - 1] == b'\n' && bytes[end - 2] == b'\\' {
        let backslashes = bytes[start..end - 1]
            .iter()
            .rev()
            .take_while(|&&byte| byte == b'\\')
            .count();
        if backslashes % 2 == 0 {
            break;
        }
        end -= 2;
    }
    end
}
