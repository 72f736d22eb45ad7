//! BuildKit's per-instruction argument parsers (its first phase), applied to a logical line.

use crate::Span;
use crate::json::{JsonArgs, parse_json_args};
use crate::split::{LineWord, SplitLine, split_blanks, split_line, split_once_blanks, split_words};
use crate::syntax::{
    Args, Command, ErrorKind, Flag, Instruction, KeyValue, Keyword, SourceMap, SyntaxError, Word,
};

const NOT_STRINGS: &str = "when using JSON array syntax, arrays must be comprised of strings only";

/// Parses a logical line into an instruction, which takes ownership of the line and its
/// map. Line numbers, spans of whole lines and heredocs are filled in by the caller.
pub(crate) fn parse_instruction_line(line: String, map: SourceMap, escape: char) -> (Instruction, Vec<SyntaxError>) {
    let mut errors = Vec::new();
    let mut instruction = parse_at(&line, 0, line.len(), &map, escape, &mut errors);
    instruction.line = line;
    instruction.line_map = map;
    (instruction, errors)
}

/// Parses `line[start..end]` as one instruction (ONBUILD parses its trigger this way).
fn parse_at(
    line: &str,
    start: usize,
    end: usize,
    map: &SourceMap,
    escape: char,
    errors: &mut Vec<SyntaxError>,
) -> Instruction {
    let text = &line[start..end];
    let SplitLine { keyword: keyword_word, flags: flag_words, rest_start, rest_end } = split_line(text);
    let keyword = Keyword::parse(&keyword_word.value);
    // The argument parsers below get `rest_base`, an offset in the whole logical line, so
    // their words are already positioned in the line (an ONBUILD trigger starts past 0).
    let to_word = |word: LineWord| Word { value: word.value, span: map.span(word.start, word.end) };

    let flags = flag_words
        .into_iter()
        .map(|flag| {
            // Offsets of flag words are relative to `text`, which starts at `start`.
            let raw_name_end = flag.equals.unwrap_or(flag.end);
            let (name, value) = match flag.text.split_once('=') {
                Some((name, value)) => (name.trim_start_matches('-').to_string(), Some(value.to_string())),
                None => (flag.text.trim_start_matches('-').to_string(), None),
            };
            Flag {
                name,
                value,
                span: map.span(start + flag.start, start + flag.end),
                name_span: map.span(start + flag.start + 2.min(flag.end - flag.start), start + raw_name_end),
                value_span: flag.equals.map(|equals| map.span(start + equals + 1, start + flag.end)),
                text: flag.text,
            }
        })
        .collect();

    let rest = &text[rest_start..rest_end];
    let rest_base = start + rest_start;
    let rest_span = map.span(rest_base, start + rest_end);
    let line_span = map.span(start, end);

    let args = match keyword {
        Keyword::Add | Keyword::Copy | Keyword::Volume => match parse_json_args(rest, rest_base) {
            JsonArgs::Strings(words) => list(words.into_iter().map(to_word).collect(), true),
            JsonArgs::NotStrings => {
                errors.push(error(rest_span, NOT_STRINGS, ErrorKind::Parse));
                Args::None
            }
            JsonArgs::NotJson => blank_list(rest, rest_base, &to_word),
        },
        Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Shell => {
            match maybe_json(rest, rest_base, rest_span, &to_word, errors) {
                Some(Command::Exec(words)) => list(words, true),
                Some(Command::Shell(word)) => list(vec![word], false),
                None => Args::None,
            }
        }
        Keyword::Healthcheck => healthcheck(rest, rest_base, &to_word, map, errors),
        Keyword::Env | Keyword::Label => key_values(keyword, rest, rest_base, rest_span, escape, &to_word, errors),
        Keyword::Arg => {
            let words: Vec<Word> = split_words(rest, rest_base, escape).into_iter().map(to_word).collect();
            if words.is_empty() { Args::None } else { list(words, false) }
        }
        Keyword::From | Keyword::Expose => blank_list(rest, rest_base, &to_word),
        Keyword::Maintainer | Keyword::User | Keyword::Workdir | Keyword::Stopsignal => {
            if rest.is_empty() {
                Args::None
            } else {
                list(vec![Word { value: rest.to_string(), span: rest_span }], false)
            }
        }
        Keyword::Onbuild => {
            let trigger = (!rest.is_empty()).then(|| {
                Box::new(parse_at(line, rest_base, start + rest_end, map, escape, errors))
            });
            Args::Onbuild { trigger }
        }
        Keyword::Unknown => Args::None,
    };

    Instruction {
        span: line_span,
        keyword,
        keyword_span: map.span(start + keyword_word.start, start + keyword_word.end),
        keyword_text: keyword_word.value,
        flags,
        args,
        rest: rest.to_string(),
        rest_span,
        heredocs: Vec::new(),
        // The top-level caller moves the whole line and its map in afterwards; a trigger
        // keeps its own text and maps through its parent's map.
        line: if start == 0 { String::new() } else { text.to_string() },
        line_map: SourceMap::default(),
        start_line: 0,
        end_line: 0,
        inner_comments: Vec::new(),
        empty_continuation_lines: Vec::new(),
        prev_comments: Vec::new(),
        physical_lines: Vec::new(),
    }
}

fn error(span: Span, message: impl Into<String>, kind: ErrorKind) -> SyntaxError {
    SyntaxError { message: message.into(), span, kind }
}

fn list(words: Vec<Word>, json: bool) -> Args {
    Args::List { words, json }
}

fn blank_list(rest: &str, base: usize, to_word: &impl Fn(LineWord) -> Word) -> Args {
    if rest.is_empty() {
        return Args::None;
    }
    list(split_blanks(rest, base).into_iter().map(to_word).collect(), false)
}

/// BuildKit's `parseMaybeJSON`: a JSON array of strings, else the whole text as one word.
fn maybe_json(
    rest: &str,
    base: usize,
    rest_span: Span,
    to_word: &impl Fn(LineWord) -> Word,
    errors: &mut Vec<SyntaxError>,
) -> Option<Command> {
    if rest.is_empty() {
        return None;
    }
    match parse_json_args(rest, base) {
        JsonArgs::Strings(words) => Some(Command::Exec(words.into_iter().map(to_word).collect())),
        JsonArgs::NotStrings => {
            errors.push(error(rest_span, NOT_STRINGS, ErrorKind::Parse));
            None
        }
        JsonArgs::NotJson => Some(Command::Shell(Word { value: rest.to_string(), span: rest_span })),
    }
}

/// BuildKit's `parseHealthConfig`: the first word is the type, the rest a command.
fn healthcheck(
    rest: &str,
    base: usize,
    to_word: &impl Fn(LineWord) -> Word,
    map: &SourceMap,
    errors: &mut Vec<SyntaxError>,
) -> Args {
    let kind_len = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    if kind_len == 0 {
        return Args::Healthcheck { kind: None, command: None };
    }
    let after_kind = &rest[kind_len..];
    let command_offset = kind_len + (after_kind.len() - after_kind.trim_start_matches(char::is_whitespace).len());
    let command_text = &rest[command_offset..];
    let command_span = map.span(base + command_offset, base + rest.len());

    let kind = LineWord { value: rest[..kind_len].to_string(), start: base, end: base + kind_len };
    let command = maybe_json(command_text, base + command_offset, command_span, to_word, errors);
    Args::Healthcheck { kind: Some(to_word(kind)), command }
}

/// BuildKit's `parseNameVal` for ENV and LABEL.
fn key_values(
    keyword: Keyword,
    rest: &str,
    base: usize,
    rest_span: Span,
    escape: char,
    to_word: &impl Fn(LineWord) -> Word,
    errors: &mut Vec<SyntaxError>,
) -> Args {
    let words = split_words(rest, base, escape);
    let Some(first) = words.first() else { return Args::None };

    if !first.value.contains('=') {
        let Some((key, value_offset, value)) = split_once_blanks(rest) else {
            errors.push(error(rest_span, format!("{} must have two arguments", keyword.as_str()), ErrorKind::Parse));
            return Args::None;
        };
        let key = LineWord { value: key.to_string(), start: base, end: base + key.len() };
        let value = LineWord {
            value: value.to_string(),
            start: base + value_offset,
            end: base + rest.len(),
        };
        let pair = KeyValue { key: to_word(key), value: to_word(value), legacy: true };
        return Args::KeyValues { pairs: vec![pair] };
    }

    let mut pairs = Vec::with_capacity(words.len());
    for word in words {
        let Some(equals) = word.value.find('=') else {
            let message =
                format!("Syntax error - can't find = in {:?}. Must be of the form: name=value", word.value);
            errors.push(error(to_word(word).span, message, ErrorKind::Parse));
            continue;
        };
        // Quotes and escapes are kept in the word, so its text is the source text and the
        // `=` sits at the same offset in both. The key reuses the word's allocation.
        let mut key_text = word.value;
        let value_text = key_text[equals + 1..].to_string();
        key_text.truncate(equals);
        let key = LineWord { value: key_text, start: word.start, end: word.start + equals };
        let value = LineWord { value: value_text, start: word.start + equals + 1, end: word.end };
        pairs.push(KeyValue { key: to_word(key), value: to_word(value), legacy: false });
    }
    Args::KeyValues { pairs }
}
