//! The source lines shown under one finding. A line longer than [`MAX_LINE_CHARS`] is cut
//! to windows around the finding's ranges, so a 2 MB `RUN` line prints as a few hundred
//! characters.

use std::ops::Range;

use codespan_reporting::files::{Error, Files};

use crate::output::FileReport;

/// The maximum length in characters of a line shown whole. A longer line is cut to windows
/// that together contain about this many characters, which fits a wide terminal.
pub const MAX_LINE_CHARS: usize = 200;

/// The minimum length in characters of a window when many ranges share one long line.
const MIN_WINDOW_CHARS: usize = 40;

/// Marks the text left out of a cut line.
const ELLIPSIS: &str = "…";

/// The lines from the first to the last line that a finding's ranges touch, each whole or
/// cut, in the form codespan renders. Line numbers and columns are those of the file.
pub struct Snippet<'a> {
    name: &'a str,
    report: &'a FileReport,
    /// The shown text of every line, each with its line terminator.
    text: String,
    lines: Vec<ShownLine>,
    /// The zero-based line number of `lines[0]` in the file.
    first_line: u32,
}

/// One line of the file as shown.
struct ShownLine {
    /// The byte range of the line in the shown text, its terminator included.
    range: Range<usize>,
    /// The parts of the line that are shown, in order.
    pieces: Vec<Piece>,
    /// The byte offset in the file where the line's text ends and its terminator starts.
    text_end: usize,
    /// The byte offset in the shown text where the line's terminator starts.
    shown_text_end: usize,
}

/// A part of a file line that is shown.
struct Piece {
    /// The byte range in the file.
    source: Range<usize>,
    /// The byte offset in the shown text where the part starts.
    shown_start: usize,
}

impl<'a> Snippet<'a> {
    /// Builds the lines that `ranges` (byte ranges into `source`) touch. `source` has the
    /// byte offsets of `report.source`, with terminal controls masked.
    pub fn new(
        name: &'a str,
        report: &'a FileReport,
        source: &str,
        ranges: &[Range<usize>],
    ) -> Self {
        let lines_of = |range: &Range<usize>| {
            (report.lines.line_of(range.start), report.lines.line_of(range.end))
        };
        let first_line = ranges.iter().map(|range| lines_of(range).0).min().unwrap_or(0);
        let last_line = ranges.iter().map(|range| lines_of(range).1).max().unwrap_or(0);

        let mut snippet = Snippet {
            name,
            report,
            text: String::new(),
            lines: Vec::new(),
            first_line,
        };
        for line in first_line..=last_line {
            snippet.push_line(source, line, ranges);
        }
        snippet
    }

    /// Appends file line `line`, cut to windows around `ranges` when it is too long.
    fn push_line(&mut self, source: &str, line: u32, ranges: &[Range<usize>]) {
        // The line starts at column 0, after a byte order mark, which editors hide.
        let span = self.report.lines.line_span(line).unwrap_or_default();
        let start = self.report.lines.column_start(line).unwrap_or(span.start).min(span.end);
        let text_end = start + source[start..span.end].trim_end_matches(['\n', '\r']).len();
        let content = &source[start..text_end];

        let windows = if fits(content) {
            vec![start..text_end]
        } else {
            let anchors = anchors_on_line(ranges, start, text_end);
            let budget = (MAX_LINE_CHARS / anchors.len()).max(MIN_WINDOW_CHARS);
            let windows = anchors
                .iter()
                .map(|anchor| window(source, start..text_end, anchor, budget))
                .collect();
            merge(windows)
        };

        let line_start = self.text.len();
        let mut pieces = Vec::with_capacity(windows.len());
        let mut previous_end = start;
        for window in windows {
            if window.start > previous_end {
                self.text.push_str(ELLIPSIS);
            }
            pieces.push(Piece { source: window.clone(), shown_start: self.text.len() });
            self.text.push_str(&source[window.clone()]);
            previous_end = window.end;
        }
        if previous_end < text_end {
            self.text.push_str(ELLIPSIS);
        }
        let shown_text_end = self.text.len();
        self.text.push_str(&source[text_end..span.end]);
        self.lines.push(ShownLine {
            range: line_start..self.text.len(),
            pieces,
            text_end,
            shown_text_end,
        });
    }

    /// Returns `range`, a byte range into the file, as a byte range into the shown text. A
    /// bound in a part left out moves to the edge of the ellipsis that replaces the part.
    pub fn shown_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.shown_offset(range.start, false);
        let end = self.shown_offset(range.end, true).max(start);
        start..end
    }

    /// Returns file offset `offset` as an offset into the shown text. When `is_end` is set,
    /// the offset ends a range, so a bound in a left-out part moves to the far edge of its
    /// ellipsis.
    fn shown_offset(&self, offset: usize, is_end: bool) -> usize {
        let line = self.report.lines.line_of(offset);
        let index = line.checked_sub(self.first_line).map(|index| index as usize);
        let Some(shown) = index.and_then(|index| self.lines.get(index)) else {
            return if is_end { self.text.len() } else { 0 };
        };
        if offset >= shown.text_end {
            return (shown.shown_text_end + (offset - shown.text_end)).min(shown.range.end);
        }
        let mut gap_start = shown.range.start;
        for piece in &shown.pieces {
            if offset < piece.source.start {
                return if is_end { piece.shown_start } else { gap_start };
            }
            if offset <= piece.source.end {
                return piece.shown_start + (offset - piece.source.start);
            }
            gap_start = piece.shown_start + piece.source.len();
        }
        if is_end { shown.shown_text_end } else { gap_start }
    }

    /// Returns the file offset of byte `index` of the shown text on shown line `line`. A
    /// byte inside an ellipsis maps to the start of the next shown part.
    fn source_offset(&self, line: usize, index: usize) -> usize {
        let Some(shown) = self.lines.get(line) else { return self.report.source.len() };
        if index >= shown.shown_text_end {
            return shown.text_end + (index - shown.shown_text_end);
        }
        for piece in &shown.pieces {
            if index <= piece.shown_start + piece.source.len() {
                return piece.source.start + index.saturating_sub(piece.shown_start);
            }
        }
        shown.text_end
    }
}

/// Returns whether `content` is at most [`MAX_LINE_CHARS`] characters long, reading no
/// further than that.
fn fits(content: &str) -> bool {
    content.len() <= MAX_LINE_CHARS || content.chars().nth(MAX_LINE_CHARS).is_none()
}

/// Returns the parts of `ranges` to show on the line `start..end`. These are a range that
/// lies on the line, the start of a range that goes on to later lines, and the end of a
/// range from earlier lines. A line where no range starts or ends shows its start.
fn anchors_on_line(ranges: &[Range<usize>], start: usize, end: usize) -> Vec<Range<usize>> {
    let mut anchors: Vec<Range<usize>> = ranges
        .iter()
        .filter(|range| range.start <= end && range.end >= start)
        .map(|range| match (range.start < start, range.end > end) {
            (false, false) => range.clone(),
            (false, true) => range.start..range.start,
            (true, false) => range.end..range.end,
            (true, true) => start..start,
        })
        .collect();
    if anchors.is_empty() {
        anchors.push(start..start);
    }
    anchors.sort_by_key(|anchor| (anchor.start, anchor.end));
    anchors
}

/// Returns a byte range of `budget` characters of `line` (a byte range into `source`)
/// around `anchor`: the context before it, then as much of it and the text after it as
/// the budget allows. Near the end of the line the window reaches further back instead.
fn window(source: &str, line: Range<usize>, anchor: &Range<usize>, budget: usize) -> Range<usize> {
    let anchor_chars = source[anchor.clone()].chars().take(budget).count();
    let context = budget.saturating_sub(anchor_chars) / 2;
    let start = back(source, line.start, anchor.start, context);
    let used = source[start..anchor.start].chars().count();
    let end = forward(source, anchor.start, line.end, budget - used);
    let used = source[start..end].chars().take(budget).count();
    let start = back(source, line.start, start, budget.saturating_sub(used));
    start..end
}

/// Returns the offset `count` characters before `offset`, or `floor` if that comes first.
fn back(source: &str, floor: usize, offset: usize, count: usize) -> usize {
    match source[floor..offset].char_indices().rev().take(count).last() {
        Some((index, _)) => floor + index,
        None => offset,
    }
}

/// Returns the offset `count` characters after `offset`, or `ceiling` if that comes first.
fn forward(source: &str, offset: usize, ceiling: usize, count: usize) -> usize {
    match source[offset..ceiling].char_indices().nth(count) {
        Some((index, _)) => offset + index,
        None => ceiling,
    }
}

/// Joins windows that overlap or touch, so no text is shown twice.
fn merge(mut windows: Vec<Range<usize>>) -> Vec<Range<usize>> {
    windows.sort_by_key(|window| (window.start, window.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(windows.len());
    for window in windows {
        match merged.last_mut() {
            Some(last) if window.start <= last.end => last.end = last.end.max(window.end),
            _ => merged.push(window),
        }
    }
    merged
}

impl<'a> Files<'a> for Snippet<'a> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, Error> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, Error> {
        let index = self.lines.partition_point(|line| line.range.end <= byte_index);
        Ok(index.min(self.lines.len().saturating_sub(1)))
    }

    fn line_number(&'a self, (): (), line_index: usize) -> Result<usize, Error> {
        Ok(self.first_line as usize + line_index + 1)
    }

    fn column_number(
        &'a self,
        (): (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, Error> {
        let offset = self.source_offset(line_index, byte_index);
        Ok(self.report.position(offset).column as usize)
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, Error> {
        match self.lines.get(line_index) {
            Some(line) => Ok(line.range.clone()),
            None => Err(Error::LineTooLarge {
                given: line_index,
                max: self.lines.len().saturating_sub(1),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(source: &str) -> FileReport {
        FileReport::new("Dockerfile".into(), source.into(), Vec::new())
    }

    /// Returns the shown text of `range` in `snippet`.
    fn shown<'s>(snippet: &'s Snippet<'_>, range: Range<usize>) -> &'s str {
        &snippet.text[snippet.shown_range(range)]
    }

    #[test]
    fn short_lines_stay_whole() {
        let source = "FROM a\nRUN b\nRUN c\n";
        let report = report(source);
        let snippet = Snippet::new("Dockerfile", &report, source, &[17..18, 7..10]);
        assert_eq!(snippet.text, "RUN b\nRUN c\n");
        assert_eq!(snippet.first_line, 1);
        assert_eq!(shown(&snippet, 7..10), "RUN");
        assert_eq!(shown(&snippet, 17..18), "c");
    }

    #[test]
    fn long_line_window_keeps_range() {
        let source = format!("RUN {} end {}\n", "a".repeat(1000), "b".repeat(1000));
        let report = report(&source);
        let end = source.find("end").unwrap();
        let snippet = Snippet::new("Dockerfile", &report, &source, &[end..end + 3]);
        assert_eq!(shown(&snippet, end..end + 3), "end");
        assert!(snippet.text.starts_with("…a"), "{}", snippet.text);
        assert!(snippet.text.ends_with("b…\n"), "{}", snippet.text);
        let chars = snippet.text.chars().count();
        assert!((MAX_LINE_CHARS..=MAX_LINE_CHARS + 3).contains(&chars), "{chars}");
    }

    #[test]
    fn distant_ranges_get_one_window_each() {
        let source = format!("RUN one {} two {}\n", "a".repeat(5000), "b".repeat(5000));
        let report = report(&source);
        let one = source.find("one").unwrap();
        let two = source.find("two").unwrap();
        let snippet = Snippet::new("Dockerfile", &report, &source, &[two..two + 3, one..one + 3]);
        assert_eq!(shown(&snippet, one..one + 3), "one");
        assert_eq!(shown(&snippet, two..two + 3), "two");
        assert_eq!(snippet.text.matches("one").count(), 1);
        assert_eq!(snippet.text.matches("two").count(), 1);
        assert_eq!(snippet.text.matches('…').count(), 2, "{}", snippet.text);
        assert!(snippet.text.chars().count() <= MAX_LINE_CHARS + 3);
    }

    #[test]
    fn range_across_lines_cuts_each_line() {
        let source = format!("RUN a {} \\\n {} z\nUSER x\n", "a".repeat(3000), "b".repeat(3000));
        let report = report(&source);
        let a = 4;
        let z = source.find('z').unwrap();
        let snippet = Snippet::new("Dockerfile", &report, &source, &[a..z + 1]);
        let range = snippet.shown_range(a..z + 1);
        assert!(snippet.text[range.clone()].starts_with("a aaa"), "{}", snippet.text);
        assert!(snippet.text[range].ends_with("bbb z"), "{}", snippet.text);
        assert_eq!(snippet.lines.len(), 2);
        for line in &snippet.lines {
            assert!(snippet.text[line.range.clone()].chars().count() <= MAX_LINE_CHARS + 3);
        }
    }

    #[test]
    fn range_past_window_ends_at_ellipsis() {
        let source = format!("RUN {}\n", "a".repeat(1000));
        let report = report(&source);
        let snippet = Snippet::new("Dockerfile", &report, &source, &[0..source.len() - 1]);
        let range = snippet.shown_range(0..source.len() - 1);
        assert!(snippet.text[range].ends_with("a…"), "{}", snippet.text);
    }

    #[test]
    fn columns_are_those_of_the_file() {
        let source = format!("\u{feff}RUN {} cd /x\n", "é".repeat(1000));
        let report = report(&source);
        let cd = source.find("cd").unwrap();
        let snippet = Snippet::new("Dockerfile", &report, &source, &[cd..cd + 2]);
        let shown_cd = snippet.shown_range(cd..cd + 2).start;
        let line = snippet.line_index((), shown_cd).unwrap();
        assert_eq!(snippet.line_number((), line).unwrap(), 1);
        assert_eq!(snippet.column_number((), line, shown_cd).unwrap(), "RUN ".len() + 1000 + 2);
    }

    #[test]
    fn byte_order_mark_is_left_out() {
        let source = "\u{feff}FROM a\n";
        let report = report(source);
        let snippet = Snippet::new("Dockerfile", &report, source, &[3..7]);
        assert_eq!(snippet.text, "FROM a\n");
        assert_eq!(shown(&snippet, 3..7), "FROM");
        assert_eq!(snippet.column_number((), 0, 0).unwrap(), 1);
    }
}
