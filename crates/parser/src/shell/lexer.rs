//! Byte-level scanning of shell quoting and nested constructs, shared by the word
//! analysis and the fallback tokenizer.
//!
//! Every delimiter of the shell language is ASCII, so scanning bytes is safe on UTF-8
//! text: a byte of a multi-byte character never equals a delimiter. Every offset returned
//! here is just after an ASCII byte or at the end of the text, so it is a char boundary.
//! Nothing here recurses, so deeply nested input cannot overflow the stack.

/// A construct that [`skip_construct`] can skip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Construct {
    /// `'…'`: no escapes inside.
    SingleQuote,
    /// `$'…'`: backslash escapes, no expansions.
    AnsiCQuote,
    /// `"…"`: expansions and a few backslash escapes.
    DoubleQuote,
    /// `` `…` ``: a command substitution in the old form.
    Backtick,
    /// `$(…)`, `$((…))` or a plain `(…)`, balanced on parentheses.
    Paren,
    /// `${…}`.
    Brace,
}

/// The end of a skipped construct.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Skipped {
    /// Offset just past the closing delimiter, or the end of the text when it is missing.
    pub end: usize,
    pub terminated: bool,
}

/// Skips the construct whose opening delimiter ends just before `start`, and returns the
/// offset after its closing delimiter. An unterminated construct runs to the end of `text`.
///
/// Inside parentheses, quotes, nested substitutions and `#` comments are honoured, so
/// `$(echo ")")` ends at the last `)`.
pub(super) fn skip_construct(text: &[u8], start: usize, construct: Construct) -> Skipped {
    let mut stack = vec![construct];
    let mut i = start;

    while i < text.len() {
        let Some(&top) = stack.last() else { break };
        let byte = text[i];
        match top {
            Construct::SingleQuote => {
                if byte == b'\'' {
                    stack.pop();
                }
                i += 1;
            }
            Construct::AnsiCQuote => match byte {
                b'\\' => i += 2,
                b'\'' => {
                    stack.pop();
                    i += 1;
                }
                _ => i += 1,
            },
            Construct::DoubleQuote | Construct::Backtick => {
                let closing = if top == Construct::DoubleQuote {
                    b'"'
                } else {
                    b'`'
                };
                if byte == b'\\' {
                    i += 2;
                } else if byte == closing {
                    stack.pop();
                    i += 1;
                } else if byte == b'$' {
                    i = open_dollar(text, i, &mut stack, false);
                } else if byte == b'`' {
                    stack.push(Construct::Backtick);
                    i += 1;
                } else {
                    i += 1;
                }
            }
            Construct::Paren | Construct::Brace => {
                i = step_code(text, i, &mut stack, top);
            }
        }
        if stack.is_empty() {
            return Skipped {
                end: i.min(text.len()),
                terminated: true,
            };
        }
    }

    Skipped {
        end: text.len(),
        terminated: false,
    }
}

/// Advances over one byte (or one construct opener) of code inside `$(…)` or `${…}`.
fn step_code(text: &[u8], i: usize, stack: &mut Vec<Construct>, top: Construct) -> usize {
    let byte = text[i];
    match byte {
        b'\\' => i + 2,
        b'\'' if top == Construct::Paren => {
            stack.push(Construct::SingleQuote);
            i + 1
        }
        b'"' => {
            stack.push(Construct::DoubleQuote);
            i + 1
        }
        b'`' => {
            stack.push(Construct::Backtick);
            i + 1
        }
        b'$' => open_dollar(text, i, stack, top == Construct::Paren),
        b'(' if top == Construct::Paren => {
            stack.push(Construct::Paren);
            i + 1
        }
        b')' if top == Construct::Paren => {
            stack.pop();
            i + 1
        }
        b'}' if top == Construct::Brace => {
            stack.pop();
            i + 1
        }
        b'#' if top == Construct::Paren && starts_comment(text, i) => {
            let mut j = i;
            while j < text.len() && text[j] != b'\n' {
                j += 1;
            }
            j
        }
        _ => i + 1,
    }
}

/// Handles a `$` at `i`: pushes the construct it opens and returns the next offset.
/// `$'…'` is only special where single quotes are (outside double quotes).
fn open_dollar(text: &[u8], i: usize, stack: &mut Vec<Construct>, ansi_c_allowed: bool) -> usize {
    match text.get(i + 1) {
        Some(b'(') => {
            stack.push(Construct::Paren);
            i + 2
        }
        Some(b'{') => {
            stack.push(Construct::Brace);
            i + 2
        }
        Some(b'\'') if ansi_c_allowed => {
            stack.push(Construct::AnsiCQuote);
            i + 2
        }
        _ => i + 1,
    }
}

/// Returns whether the `#` at `i` starts a comment, which it does only at the start of a
/// word.
pub(super) fn starts_comment(text: &[u8], i: usize) -> bool {
    i == 0
        || matches!(
            text[i - 1],
            b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')'
        )
}

/// Bytes that end an unquoted word.
pub(super) fn is_metachar(byte: u8) -> bool {
    matches!(
        byte,
        b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
    )
}

/// Returns the end of the word that starts at `start`: the first unquoted metacharacter
/// outside any quote or substitution, or the end of the text when a construct is left open.
/// `(` right after `=` or an extended-glob character (`arr=(1 2)`, `@(a|b)`) stays in the word.
pub(super) fn word_end(text: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < text.len() {
        let byte = text[i];
        let next = match byte {
            b'\\' => i + 2,
            b'\'' => skip_construct(text, i + 1, Construct::SingleQuote).end,
            b'"' => skip_construct(text, i + 1, Construct::DoubleQuote).end,
            b'`' => skip_construct(text, i + 1, Construct::Backtick).end,
            b'$' => match text.get(i + 1) {
                Some(b'(') => skip_construct(text, i + 2, Construct::Paren).end,
                Some(b'{') => skip_construct(text, i + 2, Construct::Brace).end,
                Some(b'\'') => skip_construct(text, i + 2, Construct::AnsiCQuote).end,
                Some(b'"') => skip_construct(text, i + 2, Construct::DoubleQuote).end,
                _ => i + 1,
            },
            b'(' if i > start && matches!(text[i - 1], b'=' | b'@' | b'!' | b'?' | b'+' | b'*') => {
                skip_construct(text, i + 1, Construct::Paren).end
            }
            _ if is_metachar(byte) => break,
            _ => i + 1,
        };
        i = next;
    }
    i.min(text.len())
}

/// Skips the gap that brush 0.3.0 can leave before a word's start: blanks, line
/// continuations, and the newline of a continuation whose backslash it already passed.
/// A word never starts with an unescaped newline, so skipping one is safe.
pub(super) fn skip_word_gap(text: &[u8], start: usize, limit: usize) -> usize {
    let mut i = start;
    while i < limit {
        match text[i] {
            b' ' | b'\t' | b'\n' => i += 1,
            b'\\' if i + 1 < limit && text[i + 1] == b'\n' => i += 2,
            _ => break,
        }
    }
    i
}

/// Skips blanks and line continuations (`\` + newline) from `start`, up to `limit`.
pub(super) fn skip_blanks(text: &[u8], start: usize, limit: usize) -> usize {
    let mut i = start;
    while i < limit {
        match text[i] {
            b' ' | b'\t' => i += 1,
            b'\\' if i + 1 < limit && text[i + 1] == b'\n' => i += 2,
            _ => break,
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end_of(text: &str) -> usize {
        word_end(text.as_bytes(), 0)
    }

    #[test]
    fn word_end_stops_at_metachar() {
        assert_eq!(end_of("abc def"), 3);
        assert_eq!(end_of("abc;def"), 3);
        assert_eq!(end_of("a>b"), 1);
    }

    #[test]
    fn word_end_skips_quotes_and_substitutions() {
        assert_eq!(end_of("'a b'c d"), 6);
        assert_eq!(end_of("\"a $(echo \")\") b\" x"), 17);
        assert_eq!(end_of("-j\"$(nproc)\") &&"), 12);
        assert_eq!(end_of("app-`uname -m`.tgz -C"), 18);
        assert_eq!(end_of("${a:-b c} x"), 9);
        assert_eq!(end_of("$((1 + (2 * 3))) x"), 16);
        assert_eq!(end_of("arr=(1 2 3) x"), 11);
    }

    #[test]
    fn word_end_runs_to_end_when_unterminated() {
        assert_eq!(end_of("\"abc def"), 8);
        assert_eq!(end_of("$(echo a"), 8);
        assert_eq!(end_of("'abc"), 4);
    }

    #[test]
    fn comment_inside_substitution_hides_paren() {
        let text = "$(echo a # )\n)";
        assert_eq!(end_of(text), text.len());
    }

    #[test]
    fn backslash_before_multibyte_char_stays_in_bounds() {
        let text = "a\\é b";
        assert_eq!(end_of(text), 4);
        assert!(text.is_char_boundary(end_of(text)));
    }
}
