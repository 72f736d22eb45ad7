//! Output formats for lint findings. No other module writes them.

mod checkstyle;
mod codeclimate;
mod github;
mod gnu;
mod json;
mod sarif;
mod tty;

use std::io::{self, Write};

use ballast_analyzer::Diagnostic;
use ballast_parser::{LineIndex, Span};
use clap::ValueEnum;

/// The output formats of `ballast lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Each finding with its source line and a caret under the exact range.
    Tty,
    /// One JSON array of findings with hadolint's field names.
    Json,
    /// SARIF 2.1.0, with rule metadata and fixes, for code-scanning services.
    Sarif,
    /// Checkstyle XML, for CI servers that read it.
    Checkstyle,
    /// GitLab Code Quality: a JSON array with a fingerprint per finding.
    #[value(alias = "gitlab_codeclimate", alias = "gitlab-codeclimate")]
    Gitlab,
    /// Code Climate engine issues, each followed by a NUL byte.
    Codeclimate,
    /// `ballast:FILE:LINE:COLUMN: CODE SEVERITY: MESSAGE`, one line a finding.
    Gnu,
    /// GitHub Actions workflow commands that annotate the lines of a pull request.
    Github,
}

/// The findings of one file with what is needed to locate them.
pub struct FileReport {
    /// The file name as shown in the output.
    pub path: String,
    pub source: String,
    pub lines: LineIndex,
    pub diagnostics: Vec<Diagnostic>,
    /// The last two offsets whose columns were counted. Findings come in order of position,
    /// so each column is counted from the nearer of these on its line instead of from the
    /// line's start, and a long line with many findings is scanned about once.
    anchors: std::cell::Cell<[Option<Anchor>; 2]>,
}

/// An offset and its 0-based line and columns, in characters and in UTF-16 code units.
#[derive(Clone, Copy, Debug)]
struct Anchor {
    line: u32,
    offset: usize,
    chars: usize,
    utf16: usize,
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// The start and end of a span, with columns in characters and in UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsideRange {
    pub start: Position,
    pub end: Position,
    pub start_utf16: Position,
    pub end_utf16: Position,
}

impl FileReport {
    pub fn new(path: String, source: String, diagnostics: Vec<Diagnostic>) -> FileReport {
        let lines = LineIndex::skipping_bom(&source);
        FileReport {
            path,
            source,
            lines,
            diagnostics,
            anchors: std::cell::Cell::new([None, None]),
        }
    }

    /// Returns the position of `offset`, the column counted in characters. A finding's own
    /// span comes through here, in the order of findings. Other spans go through
    /// [`Self::range_aside`].
    pub fn position(&self, offset: usize) -> Position {
        let anchor = self.anchor(offset, None, true);
        Position {
            line: anchor.line + 1,
            column: anchor.chars as u32 + 1,
        }
    }

    /// Returns the position of `offset`, the column counted in UTF-16 code units (SARIF's default).
    pub fn position_utf16(&self, offset: usize) -> Position {
        let anchor = self.anchor(offset, None, true);
        Position {
            line: anchor.line + 1,
            column: anchor.utf16 as u32 + 1,
        }
    }

    /// Returns the start and end of a span that is not a finding's own, such as a related
    /// location or a fix edit, in characters and in UTF-16 code units. They are counted from
    /// the remembered positions without replacing them, so the next finding's start is
    /// still counted from the last one's.
    pub fn range_aside(&self, span: Span) -> AsideRange {
        let start = self.anchor(span.start, None, false);
        let end = self.anchor(span.end, Some(start), false);
        let position = |anchor: Anchor, column: usize| Position {
            line: anchor.line + 1,
            column: column as u32 + 1,
        };
        AsideRange {
            start: position(start, start.chars),
            end: position(end, end.chars),
            start_utf16: position(start, start.utf16),
            end_utf16: position(end, end.utf16),
        }
    }

    /// Counts the columns of `offset`, moved back to a character boundary and to column 0 when
    /// it is inside a byte order mark, from the nearest of the remembered positions and
    /// `extra` before it on its line. With `remember`, the result replaces the older
    /// remembered position.
    fn anchor(&self, offset: usize, extra: Option<Anchor>, remember: bool) -> Anchor {
        let offset = offset.min(self.source.len());
        let line = self.lines.line_of(offset);
        let start = self.lines.column_start(line).unwrap_or(0);
        let offset = floor_char_boundary(&self.source, offset.max(start));
        let [newer, older] = self.anchors.get();
        let base = [newer, older, extra]
            .into_iter()
            .flatten()
            .filter(|anchor| anchor.line == line && (start..=offset).contains(&anchor.offset))
            .max_by_key(|anchor| anchor.offset)
            .unwrap_or(Anchor {
                line,
                offset: start,
                chars: 0,
                utf16: 0,
            });
        let text = &self.source[base.offset..offset];
        let (chars, utf16) = if text.is_ascii() {
            (text.len(), text.len())
        } else {
            (text.chars().count(), ballast_parser::utf16_len(text))
        };
        let anchor = Anchor {
            line,
            offset,
            chars: base.chars + chars,
            utf16: base.utf16 + utf16,
        };
        if remember {
            self.anchors.set([Some(anchor), newer]);
        }
        anchor
    }

    /// Returns the start and end of a span. The end is the position just after the range.
    pub fn range(&self, span: Span) -> (Position, Position) {
        (self.position(span.start), self.position(span.end))
    }

    /// Returns the text of the line that contains `offset`, without its line terminator or
    /// a byte order mark.
    pub fn line_text(&self, offset: usize) -> &str {
        let line = self.lines.line_of(offset);
        let span = self.lines.line_span(line).unwrap_or_default();
        let start = self.lines.column_start(line).unwrap_or(span.start);
        self.source[start..span.end].trim_end_matches(['\n', '\r'])
    }
}

/// Returns `text` with every terminal control character and invisible format character
/// written as an escape (`\x1b`, `\u{9b}`, `\u{202e}`). A Dockerfile or file name then cannot
/// move the cursor, recolour or retitle the terminal that shows a finding. Nor can it reorder
/// or hide the text around it. Tab and line feed stay as they are.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let escaped = |ch: char| is_terminal_control(ch) || is_invisible_format(ch);
    if !text.chars().any(escaped) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            ch if escaped(ch) && (ch as u32) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", ch as u32));
            }
            ch if escaped(ch) => out.push_str(&format!("\\u{{{:x}}}", ch as u32)),
            ch => out.push(ch),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Returns `text` as [`escape_controls`] does, with line feeds also written as `\n`. File
/// names and one-line messages use it, because a name with a line feed could otherwise
/// print a line that reads as a finding of its own.
pub fn escape_line(text: &str) -> std::borrow::Cow<'_, str> {
    let escaped = escape_controls(text);
    if !escaped.contains('\n') {
        return escaped;
    }
    std::borrow::Cow::Owned(escaped.replace('\n', "\\n"))
}

/// Returns `source` with each terminal control character and bidirectional control replaced
/// by characters of the same length in bytes (`?` for one byte, `¿` for two, `\u{fffd}` for
/// three), so spans into the source stay valid for the caret display. A carriage return
/// before a line feed stays.
pub fn mask_controls(source: &str) -> std::borrow::Cow<'_, str> {
    let bare_return = |index: usize| source.as_bytes().get(index + 1) != Some(&b'\n');
    let masked_char = |ch: char| is_terminal_control(ch) || is_bidi_control(ch);
    let needs_mask = source
        .char_indices()
        .any(|(index, ch)| masked_char(ch) && (ch != '\r' || bare_return(index)));
    if !needs_mask {
        return std::borrow::Cow::Borrowed(source);
    }
    let mut masked = String::with_capacity(source.len());
    for (index, ch) in source.char_indices() {
        match ch {
            '\r' if !bare_return(index) => masked.push(ch),
            ch if masked_char(ch) => masked.push(match ch.len_utf8() {
                1 => '?',
                2 => '¿',
                _ => char::REPLACEMENT_CHARACTER,
            }),
            ch => masked.push(ch),
        }
    }
    std::borrow::Cow::Owned(masked)
}

/// Returns whether `ch` reorders the text around it on a terminal: the bidirectional
/// embeddings, overrides, isolates and marks. All are two or three bytes in UTF-8.
fn is_bidi_control(ch: char) -> bool {
    matches!(
        ch,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Returns whether a terminal acts on `ch` instead of printing it: C0 controls other than
/// tab and line feed, DEL, and the C1 controls (U+0080 to U+009F).
fn is_terminal_control(ch: char) -> bool {
    matches!(ch, '\0'..='\x08' | '\x0b'..='\x1f' | '\x7f' | '\u{80}'..='\u{9f}')
}

/// Returns whether `ch` is a format character that a terminal does not show but that changes
/// how the text around it reads. The bidirectional controls reorder the characters after
/// them. The other format characters (Unicode category Cf) and the line and paragraph
/// separators hide text or split a name where nothing shows. The zero width joiner and
/// non-joiner are not included, because emoji sequences and several scripts need them.
fn is_invisible_format(ch: char) -> bool {
    matches!(
        ch,
        '\u{ad}'
            | '\u{61c}'
            | '\u{600}'..='\u{605}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'
            | '\u{200e}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// How to print.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    pub color: bool,
}

/// Writes the findings of every file in `format`.
pub fn render(
    format: Format,
    reports: &[FileReport],
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Tty => tty::render(reports, options.color, out),
        Format::Json => json::render(reports, out),
        Format::Sarif => sarif::render(reports, out),
        Format::Checkstyle => checkstyle::render(reports, out),
        Format::Gitlab => codeclimate::render_gitlab(reports, out),
        Format::Codeclimate => codeclimate::render_codeclimate(reports, out),
        Format::Gnu => gnu::render(reports, out),
        Format::Github => github::render(reports, out),
    }
}

#[cfg(test)]
mod tests {
    use super::{FileReport, escape_controls, escape_line, mask_controls};
    use ballast_parser::Span;

    /// Columns counted from remembered offsets equal columns counted character by character,
    /// on ASCII lines, lines with CJK and emoji, and after a byte order mark. The offsets
    /// come in increasing and decreasing order, and as the starts and ends of overlapping
    /// spans sorted by start, the order of findings.
    #[test]
    fn positions_match_counted_columns() {
        let source = "\u{feff}FROM a\nRUN echo 说明 😀 done\nRUN ascii only\r\nENV X=1";
        let report = FileReport::new("Dockerfile".into(), source.into(), Vec::new());
        let expected = |offset: usize| -> (u32, u32, u32) {
            let before = &source[..offset];
            let line_start = before.rfind('\n').map_or(0, |index| index + 1);
            let text = before[line_start..].trim_start_matches('\u{feff}');
            let line = before.matches('\n').count() as u32 + 1;
            let chars = text.chars().count() as u32 + 1;
            let units = text.encode_utf16().count() as u32 + 1;
            (line, chars, units)
        };
        let offsets: Vec<usize> = (0..=source.len())
            .filter(|&offset| source.is_char_boundary(offset) && offset >= 3)
            .collect();
        let mut span_ends = Vec::new();
        for (index, &start) in offsets.iter().enumerate() {
            for &end in &offsets[index..] {
                span_ends.extend([start, end]);
            }
        }
        let reversed = offsets.iter().rev().copied().collect();
        for pass in [offsets.clone(), reversed, span_ends] {
            for offset in pass {
                let (line, chars, units) = expected(offset);
                let position = report.position(offset);
                assert_eq!((position.line, position.column), (line, chars), "offset {offset}");
                let position = report.position_utf16(offset);
                assert_eq!((position.line, position.column), (line, units), "offset {offset}");
            }
        }

        // Between findings come the spans of labels and fixes, anywhere in the file.
        for (index, &start) in offsets.iter().enumerate() {
            let (line, chars, _) = expected(start);
            let position = report.position(start);
            assert_eq!((position.line, position.column), (line, chars), "start {start}");
            for &aside_start in &offsets {
                let aside_end = offsets[(index + 3).min(offsets.len() - 1)].max(aside_start);
                let range = report.range_aside(Span::new(aside_start, aside_end));
                for (position, offset, unit) in [
                    (range.start, aside_start, 1),
                    (range.end, aside_end, 1),
                    (range.start_utf16, aside_start, 2),
                    (range.end_utf16, aside_end, 2),
                ] {
                    let (line, chars, units) = expected(offset);
                    let column = if unit == 1 { chars } else { units };
                    assert_eq!((position.line, position.column), (line, column), "aside {offset}");
                }
            }
        }
    }

    #[test]
    fn masking_keeps_byte_offsets() {
        let source = "RUN a\u{1b}[2J\u{9b}b\r\nRUN c\rd\n";
        let masked = mask_controls(source);
        assert_eq!(masked.len(), source.len());
        assert_eq!(masked, "RUN a?[2J¿b\r\nRUN c?d\n");
    }

    /// A right-to-left override in a quoted source line would reorder what the caret points
    /// at, so it is masked like a control character, keeping the byte offsets.
    #[test]
    fn masking_covers_bidi_controls() {
        let source = "RUN echo \u{202e}gpj.exe \u{61c}x\n";
        let masked = mask_controls(source);
        assert_eq!(masked.len(), source.len());
        assert_eq!(masked, "RUN echo \u{fffd}gpj.exe ¿x\n");
        assert!(matches!(mask_controls("RUN echo 日本 🙂\n"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn escaping_names_each_control() {
        assert_eq!(escape_controls("a\u{1b}]0;t\u{7}\u{9b}"), "a\\x1b]0;t\\x07\\u{9b}");
        assert_eq!(escape_controls("tab\tand\nline"), "tab\tand\nline");
        assert_eq!(escape_line("a\nb\rc\u{1b}d\te"), "a\\nb\\x0dc\\x1bd\te");
        assert_eq!(escape_line("plain name"), "plain name");
    }

    /// A right-to-left override would show `/a/\u{202e}txt.exe` as `/a/exe.txt`; every
    /// bidirectional control and invisible format character is written out instead.
    #[test]
    fn escaping_names_bidi_and_invisible_characters() {
        assert_eq!(escape_line("/a/\u{202e}txt.exe"), "/a/\\u{202e}txt.exe");
        for ch in ['\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200e}', '\u{200f}']
            .into_iter()
            .chain(['\u{61c}', '\u{200b}', '\u{2060}', '\u{feff}', '\u{e0041}', '\u{2028}'])
        {
            assert_eq!(escape_controls(&format!("a{ch}b")), format!("a\\u{{{:x}}}b", ch as u32));
        }
        // Letters of every script, emoji sequences and combining marks stay as they are.
        let arabic = "\u{627}\u{644}\u{639}\u{631}\u{628}\u{64a}\u{629}";
        for text in ["说明 😀 done", "👩\u{200d}💻", arabic, "e\u{301}"] {
            assert_eq!(escape_controls(text), text);
        }
    }
}
