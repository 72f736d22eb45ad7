//! Quote removal and expansion discovery for one shell word.

use std::ops::Range;

use super::lexer::{Construct, Skipped, skip_construct};

/// Nesting of `${…}` and `$((…))` below which command substitutions are still searched.
const MAX_NESTING: usize = 16;

/// The result of quote removal on the source text of one word.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Analysis {
    /// The word with quotes removed and escapes resolved; expansions are kept as written.
    pub value: String,
    /// Whether any part of the word was quoted or escaped.
    pub quoted: bool,
    /// Whether the word contains a parameter expansion, a command substitution or an
    /// arithmetic expansion outside single quotes.
    pub has_expansion: bool,
    /// Byte ranges, relative to the word, of the code inside each `$(…)`, `` `…` ``,
    /// `<(…)` and `>(…)` at any quoting level, outermost only: nested substitutions are
    /// found when that code is parsed in turn.
    pub substitutions: Vec<Range<usize>>,
}

/// Analyzes the source text of a word. Unterminated quotes and substitutions, which the
/// fallback tokenizer produces for incomplete input, run to the end of the word.
pub(super) fn analyze(raw: &str) -> Analysis {
    let mut analysis = Analysis::default();
    if raw.starts_with("<(") || raw.starts_with(">(") {
        // A process substitution is a word of its own, so it spans the whole word.
        let skipped = skip_construct(raw.as_bytes(), 2, Construct::Paren);
        analysis.substitutions.push(2..inner_end(skipped));
        analysis.value = raw.to_owned();
        analysis.has_expansion = true;
        return analysis;
    }
    scan(raw, 0..raw.len(), 0, &mut analysis);
    analysis
}

fn scan(raw: &str, range: Range<usize>, nesting: usize, out: &mut Analysis) {
    let bytes = raw.as_bytes();
    let end = range.end;
    let mut i = range.start;
    let mut in_double = false;

    while i < end {
        match bytes[i] {
            b'\\' => i = scan_backslash(raw, i, end, in_double, out),
            b'\'' if !in_double => {
                out.quoted = true;
                let skipped = skip_within(bytes, i + 1, end, Construct::SingleQuote);
                out.value.push_str(&raw[i + 1..inner_end(skipped)]);
                i = skipped.end;
            }
            b'"' => {
                out.quoted = true;
                in_double = !in_double;
                i += 1;
            }
            b'`' => {
                out.has_expansion = true;
                let skipped = skip_within(bytes, i + 1, end, Construct::Backtick);
                out.substitutions.push(i + 1..inner_end(skipped));
                out.value.push_str(&raw[i..skipped.end]);
                i = skipped.end;
            }
            b'$' => i = scan_dollar(raw, i, end, in_double, nesting, out),
            _ => {
                let ch = raw[i..].chars().next().unwrap_or('\u{FFFD}');
                out.value.push(ch);
                i += ch.len_utf8().max(1);
            }
        }
    }
}

/// Handles a backslash at `i` and returns the next offset. Outside quotes it escapes any
/// character; inside double quotes only `$`, `` ` ``, `"`, `\` and newline, as POSIX specifies.
/// A backslash-newline pair is a line continuation and disappears in both places.
fn scan_backslash(raw: &str, i: usize, end: usize, in_double: bool, out: &mut Analysis) -> usize {
    out.quoted = true;
    let Some(next) = raw[i + 1..end].chars().next() else {
        out.value.push('\\');
        return i + 1;
    };
    if next == '\n' {
        return i + 2;
    }
    if in_double && !matches!(next, '$' | '`' | '"' | '\\') {
        out.value.push('\\');
        return i + 1;
    }
    out.value.push(next);
    i + 1 + next.len_utf8()
}

/// Handles a `$` at `i` and returns the next offset.
fn scan_dollar(
    raw: &str,
    i: usize,
    end: usize,
    in_double: bool,
    nesting: usize,
    out: &mut Analysis,
) -> usize {
    let bytes = raw.as_bytes();
    let next = if i + 1 < end {
        Some(bytes[i + 1])
    } else {
        None
    };
    match next {
        Some(b'(') if i + 2 < end && bytes[i + 2] == b'(' => {
            // `$((…))` is arithmetic: keep it whole, but look for `$(…)` inside.
            let skipped = skip_within(bytes, i + 2, end, Construct::Paren);
            out.has_expansion = true;
            scan_nested(raw, i + 3..inner_end(skipped), nesting, out);
            out.value.push_str(&raw[i..skipped.end]);
            skipped.end
        }
        Some(b'(') => {
            let skipped = skip_within(bytes, i + 2, end, Construct::Paren);
            out.has_expansion = true;
            out.substitutions.push(i + 2..inner_end(skipped));
            out.value.push_str(&raw[i..skipped.end]);
            skipped.end
        }
        Some(b'{') => {
            let skipped = skip_within(bytes, i + 2, end, Construct::Brace);
            out.has_expansion = true;
            scan_nested(raw, i + 2..inner_end(skipped), nesting, out);
            out.value.push_str(&raw[i..skipped.end]);
            skipped.end
        }
        Some(b'\'') if !in_double => {
            out.quoted = true;
            let skipped = skip_within(bytes, i + 2, end, Construct::AnsiCQuote);
            out.value
                .push_str(&decode_ansi_c(&raw[i + 2..inner_end(skipped)]));
            skipped.end
        }
        Some(b'"') if !in_double => {
            // `$"…"` is a translatable string; without a message catalog it is `"…"`.
            i + 1
        }
        Some(byte) if byte == b'_' || byte.is_ascii_alphabetic() => {
            let mut j = i + 1;
            while j < end && (bytes[j] == b'_' || bytes[j].is_ascii_alphanumeric()) {
                j += 1;
            }
            out.has_expansion = true;
            out.value.push_str(&raw[i..j]);
            j
        }
        Some(byte) if byte.is_ascii_digit() || b"@*#?$!-".contains(&byte) => {
            out.has_expansion = true;
            out.value.push_str(&raw[i..i + 2]);
            i + 2
        }
        _ => {
            out.value.push('$');
            i + 1
        }
    }
}

/// Collects the substitutions inside `${…}` or `$((…))`, whose text stays in the value as
/// written.
fn scan_nested(raw: &str, range: Range<usize>, nesting: usize, out: &mut Analysis) {
    if nesting >= MAX_NESTING || range.start >= range.end {
        return;
    }
    let mut inner = Analysis::default();
    scan(raw, range, nesting + 1, &mut inner);
    out.substitutions.extend(inner.substitutions);
}

/// Skips a construct without running past `end`, the end of the word being scanned.
fn skip_within(bytes: &[u8], start: usize, end: usize, construct: Construct) -> Skipped {
    skip_construct(&bytes[..end], start.min(end), construct)
}

/// Returns the offset where the content of a skipped construct ends, before its closing
/// delimiter.
fn inner_end(skipped: Skipped) -> usize {
    if skipped.terminated {
        skipped.end - 1
    } else {
        skipped.end
    }
}

/// Resolves the backslash escapes of a `$'…'` string, as bash 5 documents them.
fn decode_ansi_c(content: &str) -> String {
    let mut value = String::with_capacity(content.len());
    let mut chars = content.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            value.push(ch);
            continue;
        }
        let Some(escaped) = chars.next() else {
            value.push('\\');
            break;
        };
        match escaped {
            'a' => value.push('\u{7}'),
            'b' => value.push('\u{8}'),
            'e' | 'E' => value.push('\u{1b}'),
            'f' => value.push('\u{c}'),
            'n' => value.push('\n'),
            'r' => value.push('\r'),
            't' => value.push('\t'),
            'v' => value.push('\u{b}'),
            '\\' | '\'' | '"' | '?' => value.push(escaped),
            'x' => {
                let code = take_digits(&mut chars, 16, 2, None);
                value.push(code.and_then(char::from_u32).unwrap_or('\u{FFFD}'));
            }
            '0'..='7' => {
                let code = take_digits(&mut chars, 8, 2, escaped.to_digit(8));
                value.push(code.and_then(char::from_u32).unwrap_or('\u{FFFD}'));
            }
            other => {
                value.push('\\');
                value.push(other);
            }
        }
    }
    value
}

/// Reads up to `max` more digits in `radix` after the optional `first` one.
/// Returns `None` when there is no digit at all.
fn take_digits(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    radix: u32,
    max: usize,
    first: Option<u32>,
) -> Option<u32> {
    let mut code = first;
    for _ in 0..max {
        let Some(digit) = chars.peek().and_then(|ch| ch.to_digit(radix)) else {
            break;
        };
        chars.next();
        code = Some(code.unwrap_or(0) * radix + digit);
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(raw: &str) -> String {
        analyze(raw).value
    }

    #[test]
    fn quotes_are_removed() {
        assert_eq!(value("\"flask>=2.0\""), "flask>=2.0");
        assert_eq!(value("'gunicorn==21.*'"), "gunicorn==21.*");
        assert_eq!(value("a'b c'\"d\""), "ab cd");
        assert!(analyze("'x'").quoted);
        assert!(!analyze("x").quoted);
    }

    #[test]
    fn escapes_follow_quoting_context() {
        assert_eq!(value(r"a\ b"), "a b");
        assert_eq!(value(r#""a\"b\n""#), r#"a"b\n"#);
        assert_eq!(value("ab\\\ncd"), "abcd");
        assert_eq!(value(r"'a\b'"), r"a\b");
    }

    #[test]
    fn expansions_stay_as_written() {
        let analysis = analyze("--prefix=\"$PREFIX\"");
        assert_eq!(analysis.value, "--prefix=$PREFIX");
        assert!(analysis.has_expansion);
        assert_eq!(value("v${VERSION:-0}"), "v${VERSION:-0}");
        assert_eq!(value("-j\"$(nproc)\""), "-j$(nproc)");
        assert!(!analyze("'$HOME'").has_expansion);
        assert!(!analyze("a$").has_expansion);
        assert!(analyze("$1").has_expansion);
    }

    #[test]
    fn substitutions_are_located() {
        let raw = "app-`uname -m`.tgz";
        let analysis = analyze(raw);
        assert_eq!(analysis.substitutions.len(), 1);
        assert_eq!(&raw[analysis.substitutions[0].clone()], "uname -m");

        let raw = "\"v$(cat /V)\"${X:-$(id -u)}";
        let found: Vec<&str> = analyze(raw)
            .substitutions
            .iter()
            .map(|r| &raw[r.clone()])
            .collect();
        assert_eq!(found, ["cat /V", "id -u"]);
    }

    #[test]
    fn process_substitution_is_located() {
        let raw = "<(ls -l)";
        let analysis = analyze(raw);
        assert_eq!(&raw[analysis.substitutions[0].clone()], "ls -l");
        assert_eq!(analysis.value, raw);
    }

    #[test]
    fn arithmetic_is_not_a_substitution() {
        let analysis = analyze("$((1 + 2))");
        assert!(analysis.substitutions.is_empty());
        assert!(analysis.has_expansion);
    }

    #[test]
    fn ansi_c_quotes_are_decoded() {
        assert_eq!(value(r"$'a\tb'"), "a\tb");
        assert_eq!(value(r"$'\x41\101\''"), "AA'");
    }

    #[test]
    fn unterminated_constructs_run_to_end() {
        assert_eq!(value("\"abc"), "abc");
        assert_eq!(value("'abc"), "abc");
        let raw = "$(echo a";
        assert_eq!(&raw[analyze(raw).substitutions[0].clone()], "echo a");
        assert_eq!(value("x\\"), "x\\");
    }
}
