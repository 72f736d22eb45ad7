//! The line layer: BuildKit's line-oriented state machine (directives, comments,
//! continuation lines, heredoc bodies), producing the top-level nodes.

use std::collections::HashMap;

use crate::Span;
use crate::args::parse_instruction_line;
use crate::heredoc::heredocs_in_line;
use crate::lines::{
    MAX_LINE_LEN, PhysicalLine, is_blank, is_comment, leading_space_len, line_at, split_lines, strip_continuation,
};
use crate::syntax::{
    Args, Comment, Directive, Dockerfile, ErrorKind, Heredoc, Instruction, Keyword, Node, NodeKind, SourceMap,
    SyntaxError, Word,
};

/// Parses a Dockerfile. Never fails: syntax errors are returned in the tree.
pub fn parse(text: &str) -> Dockerfile {
    let (lines, bom) = split_lines(text);
    // Each node covers at least one physical line, so the vector never grows while parsing.
    let nodes = Vec::with_capacity(lines.len());
    let mut parser = Parser {
        text,
        lines,
        unsplit: None,
        line_base: 0,
        next: 0,
        escape: '\\',
        directives_done: false,
        directives: Vec::new(),
        nodes,
        errors: Vec::new(),
        comments: Vec::new(),
        segments: Vec::new(),
        terminators: None,
    };
    parser.run();

    let mut dockerfile = Dockerfile {
        nodes: parser.nodes,
        errors: parser.errors,
        escape: parser.escape,
        bom,
        directives: parser.directives,
        len: text.len(),
    };
    crate::validate::validate(&mut dockerfile);
    dockerfile
}

/// The parser state at the start of a window: a top-level node boundary of a text.
pub(crate) struct WindowStart {
    /// The byte offset of the window's first line.
    pub offset: usize,
    /// The 0-based line number of that line.
    pub line: usize,
    pub escape: char,
    pub directives_done: bool,
    pub directives: Vec<Directive>,
    /// The comment texts collected for the next instruction.
    pub comments: Vec<String>,
}

/// The result of parsing a window.
pub(crate) struct WindowOutput {
    pub nodes: Vec<Node>,
    /// The line length errors of the window's lines, then the errors of its nodes: the
    /// order in which a whole parse reports them.
    pub errors: Vec<SyntaxError>,
    pub escape: char,
    pub directives: Vec<Directive>,
}

/// Reads the top-level nodes of a text one at a time from a node boundary, with the state
/// a whole parse has there. Lines are split as they are read, so the cost depends on the
/// lines read, not on the length of the text.
pub(crate) struct WindowParser<'a> {
    parser: Parser<'a>,
}

impl<'a> WindowParser<'a> {
    pub(crate) fn new(text: &'a str, start: WindowStart) -> Self {
        let parser = Parser {
            text,
            lines: Vec::new(),
            unsplit: (start.offset < text.len()).then_some(start.offset),
            line_base: start.line,
            next: 0,
            escape: start.escape,
            directives_done: start.directives_done,
            directives: start.directives,
            nodes: Vec::new(),
            errors: Vec::new(),
            comments: start.comments,
            segments: Vec::new(),
            terminators: None,
        };
        WindowParser { parser }
    }

    /// Reads the next top-level node and returns where it ends, or `None` at the end of the
    /// text.
    pub(crate) fn read_node(&mut self) -> Option<usize> {
        if !self.parser.has_line(self.parser.next) {
            return None;
        }
        self.parser.read_line();
        self.parser.nodes.last().map(|node| node.span.end)
    }

    pub(crate) fn directives_done(&self) -> bool {
        self.parser.directives_done
    }

    /// Returns the comment texts collected for the next instruction.
    pub(crate) fn pending_comments(&self) -> &[String] {
        &self.parser.comments
    }

    /// Returns the nodes read so far, their errors, and the escape character and directives
    /// in force after them.
    pub(crate) fn finish(self) -> WindowOutput {
        let parser = self.parser;
        let read_lines = &parser.lines[..parser.next];
        let mut errors: Vec<SyntaxError> = read_lines.iter().filter_map(|&line| line_length_error(line)).collect();
        errors.extend(parser.errors);
        WindowOutput { nodes: parser.nodes, errors, escape: parser.escape, directives: parser.directives }
    }
}

struct Parser<'a> {
    text: &'a str,
    /// The physical lines split so far: all of them for a whole file, or those from the
    /// start of a window on, split as the parser reads them.
    lines: Vec<PhysicalLine>,
    /// The byte offset of the first line not yet in `lines`, or `None` once `lines`
    /// reaches the end of the text.
    unsplit: Option<usize>,
    /// The 0-based line number of `lines[0]` in the text.
    line_base: usize,
    /// The index in `lines` of the next physical line to read.
    next: usize,
    escape: char,
    directives_done: bool,
    directives: Vec<Directive>,
    nodes: Vec<Node>,
    errors: Vec<SyntaxError>,
    /// Comment texts collected for the next instruction.
    comments: Vec<String>,
    /// Scratch space for the segments of the logical line being read.
    segments: Vec<Segment>,
    /// Built on the first heredoc whose terminator is not within a few lines.
    terminators: Option<TerminatorIndex<'a>>,
}

/// The message of the error on a heredoc word without a terminator line.
pub(crate) const UNTERMINATED_HEREDOC: &str = "unterminated heredoc";

/// How many lines after a heredoc opener are scanned for its terminator before the
/// terminator index is built.
const TERMINATOR_SCAN_LINES: usize = 64;

/// The physical lines of a file (from the start of the window on, when parsing a window) by
/// their text with leading tabs removed, the form every heredoc terminator has.
struct TerminatorIndex<'a> {
    lines_by_text: HashMap<&'a str, Vec<usize>>,
}

impl<'a> TerminatorIndex<'a> {
    fn new(text: &'a str, lines: &[PhysicalLine]) -> Self {
        let mut lines_by_text: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, line) in lines.iter().enumerate() {
            let key = text[line.start..line.text_end].trim_start_matches('\t');
            lines_by_text.entry(key).or_default().push(index);
        }
        TerminatorIndex { lines_by_text }
    }

    /// The lines, in order, whose text without leading tabs is `name`.
    fn lines(&self, name: &str) -> &[usize] {
        self.lines_by_text.get(name).map_or(&[], Vec::as_slice)
    }
}

impl Parser<'_> {
    fn run(&mut self) {
        self.check_line_lengths();
        while self.next < self.lines.len() {
            self.read_line();
        }
        self.tile_first_node();
        if !self.nodes.iter().any(|node| matches!(node.kind, NodeKind::Instruction(_))) {
            let end = self.text.len();
            self.error(Span::empty(end), "file with no instructions", ErrorKind::Parse);
        }
    }

    /// Extends the first node to offset 0, so the byte order mark is part of the tree.
    fn tile_first_node(&mut self) {
        if let Some(first) = self.nodes.first_mut() {
            first.span.start = 0;
        }
    }

    /// Returns whether line `index` exists, splitting lines up to it when the parser splits
    /// them as it reads.
    fn has_line(&mut self, index: usize) -> bool {
        index < self.lines.len() || self.split_until(index)
    }

    fn split_until(&mut self, index: usize) -> bool {
        while index >= self.lines.len() {
            let Some(start) = self.unsplit else { return false };
            let line = line_at(self.text, start);
            self.lines.push(line);
            self.unsplit = (line.end < self.text.len()).then_some(line.end);
        }
        true
    }

    fn split_all(&mut self) {
        self.split_until(usize::MAX);
    }

    fn line_text(&self, index: usize) -> &str {
        let line = self.lines[index];
        &self.text[line.start..line.text_end]
    }

    fn error(&mut self, span: Span, message: impl Into<String>, kind: ErrorKind) {
        self.errors.push(SyntaxError { message: message.into(), span, kind });
    }

    /// Reports every physical line longer than BuildKit's scanner reads. Continuation lines
    /// and heredoc bodies count too, because BuildKit scans them with the same scanner.
    fn check_line_lengths(&mut self) {
        let errors = self.lines.iter().filter_map(|&line| line_length_error(line));
        self.errors.extend(errors);
    }

    fn read_line(&mut self) {
        let index = self.next;
        let line = self.lines[index];
        let raw = self.line_text(index);
        let lead = leading_space_len(raw);
        let trimmed_start = line.start + lead;
        let trimmed = &self.text[trimmed_start..line.text_end];

        if trimmed.starts_with('#') {
            let directive = self.check_directive(trimmed_start, line.text_end);
            let kind = match directive {
                Some(directive) => NodeKind::Directive(directive),
                None => {
                    let text = trimmed[1..].trim().to_string();
                    if text.is_empty() {
                        self.comments.clear();
                    } else {
                        self.comments.push(text.clone());
                    }
                    NodeKind::Comment(Comment { text, span: Span::new(trimmed_start, line.text_end) })
                }
            };
            self.push_node(Span::new(line.start, line.end), kind);
            self.next += 1;
            return;
        }

        self.directives_done = true;
        if trimmed.is_empty() {
            self.push_node(Span::new(line.start, line.end), NodeKind::Blank);
            self.next += 1;
            return;
        }
        self.read_instruction(trimmed_start);
    }

    fn push_node(&mut self, span: Span, kind: NodeKind) {
        self.nodes.push(Node { span, kind });
    }

    /// Applies BuildKit's directive rules to a comment line that starts at `start`.
    /// Returns the directive when the line is one BuildKit accepts.
    fn check_directive(&mut self, start: usize, end: usize) -> Option<Directive> {
        if self.directives_done {
            return None;
        }
        let Some(directive) = crate::directive::parse_directive(self.text, start, end) else {
            self.directives_done = true;
            return None;
        };
        if !matches!(directive.name.as_str(), "syntax" | "escape" | "check") {
            self.directives_done = true;
            return None;
        }
        if self.directives.iter().any(|seen| seen.name == directive.name) {
            let message = format!("only one {} parser directive can be used", directive.name);
            self.error(directive.span, message, ErrorKind::Parse);
            return Some(directive);
        }
        if directive.name == "escape" {
            match directive.value.as_str() {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                other => {
                    let message = format!("invalid escape token '{other}' does not match ` or \\");
                    self.error(directive.value_span, message, ErrorKind::Parse);
                }
            }
        }
        self.directives.push(directive.clone());
        Some(directive)
    }

    /// Reads one instruction: its first line (which starts at `first_start`), continuation
    /// lines, and heredoc bodies.
    fn read_instruction(&mut self, first_start: usize) {
        let first_index = self.next;
        let node_start = self.lines[first_index].start;
        let first = self.lines[first_index];

        // Find the segments first, so that the logical line's buffers are allocated once
        // at their final size.
        let mut segments = std::mem::take(&mut self.segments);
        segments.clear();
        let mut inner_comments = Vec::new();
        let mut empty_lines = Vec::new();
        let mut continues = push_segment(&mut segments, self.text, first_start, first.text_end, self.escape);
        self.next += 1;

        while continues && self.has_line(self.next) {
            let line = self.lines[self.next];
            let raw = self.line_text(self.next);
            if is_comment(raw) {
                let lead = leading_space_len(raw);
                inner_comments.push(Span::new(line.start + lead, line.text_end));
            } else if is_blank(raw) {
                empty_lines.push(Span::new(line.start, line.text_end));
            } else {
                continues = push_segment(&mut segments, self.text, line.start, line.text_end, self.escape);
            }
            self.next += 1;
        }

        let logical = LogicalLine::from_segments(self.text, &segments, inner_comments, empty_lines);
        self.segments = segments;
        let comments = std::mem::take(&mut self.comments);
        let (mut instruction, errors) = parse_instruction_line(logical.text, logical.map, self.escape);
        self.errors.extend(errors);

        instruction.inner_comments = logical.inner_comments;
        instruction.empty_continuation_lines = logical.empty_lines;
        instruction.physical_lines = logical.physical_lines;
        instruction.prev_comments = comments;
        instruction.start_line = (self.line_base + first_index) as u32 + 1;

        if takes_heredocs(&instruction) {
            self.read_heredoc_bodies(&mut instruction);
        }

        instruction.end_line = (self.line_base + self.next) as u32;
        let end = self.lines[self.next - 1].end;
        instruction.span = Span::new(node_start, end);
        self.push_node(Span::new(node_start, end), NodeKind::Instruction(Box::new(instruction)));
    }

    fn read_heredoc_bodies(&mut self, instruction: &mut Instruction) {
        for word in heredocs_in_line(&instruction.line) {
            let word_span = instruction.line_map.span(word.start, word.end);
            let word_text = instruction.line[word.start..word.end].to_string();
            let body_start = if self.has_line(self.next) { self.lines[self.next].start } else { self.text.len() };

            let terminator = self.find_terminator(&word.name, word.chomp, self.next);
            let terminator_span = terminator.map(|index| {
                let line = self.lines[index];
                Span::new(line.start, line.text_end)
            });

            let body_end_index = match terminator {
                Some(index) => index,
                None => {
                    self.error(word_span, UNTERMINATED_HEREDOC, ErrorKind::Parse);
                    self.recovery_end(self.next)
                }
            };
            let body_end = if body_end_index > self.next { self.lines[body_end_index - 1].end } else { body_start };
            let body_span = Span::new(body_start, body_end);
            self.next = if terminator_span.is_some() { body_end_index + 1 } else { body_end_index };

            instruction.heredocs.push(Heredoc {
                name: word.name,
                word: Word { value: word_text, span: word_span },
                fd: word.fd,
                chomp: word.chomp,
                expand: word.expand,
                content: body_span.text(self.text).to_string(),
                content_span: body_span,
                terminator_span,
            });
            if terminator_span.is_none() {
                break;
            }
        }
    }

    /// Finds the first line from `from` on that terminates a heredoc named `name`: the line
    /// equals the name, after its leading tabs are removed when `chomp` (`<<-`) is set.
    fn find_terminator(&mut self, name: &str, chomp: bool, from: usize) -> Option<usize> {
        // Most bodies are short, so a few lines are scanned before the index is built. The
        // index keeps a file of many unterminated heredocs linear.
        // A window parser splits lines as it reads, so the scanned lines are split first.
        self.has_line(from + TERMINATOR_SCAN_LINES - 1);
        let scan_end = (from + TERMINATOR_SCAN_LINES).min(self.lines.len());
        if let Some(index) = (from..scan_end).find(|&index| self.is_terminator(index, name, chomp)) {
            return Some(index);
        }
        if !self.has_line(scan_end) {
            return None;
        }
        if self.terminators.is_none() {
            self.split_all();
            self.terminators = Some(TerminatorIndex::new(self.text, &self.lines));
        }
        let candidates = self.terminators.as_ref().map_or(&[][..], |terminators| terminators.lines(name));
        let first = candidates.partition_point(|&index| index < scan_end);
        candidates[first..].iter().copied().find(|&index| self.is_terminator(index, name, chomp))
    }

    fn is_terminator(&self, index: usize, name: &str, chomp: bool) -> bool {
        let text = self.line_text(index);
        let text = if chomp { text.trim_start_matches('\t') } else { text };
        text == name
    }

    /// Returns the line index where an unterminated heredoc's body ends, for error recovery.
    /// BuildKit reads to the end of the file. ballast stops before the first line that starts
    /// with an instruction keyword in upper case, so the instructions after a half-typed
    /// heredoc still parse.
    fn recovery_end(&mut self, from: usize) -> usize {
        let mut index = from;
        while self.has_line(index) && !looks_like_instruction(self.line_text(index)) {
            index += 1;
        }
        index
    }
}

/// Returns BuildKit's error for a physical line longer than its scanner reads.
fn line_length_error(line: PhysicalLine) -> Option<SyntaxError> {
    (line.end - line.start > MAX_LINE_LEN + 1).then(|| SyntaxError {
        message: format!("dockerfile line greater than max allowed size of {MAX_LINE_LEN}"),
        span: Span::new(line.start, line.text_end),
        kind: ErrorKind::Parse,
    })
}

fn looks_like_instruction(line: &str) -> bool {
    let word = line.split(|c: char| c == ' ' || c == '\t').next().unwrap_or("");
    word.len() > 1
        && word.bytes().all(|b| b.is_ascii_uppercase())
        && Keyword::parse(word) != Keyword::Unknown
        && (line.len() > word.len() || word == "ONBUILD")
}

/// Returns whether BuildKit reads heredoc bodies after this instruction: RUN, COPY and ADD
/// (also as an ONBUILD trigger) in shell form.
fn takes_heredocs(instruction: &Instruction) -> bool {
    let target = match &instruction.args {
        Args::Onbuild { trigger: Some(trigger) } => trigger.as_ref(),
        _ => instruction,
    };
    target.keyword.accepts_heredocs() && !target.is_exec_form()
}

/// One physical line of a logical line: `start..end` in the source, of which the first
/// `kept` bytes remain once the continuation marker is removed.
#[derive(Clone, Copy)]
struct Segment {
    start: usize,
    end: usize,
    kept: usize,
}

/// Records the physical line `start..end` as a segment; returns whether the line continues.
fn push_segment(segments: &mut Vec<Segment>, text: &str, start: usize, end: usize, escape: char) -> bool {
    let (kept, continues) = strip_continuation(&text[start..end], escape);
    segments.push(Segment { start, end, kept });
    continues
}

/// A logical line assembled from physical lines.
struct LogicalLine {
    text: String,
    map: SourceMap,
    inner_comments: Vec<Span>,
    empty_lines: Vec<Span>,
    physical_lines: Vec<Span>,
}

impl LogicalLine {
    /// Joins the segments without their continuation markers.
    fn from_segments(text: &str, segments: &[Segment], inner_comments: Vec<Span>, empty_lines: Vec<Span>) -> Self {
        let len = segments.iter().map(|segment| segment.kept).sum();
        let mut line = String::with_capacity(len);
        let mut map = SourceMap::default();
        let mut physical_lines = Vec::with_capacity(segments.len());
        for segment in segments {
            line.push_str(&text[segment.start..segment.start + segment.kept]);
            map.push(segment.start, segment.kept);
            physical_lines.push(Span::new(segment.start, segment.end));
        }
        LogicalLine { text: line, map, inner_comments, empty_lines, physical_lines }
    }
}
