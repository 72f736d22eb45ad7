//! Splitting a logical line into keyword, flags and argument text, and the word splitters
//! of BuildKit's first phase. All offsets are byte offsets into the logical line.

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::{take_till, take_while, take_while1};

/// The ASCII blanks BuildKit's `[\t\v\f\r ]+` splits on.
pub(crate) fn is_split_blank(ch: char) -> bool {
    matches!(ch, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// A word found in the logical line: its text after BuildKit's processing and its range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LineWord {
    pub value: String,
    pub start: usize,
    pub end: usize,
}

/// A flag word before the arguments.
#[derive(Clone, Debug)]
pub(crate) struct FlagWord {
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// The offset of the first `=` outside quotes, if any.
    pub equals: Option<usize>,
}

/// The parts of a logical line.
#[derive(Clone, Debug)]
pub(crate) struct SplitLine {
    pub keyword: LineWord,
    pub flags: Vec<FlagWord>,
    /// The argument text, trimmed; `rest_start..rest_end` in the line.
    pub rest_start: usize,
    pub rest_end: usize,
}

fn keyword_and_blanks(input: &str) -> IResult<&str, (&str, &str)> {
    (take_till(is_split_blank), take_while(is_split_blank)).parse(input)
}

/// Splits a logical line the way BuildKit's `splitCommand` does: trim, cut the keyword at
/// the first run of blanks, then peel flags off the front of the rest.
pub(crate) fn split_line(line: &str) -> SplitLine {
    let lead = crate::lines::leading_space_len(line);
    let trimmed_end = line.trim_end_matches(char::is_whitespace).len().max(lead);
    let body = &line[lead..trimmed_end];

    let (rest, (keyword, blanks)) = keyword_and_blanks(body).unwrap_or(("", (body, "")));
    let keyword = LineWord { value: keyword.to_string(), start: lead, end: lead + keyword.len() };

    let after_keyword = lead + keyword.value.len() + blanks.len();
    if rest.is_empty() {
        return SplitLine { keyword, flags: Vec::new(), rest_start: after_keyword, rest_end: after_keyword };
    }

    let (flags, args_start) = extract_flags(&line[after_keyword..trimmed_end], after_keyword);
    let args = &line[args_start..trimmed_end];
    let args_lead = crate::lines::leading_space_len(args);
    let rest_start = args_start + args_lead;
    let rest_end = (args_start + args.trim_end_matches(char::is_whitespace).len()).max(rest_start);
    SplitLine { keyword, flags, rest_start, rest_end }
}

/// Reads `--flag` words from the front of `text` (BuildKit's `extractBuilderFlags`).
/// Quotes group and are removed, a backslash escapes the next byte, and a lone `--` ends
/// the flags. Returns the flags and the offset where the arguments start.
fn extract_flags(text: &str, base: usize) -> (Vec<FlagWord>, usize) {
    let bytes = text.as_bytes();
    let mut flags = Vec::new();
    let mut pos = 0;
    loop {
        while pos < bytes.len() && is_flag_space(bytes[pos]) {
            pos += 1;
        }
        if pos >= bytes.len() {
            return (flags, base + bytes.len());
        }
        if !text[pos..].starts_with("--") {
            return (flags, base + pos);
        }

        let start = pos;
        let mut word = String::new();
        let mut quoted = false;
        let mut equals = None;
        while pos < bytes.len() && !is_flag_space(bytes[pos]) {
            let ch = text[pos..].chars().next().unwrap_or('\0');
            match ch {
                '\'' | '"' => {
                    quoted = true;
                    pos += 1;
                    while pos < bytes.len() && bytes[pos] != ch as u8 {
                        pos = push_escaped(text, pos, &mut word);
                    }
                    pos = (pos + 1).min(bytes.len());
                }
                '\\' => pos = push_escaped(text, pos, &mut word),
                _ => {
                    if ch == '=' && equals.is_none() {
                        equals = Some(base + pos);
                    }
                    word.push(ch);
                    pos += ch.len_utf8();
                }
            }
        }

        if word == "--" && !quoted {
            return (flags, base + pos);
        }
        if quoted || !word.is_empty() {
            flags.push(FlagWord { text: word, start: base + start, end: base + pos, equals });
        }
    }
}

fn is_flag_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// Pushes the character at `pos` to `word`, resolving a backslash escape; returns the
/// offset after what was consumed. A backslash at the very end is dropped.
fn push_escaped(text: &str, pos: usize, word: &mut String) -> usize {
    let mut chars = text[pos..].chars();
    let Some(ch) = chars.next() else { return pos };
    if ch != '\\' {
        word.push(ch);
        return pos + ch.len_utf8();
    }
    match chars.next() {
        Some(next) => {
            word.push(next);
            pos + 1 + next.len_utf8()
        }
        None => pos + 1,
    }
}

/// Splits on runs of `[\t\v\f\r ]` (BuildKit's `parseStringsWhitespaceDelimited`).
/// `text` is already trimmed.
pub(crate) fn split_blanks(text: &str, base: usize) -> Vec<LineWord> {
    let mut words = Vec::new();
    let mut input = text;
    let mut offset = base;
    while !input.is_empty() {
        let result: IResult<&str, (&str, &str)> =
            (take_till(is_split_blank), take_while(is_split_blank)).parse(input);
        let Ok((rest, (word, blanks))) = result else { break };
        words.push(LineWord { value: word.to_string(), start: offset, end: offset + word.len() });
        offset += word.len() + blanks.len();
        input = rest;
        if word.is_empty() && blanks.is_empty() {
            break;
        }
    }
    if text.ends_with(is_split_blank) {
        // Go's regexp.Split yields a trailing empty word after a trailing separator.
        words.push(LineWord { value: String::new(), start: base + text.len(), end: base + text.len() });
    }
    words
}

/// Splits ENV, LABEL and ARG arguments into words the way BuildKit's `parseWords` does:
/// Unicode whitespace outside quotes separates words; quotes and escapes are kept in the
/// word (except that an escape at the very end is dropped); inside single quotes the
/// escape character is not special.
pub(crate) fn split_words(text: &str, base: usize, escape: char) -> Vec<LineWord> {
    let mut words = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut word = String::new();
    let mut word_start = None;
    let mut blank_ok = false;
    let mut quote: Option<char> = None;

    while let Some((pos, ch)) = chars.next() {
        let at_end = chars.peek().is_none();
        match quote {
            None if ch.is_whitespace() => {
                if let Some(start) = word_start.take()
                    && (blank_ok || !word.is_empty())
                {
                    words.push(LineWord { value: std::mem::take(&mut word), start: base + start, end: base + pos });
                }
                word.clear();
                blank_ok = false;
            }
            None => {
                word_start.get_or_insert(pos);
                if ch == '\'' || ch == '"' {
                    quote = Some(ch);
                    blank_ok = true;
                }
                if ch == escape {
                    if at_end {
                        continue;
                    }
                    word.push(ch);
                    if let Some((_, next)) = chars.next() {
                        word.push(next);
                    }
                    continue;
                }
                word.push(ch);
            }
            Some(open) => {
                if ch == open {
                    quote = None;
                }
                if ch == escape && open != '\'' {
                    if at_end {
                        quote = None;
                        continue;
                    }
                    word.push(ch);
                    if let Some((_, next)) = chars.next() {
                        word.push(next);
                    }
                    continue;
                }
                word.push(ch);
            }
        }
    }
    if let Some(start) = word_start
        && (blank_ok || !word.is_empty())
    {
        words.push(LineWord { value: word, start: base + start, end: base + text.len() });
    }
    words
}

/// Splits once on the first run of `[\t\v\f\r ]` (the legacy `ENV key value` form).
pub(crate) fn split_once_blanks(text: &str) -> Option<(&str, usize, &str)> {
    let result: IResult<&str, (&str, &str)> =
        (take_till(is_split_blank), take_while1(is_split_blank)).parse(text);
    let (rest, (key, blanks)) = result.ok()?;
    Some((key, key.len() + blanks.len(), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag_texts(line: &str) -> (Vec<String>, String) {
        let split = split_line(line);
        let flags = split.flags.iter().map(|flag| flag.text.clone()).collect();
        (flags, line[split.rest_start..split.rest_end].to_string())
    }

    #[test]
    fn flags_and_terminator() {
        assert_eq!(flag_texts("COPY --doit=true -- foo /tmp/"), (vec!["--doit=true".into()], "foo /tmp/".into()));
        assert_eq!(flag_texts("COPY -- foo /tmp/"), (vec![], "foo /tmp/".into()));
        assert_eq!(flag_texts("CMD --doit -- [ ]"), (vec!["--doit".into()], "[ ]".into()));
        assert_eq!(flag_texts("RUN --mount=type=cache,target=\"/a b\" make"), (vec!["--mount=type=cache,target=/a b".into()], "make".into()));
        assert_eq!(flag_texts("FROM"), (vec![], "".into()));
    }

    #[test]
    fn words_keep_quotes() {
        let words: Vec<String> =
            split_words("foo bar=baz \"a b\"='c d' x\\ y", 0, '\\').into_iter().map(|w| w.value).collect();
        assert_eq!(words, ["foo", "bar=baz", "\"a b\"='c d'", "x\\ y"]);
    }
}
