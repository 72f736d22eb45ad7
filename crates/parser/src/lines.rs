//! Physical lines and the line-level predicates of BuildKit's parser.

/// One physical line. `text_end` excludes every trailing `\r` and `\n`, as BuildKit strips
/// them before any test; `end` includes the `\n`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PhysicalLine {
    pub start: usize,
    pub text_end: usize,
    pub end: usize,
}

/// BuildKit reads lines with Go's `bufio.Scanner`, whose buffer is 64 KiB, so a longer line
/// fails the whole parse.
pub(crate) const MAX_LINE_LEN: usize = 65535;

const BOM: &str = "\u{feff}";

/// Splits `text` on `\n` only, so a bare `\r` does not end a line. Returns the lines and
/// whether the text starts with a byte order mark, which is excluded from the first line.
pub(crate) fn split_lines(text: &str) -> (Vec<PhysicalLine>, bool) {
    let bom = text.starts_with(BOM);
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    let mut start = if bom { BOM.len() } else { 0 };
    while start < text.len() || (lines.is_empty() && start == text.len() && bom) {
        let line = line_at(text, start);
        lines.push(line);
        if line.end == start {
            break;
        }
        start = line.end;
    }
    (lines, bom)
}

/// Returns the text's byte order mark length: 3 when it starts with one, else 0.
pub(crate) fn bom_len(text: &str) -> usize {
    if text.starts_with(BOM) { BOM.len() } else { 0 }
}

/// Returns the physical line that starts at `start`, which must be the start of a line or
/// the end of the text (the line is then empty).
pub(crate) fn line_at(text: &str, start: usize) -> PhysicalLine {
    let bytes = text.as_bytes();
    let end = match memchr_newline(&bytes[start..]) {
        Some(index) => start + index + 1,
        None => text.len(),
    };
    let mut text_end = end;
    while text_end > start && matches!(bytes[text_end - 1], b'\n' | b'\r') {
        text_end -= 1;
    }
    PhysicalLine { start, text_end, end }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// Returns the length of the leading Unicode whitespace of `text`, as Go's `unicode.IsSpace`
/// classifies it.
pub(crate) fn leading_space_len(text: &str) -> usize {
    text.len() - text.trim_start_matches(char::is_whitespace).len()
}

/// Returns whether a physical line is a comment: `#` after optional leading whitespace.
pub(crate) fn is_comment(text: &str) -> bool {
    text.trim_start_matches(char::is_whitespace).starts_with('#')
}

/// Returns whether a line inside a continuation is empty or whitespace only.
pub(crate) fn is_blank(text: &str) -> bool {
    text.trim_start_matches(char::is_whitespace).is_empty()
}

/// Applies BuildKit's continuation test to `text`: the escape character followed only by
/// spaces and tabs, and either preceded by a character other than the escape character or
/// alone on the line. Returns the length of the text that remains (the marker and the
/// blanks after it removed) and whether the line continues.
pub(crate) fn strip_continuation(text: &str, escape: char) -> (usize, bool) {
    let without_blanks = text.trim_end_matches([' ', '\t']);
    let Some(before) = without_blanks.strip_suffix(escape) else {
        return (text.len(), false);
    };
    match before.chars().next_back() {
        None => (0, true),
        Some(ch) if ch == escape => (text.len(), false),
        Some(_) => (before.len(), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_marker_rules() {
        assert_eq!(strip_continuation("RUN a \\", '\\'), (6, true));
        assert_eq!(strip_continuation("RUN a \\ \t ", '\\'), (6, true));
        assert_eq!(strip_continuation("RUN a\\\\", '\\'), (7, false));
        assert_eq!(strip_continuation("RUN a\\\\\\", '\\'), (8, false));
        assert_eq!(strip_continuation("\\", '\\'), (0, true));
        assert_eq!(strip_continuation("  \\", '\\'), (2, true));
        assert_eq!(strip_continuation("dir c:\\", '`'), (7, false));
        assert_eq!(strip_continuation("a `", '`'), (2, true));
    }

    #[test]
    fn lines_keep_terminators_out_of_text() {
        let (lines, bom) = split_lines("\u{feff}A\r\nB\r\r\nC");
        assert!(bom);
        assert_eq!(lines.len(), 3);
        assert_eq!((lines[0].start, lines[0].text_end, lines[0].end), (3, 4, 6));
        assert_eq!((lines[1].start, lines[1].text_end, lines[1].end), (6, 7, 10));
        assert_eq!((lines[2].start, lines[2].text_end, lines[2].end), (10, 11, 11));
    }
}
