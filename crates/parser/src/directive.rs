//! Parser directive lines: `# key=value` with BuildKit's pattern.

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::satisfy;
use nom::combinator::recognize;

use crate::Span;
use crate::syntax::Directive;

/// Go's RE2 `\s`: ASCII space, tab, newline, form feed and carriage return.
fn is_re2_space(ch: char) -> bool {
    matches!(ch, ' ' | '\t' | '\n' | '\u{c}' | '\r')
}

fn directive_key(input: &str) -> IResult<&str, &str> {
    recognize((satisfy(|c| c.is_ascii_alphabetic()), take_while(|c: char| c.is_ascii_alphanumeric()))).parse(input)
}

fn directive_line(input: &str) -> IResult<&str, (&str, &str)> {
    let (input, _) = (tag("#"), take_while(is_re2_space)).parse(input)?;
    let (input, key) = directive_key(input)?;
    let (input, _) = (take_while(is_re2_space), tag("=")).parse(input)?;
    let (input, value) = take_while1(|_| true).parse(input)?;
    Ok((input, (key, value)))
}

/// Matches `text[start..end]` (a comment line, leading whitespace already skipped) against
/// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`. Any key matches; the caller decides
/// whether BuildKit knows it.
pub(crate) fn parse_directive(text: &str, start: usize, end: usize) -> Option<Directive> {
    let line = &text[start..end];
    let (_, (key, after_equals)) = directive_line(line).ok()?;
    let mut value = after_equals.trim_matches(is_re2_space);
    if value.is_empty() {
        // `(.+?)` needs one character, so in a value of blanks only the regular
        // expression backtracks and captures the last blank.
        let last = after_equals.chars().next_back()?;
        value = &after_equals[after_equals.len() - last.len_utf8()..];
    }
    let key_start = start + (key.as_ptr() as usize - line.as_ptr() as usize);
    let value_start = start + (value.as_ptr() as usize - line.as_ptr() as usize);
    Some(Directive {
        name: key.to_ascii_lowercase(),
        value: value.to_string(),
        name_span: Span::new(key_start, key_start + key.len()),
        value_span: Span::new(value_start, value_start + value.len()),
        span: Span::new(start, end),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_forms() {
        let text = "#  EScape =  ` \t";
        let directive = parse_directive(text, 0, text.len()).unwrap();
        assert_eq!((directive.name.as_str(), directive.value.as_str()), ("escape", "`"));
        assert!(parse_directive("# escape=", 0, 9).is_none());
        assert!(parse_directive("# 1x=y", 0, 6).is_none());
        let check = "# check=skip=all // note";
        assert_eq!(parse_directive(check, 0, check.len()).unwrap().value, "skip=all // note");
    }
}
