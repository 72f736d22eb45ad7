//! The shell patterns of `${name#pattern}`, `${name%pattern}` and `${name/pattern/string}`.
//!
//! BuildKit turns a pattern into a Go regular expression: `*` becomes `.*` (lazy `.*?` for
//! the shortest `#` and `%` forms), `?` becomes `.`, everything else is literal, and there
//! are no bracket expressions. Go's `.` does not match a newline, so neither `*` nor `?`
//! crosses one. The regular expression returns the match that a backtracking matcher finds
//! first, and this module computes exactly that match without a regex engine.

use super::chars::{is_digit, is_letter};

/// One element of a parsed pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Star,
    AnyChar,
    Literal(char),
}

/// Marks "no match" in a table of match ends.
const NO_MATCH: usize = usize::MAX;

/// Removes the prefix of `value` that matches `pattern`, the shortest or the longest.
pub(super) fn remove_prefix(pattern: &str, value: &str, longest: bool) -> Result<String, String> {
    let tokens = parse(pattern).map_err(|error| invalid_pattern(pattern, &error))?;
    let text: Vec<char> = value.chars().collect();
    let ends = match_ends(&tokens, &text, longest);
    match ends[0] {
        NO_MATCH => Ok(value.to_owned()),
        end => Ok(text[end..].iter().collect()),
    }
}

/// Removes the suffix of `value` that matches `pattern`, the shortest or the longest.
///
/// BuildKit reverses the pattern (keeping each `\x` pair in order) and the value, removes a
/// prefix, and reverses the rest back. Doing the same keeps its quirks: an error message
/// shows the reversed pattern, and a pattern ending in a lone `\` escapes its first
/// character once reversed.
pub(super) fn remove_suffix(pattern: &str, value: &str, longest: bool) -> Result<String, String> {
    let reversed_pattern = reverse_pattern(pattern);
    let tokens =
        parse(&reversed_pattern).map_err(|error| invalid_pattern(&reversed_pattern, &error))?;
    let text: Vec<char> = value.chars().rev().collect();
    let ends = match_ends(&tokens, &text, longest);
    match ends[0] {
        NO_MATCH => Ok(value.to_owned()),
        end => Ok(text[end..].iter().rev().collect()),
    }
}

/// Replaces the first match of `pattern` in `value` (every match when `all`) with
/// `replacement`. A match is the leftmost one, with `*` as long as possible.
///
/// Replacing every match goes through Go's `Regexp.ReplaceAllString`, which reads `$`
/// in the replacement as a group reference: `$0` and `${0}` insert the match, `$$` inserts
/// `$`, and any other group name inserts nothing. The first-match form inserts the
/// replacement literally.
pub(super) fn replace(
    pattern: &str,
    value: &str,
    replacement: &str,
    all: bool,
) -> Result<String, String> {
    let tokens = parse(pattern).map_err(|error| invalid_pattern(pattern, &error))?;
    let text: Vec<char> = value.chars().collect();
    let ends = match_ends(&tokens, &text, true);

    if !all {
        let Some((start, end)) = next_match(&ends, 0) else {
            return Ok(value.to_owned());
        };
        let mut out = String::with_capacity(value.len() + replacement.len());
        out.extend(&text[..start]);
        out.push_str(replacement);
        out.extend(&text[end..]);
        return Ok(out);
    }

    let template = parse_template(replacement);
    let mut out = String::with_capacity(value.len());
    let mut last_end = 0;
    let mut search = 0;
    while search <= text.len() {
        let Some((start, end)) = next_match(&ends, search) else {
            break;
        };
        out.extend(&text[last_end..start]);

        // Go skips an empty match right after the previous match, so a pattern that
        // matches both empty and non-empty text is not replaced twice.
        if end > last_end || start == 0 {
            for piece in &template {
                match piece {
                    Piece::Text(text) => out.push_str(text),
                    Piece::WholeMatch => out.extend(&text[start..end]),
                }
            }
        }
        last_end = end;

        // The next search starts at the end of this match, but at least one character
        // past the previous search position.
        let width = usize::from(search < text.len());
        if search + width > end {
            search += width;
        } else if search + 1 > end {
            search += 1;
        } else {
            search = end;
        }
    }
    out.extend(&text[last_end..]);
    Ok(out)
}

fn invalid_pattern(pattern: &str, error: &str) -> String {
    format!("invalid pattern ({pattern}) in substitution: {error}")
}

/// Parses a pattern. `\*`, `\?` and `\\` are literal characters. A `\` before `}` or `/`
/// is dropped, because it only kept the lexer from ending the `${…}` there. Any other `\`
/// is an error.
fn parse(pattern: &str) -> Result<Vec<Token>, String> {
    // BuildKit reads the pattern with Go's text/scanner, which drops a leading byte order mark.
    let pattern = pattern.strip_prefix('\u{feff}').unwrap_or(pattern);

    let mut tokens = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(ch) = chars.next() {
        let token = match ch {
            '*' => Token::Star,
            '?' => Token::AnyChar,
            '\\' => {
                if matches!(chars.peek(), Some('}' | '/')) {
                    continue;
                }
                match chars.next() {
                    Some(escaped @ ('*' | '?' | '\\')) => Token::Literal(escaped),
                    // Go formats the end of input (rune -1) with %c as U+FFFD.
                    escaped => {
                        let escaped = escaped.unwrap_or('\u{fffd}');
                        return Err(format!("invalid escape '\\{escaped}'"));
                    }
                }
            }
            _ => Token::Literal(ch),
        };
        tokens.push(token);
    }
    Ok(tokens)
}

/// Reverses a pattern while keeping each `\` before the character it escapes.
fn reverse_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut reversed = chars.clone();
    let last = chars.len().saturating_sub(1);
    let mut index = 0;
    while index < chars.len() {
        let target = last - index;
        if chars[index] == '\\' && index != last {
            reversed[target - 1] = '\\';
            reversed[target] = chars[index + 1];
            index += 2;
        } else {
            reversed[target] = chars[index];
            index += 1;
        }
    }
    reversed.into_iter().collect()
}

/// Computes, for every start position in `text`, where the first match of `tokens` found by
/// a backtracking matcher ends (`NO_MATCH` if there is none). `greedy` makes `*` try the
/// longest run first, otherwise the shortest.
///
/// Dynamic programming over the tokens from last to first keeps this at
/// O(tokens × characters), where a backtracking matcher can take exponential time.
fn match_ends(tokens: &[Token], text: &[char], greedy: bool) -> Vec<usize> {
    let len = text.len();
    let mut next: Vec<usize> = (0..=len).collect();
    let mut current = vec![NO_MATCH; len + 1];

    for token in tokens.iter().rev() {
        match *token {
            Token::Literal(expected) => {
                for start in 0..=len {
                    current[start] = match text.get(start) {
                        Some(&ch) if ch == expected => next[start + 1],
                        _ => NO_MATCH,
                    };
                }
            }
            Token::AnyChar => {
                for start in 0..=len {
                    current[start] = match text.get(start) {
                        Some(&ch) if ch != '\n' => next[start + 1],
                        _ => NO_MATCH,
                    };
                }
            }
            Token::Star => {
                current[len] = next[len];
                for start in (0..len).rev() {
                    let can_extend = text[start] != '\n';
                    current[start] = if greedy {
                        if can_extend && current[start + 1] != NO_MATCH {
                            current[start + 1]
                        } else {
                            next[start]
                        }
                    } else if next[start] != NO_MATCH {
                        next[start]
                    } else if can_extend {
                        current[start + 1]
                    } else {
                        NO_MATCH
                    };
                }
            }
        }
        std::mem::swap(&mut next, &mut current);
    }
    next
}

/// Finds the leftmost match that starts at `from` or later, as a start and an end.
fn next_match(ends: &[usize], from: usize) -> Option<(usize, usize)> {
    let start = (from..ends.len()).find(|&start| ends[start] != NO_MATCH)?;
    Some((start, ends[start]))
}

/// A part of a replacement template.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    WholeMatch,
}

/// Parses a replacement template as Go's `Regexp.Expand` reads it for a regular expression
/// without groups: only group 0, the whole match, inserts text.
fn parse_template(template: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        pieces.push(Piece::Text(&rest[..dollar]));
        rest = &rest[dollar + 1..];

        if let Some(after) = rest.strip_prefix('$') {
            pieces.push(Piece::Text("$"));
            rest = after;
            continue;
        }
        match group_reference(rest) {
            Some((name, after)) => {
                if name == "0" {
                    pieces.push(Piece::WholeMatch);
                }
                rest = after;
            }
            // A malformed reference keeps its `$` as text.
            None => pieces.push(Piece::Text("$")),
        }
    }
    pieces.push(Piece::Text(rest));
    pieces
}

/// Reads a group reference after a `$`: a name of letters, digits and `_`, optionally in
/// braces. Returns the name and the text after the reference.
fn group_reference(text: &str) -> Option<(&str, &str)> {
    let (braced, body) = match text.strip_prefix('{') {
        Some(body) => (true, body),
        None => (false, text),
    };
    let name_len = body
        .char_indices()
        .find(|&(_, ch)| !(is_letter(ch) || is_digit(ch) || ch == '_'))
        .map_or(body.len(), |(index, _)| index);
    if name_len == 0 {
        return None;
    }

    let (name, after) = body.split_at(name_len);
    if !braced {
        return Some((name, after));
    }
    let after = after.strip_prefix('}')?;
    Some((name, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_escapes_and_errors() {
        assert_eq!(
            parse("a\\*\\?\\\\").unwrap(),
            vec![
                Token::Literal('a'),
                Token::Literal('*'),
                Token::Literal('?'),
                Token::Literal('\\'),
            ]
        );
        assert_eq!(
            parse("\\}\\/").unwrap(),
            vec![Token::Literal('}'), Token::Literal('/')]
        );
        assert_eq!(parse("\\x").unwrap_err(), "invalid escape '\\x'");
        assert_eq!(parse("\\").unwrap_err(), "invalid escape '\\\u{fffd}'");
        assert_eq!(parse("\\\\\\").unwrap_err(), "invalid escape '\\\u{fffd}'");
    }

    #[test]
    fn parse_drops_leading_byte_order_mark() {
        assert_eq!(parse("\u{feff}a").unwrap(), vec![Token::Literal('a')]);
        assert_eq!(
            parse("a\u{feff}").unwrap(),
            vec![Token::Literal('a'), Token::Literal('\u{feff}')]
        );
    }

    #[test]
    fn reverse_pattern_keeps_escape_pairs() {
        assert_eq!(reverse_pattern("a\\*c"), "c\\*a");
        assert_eq!(reverse_pattern("\\\\\\ab"), "b\\a\\\\");
        assert_eq!(reverse_pattern("ab\\"), "\\ba");
        assert_eq!(reverse_pattern("👽\\🚀🖖"), "🖖\\🚀👽");
        assert_eq!(reverse_pattern("\\\\b"), "b\\\\");
        assert_eq!(reverse_pattern(""), "");
    }

    #[test]
    fn prefix_shortest_and_longest() {
        assert_eq!(remove_prefix("*x*y", "xxyy", false).unwrap(), "y");
        assert_eq!(remove_prefix("*", "xxyy", false).unwrap(), "xxyy");
        assert_eq!(remove_prefix("*x", "xxyy", true).unwrap(), "yy");
        assert_eq!(remove_prefix("", "xxyy", true).unwrap(), "xxyy");
        assert_eq!(remove_prefix("?\\?", "???y", false).unwrap(), "?y");
        assert_eq!(remove_prefix("*", "xxyy", true).unwrap(), "");
    }

    #[test]
    fn stars_do_not_cross_newlines() {
        assert_eq!(remove_prefix("*b", "a\nb", false).unwrap(), "a\nb");
        assert_eq!(remove_prefix("*", "ab\ncd", true).unwrap(), "\ncd");
        assert_eq!(remove_prefix("a?b", "a\nb", false).unwrap(), "a\nb");
        assert_eq!(remove_suffix("*", "ab\ncd", true).unwrap(), "ab\n");
    }

    #[test]
    fn suffix_shortest_and_longest() {
        assert_eq!(remove_suffix("\\**", "xx**", true).unwrap(), "xx");
        assert_eq!(remove_suffix("\\**\\*", "a***yy*", true).unwrap(), "a");
        assert_eq!(remove_suffix("x", "xxyy", false).unwrap(), "xxyy");
        assert_eq!(
            remove_suffix(".*", "file.tar.gz", false).unwrap(),
            "file.tar"
        );
        assert_eq!(remove_suffix(".*", "file.tar.gz", true).unwrap(), "file");
    }

    #[test]
    fn suffix_errors_show_reversed_pattern() {
        assert_eq!(
            remove_suffix("a\\x", "v", false).unwrap_err(),
            "invalid pattern (\\xa) in substitution: invalid escape '\\x'"
        );
        assert_eq!(
            remove_suffix("ab\\", "v", false).unwrap_err(),
            "invalid pattern (\\ba) in substitution: invalid escape '\\b'"
        );
    }

    #[test]
    fn replace_first_and_all() {
        let value = "/foo*/*/*.txt";
        assert_eq!(replace("\\*/", value, ".", false).unwrap(), "/foo.*/*.txt");
        assert_eq!(replace("\\*/", value, ".", true).unwrap(), "/foo..*.txt");
        assert_eq!(
            replace("/?/", "/a/foo/b/c.txt", "/", true).unwrap(),
            "/foo/c.txt"
        );
        assert_eq!(replace("", "xxyy", "ww", false).unwrap(), "wwxxyy");
        assert_eq!(replace("", "xxyy", "", true).unwrap(), "xxyy");
        assert_eq!(replace("", "ab", "-", true).unwrap(), "-a-b-");
        assert_eq!(replace("x*", "axxbx", "-", true).unwrap(), "a-");
        assert_eq!(replace("x?", "axxbxy", "-", true).unwrap(), "a-b-");
        assert_eq!(replace("*", "abc", "-", true).unwrap(), "-");
    }

    #[test]
    fn replace_all_expands_group_references() {
        assert_eq!(
            replace("a", "banana", "[$0]", true).unwrap(),
            "b[a]n[a]n[a]"
        );
        assert_eq!(
            replace("a", "banana", "[${0}]", true).unwrap(),
            "b[a]n[a]n[a]"
        );
        assert_eq!(replace("a", "ba", "$$", true).unwrap(), "b$");
        assert_eq!(replace("a", "ba", "$1x", true).unwrap(), "b");
        assert_eq!(replace("a", "ba", "${1}x", true).unwrap(), "bx");
        assert_eq!(replace("a", "ba", "$", true).unwrap(), "b$");
        assert_eq!(replace("a", "ba", "${x", true).unwrap(), "b${x");
        assert_eq!(replace("a", "ba", "$00", true).unwrap(), "b");
        assert_eq!(replace("a", "ba", "$0", false).unwrap(), "b$0");
    }

    #[test]
    fn match_ends_lazy_and_greedy() {
        let text: Vec<char> = "xaxa".chars().collect();
        let tokens = parse("*a").unwrap();
        assert_eq!(
            match_ends(&tokens, &text, false),
            vec![2, 2, 4, 4, NO_MATCH]
        );
        assert_eq!(match_ends(&tokens, &text, true), vec![4, 4, 4, 4, NO_MATCH]);
    }

    #[test]
    fn long_patterns_stay_polynomial() {
        let value = "a".repeat(2000);
        let pattern = "*a".repeat(200) + "b";
        assert_eq!(remove_prefix(&pattern, &value, false).unwrap(), value);
    }
}
