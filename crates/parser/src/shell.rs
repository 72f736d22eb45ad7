//! Simple commands and words of the shell code in a `RUN` instruction.
//!
//! [`parse_script`] takes the shell form of a `RUN` (after its continuation lines were
//! joined) or a heredoc script and returns every simple command it contains, in source
//! order, with the byte span of each word. Commands inside command substitutions,
//! subshells, brace groups, `if`/`for`/`while`/`until`/`case` bodies and functions are
//! included, each with a [`CommandContext`] that describes where it runs. Heredoc bodies are
//! data: no command is taken from them.
//!
//! The grammar comes from the `brush-parser` crate (version 0.3.0, bash and POSIX sh).
//! When it rejects the text, which is normal while a user is still typing, a tolerant
//! tokenizer of our own produces the commands instead and [`Script::error`] describes the
//! problem. No type of `brush-parser` appears in this module's interface.

mod brush;
mod case_patterns;
mod fallback;
mod lexer;
mod word;

use std::ops::Range;

use serde::Serialize;

use crate::Span;

/// Nesting depth of command substitutions below which commands are still collected.
/// Deeper code is skipped, so hostile input cannot exhaust the stack.
const MAX_SUBSTITUTION_DEPTH: usize = 16;

/// The shell language a script is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Dialect {
    /// POSIX sh, as `/bin/sh`, dash and busybox ash read it: no `[[`, `<<<`, `&>`, `|&`,
    /// arrays or `;&`.
    #[default]
    Posix,
    /// GNU bash with its extensions.
    Bash,
}

impl Dialect {
    /// Returns the dialect of a shell program given by path or name, such as the first
    /// element of a `SHELL` instruction: `bash` is [`Dialect::Bash`], everything else
    /// (`sh`, `dash`, `ash`, …) is read as [`Dialect::Posix`].
    pub fn from_shell(program: &str) -> Dialect {
        let name = program.rsplit('/').next().unwrap_or(program);
        if name == "bash" {
            Dialect::Bash
        } else {
            Dialect::Posix
        }
    }
}

/// The simple commands of one shell script.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Script {
    /// Every simple command in source order. A command precedes the commands of the
    /// substitutions inside its words.
    pub commands: Vec<SimpleCommand>,
    /// The first syntax error, when the script is not valid shell code.
    pub error: Option<ShellError>,
    /// Whether the fallback tokenizer produced the commands, because the script has a
    /// syntax error. Its commands and words are then a best effort.
    pub recovered: bool,
}

/// A command name with its arguments, assignments and redirections.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SimpleCommand {
    /// Assignments before the command name (`DEBIAN_FRONTEND=noninteractive`). A command
    /// made only of assignments has no words.
    pub assignments: Vec<Word>,
    /// The argument vector: `words[0]` is the command name. Assignment-like arguments of
    /// `export` or `env` are words too.
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    pub context: CommandContext,
    /// From the first to the last assignment, word or redirection; a heredoc body is not
    /// part of it.
    pub span: Span,
    /// The operator that follows the command in its list, or `None` when the command ends
    /// its list (end of the script, `)`, `}`, `;;`, …).
    pub separator: Option<Separator>,
}

impl SimpleCommand {
    /// Returns the command name, when the command has one.
    pub fn name(&self) -> Option<&Word> {
        self.words.first()
    }

    /// Returns the arguments after the command name.
    pub fn args(&self) -> &[Word] {
        self.words.get(1..).unwrap_or_default()
    }
}

/// One shell word as written in the script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Word {
    /// The source text: `&text[span.start..span.end]` of the parsed text.
    pub raw: String,
    /// The word after quote removal: quotes are gone and escapes resolved, while
    /// parameter expansions and substitutions are kept as written (`"$HOME"/x` is `$HOME/x`).
    pub value: String,
    pub span: Span,
    /// Whether any part of the word was quoted or escaped.
    pub quoted: bool,
    /// Whether the word contains a parameter expansion, a command or process
    /// substitution, or an arithmetic expansion, so its runtime value is unknown here.
    pub has_expansion: bool,
}

/// A redirection such as `> /tmp/out`, `2>&1` or `<<'EOF'`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Redirect {
    /// The file descriptor written before the operator (`2` in `2>&1`).
    pub fd: Option<u32>,
    /// The operator without the descriptor: `<`, `>`, `>>`, `>|`, `<>`, `<&`, `>&`, `&>`,
    /// `&>>`, `<<`, `<<-` or `<<<`.
    pub operator: String,
    /// The descriptor and the operator. It is empty, at the start of the target, in the
    /// rare case where the operator could not be located in the text.
    pub span: Span,
    /// The file, descriptor, here-string or heredoc delimiter after the operator.
    pub target: Word,
    /// The lines of a heredoc between its operator line and its delimiter line.
    pub heredoc_body: Option<Span>,
}

/// The surroundings of a simple command in the script. Flags accumulate through nesting: a command in a loop
/// inside a subshell has both `in_loop` and `in_subshell`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CommandContext {
    /// Inside `( … )` or a process substitution `<( … )`.
    pub in_subshell: bool,
    /// Inside `{ …; }`.
    pub in_brace_group: bool,
    /// Inside `$( … )`, `` ` … ` `` or a process substitution. Such code runs in a
    /// subshell environment, so `cd` or assignments there do not reach the outer script.
    pub in_substitution: bool,
    /// In the test list of `if`, `elif`, `while` or `until`.
    pub in_condition: bool,
    /// In a `then`, `elif … then` or `else` body, or in a `case` item.
    pub in_branch: bool,
    /// In the body of `for`, `while` or `until`.
    pub in_loop: bool,
    /// In the body of a function definition.
    pub in_function: bool,
    /// In an and-or list that ends with `&`, so it runs asynchronously.
    pub in_background: bool,
    /// In a pipeline preceded by `!`.
    pub negated: bool,
    /// The position in a pipeline of two or more commands; commands nested in a compound
    /// command that is a pipeline element share its position.
    pub pipeline: Option<PipelinePosition>,
    /// The `&&` or `||` that joins the pipeline containing this command to the previous
    /// one in its and-or list. Commands nested in a compound command inherit it from the
    /// compound command, and commands in a substitution inherit it from the command that
    /// contains the substitution.
    pub preceded_by: Option<AndOrOperator>,
}

/// The place of a command in a pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PipelinePosition {
    /// Zero-based index of the element.
    pub index: usize,
    /// Number of elements in the pipeline, at least 2.
    pub len: usize,
}

impl PipelinePosition {
    pub fn is_first(&self) -> bool {
        self.index == 0
    }

    pub fn is_last(&self) -> bool {
        self.index + 1 == self.len
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AndOrOperator {
    /// `&&`
    And,
    /// `||`
    Or,
}

/// The operator after a simple command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Separator {
    pub kind: SeparatorKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SeparatorKind {
    /// `;`
    Semicolon,
    /// An unescaped newline.
    Newline,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `|`
    Pipe,
    /// `|&` (bash): a pipe that also carries standard error.
    PipeAll,
    /// `&`
    Background,
}

impl SeparatorKind {
    /// Returns the operator as written, or a newline for [`SeparatorKind::Newline`].
    pub fn as_str(&self) -> &'static str {
        match self {
            SeparatorKind::Semicolon => ";",
            SeparatorKind::Newline => "\n",
            SeparatorKind::And => "&&",
            SeparatorKind::Or => "||",
            SeparatorKind::Pipe => "|",
            SeparatorKind::PipeAll => "|&",
            SeparatorKind::Background => "&",
        }
    }
}

/// A shell syntax error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct ShellError {
    pub message: String,
    /// The location of the problem: the offending token, the opening quote of an unterminated
    /// string, or an empty span at the end of the text for incomplete input.
    pub span: Span,
}

/// Returns whether `text` avoids every construct that brush-parser reads differently in
/// bash and in POSIX sh. Those are the operators `<<<`, `&>`, `;&` and `|&`, the words
/// `[[`, `]]`, `function`, `select` and `time`, and `${` (bash's parameter operations).
/// They also include any `(` other than that of a command substitution `$(`, which rules
/// out extglob, arrays, `((` and process substitution.
///
/// The checks look at the text alone, so they reject some texts that would parse alike. A
/// text that passes and parses without errors as bash parses to the same script in POSIX
/// sh.
pub fn same_in_both_dialects(text: &str) -> bool {
    const MARKERS: [&str; 10] = [
        "<<<", "&>", ";&", "|&", "[[", "]]", "function", "select", "time", "${",
    ];
    if MARKERS.iter().any(|marker| text.contains(marker)) {
        return false;
    }
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'(', bytes).all(|at| {
        at > 0 && bytes[at - 1] == b'$' && bytes.get(at + 1) != Some(&b'(')
    })
}

/// Splits shell code into simple commands and words. `text` is the shell form of a
/// `RUN` after continuation lines were joined, or a heredoc script; all spans are byte
/// ranges into it.
///
/// It returns a script for any input. When the text is not valid shell code, or when
/// brush-parser panics on it, [`Script::error`] describes the first problem and a tolerant
/// tokenizer produces the commands ([`Script::recovered`]).
pub fn parse_script(text: &str, dialect: Dialect) -> Script {
    let script = parse_text(text, dialect);
    if !script.recovered {
        return script;
    }

    // brush-parser ends a `$(` at the `)` of a `case` pattern; the same script with
    // parenthesized patterns has the same byte offsets and often parses.
    let Some(rewritten) = case_patterns::parenthesize(text) else {
        return script;
    };
    let mut retry = parse_text(&rewritten, dialect);
    if retry.recovered {
        return script;
    }
    restore_original_words(&mut retry, text);
    retry
}

fn parse_text(text: &str, dialect: Dialect) -> Script {
    let mut builder = Builder {
        text,
        dialect,
        script: Script::default(),
    };
    builder.parse_range(0..text.len(), CommandContext::default(), 0);
    builder.script
}

/// Gives every word of a script parsed from a rewritten copy of `original` (same length,
/// same offsets) its text from `original`.
fn restore_original_words(script: &mut Script, original: &str) {
    for command in &mut script.commands {
        let words = command
            .assignments
            .iter_mut()
            .chain(command.words.iter_mut())
            .chain(
                command
                    .redirects
                    .iter_mut()
                    .map(|redirect| &mut redirect.target),
            );
        for word in words {
            let raw = &original[word.span.start..word.span.end];
            if word.raw != raw {
                word.raw = raw.to_owned();
                word.value = word::analyze(raw).value;
            }
        }
    }
}

/// Collects the commands of one script while its parts are parsed.
struct Builder<'a> {
    text: &'a str,
    dialect: Dialect,
    script: Script,
}

impl Builder<'_> {
    /// Parses `self.text[range]`, the whole script or the code of a substitution.
    fn parse_range(&mut self, range: Range<usize>, context: CommandContext, depth: usize) {
        if depth > MAX_SUBSTITUTION_DEPTH || range.start >= range.end {
            return;
        }

        let Err(error) = brush::parse(self, range.clone(), context, depth) else {
            return;
        };

        if self.script.error.is_none() {
            self.script.error = Some(error);
        }
        self.script.recovered = true;
        fallback::parse(self, range, context, depth);
    }

    /// Builds the word at `span` and returns it with the absolute byte ranges of the code
    /// of its command substitutions.
    fn word(&self, span: Span) -> (Word, Vec<Range<usize>>) {
        let raw = &self.text[span.start..span.end];
        let analysis = word::analyze(raw);
        let substitutions = analysis
            .substitutions
            .iter()
            .map(|inner| inner.start + span.start..inner.end + span.start)
            .collect();
        let word = Word {
            raw: raw.to_owned(),
            value: analysis.value,
            span,
            quoted: analysis.quoted,
            has_expansion: analysis.has_expansion,
        };
        (word, substitutions)
    }

    /// Stores a command, then parses the substitutions inside its words.
    fn push_command(
        &mut self,
        parts: CommandParts,
        context: CommandContext,
        limit: usize,
        depth: usize,
    ) {
        let CommandParts {
            assignments,
            words,
            redirects,
            mut substitutions,
        } = parts;
        let spans = assignments
            .iter()
            .chain(&words)
            .map(|word| word.span)
            .chain(
                redirects
                    .iter()
                    .flat_map(|redirect| [redirect.span, redirect.target.span]),
            );
        let Some(span) = spans.reduce(|all, span| all.cover(span)) else {
            return;
        };

        let separator = self.separator_after(span.end, limit);
        self.script.commands.push(SimpleCommand {
            assignments,
            words,
            redirects,
            context,
            span,
            separator,
        });

        substitutions.sort_by_key(|range| range.start);
        for range in substitutions {
            let mut inner_context = substitution_context(context);
            let opening = &self.text.as_bytes()[range.start.saturating_sub(2)..range.start];
            inner_context.in_subshell = matches!(opening, b"<(" | b">(");
            self.parse_range(range, inner_context, depth + 1);
        }
    }

    /// Finds the control operator after a command that ends at `end`, looking no further
    /// than `limit`. Blanks, line continuations and a comment may come first.
    fn separator_after(&self, end: usize, limit: usize) -> Option<Separator> {
        let bytes = &self.text.as_bytes()[..limit];
        let mut i = lexer::skip_blanks(bytes, end, limit);
        if i < limit && bytes[i] == b'#' {
            while i < limit && bytes[i] != b'\n' {
                i += 1;
            }
        }

        let rest = &bytes[i..];
        let (kind, len) = match rest {
            [b';', b';' | b'&', ..] => return None,
            [b';', ..] => (SeparatorKind::Semicolon, 1),
            [b'\n', ..] => (SeparatorKind::Newline, 1),
            [b'&', b'&', ..] => (SeparatorKind::And, 2),
            [b'&', b'>', ..] => return None,
            [b'&', ..] => (SeparatorKind::Background, 1),
            [b'|', b'|', ..] => (SeparatorKind::Or, 2),
            [b'|', b'&', ..] => (SeparatorKind::PipeAll, 2),
            [b'|', ..] => (SeparatorKind::Pipe, 1),
            _ => return None,
        };
        Some(Separator {
            kind,
            span: Span::new(i, i + len),
        })
    }
}

/// The parts of a simple command, gathered before it is stored.
#[derive(Default)]
struct CommandParts {
    assignments: Vec<Word>,
    words: Vec<Word>,
    redirects: Vec<Redirect>,
    /// Absolute byte ranges of the code of the command substitutions in all its words.
    substitutions: Vec<Range<usize>>,
}

/// Returns the context of the commands in a substitution inside a command with context
/// `outer`. The pipeline position and negation belong to the outer command only.
fn substitution_context(outer: CommandContext) -> CommandContext {
    CommandContext {
        in_substitution: true,
        pipeline: None,
        negated: false,
        ..outer
    }
}

/// Returns the span of a heredoc body, given the span from its first line through its
/// delimiter line, which is how brush reports a heredoc.
fn heredoc_body_span(text: &str, through_delimiter: Span) -> Span {
    let slice = &text[through_delimiter.start..through_delimiter.end];
    let without_last_newline = slice.strip_suffix('\n').unwrap_or(slice);
    let body_len = without_last_newline
        .rfind('\n')
        .map_or(0, |newline| newline + 1);
    Span::new(through_delimiter.start, through_delimiter.start + body_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialect_from_shell_path() {
        assert_eq!(Dialect::from_shell("/bin/bash"), Dialect::Bash);
        assert_eq!(Dialect::from_shell("/bin/sh"), Dialect::Posix);
        assert_eq!(Dialect::from_shell("ash"), Dialect::Posix);
    }

    #[test]
    fn heredoc_body_excludes_delimiter_line() {
        let text = "line one\nline two\nEOF\nrest";
        let body = heredoc_body_span(text, Span::new(0, 22));
        assert_eq!(body.text(text), "line one\nline two\n");
        let empty = heredoc_body_span("EOF\n", Span::new(0, 4));
        assert!(empty.is_empty());
    }

    #[test]
    fn case_in_substitution_parses() {
        let text = "curl -o go.tgz https://go.dev/dl/go-$(case $(uname -m) in x86_64) echo amd64 ;; \
                    aarch64) echo arm64 ;; esac).tgz | tar xz";
        let script = parse_script(text, Dialect::Posix);
        assert_eq!(script.error, None);
        assert!(!script.recovered);

        let names: Vec<&str> = script
            .commands
            .iter()
            .map(|command| command.words[0].raw.as_str())
            .collect();
        assert_eq!(names, ["curl", "uname", "echo", "echo", "tar"]);
        let tar = script.commands.last().unwrap();
        assert_eq!(tar.context.pipeline.map(|position| position.index), Some(1));

        let url = &script.commands[0].words[3];
        assert_eq!(url.raw, &text[url.span.start..url.span.end]);
        assert!(url.raw.contains("in x86_64)"), "{}", url.raw);
    }
}
