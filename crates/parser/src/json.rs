//! Exec-form detection: a JSON array of strings, with BuildKit's rules.

use crate::split::LineWord;

/// The outcome of reading an argument text as a JSON array.
pub(crate) enum JsonArgs {
    /// Not a JSON array (or invalid JSON): BuildKit silently uses shell form.
    NotJson,
    /// Valid JSON with an element that is not a string: BuildKit rejects the file.
    NotStrings,
    /// A JSON array of strings, escapes decoded, with the span of each string literal.
    Strings(Vec<LineWord>),
}

/// Reads `text` (starting at `base` in the logical line) as BuildKit's `parseJSON` does:
/// after leading whitespace it must start with `[`, and the whole text must be valid JSON.
pub(crate) fn parse_json_args(text: &str, base: usize) -> JsonArgs {
    let lead = crate::lines::leading_space_len(text);
    let body = &text[lead..];
    if !body.starts_with('[') {
        return JsonArgs::NotJson;
    }
    let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(body) else {
        return JsonArgs::NotJson;
    };
    if values.iter().any(|value| !value.is_string()) {
        return JsonArgs::NotStrings;
    }

    let literals = string_literal_spans(body);
    let words = values
        .into_iter()
        .zip(literals)
        .map(|(value, (start, end))| LineWord {
            value: value.as_str().unwrap_or_default().to_string(),
            start: base + lead + start,
            end: base + lead + end,
        })
        .collect();
    JsonArgs::Strings(words)
}

/// The byte ranges of the top-level string literals of a valid JSON array of strings,
/// quotes included.
fn string_literal_spans(json: &str) -> Vec<(usize, usize)> {
    let bytes = json.as_bytes();
    let mut spans = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        if bytes[pos] != b'"' {
            pos += 1;
            continue;
        }
        let start = pos;
        pos += 1;
        while pos < bytes.len() && bytes[pos] != b'"' {
            pos += if bytes[pos] == b'\\' { 2 } else { 1 };
        }
        pos = (pos + 1).min(bytes.len());
        spans.push((start, pos));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_forms() {
        assert!(matches!(parse_json_args("['a']", 0), JsonArgs::NotJson));
        assert!(matches!(parse_json_args("[\"a\", 1]", 0), JsonArgs::NotStrings));
        assert!(matches!(parse_json_args("[\"a\",]", 0), JsonArgs::NotJson));
        let JsonArgs::Strings(words) = parse_json_args(" [\"a\\\"b\", \"\\u0000\"]", 10) else { panic!() };
        assert_eq!(words[0].value, "a\"b");
        assert_eq!((words[0].start, words[0].end), (12, 18));
        assert_eq!(words[1].value, "\0");
    }
}
