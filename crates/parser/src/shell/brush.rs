//! The adapter for `brush-parser` 0.3.0: it parses shell code and turns the syntax tree
//! into [`SimpleCommand`](super::SimpleCommand)s. No other module uses brush types.
//!
//! Three facts about brush 0.3.0 shape this code:
//! - Positions are character indices, so they go through [`CharOffsets`].
//! - A token's end is exact, but its start can lag behind after a line continuation or a
//!   heredoc, so word starts are moved forward over blanks and continuations.
//! - Redirections and `&&`/`||`/`;` carry no position; they are found in the text next to
//!   the words that do.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use brush_parser::ast::{self, SourceLocation};
use brush_parser::{ParseError, ParserOptions, SourceInfo, TokenLocation, TokenizerError};

use super::{
    AndOrOperator, Builder, CommandContext, CommandParts, Dialect, PipelinePosition, Redirect,
    ShellError, fallback, heredoc_body_span, lexer, substitution_context,
};
use crate::Span;

/// Nesting of parentheses, braces and compound commands beyond which brush is not used,
/// because its recursive descent could overflow the stack. The fallback tokenizer, which
/// does not recurse, reads such text instead. In a debug build on a 2 MiB thread stack,
/// brush 0.3.0 parsed 64 nested `if` commands and overflowed at 128.
const MAX_NESTING: usize = 32;

/// Parses `builder.text[range]` and stores its simple commands. Returns the syntax error
/// and stores nothing when brush rejects the text.
pub(super) fn parse(
    builder: &mut Builder<'_>,
    range: Range<usize>,
    context: CommandContext,
    depth: usize,
) -> Result<(), ShellError> {
    let text = &builder.text[range.clone()];
    let offsets = CharOffsets::new(text);
    if let Some(error) = check_supported(text) {
        return Err(ShellError {
            message: error.message,
            span: error.span.shift(range.start),
        });
    }

    let options = parser_options(builder.dialect);
    let parsed = catch_unwind(AssertUnwindSafe(|| {
        brush_parser::Parser::new(text.as_bytes(), &options, &SourceInfo::default()).parse_program()
    }));
    let program = match parsed {
        Ok(Ok(program)) => program,
        Ok(Err(error)) => return Err(convert_error(&error, text, &offsets, range.start)),
        Err(_) => {
            // NOTE: brush 0.3.0 panics on some inputs; `check_supported` avoids the known
            // ones, and this keeps any other from taking down the caller.
            let span = Span::new(range.start, range.end);
            return Err(ShellError {
                message: "the shell parser failed on this code".to_owned(),
                span,
            });
        }
    };

    let mut walker = Walker {
        builder,
        base: range.start,
        limit: range.end,
        offsets,
        depth,
    };
    walker.program(&program, context);
    Ok(())
}

fn parser_options(dialect: Dialect) -> ParserOptions {
    let bash = dialect == Dialect::Bash;
    ParserOptions {
        enable_extended_globbing: bash,
        posix_mode: !bash,
        sh_mode: !bash,
        tilde_expansion: true,
    }
}

/// Rejects text that brush 0.3.0 cannot read safely: nesting deep enough to risk a stack
/// overflow, and a redirection descriptor too large for an `i32`, on which it panics.
fn check_supported(text: &str) -> Option<ShellError> {
    let bytes = text.as_bytes();
    let mut nesting = 0usize;
    let mut max_nesting = 0usize;
    let mut digits = 0usize;
    for (i, &byte) in bytes.iter().enumerate() {
        match byte {
            b'(' | b'{' => nesting += 1,
            b')' | b'}' => nesting = nesting.saturating_sub(1),
            _ => {}
        }
        max_nesting = max_nesting.max(nesting);

        if byte.is_ascii_digit() {
            digits += 1;
            continue;
        }
        if digits >= 10 && matches!(byte, b'<' | b'>') {
            let message = "file descriptor number out of range".to_owned();
            return Some(ShellError {
                message,
                span: Span::new(i - digits, i),
            });
        }
        digits = 0;
    }

    // Counting both kinds of nesting separately and adding the maxima overestimates the
    // real depth, which errs on the safe side.
    if max_nesting + keyword_nesting(text) > MAX_NESTING {
        let message = format!("shell code nested more than {MAX_NESTING} levels deep");
        return Some(ShellError {
            message,
            span: Span::empty(text.len()),
        });
    }
    None
}

/// Returns the maximum nesting of `if`, `while`, `until`, `for`, `select` and `case`,
/// counted on their words without regard to quoting.
fn keyword_nesting(text: &str) -> usize {
    let words = text.split(|ch: char| ch.is_ascii_whitespace() || ";&|()".contains(ch));
    let mut nesting = 0usize;
    let mut max_nesting = 0usize;
    for word in words {
        match word {
            "if" | "while" | "until" | "for" | "select" | "case" => nesting += 1,
            "fi" | "done" | "esac" => nesting = nesting.saturating_sub(1),
            _ => {}
        }
        max_nesting = max_nesting.max(nesting);
    }
    max_nesting
}

/// Converts a brush error, whose positions are character indices into the parsed slice.
fn convert_error(error: &ParseError, text: &str, offsets: &CharOffsets, base: usize) -> ShellError {
    let end = Span::empty(base + text.len());
    let (message, span) = match error {
        ParseError::ParsingNearToken(token) => {
            let span = offsets.span(token.location()).shift(base);
            let message = match token.to_str() {
                "\n" => "syntax error near unexpected newline".to_owned(),
                token => format!("syntax error near unexpected token `{token}`"),
            };
            (message, span)
        }
        ParseError::ParsingAtEndOfInput => {
            ("syntax error: unexpected end of the script".to_owned(), end)
        }
        ParseError::Tokenizing { inner, .. } => tokenizer_error(inner, offsets, base, end),
    };
    ShellError { message, span }
}

fn tokenizer_error(
    inner: &TokenizerError,
    offsets: &CharOffsets,
    base: usize,
    end: Span,
) -> (String, Span) {
    let at = |position: &brush_parser::SourcePosition| {
        let start = offsets.byte(position.index) + base;
        Span::new(start, offsets.byte(position.index + 1) + base)
    };
    match inner {
        TokenizerError::UnterminatedSingleQuote(position) => {
            ("unterminated single quote".to_owned(), at(position))
        }
        TokenizerError::UnterminatedDoubleQuote(position) => {
            ("unterminated double quote".to_owned(), at(position))
        }
        TokenizerError::UnterminatedAnsiCQuote(position) => {
            ("unterminated `$'` quote".to_owned(), at(position))
        }
        TokenizerError::UnterminatedBackquote(position) => {
            ("unterminated backquote".to_owned(), at(position))
        }
        TokenizerError::UnterminatedCommandSubstitution => {
            ("unterminated command substitution `$(`".to_owned(), end)
        }
        TokenizerError::UnterminatedVariable => {
            ("unterminated parameter expansion `${`".to_owned(), end)
        }
        TokenizerError::UnterminatedEscapeSequence => {
            ("backslash at the end of the script".to_owned(), end)
        }
        TokenizerError::UnterminatedHereDocuments(tags, _) => {
            (format!("heredoc delimited by `{tags}` is not closed"), end)
        }
        other => (other.to_string(), end),
    }
}

/// Converts brush's character indices into byte offsets of one slice.
struct CharOffsets {
    /// Byte offset of each character, then the slice length; empty for ASCII text, whose
    /// character and byte offsets agree.
    starts: Vec<usize>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let starts = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(offset, _)| offset)
                .chain([text.len()])
                .collect()
        };
        CharOffsets {
            starts,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.starts.is_empty() {
            char_index.min(self.len)
        } else {
            self.starts.get(char_index).copied().unwrap_or(self.len)
        }
    }

    fn span(&self, location: &TokenLocation) -> Span {
        let start = self.byte(location.start.index);
        let end = self.byte(location.end.index);
        Span::new(start.min(end), end)
    }
}

/// Walks one brush syntax tree of the slice `builder.text[base..limit]`.
struct Walker<'b, 'a> {
    builder: &'b mut Builder<'a>,
    base: usize,
    limit: usize,
    offsets: CharOffsets,
    depth: usize,
}

impl Walker<'_, '_> {
    fn program(&mut self, program: &ast::Program, context: CommandContext) {
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
            ast::CompoundCommand::Arithmetic(_) => {}
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
        list: &mut Vec<super::Word>,
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
    fn process_substitution_word(&self, subshell: &ast::SubshellCommand) -> Option<super::Word> {
        let parens = self.offsets.span(&subshell.loc).shift(self.base);
        let end = parens.end.min(self.limit);
        let open = lexer::skip_word_gap(self.builder.text.as_bytes(), parens.start, end);
        let start = open.checked_sub(1)?.max(self.base);
        let (mut word, _) = self.builder.word(Span::new(start, end));
        word.has_expansion = true;
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
