//! Byte ranges into the parsed text and their conversion to lines and columns.

use serde::Serialize;

/// A half-open byte range `start..end` into the text that was parsed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// The smallest span that covers both `self` and `other`.
    pub fn cover(&self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Shifts both ends by `offset`, for spans computed on a slice that starts at `offset`.
    pub fn shift(&self, offset: usize) -> Span {
        Span::new(self.start + offset, self.end + offset)
    }

    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.start..self.end]
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(range: std::ops::Range<usize>) -> Self {
        Span::new(range.start, range.end)
    }
}

/// A zero-based line and column. The column unit depends on the conversion used:
/// UTF-8 bytes or UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Maps byte offsets to lines and columns and back.
///
/// A line ends after each `\n`, so a `\r` before it belongs to the line it ends.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
    /// The length in bytes of a byte order mark that columns on the first line skip: 3 or 0.
    skipped_bom: usize,
}

impl LineIndex {
    /// Builds an index that counts every character as a column, a byte order mark included.
    /// The language server uses it: positions count what the editor's buffer holds.
    pub fn new(text: &str) -> Self {
        // The server builds the index again after every edit, and memchr finds the line
        // breaks many bytes at a time.
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1));
        LineIndex { line_starts, len: text.len(), skipped_bom: 0 }
    }

    /// Builds an index for a file read from disk, whose first-line columns start after a
    /// UTF-8 byte order mark. Editors hide the mark, and BuildKit strips it before parsing,
    /// so it is not a column. Offsets inside the mark map to column 0.
    pub fn skipping_bom(text: &str) -> Self {
        let mut index = LineIndex::new(text);
        if text.starts_with('\u{feff}') {
            index.skipped_bom = '\u{feff}'.len_utf8();
        }
        index
    }

    /// The number of lines; a text ending in `\n` has an empty last line.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The zero-based line that contains `offset`; offsets past the end map to the last line.
    pub fn line_of(&self, offset: usize) -> u32 {
        let offset = offset.min(self.len);
        (self.line_starts.partition_point(|&start| start <= offset) - 1) as u32
    }

    /// The byte offset where zero-based `line` starts, or `None` past the last line.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.line_starts.get(line as usize).copied()
    }

    /// The byte range of zero-based `line`, including its line terminator and, on the first
    /// line, a byte order mark.
    pub fn line_span(&self, line: u32) -> Option<Span> {
        let start = self.line_start(line)?;
        let end = self.line_start(line + 1).unwrap_or(self.len);
        Some(Span::new(start, end))
    }

    /// Returns the byte offset of column 0 of zero-based `line`: its start, or the end of the
    /// byte order mark on the first line of an index built by [`LineIndex::skipping_bom`].
    pub fn column_start(&self, line: u32) -> Option<usize> {
        let start = self.line_start(line)?;
        Some(if line == 0 { start.max(self.skipped_bom.min(self.len)) } else { start })
    }

    /// Line and column of `offset`, the column counted in UTF-8 bytes.
    pub fn utf8(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.column_start(line).unwrap_or(0);
        LineCol { line, col: offset.saturating_sub(start) as u32 }
    }

    /// Line and column of `offset`, the column counted in UTF-16 code units.
    /// An offset inside a multi-byte character counts as the start of that character.
    pub fn utf16(&self, text: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(self.len));
        let line = self.line_of(offset);
        let start = self.column_start(line).unwrap_or(0).min(offset);
        LineCol { line, col: utf16_len(&text[start..offset]) as u32 }
    }

    /// The byte offset of a line and UTF-8 column, clamped to the end of that line.
    pub fn offset_utf8(&self, text: &str, position: LineCol) -> usize {
        let Some(span) = self.columns_span(position.line) else { return self.len };
        let line = trim_line_end(&text[span.start..span.end]);
        let col = (position.col as usize).min(line.len());
        span.start + floor_char_boundary(line, col)
    }

    /// The byte offset of a line and UTF-16 column, clamped to the end of that line.
    /// A column inside a surrogate pair maps to the start of that character.
    pub fn offset_utf16(&self, text: &str, position: LineCol) -> usize {
        let Some(span) = self.columns_span(position.line) else { return self.len };
        let line = trim_line_end(&text[span.start..span.end]);
        let mut units = 0usize;
        for (byte, ch) in line.char_indices() {
            if units + ch.len_utf16() > position.col as usize {
                return span.start + byte;
            }
            units += ch.len_utf16();
        }
        span.start + line.len()
    }

    /// Returns the byte range of `line` from its column 0 to the end of its line terminator.
    fn columns_span(&self, line: u32) -> Option<Span> {
        let span = self.line_span(line)?;
        Some(Span::new(self.column_start(line)?, span.end))
    }
}

fn trim_line_end(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Returns the length of `text` in UTF-16 code units. ASCII text, the common case in
/// Dockerfiles, is measured without decoding it.
pub fn utf16_len(text: &str) -> usize {
    if text.is_ascii() {
        return text.len();
    }
    text.chars().map(char::len_utf16).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let text = "FROM a\n# 中文 😀 x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.utf16(text, x), LineCol { line: 1, col: 8 });
        assert_eq!(index.utf8(x), LineCol { line: 1, col: 14 });
        assert_eq!(index.offset_utf16(text, LineCol { line: 1, col: 8 }), x);
    }

    #[test]
    fn skipped_bom_is_not_a_column() {
        let text = "\u{feff}FROM a\nRUN b\n";
        let index = LineIndex::skipping_bom(text);
        let from = text.find('F').unwrap();
        assert_eq!(index.utf8(from), LineCol { line: 0, col: 0 });
        assert_eq!(index.utf16(text, from + 5), LineCol { line: 0, col: 5 });
        assert_eq!(index.utf8(0), LineCol { line: 0, col: 0 });
        assert_eq!(index.utf16(text, 1), LineCol { line: 0, col: 0 });
        assert_eq!(index.offset_utf8(text, LineCol { line: 0, col: 0 }), from);
        assert_eq!(index.offset_utf16(text, LineCol { line: 0, col: 5 }), from + 5);
        assert_eq!(index.column_start(0), Some(from));

        let run = text.find("RUN").unwrap();
        assert_eq!(index.utf8(run + 4), LineCol { line: 1, col: 4 });
        assert_eq!(index.column_start(1), Some(run));
    }

    #[test]
    fn kept_bom_is_a_column() {
        let text = "\u{feff}FROM a\n";
        let index = LineIndex::new(text);
        assert_eq!(index.utf8(3), LineCol { line: 0, col: 3 });
        assert_eq!(index.utf16(text, 3), LineCol { line: 0, col: 1 });
        assert_eq!(index.offset_utf16(text, LineCol { line: 0, col: 0 }), 0);
    }

    #[test]
    fn bom_alone_has_no_columns() {
        let index = LineIndex::skipping_bom("\u{feff}");
        assert_eq!(index.utf8(3), LineCol { line: 0, col: 0 });
        assert_eq!(index.offset_utf8("\u{feff}", LineCol { line: 0, col: 4 }), 3);
    }

    #[test]
    fn offsets_past_end_clamp() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.utf8(99), LineCol { line: 1, col: 2 });
        assert_eq!(index.offset_utf8(text, LineCol { line: 0, col: 50 }), 2);
        assert_eq!(index.offset_utf8(text, LineCol { line: 7, col: 0 }), 5);
    }
}
