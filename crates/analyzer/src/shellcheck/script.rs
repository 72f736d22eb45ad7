//! The text ShellCheck reads for one script, and the way back from its positions.
//!
//! ShellCheck gets the script unchanged except for one inserted line, `export NAME=1 …`,
//! which declares the ARG and ENV names in scope. Because ShellCheck then has their values, it
//! reports neither "referenced but not assigned" (SC2154) nor "double quote to prevent
//! splitting" (SC2086) for them, as hadolint 2.15 does with its own `export` lines.
//!
//! The line goes after the leading comment and blank lines, so a `#!` line stays first and a
//! `# shellcheck disable=…` directive above the first command still covers the whole script.

use std::ops::Range;

/// The text sent to ShellCheck and the place of the inserted declaration line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Prepared {
    pub text: String,
    /// The 1-based line number of the declaration line in [`Prepared::text`], or `None`
    /// when nothing was declared.
    declaration_line: Option<usize>,
}

impl Prepared {
    /// Inserts the declarations of `declared` into `script`. Names that are not shell
    /// identifiers are left out, because ShellCheck would report the `export` line itself.
    pub fn new(script: &str, declared: &[String]) -> Prepared {
        // Only names the script mentions need declaring. Declaring every name in scope
        // would make each script as long as the file's ARG and ENV lines, so the work
        // would grow with the square of the file.
        let mentioned = identifiers_in(script);
        let names: Vec<&str> = declared
            .iter()
            .map(String::as_str)
            .filter(|name| is_identifier(name) && mentioned.contains(name))
            .collect();
        if names.is_empty() {
            return Prepared {
                text: script.to_string(),
                declaration_line: None,
            };
        }

        let insert_at = end_of_leading_comments(script);
        let head = &script[..insert_at];
        let mut text = String::with_capacity(script.len() + 16 * names.len());
        text.push_str(head);
        if !head.is_empty() && !head.ends_with('\n') {
            text.push('\n');
        }
        let declaration_line = text.matches('\n').count() + 1;
        text.push_str("export");
        for name in names {
            text.push(' ');
            text.push_str(name);
            text.push_str("=1");
        }
        text.push('\n');
        text.push_str(&script[insert_at..]);
        Prepared {
            text,
            declaration_line: Some(declaration_line),
        }
    }

    /// Returns the 1-based line of `script` that ShellCheck's `line` refers to, or `None` for
    /// the declaration line.
    pub fn script_line(&self, line: usize) -> Option<usize> {
        match self.declaration_line {
            Some(declared) if line == declared => None,
            Some(declared) if line > declared => Some(line - 1),
            _ => Some(line),
        }
    }
}

/// Returns the byte offset in `script` of a 1-based ShellCheck line and column. ShellCheck's
/// `json1` format counts columns in characters (Unicode scalar values) and a tab as one
/// column (checked with ShellCheck 0.9.0). Positions past the end of a line or of the script
/// are clamped to it.
pub(super) fn offset_of(script: &str, line: usize, column: usize) -> usize {
    let Some(line_start) = line_start(script, line) else {
        return script.len();
    };
    let rest = &script[line_start..];
    let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let within = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(index, _)| index);
    line_start + within
}

/// Returns the byte range in `script` of ShellCheck's `line:column` to `end_line:end_column`
/// (exclusive), with the end never before the start.
pub(super) fn range_of(
    script: &str,
    (line, column): (usize, usize),
    (end_line, end_column): (usize, usize),
) -> Range<usize> {
    let start = offset_of(script, line, column);
    let end = offset_of(script, end_line, end_column).max(start);
    start..end
}

fn line_start(script: &str, line: usize) -> Option<usize> {
    if line <= 1 {
        return Some(0);
    }
    script
        .match_indices('\n')
        .nth(line - 2)
        .map(|(index, _)| index + 1)
}

/// Returns the offset of the first line that is neither blank nor a comment.
fn end_of_leading_comments(script: &str) -> usize {
    let mut offset = 0;
    for line in script.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            break;
        }
        offset += line.len();
    }
    offset
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn declaration_goes_first_without_comments() {
        let prepared = Prepared::new("echo $a ${B_2}\n", &names(&["a", "B_2"]));
        assert_eq!(prepared.text, "export a=1 B_2=1\necho $a ${B_2}\n");
        assert_eq!(prepared.script_line(1), None);
        assert_eq!(prepared.script_line(2), Some(1));
    }

    #[test]
    fn declaration_follows_shebang_and_directives() {
        let script = "#!/bin/bash\n# shellcheck disable=SC2086\n\necho $a\n";
        let prepared = Prepared::new(script, &names(&["a"]));
        assert_eq!(
            prepared.text,
            "#!/bin/bash\n# shellcheck disable=SC2086\n\nexport a=1\necho $a\n"
        );
        assert_eq!(prepared.script_line(3), Some(3));
        assert_eq!(prepared.script_line(4), None);
        assert_eq!(prepared.script_line(5), Some(4));
    }

    #[test]
    fn comment_only_script_gets_a_newline_first() {
        let prepared = Prepared::new("# only a comment", &names(&["a"]));
        assert_eq!(prepared.text, "# only a comment\nexport a=1\n");
        assert_eq!(prepared.script_line(2), None);
    }

    #[test]
    fn unmentioned_names_are_not_declared() {
        let prepared = Prepared::new("echo $a $((count + 1))\n", &names(&["a", "count", "other"]));
        assert_eq!(prepared.text, "export a=1 count=1\necho $a $((count + 1))\n");
    }

    #[test]
    fn invalid_names_are_not_declared() {
        let prepared = Prepared::new("echo\n", &names(&["my.var", "1x", ""]));
        assert_eq!(prepared.text, "echo\n");
        assert_eq!(prepared.script_line(1), Some(1));
    }

    #[test]
    fn columns_count_characters_and_tabs_as_one() {
        let script = "echo \"é\" $c\n\techo $b\n";
        assert_eq!(&script[offset_of(script, 1, 10)..], "$c\n\techo $b\n");
        assert_eq!(&script[offset_of(script, 2, 7)..], "$b\n");
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let script = "echo a\necho b";
        assert_eq!(offset_of(script, 1, 40), 6);
        assert_eq!(offset_of(script, 2, 7), script.len());
        assert_eq!(offset_of(script, 9, 1), script.len());
        assert_eq!(range_of(script, (2, 3), (1, 1)), 9..9);
    }
}

/// The identifier-shaped words of a script: every run of letters, digits and `_` that does
/// not start with a digit. A superset of the variable names the script reads, bare names in
/// arithmetic included.
pub(super) fn identifiers_in(script: &str) -> std::collections::HashSet<&str> {
    let mut names = std::collections::HashSet::new();
    let bytes = script.as_bytes();
    let mut start = None;
    for (index, &byte) in bytes.iter().enumerate() {
        let word_byte = byte.is_ascii_alphanumeric() || byte == b'_';
        match (start, word_byte) {
            (None, true) => start = Some(index),
            (Some(begin), false) => {
                names.insert(&script[begin..index]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(begin) = start {
        names.insert(&script[begin..]);
    }
    names.retain(|name| !name.starts_with(|c: char| c.is_ascii_digit()));
    names
}
