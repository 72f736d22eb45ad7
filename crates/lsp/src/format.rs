//! The Dockerfile formatter behind `textDocument/formatting` and `ballast fmt`. It works on
//! byte offsets and does not depend on the protocol.
//!
//! What it changes, and only where the meaning stays the same:
//! - instruction keywords in upper case, with no indentation before them and one space
//!   after them (also the trigger keyword of ONBUILD);
//! - continuation lines that start in column 0 get one indent unit in instructions where
//!   blanks only separate words: RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, FROM, COPY, ADD,
//!   EXPOSE and VOLUME, also as ONBUILD triggers. BuildKit joins continuation lines as
//!   written, so the blanks would change an ENV, LABEL or ARG value (`ENV PKGS curl \`
//!   then `git`) or the single string of WORKDIR, USER, MAINTAINER or STOPSIGNAL. Those
//!   lines, and those of unknown instructions, stay as written. A line also stays when the
//!   line with content before it ends inside a quoted string or a `${…}` expansion, or
//!   splits a word (`ins\` then `tall`). Lines that hold only the continuation marker
//!   join as nothing, so they do not end a word;
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

    let indents = blanks_separate_words(instruction);
    // BuildKit uses the file's escape character in these instructions only to join lines.
    // The shell, or the JSON parser for exec form, reads the joined text with a backslash
    // as its escape, so a backslash decides whether a quote opens.
    let quote_escape = if read_by_shell_or_json(instruction) {
        '\\'
    } else {
        escape
    };
    let shell_code = read_by_shell_or_json(instruction)
        && !run_by_onbuild_or_self(instruction).is_exec_form();
    let mut quoting = Quoting::default();
    let mut in_word = false;
    for (number, line) in instruction.physical_lines.iter().enumerate() {
        let content = line.text(text);
        let starts_flush = content.starts_with(|c: char| !c.is_whitespace());
        if number > 0 && indents && starts_flush && !quoting.is_open() && !in_word {
            insert(edits, line.start, &options.indent);
        }
        quoting = quoting.after(content, quote_escape, shell_code);
        if let Some(ends_in_word) = ends_in_word(content, escape) {
            in_word = ends_in_word;
        }
        delete(edits, trailing_blanks(text, *line));
    }
}

/// Returns whether a run of blanks between words means the same as one blank in this
/// instruction or its ONBUILD trigger: in shell commands, JSON arrays and the lists
/// BuildKit splits at blanks. Everywhere else the blanks are part of a value.
fn blanks_separate_words(instruction: &Instruction) -> bool {
    matches!(
        run_by_onbuild_or_self(instruction).keyword,
        Keyword::Run
            | Keyword::Cmd
            | Keyword::Entrypoint
            | Keyword::Shell
            | Keyword::Healthcheck
            | Keyword::From
            | Keyword::Copy
            | Keyword::Add
            | Keyword::Expose
            | Keyword::Volume
    )
}

/// Returns whether the text of this instruction or its ONBUILD trigger goes to a shell or
/// is a JSON array: RUN, CMD, ENTRYPOINT, HEALTHCHECK and SHELL.
fn read_by_shell_or_json(instruction: &Instruction) -> bool {
    matches!(
        run_by_onbuild_or_self(instruction).keyword,
        Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Healthcheck | Keyword::Shell
    )
}

/// Returns the trigger of an ONBUILD instruction, whose text is the one that runs, and any
/// other instruction itself.
fn run_by_onbuild_or_self(instruction: &Instruction) -> &Instruction {
    match &instruction.args {
        Args::Onbuild {
            trigger: Some(trigger),
        } => run_by_onbuild_or_self(trigger),
        _ => instruction,
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

/// The quotes, `${…}` parameter expansions and, in shell code, `$(…)` command substitutions
/// and `$'…'` strings that a line leaves open at its end, innermost last. The shell keeps
/// blanks inside any of them as part of the word (`B=${A:-x y}`, `"$(echo "a b")"`).
#[derive(Clone, Debug, Default)]
struct Quoting {
    open: Vec<Open>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    Single,
    Double,
    /// `$'…'`, where a backslash escapes the next character, a quote included.
    AnsiC,
    Substitution,
    Braces,
}

impl Quoting {
    fn is_open(&self) -> bool {
        !self.open.is_empty()
    }

    /// Returns the quoting after `line`. Inside double quotes the escape character escapes
    /// the next character, and single quotes take every character literally. `shell` is
    /// true for shell code, where `$(…)` and `$'…'` open too and quotes nest inside `$(…)`.
    fn after(mut self, line: &str, escape: char, shell: bool) -> Quoting {
        let mut chars = line.chars().peekable();
        while let Some(ch) = chars.next() {
            let top = self.open.last().copied();
            let next = chars.peek().copied();
            match top {
                Some(Open::Single) => {
                    if ch == '\'' {
                        self.open.pop();
                    }
                }
                Some(Open::AnsiC) => match ch {
                    '\\' => {
                        chars.next();
                    }
                    '\'' => {
                        self.open.pop();
                    }
                    _ => {}
                },
                Some(Open::Double) => match ch {
                    '"' => {
                        self.open.pop();
                    }
                    _ if ch == escape => {
                        chars.next();
                    }
                    '$' if shell && next == Some('(') => {
                        chars.next();
                        self.open.push(Open::Substitution);
                    }
                    '$' if next == Some('{') => {
                        chars.next();
                        self.open.push(Open::Braces);
                    }
                    _ => {}
                },
                None | Some(Open::Substitution | Open::Braces) => match ch {
                    '"' => self.open.push(Open::Double),
                    '\'' => self.open.push(Open::Single),
                    _ if ch == escape => {
                        chars.next();
                    }
                    '$' if shell && next == Some('\'') => {
                        chars.next();
                        self.open.push(Open::AnsiC);
                    }
                    '$' if shell && next == Some('(') => {
                        chars.next();
                        self.open.push(Open::Substitution);
                    }
                    '$' if next == Some('{') => {
                        chars.next();
                        self.open.push(Open::Braces);
                    }
                    ')' if top == Some(Open::Substitution) => {
                        self.open.pop();
                    }
                    '}' if top == Some(Open::Braces) => {
                        self.open.pop();
                    }
                    _ => {}
                },
            }
        }
        self
    }
}

/// Returns whether a continued line ends inside a word that goes on at the start of the
/// next line with content. That is the case when the continuation marker follows a
/// character other than a blank, or a blank escaped with a backslash or the escape
/// character. Returns `None` for the last line and for a line that holds only the marker,
/// which BuildKit joins as nothing.
fn ends_in_word(line: &str, escape: char) -> Option<bool> {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let before = trimmed.strip_suffix(escape)?;
    let last = before.chars().next_back()?;
    if !last.is_whitespace() {
        return Some(true);
    }
    let escapes = before[..before.len() - last.len_utf8()]
        .chars()
        .rev()
        .take_while(|&c| c == '\\' || c == escape)
        .count();
    Some(escapes % 2 == 1)
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
    fn split_word_across_marker_lines() {
        // BuildKit joins `hello`, the line holding only the marker and `world` into one
        // word. It drops comment and blank lines inside the continuation.
        for text in [
            "FROM a\nENV E=hello\\\n\\\nworld\n",
            "FROM a\nRUN echo hello\\\n\\\nworld\n",
            "FROM a\nRUN echo hello\\\n  \n# note\n\nworld\n",
            "FROM a\nRUN echo hello\\\n# note\n\\\nworld\n",
            "FROM a\r\nRUN echo hello\\\r\n\\\r\nworld\r\n",
            "# escape=`\nFROM a\nRUN echo hello`\n`\nworld\n",
        ] {
            assert_eq!(formatted(text), text, "{text:?}");
        }
    }

    #[test]
    fn backtick_escape_shell_quotes() {
        // The shell reads `\"` as a literal quote, so the next line is outside quotes and
        // gets the continuation indent.
        assert_eq!(
            formatted("# escape=`\nFROM a\nRUN echo \\\"a `\nb\n"),
            "# escape=`\nFROM a\nRUN echo \\\"a `\n    b\n"
        );
        // BuildKit reads COPY's words with the backtick as the escape, so there the quote
        // after a backslash opens, and the next line stays as it is.
        let copy = "# escape=`\nFROM a\nCOPY \\\"x `\ny\" /z\n";
        assert_eq!(formatted(copy), copy);
    }

    #[test]
    fn nested_and_ansi_c_quotes_stay_open() {
        for text in [
            "FROM a\nRUN echo \"$(echo \"a \\\nb\")\"\n",
            "FROM a\nRUN echo \"${A:-$(echo \"}\") x} \\\ny\"\n",
        ] {
            assert_eq!(formatted(text), text, "{text:?}");
        }
        // `\'` does not end a `$'…'` string, so `b'` stays as it is; the string ends there,
        // and `c` is a word of its own.
        assert_eq!(
            formatted("FROM a\nRUN echo $'a\\' \\\nb' \\\nc\n"),
            "FROM a\nRUN echo $'a\\' \\\nb' \\\n    c\n"
        );
        // A closed substitution leaves the next line outside quotes.
        assert_eq!(
            formatted("FROM a\nRUN echo \"$(date)\" \\\nok\n"),
            "FROM a\nRUN echo \"$(date)\" \\\n    ok\n"
        );
    }

    #[test]
    fn escaped_blank_continues_word() {
        let text = "FROM a\nRUN echo foo\\ \\\nbar\n";
        assert_eq!(formatted(text), text);
    }

    #[test]
    fn blank_before_marker_ends_word() {
        assert_eq!(
            formatted("FROM a\nRUN echo a \\\n\\\nb \\\n  \\\nc\n"),
            "FROM a\nRUN echo a \\\n    \\\n    b \\\n  \\\n    c\n"
        );
    }

    #[test]
    fn values_keep_their_continuation_lines() {
        for text in [
            "FROM a\nENV PKGS curl \\\ngit\n",
            "FROM a\nENV A=1 \\\nB=2\n",
            "FROM a\nLABEL a=\"x \\\ny\" \\\nb=2\n",
            "FROM a\nARG A=1 \\\nB=2\n",
            "FROM a\nWORKDIR /my \\\ndir\n",
            "FROM a\nUSER app \\\n:app\n",
            "FROM a\nONBUILD ENV PKGS curl \\\ngit\n",
        ] {
            assert_eq!(formatted(text), text, "{text:?}");
        }
        assert_eq!(
            formatted("FROM a\nonbuild run echo a \\\nb\ncopy a \\\nb\n"),
            "FROM a\nONBUILD RUN echo a \\\n    b\nCOPY a \\\n    b\n"
        );
    }

    #[test]
    fn parameter_expansion_keeps_blanks() {
        let text = "FROM a\nRUN B=${A:-x \\\ny} && echo \"$B\" \\\n&& true\n";
        assert_eq!(
            formatted(text),
            "FROM a\nRUN B=${A:-x \\\ny} && echo \"$B\" \\\n    && true\n"
        );
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
