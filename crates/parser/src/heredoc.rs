//! Finding heredoc words in a RUN, COPY or ADD line, as BuildKit does.
//!
//! BuildKit lexes the whole logical line with its shell lexer (escape always `\`, quotes
//! and escapes kept, no expansion), then matches each word against
//! `^(\d*)<<(-?)\s*([^<]*)$`. The lexer keeps `<<` and the blanks after it in one word,
//! so `<< EOF` is a heredoc (BuildKit 0.22 and later) while `<<- EOF` is not.

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::{tag, take_while};
use nom::combinator::opt;

/// A heredoc word found in a logical line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HeredocWord {
    pub name: String,
    pub fd: u32,
    pub chomp: bool,
    pub expand: bool,
    /// The word's range in the logical line.
    pub start: usize,
    pub end: usize,
}

/// Finds the heredoc words of a logical line. A line with a lexing error (an unterminated
/// quote, say) has none, as in BuildKit.
pub(crate) fn heredocs_in_line(line: &str) -> Vec<HeredocWord> {
    // BuildKit lexes the line only when it contains `<<`.
    if !line.contains("<<") {
        return Vec::new();
    }
    let Some(words) = raw_words(line) else { return Vec::new() };
    words
        .into_iter()
        .filter_map(|(start, end)| {
            let heredoc = parse_heredoc_word(&line[start..end])?;
            Some(HeredocWord { start, end, ..heredoc })
        })
        .collect()
}

/// Splits a line into raw words (quotes and escapes kept), returning their ranges, or
/// `None` on an unterminated quote or `${`.
fn raw_words(line: &str) -> Option<Vec<(usize, usize)>> {
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut pos = 0;
    let mut start: Option<usize> = None;
    while pos < bytes.len() {
        let ch = line[pos..].chars().next()?;
        if ch.is_whitespace() {
            if let Some(word_start) = start.take() {
                words.push((word_start, pos));
            }
            pos += ch.len_utf8();
            continue;
        }
        start.get_or_insert(pos);
        pos = match ch {
            '\\' => pos + 1 + line[pos + 1..].chars().next().map_or(0, char::len_utf8),
            '\'' => pos + 1 + line[pos + 1..].find('\'')? + 1,
            '"' => skip_double_quoted(line, pos)?,
            '$' if line[pos + 1..].starts_with('{') => skip_braces(line, pos + 1)?,
            '<' if line[pos..].starts_with("<<") => {
                let blanks = line[pos + 2..].len() - line[pos + 2..].trim_start_matches([' ', '\t', '\r']).len();
                pos + 2 + blanks
            }
            _ => pos + ch.len_utf8(),
        };
    }
    if let Some(word_start) = start {
        words.push((word_start, line.len()));
    }
    Some(words)
}

fn skip_double_quoted(line: &str, open: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut pos = open + 1;
    while pos < bytes.len() {
        match bytes[pos] {
            b'\\' => pos += 2,
            b'"' => return Some(pos + 1),
            _ => pos += 1,
        }
    }
    None
}

fn skip_braces(line: &str, open: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut depth = 0usize;
    let mut pos = open;
    while pos < bytes.len() {
        match bytes[pos] {
            b'\\' => pos += 1,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(pos + 1);
                }
            }
            _ => {}
        }
        pos += 1;
    }
    None
}

fn heredoc_prefix(input: &str) -> IResult<&str, (&str, Option<&str>, &str)> {
    (take_while(|c: char| c.is_ascii_digit()), tag("<<"), opt(tag("-")))
        .map(|(digits, _, dash)| (digits, dash, ""))
        .parse(input)
}

/// Matches one raw word against BuildKit's heredoc pattern and derives name, expansion and
/// chomping (BuildKit's `ParseHeredoc`).
pub(crate) fn parse_heredoc_word(word: &str) -> Option<HeredocWord> {
    let (rest, (digits, dash, _)) = heredoc_prefix(word).ok()?;
    let rest = rest.trim_start_matches(char::is_whitespace);
    if rest.is_empty() || rest.contains('<') {
        return None;
    }

    let unquoted = delimiter_words(rest, false)?;
    if unquoted.len() != 1 {
        return None;
    }
    let raw = delimiter_words(rest, true)?;
    let count_quotes = |text: &str| text.chars().filter(|&c| c == '\'' || c == '"').count();
    let expand = raw.len() == 1 && count_quotes(&unquoted[0]) == count_quotes(&raw[0]);

    Some(HeredocWord {
        name: unquoted.into_iter().next()?,
        fd: digits.parse().unwrap_or(0),
        chomp: dash.is_some(),
        expand,
        start: 0,
        end: word.len(),
    })
}

/// Lexes a delimiter into words with escapes resolved, removing quotes unless
/// `keep_quotes`. Variables stay as written (BuildKit expands nothing here).
fn delimiter_words(text: &str, keep_quotes: bool) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\\' => {
                in_word = true;
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            '\'' => {
                in_word = true;
                if keep_quotes {
                    word.push('\'');
                }
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
                if keep_quotes {
                    word.push('\'');
                }
            }
            '"' => {
                in_word = true;
                if keep_quotes {
                    word.push('"');
                }
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '$' | '\\') => word.push(c),
                            c => {
                                word.push('\\');
                                word.push(c);
                            }
                        },
                        c => word.push(c),
                    }
                }
                if keep_quotes {
                    word.push('"');
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<(String, bool, bool)> {
        heredocs_in_line(line).into_iter().map(|h| (h.name, h.chomp, h.expand)).collect()
    }

    #[test]
    fn heredoc_words() {
        assert_eq!(names("RUN <<EOF"), [("EOF".into(), false, true)]);
        assert_eq!(names("RUN <<-'EOF' x"), [("EOF".into(), true, false)]);
        assert_eq!(names("RUN cat << END > /x"), [("END".into(), false, true)]);
        assert!(names("RUN cat <<- END > /x").is_empty());
        assert!(names("RUN cat<<EOF").is_empty());
        assert!(names("RUN \"<<EOF\"").is_empty());
        assert!(names("RUN echo 'unterminated <<EOF").is_empty());
        assert_eq!(names("RUN <<eo'f'"), [("eof".into(), false, false)]);
        assert_eq!(names("RUN <<eo\\'f"), [("eo'f".into(), false, true)]);
        assert_eq!(names("RUN <<'one two'"), [("one two".into(), false, false)]);
        assert_eq!(names("RUN <<$EOF"), [("$EOF".into(), false, true)]);
        assert_eq!(names("COPY <<-\\CFG /etc/y"), [("CFG".into(), true, true)]);
        assert_eq!(names("RUN cat <<EOF>/tmp/x"), [("EOF>/tmp/x".into(), false, true)]);
        assert_eq!(names("COPY <<A <<B /d").len(), 2);
        let fd = heredocs_in_line("RUN 3<<EMPTY2");
        assert_eq!(fd[0].fd, 3);
    }

    #[test]
    fn parse_heredoc_word_cases() {
        for valid in ["<<EOF", "<<'EOF'", "<<\"EOF\"", "<<-EOF", "<<-'EOF'", "<<-\"EOF\"", "<<EO\"F\"", "<< EOF"] {
            assert!(parse_heredoc_word(valid).is_some(), "{valid}");
        }
        for invalid in ["", "EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<'EOF", "<<\"EOF", "<<EOF'", "<<EOF\""] {
            assert!(parse_heredoc_word(invalid).is_none(), "{invalid}");
        }
    }
}
