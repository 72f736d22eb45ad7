//! Positions: the protocol's line and column in the negotiated encoding, converted to and
//! from byte offsets into the document.

use ballast_parser::{LineCol, LineIndex, Span};
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

/// The unit of a column, agreed in `initialize`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// The protocol's default when the client offers nothing else.
    #[default]
    Utf16,
}

impl Encoding {
    /// Picks UTF-8 when the client offers it, else UTF-16, which every client supports.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        let offers_utf8 = offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8));
        if offers_utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// A document's text with its line index, for converting positions.
#[derive(Clone, Copy)]
pub struct Positions<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub encoding: Encoding,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str, lines: &'a LineIndex, encoding: Encoding) -> Self {
        Positions {
            text,
            lines,
            encoding,
        }
    }

    /// Returns the protocol position of a byte offset. Offsets past the end clamp to the end.
    pub fn position(&self, offset: usize) -> Position {
        let at = match self.encoding {
            Encoding::Utf8 => self.lines.utf8(offset),
            Encoding::Utf16 => self.lines.utf16(self.text, offset),
        };
        Position::new(at.line, at.col)
    }

    /// Returns whether `position` names a line of the text. Positions below the last line
    /// are valid in the protocol but point at no text.
    pub fn has_line(&self, position: Position) -> bool {
        (position.line as usize) < self.lines.line_count()
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// Returns the byte offset of a protocol position. A column past the end of its line
    /// means the end of that line, and a line past the last line means the end of the
    /// document, as the protocol specifies.
    pub fn offset(&self, position: Position) -> usize {
        let at = LineCol {
            line: position.line,
            col: position.character,
        };
        match self.encoding {
            Encoding::Utf8 => self.lines.offset_utf8(self.text, at),
            Encoding::Utf16 => self.lines.offset_utf16(self.text, at),
        }
    }

    /// Returns the byte span of a protocol range. A reversed range is read in order.
    pub fn span(&self, range: Range) -> Span {
        let start = self.offset(range.start);
        let end = self.offset(range.end);
        Span::new(start.min(end), start.max(end))
    }
}

/// Converts many offsets in increasing order in linear total time, by counting columns from
/// the previous offset when it is on the same line.
pub struct ForwardPositions<'a> {
    positions: Positions<'a>,
    /// The last converted offset and its position.
    last: Option<(usize, Position)>,
}

impl<'a> ForwardPositions<'a> {
    pub fn new(positions: Positions<'a>) -> Self {
        ForwardPositions {
            positions,
            last: None,
        }
    }

    /// Returns the position of `offset`. Offsets should not decrease. When one does, the
    /// column is counted from the start of its line.
    pub fn position(&mut self, offset: usize) -> Position {
        let text = self.positions.text;
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.positions.lines.line_of(offset);
        let position = match self.last {
            Some((last_offset, last)) if last.line == line && last_offset <= offset => {
                let columns = match self.positions.encoding {
                    Encoding::Utf8 => offset - last_offset,
                    Encoding::Utf16 => ballast_parser::utf16_len(&text[last_offset..offset]),
                };
                Position::new(line, last.character + columns as u32)
            }
            _ => self.positions.position(offset),
        };
        self.last = Some((offset, position));
        position
    }
}

/// Converts the spans of findings, which come sorted by start, in time linear in the length of
/// the lines they are on. A start is counted from the previous start when both are on one
/// line. An end is counted from its own start or from the previous end, whichever is nearer
/// below it. Counting each position from the start of its line would make a line with many
/// findings cost the square of its length in UTF-16.
pub struct SpanPositions<'a> {
    positions: Positions<'a>,
    last_start: Option<(usize, Position)>,
    last_end: Option<(usize, Position)>,
}

impl<'a> SpanPositions<'a> {
    pub fn new(positions: Positions<'a>) -> Self {
        SpanPositions {
            positions,
            last_start: None,
            last_end: None,
        }
    }

    /// Returns the range of a finding's span and remembers its ends for the next one.
    pub fn range(&mut self, span: Span) -> Range {
        let start = self.position_near(span.start, [self.last_start, self.last_end]);
        self.last_start = Some(start);
        let end = self.position_near(span.end, [Some(start), self.last_end]);
        self.last_end = Some(end);
        Range::new(start.1, end.1)
    }

    /// Returns the range of a span that is not a finding's own, such as a related location,
    /// counted from the remembered positions without replacing them.
    pub fn other_range(&self, span: Span) -> Range {
        let anchors = [self.last_start, self.last_end];
        let start = self.position_near(span.start, anchors);
        let end = self.position_near(span.end, [Some(start), self.last_end]);
        Range::new(start.1, end.1)
    }

    /// Returns the offset and its position, counted from the nearest anchor at or before it
    /// on its line, or from the start of the line. In UTF-16 the offset is first moved back
    /// to a character boundary.
    fn position_near(
        &self,
        offset: usize,
        anchors: [Option<(usize, Position)>; 2],
    ) -> (usize, Position) {
        // UTF-8 columns cost nothing to count.
        if self.positions.encoding == Encoding::Utf8 {
            return (offset, self.positions.position(offset));
        }
        let text = self.positions.text;
        let offset = floor_char_boundary(text, offset);
        let lines = self.positions.lines;
        let line = lines.line_of(offset);
        // Column 0 of the first line may follow a byte order mark, which counts no column.
        let column_start = lines.column_start(line).unwrap_or(0);
        let (at, base) = anchors
            .into_iter()
            .flatten()
            .filter(|(at, position)| position.line == line && (column_start..=offset).contains(at))
            .max_by_key(|(at, _)| *at)
            .unwrap_or((column_start.min(offset), Position::new(line, 0)));
        let columns = ballast_parser::utf16_len(&text[at..offset]) as u32;
        (offset, Position::new(line, base.character + columns))
    }
}

pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Returns the length of `text` in the units of `encoding`.
pub fn length(text: &str, encoding: Encoding) -> u32 {
    match encoding {
        Encoding::Utf8 => text.len() as u32,
        Encoding::Utf16 => text.chars().map(char::len_utf16).sum::<usize>() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_on_cjk_and_emoji() {
        let text = "FROM a\n# 中文 😀 x\n";
        let lines = LineIndex::new(text);
        let positions = Positions::new(text, &lines, Encoding::Utf16);
        let x = text.find('x').unwrap();
        assert_eq!(positions.position(x), Position::new(1, 8));
        assert_eq!(positions.offset(Position::new(1, 8)), x);
        let utf8 = Positions::new(text, &lines, Encoding::Utf8);
        assert_eq!(utf8.position(x), Position::new(1, 14));
    }

    #[test]
    fn forward_positions_match_direct_conversion() {
        let text = "RUN 中 $A 😀 $B\nRUN x\n";
        let lines = LineIndex::new(text);
        let positions = Positions::new(text, &lines, Encoding::Utf16);
        let mut forward = ForwardPositions::new(positions);
        for offset in [0, 4, 8, 12, 17, 19, 23] {
            assert_eq!(
                forward.position(offset),
                positions.position(offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn span_positions_match_direct_conversion() {
        // The text has a byte order mark, CJK text, an emoji, CRLF and offsets inside
        // characters. Its spans come in the order of findings, sorted by start and then end.
        let text = "\u{feff}RUN 中 a😀b\r\nRUN x y\n# 文\n";
        for encoding in [Encoding::Utf16, Encoding::Utf8] {
            for lines in [LineIndex::new(text), LineIndex::skipping_bom(text)] {
                let positions = Positions::new(text, &lines, encoding);
                let mut spans = SpanPositions::new(positions);
                for start in 0..=text.len() + 1 {
                    for end in start..=text.len() + 1 {
                        let span = Span::new(start, end);
                        let direct = positions.range(span);
                        assert_eq!(spans.other_range(span), direct, "{span:?} {encoding:?}");
                        assert_eq!(spans.range(span), direct, "{span:?} {encoding:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let text = "FROM a\nRUN b";
        let lines = LineIndex::new(text);
        let positions = Positions::new(text, &lines, Encoding::Utf16);
        assert_eq!(positions.offset(Position::new(0, 99)), 6);
        assert_eq!(positions.offset(Position::new(42, 0)), text.len());
    }
}
