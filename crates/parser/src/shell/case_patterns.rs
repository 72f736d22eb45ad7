//! Rewrites `case` patterns to their parenthesized form, byte for byte in place.
//!
//! In `$(case $x in a) echo 1 ;; esac)` the `)` after a pattern is unbalanced. Bash and
//! ShellCheck parse the substitution as a whole, but brush-parser 0.3.0 ends the `$(` at
//! the first `)`. POSIX allows an optional `(` before every pattern, and `(a)` is the
//! same pattern as `a)`. Writing that `(` over the blank just before each pattern keeps
//! every byte offset, so the spans of a parse of the rewritten text are spans of the
//! original.

/// Returns `text` with a `(` written over the blank before each `case` pattern that has no
/// `(` yet, or `None` when no pattern needed one.
///
/// The scan is lexical: it skips quoted text, comments and backslash escapes, and reads a
/// pattern after `case WORD in` and after each `;;`, `;&` or `;;&`. A pattern that does not
/// follow a blank is left as it is.
pub(super) fn parenthesize(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut rewritten = bytes.to_vec();
    let mut changed = false;
    // The `case` commands still open, innermost last, and whether each one is at a place
    // where a pattern starts.
    let mut open_cases: Vec<CaseState> = Vec::new();
    let mut index = 0;

    while index < bytes.len() {
        let byte = bytes[index];
        match byte {
            b'\\' => {
                index += 2;
                continue;
            }
            b'\'' | b'"' if !starts_word(bytes, index) => {
                index = skip_quoted(bytes, index);
                continue;
            }
            b'#' if index == 0 || is_blank_or_newline(bytes[index - 1]) => {
                while index < bytes.len() && bytes[index] != b'\n' {
                    index += 1;
                }
                continue;
            }
            b';' if bytes.get(index + 1) == Some(&b';') || bytes.get(index + 1) == Some(&b'&') => {
                index += 2;
                if bytes.get(index) == Some(&b'&') {
                    index += 1;
                }
                if let Some(state) = open_cases.last_mut() {
                    *state = CaseState::BeforePattern;
                }
                continue;
            }
            _ => {}
        }

        if !starts_word(bytes, index) {
            index += 1;
            continue;
        }
        let end = word_end(bytes, index);
        let word = &text[index..end];

        match open_cases.last().copied() {
            Some(CaseState::BeforeSubject) => {
                *open_cases.last_mut().unwrap() = CaseState::BeforeIn;
            }
            Some(CaseState::BeforeIn) if word == "in" => {
                *open_cases.last_mut().unwrap() = CaseState::BeforePattern;
            }
            Some(CaseState::BeforePattern) if word == "esac" => {
                open_cases.pop();
            }
            Some(CaseState::BeforePattern) => {
                if bytes[index] != b'(' && index > 0 && is_blank_or_newline(bytes[index - 1]) {
                    rewritten[index - 1] = b'(';
                    changed = true;
                }
                *open_cases.last_mut().unwrap() = CaseState::InBody;
                index = pattern_end(bytes, index);
                continue;
            }
            _ if word == "case" => open_cases.push(CaseState::BeforeSubject),
            Some(CaseState::InBody) if word == "esac" => {
                open_cases.pop();
            }
            _ => {}
        }
        index = end.max(index + 1);
    }

    // Only ASCII blanks were replaced, by `(`, so the bytes are still UTF-8.
    changed.then_some(rewritten).and_then(|bytes| String::from_utf8(bytes).ok())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CaseState {
    /// After `case`, before the word it matches.
    BeforeSubject,
    /// After the subject, before `in`.
    BeforeIn,
    /// The place for the next pattern or `esac`.
    BeforePattern,
    /// In the commands of one branch.
    InBody,
}

fn is_blank_or_newline(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// Returns whether a word starts at `index`: after the start, a blank or an operator.
fn starts_word(bytes: &[u8], index: usize) -> bool {
    let byte = bytes[index];
    if is_blank_or_newline(byte) || matches!(byte, b';' | b'&' | b'|' | b')') {
        return false;
    }
    index == 0
        || matches!(
            bytes[index - 1],
            b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b'('
        )
}

/// Returns the end of the word at `index`, at the first blank or operator outside quotes.
fn word_end(bytes: &[u8], index: usize) -> usize {
    let mut end = index;
    while end < bytes.len() && !is_blank_or_newline(bytes[end]) && !b";&|()<>".contains(&bytes[end])
    {
        match bytes[end] {
            b'\\' => end += 2,
            b'\'' | b'"' => end = skip_quoted(bytes, end),
            _ => end += 1,
        }
    }
    end.min(bytes.len())
}

/// Returns the index after the quoted text that starts at `start`.
fn skip_quoted(bytes: &[u8], start: usize) -> usize {
    if bytes[start] == b'\'' {
        skip_single_quoted(bytes, start)
    } else {
        skip_double_quoted(bytes, start)
    }
}

/// Returns the index after the `)` that closes the pattern starting at `index`, skipping
/// quoted text, or the end of the text.
fn pattern_end(bytes: &[u8], mut index: usize) -> usize {
    if bytes.get(index) == Some(&b'(') {
        index += 1;
    }
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            b'\'' | b'"' => index = skip_quoted(bytes, index),
            b')' => return index + 1,
            b'\n' => return index,
            _ => index += 1,
        }
    }
    bytes.len()
}

fn skip_single_quoted(bytes: &[u8], start: usize) -> usize {
    match bytes[start + 1..].iter().position(|&byte| byte == b'\'') {
        Some(offset) => start + offset + 2,
        None => bytes.len(),
    }
}

fn skip_double_quoted(bytes: &[u8], start: usize) -> usize {
    let mut index = start + 1;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            b'"' => return index + 1,
            _ => index += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::parenthesize;

    #[test]
    fn patterns_in_substitution() {
        let text =
            "echo $(case $(uname -m) in x86_64) echo amd64 ;; aarch64) echo arm64 ;; esac).tgz";
        let expected =
            "echo $(case $(uname -m) in(x86_64) echo amd64 ;;(aarch64) echo arm64 ;; esac).tgz";
        assert_eq!(parenthesize(text).as_deref(), Some(expected));
    }

    #[test]
    fn offsets_are_kept() {
        let text = "case \"$a\" in\n  x|y) true ;;\n  *) false ;;\nesac";
        let rewritten = parenthesize(text).unwrap();
        assert_eq!(rewritten.len(), text.len());
        assert_eq!(
            rewritten,
            "case \"$a\" in\n (x|y) true ;;\n (*) false ;;\nesac"
        );
    }

    #[test]
    fn quoted_pattern() {
        let text = "case \"$x\" in \"a b\") true ;; 'c') false ;; esac";
        let expected = "case \"$x\" in(\"a b\") true ;;('c') false ;; esac";
        assert_eq!(parenthesize(text).as_deref(), Some(expected));
    }

    #[test]
    fn parenthesized_patterns_unchanged() {
        assert_eq!(parenthesize("case x in (a) true ;; esac"), None);
    }

    #[test]
    fn quoted_case_word_ignored() {
        assert_eq!(parenthesize("echo 'case x in a) ;; esac'"), None);
        assert_eq!(parenthesize("echo x'case x in a) ;; esac'"), None);
        assert_eq!(parenthesize("echo \"case x in a) ;; esac\""), None);
    }

    #[test]
    fn nested_case_in_branch() {
        let text = "case a in a) case b in b) true ;; esac ;; c) false ;; esac";
        let expected = "case a in(a) case b in(b) true ;; esac ;;(c) false ;; esac";
        assert_eq!(parenthesize(text).as_deref(), Some(expected));
    }

    #[test]
    fn fallthrough_terminators() {
        let text = "case a in a) true ;& b) true ;;& c) true ;; esac";
        let expected = "case a in(a) true ;&(b) true ;;&(c) true ;; esac";
        assert_eq!(parenthesize(text).as_deref(), Some(expected));
    }
}
