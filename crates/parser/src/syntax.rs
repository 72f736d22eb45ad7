//! The syntax tree: a plain value whose top-level nodes tile the input text.

use serde::Serialize;

use crate::Span;

/// A parsed Dockerfile.
///
/// The spans of [`Dockerfile::nodes`] are contiguous and cover the whole input, so the
/// tree can reproduce the text byte for byte ([`Dockerfile::text_of_nodes`]).
#[derive(Clone, Debug, Serialize)]
pub struct Dockerfile {
    /// Top-level nodes in source order: directives, comments, blank lines, instructions.
    pub nodes: Vec<Node>,
    /// Every syntax error, in source order.
    pub errors: Vec<SyntaxError>,
    /// The escape character in force after the parser directives: `\` or `` ` ``.
    pub escape: char,
    /// Whether the input starts with a UTF-8 byte order mark (stripped, as BuildKit does).
    pub bom: bool,
    /// The parser directives (`# syntax=`, `# escape=`, `# check=`) that BuildKit accepted.
    pub directives: Vec<Directive>,
    /// The length of the input in bytes.
    pub len: usize,
}

impl Dockerfile {
    /// Iterates over the instructions in source order.
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.nodes.iter().filter_map(|node| match &node.kind {
            NodeKind::Instruction(instruction) => Some(instruction.as_ref()),
            _ => None,
        })
    }

    /// Concatenates the source text of the top-level nodes; equals the input.
    pub fn text_of_nodes<'a>(&self, source: &'a str) -> String {
        self.nodes.iter().map(|node| node.span.text(source)).collect()
    }

    /// The directive named `name` (lower case), if BuildKit accepted one.
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|directive| directive.name == name)
    }
}

/// A top-level node: one or more whole physical lines, including their line terminators.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NodeKind {
    Blank,
    Comment(Comment),
    Directive(Directive),
    Instruction(Box<Instruction>),
}

/// A comment line: `#` after optional leading whitespace.
#[derive(Clone, Debug, Serialize)]
pub struct Comment {
    /// The text after `#`, trimmed.
    pub text: String,
    /// The span of the comment itself, from `#` to the end of the line (no terminator).
    pub span: Span,
}

/// A parser directive such as `# escape=\``, or a line that looks like one.
#[derive(Clone, Debug, Serialize)]
pub struct Directive {
    /// The key in lower case.
    pub name: String,
    pub value: String,
    pub name_span: Span,
    pub value_span: Span,
    /// The span from `#` to the end of the line (no terminator).
    pub span: Span,
}

/// The instruction keywords BuildKit knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    /// A word BuildKit does not know; BuildKit rejects it when it builds.
    Unknown,
}

impl Keyword {
    pub const ALL: [Keyword; 18] = [
        Keyword::Add,
        Keyword::Arg,
        Keyword::Cmd,
        Keyword::Copy,
        Keyword::Entrypoint,
        Keyword::Env,
        Keyword::Expose,
        Keyword::From,
        Keyword::Healthcheck,
        Keyword::Label,
        Keyword::Maintainer,
        Keyword::Onbuild,
        Keyword::Run,
        Keyword::Shell,
        Keyword::Stopsignal,
        Keyword::User,
        Keyword::Volume,
        Keyword::Workdir,
    ];

    /// Looks a keyword up case-insensitively.
    pub fn parse(word: &str) -> Keyword {
        Keyword::ALL
            .into_iter()
            .find(|keyword| keyword.as_str().eq_ignore_ascii_case(word))
            .unwrap_or(Keyword::Unknown)
    }

    /// The keyword in upper case, as the Dockerfile reference writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
            Keyword::Unknown => "",
        }
    }

    /// Whether BuildKit reads heredoc bodies after this instruction.
    pub fn accepts_heredocs(self) -> bool {
        matches!(self, Keyword::Run | Keyword::Copy | Keyword::Add)
    }
}

/// One instruction: its logical line (continuation lines joined), flags, arguments and
/// heredoc bodies.
#[derive(Clone, Debug, Serialize)]
pub struct Instruction {
    /// Whole physical lines: the first line, continuation lines, comment and blank lines
    /// inside the continuation, and heredoc bodies with their terminators.
    pub span: Span,
    pub keyword: Keyword,
    /// The keyword as written (its case is kept).
    pub keyword_text: String,
    pub keyword_span: Span,
    pub flags: Vec<Flag>,
    pub args: Args,
    /// The text after the flags, trimmed, as BuildKit hands it to the argument parser.
    pub rest: String,
    /// Where `rest` is in the source; a zero-length span after the keyword when empty.
    pub rest_span: Span,
    pub heredocs: Vec<Heredoc>,
    /// The logical line: physical lines joined with continuation markers removed and
    /// comment and blank lines inside the continuation dropped.
    pub line: String,
    /// Maps offsets in `line` back to the source.
    pub line_map: SourceMap,
    /// 1-based first and last line, BuildKit's numbering (heredoc terminators included).
    pub start_line: u32,
    pub end_line: u32,
    /// Comment lines inside the continuation.
    pub inner_comments: Vec<Span>,
    /// Empty or whitespace-only lines inside the continuation (BuildKit warns about them).
    pub empty_continuation_lines: Vec<Span>,
    /// The comments directly above the instruction, as BuildKit collects them.
    pub prev_comments: Vec<String>,
    /// The span of each physical line of the logical line, without its terminator.
    pub physical_lines: Vec<Span>,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|flag| flag.name == name)
    }

    pub fn flags_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Flag> + 'a {
        self.flags.iter().filter(move |flag| flag.name == name)
    }

    /// Whether the arguments were written as a JSON array (exec form).
    pub fn is_exec_form(&self) -> bool {
        match &self.args {
            Args::List { json, .. } => *json,
            Args::Healthcheck { command, .. } => matches!(command, Some(Command::Exec(_))),
            _ => false,
        }
    }

    /// The span of the logical line's text in the source: from the keyword to the end of
    /// the last continuation line (heredoc bodies excluded).
    pub fn line_span(&self) -> Span {
        match (self.physical_lines.first(), self.physical_lines.last()) {
            (Some(first), Some(last)) => Span::new(self.keyword_span.start.min(first.end), last.end),
            _ => self.keyword_span,
        }
    }
}

/// A flag such as `--from=build` before an instruction's arguments.
#[derive(Clone, Debug, Serialize)]
pub struct Flag {
    /// The name without the leading dashes.
    pub name: String,
    /// The value after the first `=`, with quotes and escapes removed.
    pub value: Option<String>,
    /// The flag as BuildKit stores it: `--name=value` with quotes removed.
    pub text: String,
    /// The whole flag word in the source.
    pub span: Span,
    pub name_span: Span,
    /// The value in the source, quotes included; `None` without `=`.
    pub value_span: Option<Span>,
}

/// A word of an instruction's arguments: its value as BuildKit's first phase produces it
/// (quotes kept except in JSON, where escapes are decoded) and its span in the source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Word {
    pub value: String,
    pub span: Span,
}

/// The arguments of an instruction, in the shape BuildKit's line parser gives them.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum Args {
    /// No arguments.
    None,
    /// A list of words: a JSON array (`json`), a whitespace-split list (FROM, EXPOSE, ADD,
    /// COPY, VOLUME), ARG's words, or the single raw string of a shell-form RUN, CMD,
    /// ENTRYPOINT or SHELL and of MAINTAINER, USER, WORKDIR and STOPSIGNAL.
    List { words: Vec<Word>, json: bool },
    /// ENV and LABEL pairs.
    KeyValues { pairs: Vec<KeyValue> },
    /// HEALTHCHECK: the type word (`CMD`, `NONE`, …) and the command after it.
    Healthcheck { kind: Option<Word>, command: Option<Command> },
    /// ONBUILD and its trigger instruction.
    Onbuild { trigger: Option<Box<Instruction>> },
}

impl Args {
    /// The words of a list, or an empty slice for other shapes.
    pub fn words(&self) -> &[Word] {
        match self {
            Args::List { words, .. } => words,
            _ => &[],
        }
    }
}

/// The command of RUN, CMD, ENTRYPOINT, SHELL or HEALTHCHECK CMD.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "form", content = "words", rename_all = "snake_case")]
pub enum Command {
    Exec(Vec<Word>),
    Shell(Word),
}

/// One `key=value` (or legacy `key value`) pair of ENV or LABEL.
#[derive(Clone, Debug, Serialize)]
pub struct KeyValue {
    pub key: Word,
    pub value: Word,
    /// `true` for the legacy `ENV key value` form.
    pub legacy: bool,
}

/// A heredoc read after a RUN, COPY or ADD line.
#[derive(Clone, Debug, Serialize)]
pub struct Heredoc {
    /// The delimiter with quotes removed.
    pub name: String,
    /// The heredoc word in the logical line, such as `<<-'EOF'`.
    pub word: Word,
    /// The file descriptor written before `<<` (`3<<EOF`), 0 when absent.
    pub fd: u32,
    /// `<<-`: leading tabs are removed from body lines and the terminator.
    pub chomp: bool,
    /// Whether BuildKit expands variables in the body (no quote in the delimiter).
    pub expand: bool,
    /// The body, verbatim (line terminators and `\r` included; tabs not yet removed).
    pub content: String,
    pub content_span: Span,
    /// The terminator line without its line terminator; `None` when unterminated.
    pub terminator_span: Option<Span>,
}

/// A syntax error with BuildKit's wording where BuildKit has one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
    pub kind: ErrorKind,
}

/// The phase of BuildKit that raises an error; ballast reports both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// BuildKit's line parser rejects the file.
    Parse,
    /// BuildKit's instruction parser rejects an instruction (arity, flags, unknown keyword).
    Instruction,
}

/// Maps byte offsets in a logical line (continuations joined) to offsets in the source.
///
/// Joining only deletes text, so the logical line is a sequence of source slices.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SourceMap {
    /// `(offset in the logical line, offset in the source, length)`, in order.
    pub(crate) pieces: Vec<(usize, usize, usize)>,
}

impl SourceMap {
    pub(crate) fn push(&mut self, source_start: usize, len: usize) {
        if len == 0 {
            return;
        }
        let line_start = self.pieces.last().map_or(0, |&(line, _, len)| line + len);
        if let Some(last) = self.pieces.last_mut()
            && last.1 + last.2 == source_start
        {
            last.2 += len;
            return;
        }
        self.pieces.push((line_start, source_start, len));
    }

    /// The source offset of `offset` in the logical line. An offset at the end of a piece
    /// maps to the end of that piece, so a span's end never jumps across deleted text.
    pub fn to_source(&self, offset: usize) -> usize {
        let index = self.pieces.partition_point(|&(line, _, _)| line < offset);
        if index > 0 {
            let (line, source, len) = self.pieces[index - 1];
            if offset <= line + len {
                return source + (offset - line);
            }
        }
        match self.pieces.get(index) {
            Some(&(line, source, _)) => source + (offset - line),
            None => self.pieces.last().map_or(0, |&(_, source, len)| source + len),
        }
    }

    /// The offset in the logical line of a source offset, when that byte was kept.
    pub fn to_line(&self, source_offset: usize) -> Option<usize> {
        self.pieces
            .iter()
            .find(|&&(_, source, len)| source <= source_offset && source_offset < source + len)
            .map(|&(line, source, _)| line + (source_offset - source))
    }

    /// The map of the sub-text `line_start..line_end` of the logical line, with offsets
    /// relative to `line_start`.
    pub fn slice(&self, line_start: usize, line_end: usize) -> SourceMap {
        let mut sliced = SourceMap::default();
        for &(line, source, len) in &self.pieces {
            let start = line.max(line_start);
            let end = (line + len).min(line_end);
            if start < end {
                sliced.push(source + (start - line), end - start);
            }
        }
        sliced
    }

    /// A map of one contiguous source range.
    pub fn contiguous(source_start: usize, len: usize) -> SourceMap {
        let mut map = SourceMap::default();
        map.push(source_start, len);
        map
    }

    /// Appends `len` bytes that come from `source_start`, after what is mapped already.
    pub fn append(&mut self, source_start: usize, len: usize) {
        self.push(source_start, len);
    }

    /// The length of the mapped text.
    pub fn mapped_len(&self) -> usize {
        self.pieces.last().map_or(0, |&(line, _, len)| line + len)
    }

    /// The source span of `start..end` in the logical line. The start maps forward past
    /// deleted text, so a word that starts a continuation line starts on that line.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let index = self.pieces.partition_point(|&(line, _, len)| line + len <= start);
        let source_start = match self.pieces.get(index) {
            Some(&(line, source, _)) if start >= line => source + (start - line),
            Some(&(_, source, _)) => source,
            None => self.to_source(start),
        };
        let source_end = if end <= start { source_start } else { self.to_source(end) };
        Span::new(source_start, source_end.max(source_start))
    }
}
