//! CopyIgnoredFile: `COPY` or `ADD` of a file that `.dockerignore` leaves out of the
//! build context.

use ballast_parser::expand::{Options, expand_word};

use crate::model::{CopyArgs, Inst, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a local source of `COPY` (without `--from`) or `ADD` that the build
    /// context's `.dockerignore` excludes, itself or through a parent folder, as
    /// BuildKit's check of the same name does. Sources are expanded and cleaned first;
    /// URLs, Git sources and heredocs are not files of the context. The source `.` is
    /// reported only when a pattern is `*`, `**` or `**/*`.
    ///
    /// Like BuildKit, ballast skips the check when the ignore file has an exception
    /// (`!pattern`), because the exception may bring a file back.
    ///
    /// The ignore file is the one BuildKit uses for the build context:
    /// `<Dockerfile>.dockerignore` beside the Dockerfile, else `.dockerignore` at the
    /// root of the context. The context is the Dockerfile's folder unless `ballast lint
    /// --context DIR` or `ballast build CONTEXT` names another one. Without an ignore file
    /// nothing is reported.
    ///
    /// ## Why is this bad
    /// The file is not sent to the builder, so the instruction fails with "not found",
    /// or, with a wildcard, silently copies less than it names.
    ///
    /// ## Example
    /// With a `.dockerignore` that contains `*.md`:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY README.md /usr/share/nginx/html/
    /// ```
    ///
    /// Use instead: remove the file from `.dockerignore`, or stop copying it.
    pub CopyIgnoredFile {
        code: "CopyIgnoredFile",
        name: "copy-ignored-file",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let Some(ignore_text) = cx.file.dockerignore.as_deref() else {
        return;
    };
    let Some(patterns) = read_patterns(ignore_text) else {
        return;
    };
    if patterns.is_empty() {
        return;
    }
    let model = cx.model;
    for inst in &model.instructions {
        let (verb, copy) = match &inst.args {
            Typed::Copy(copy) if copy.from.is_none() => ("COPY", copy),
            Typed::Add(add) => ("ADD", add),
            _ => continue,
        };
        check_sources(cx, inst, verb, copy, &patterns);
    }
}

fn check_sources(
    cx: &mut Context<'_>,
    inst: &Inst<'_>,
    verb: &str,
    copy: &CopyArgs<'_>,
    patterns: &[Pattern],
) {
    let model = cx.model;
    let env = super::undefined_var::stage_env(model, inst.index);
    let options = Options::new(model.tree.escape);
    for word in copy.sources.iter() {
        if copy.is_heredoc_source(word) {
            continue;
        }
        let source = if copy.json {
            word.value.clone()
        } else {
            match expand_word(&word.value, &env, &options) {
                Ok(expansion) => expansion.value,
                Err(_) => continue,
            }
        };
        if is_remote(&source) {
            continue;
        }
        let cleaned = clean_path(&source);
        if !is_ignored(&cleaned, patterns) {
            continue;
        }
        cx.report(
            word.span,
            format!(
                "`.dockerignore` excludes `{cleaned}`, so this {verb} cannot read it from the build context: drop the source or change the ignore pattern"
            ),
        );
    }
}

fn is_remote(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ["http://", "https://", "git://", "git@", "ssh://"]
        .iter()
        .any(|prefix| lower.starts_with(prefix))
}

/// Returns whether the ignore patterns exclude `path` (cleaned, `/`-separated) or a folder above it.
fn is_ignored(path: &str, patterns: &[Pattern]) -> bool {
    if path == "." || path == "/" {
        return patterns
            .iter()
            .any(|pattern| matches!(pattern.text.as_str(), "*" | "**" | "**/*"));
    }
    let relative = path.trim_start_matches('/');
    let parts: Vec<&str> = relative.split('/').collect();
    let candidates = (1..=parts.len()).map(|count| parts[..count].join("/"));
    let candidates: Vec<String> = candidates.collect();
    patterns.iter().any(|pattern| {
        candidates
            .iter()
            .rev()
            .any(|candidate| pattern.matches(candidate))
    })
}

/// Cleans a path the way Go's `filepath.Clean` does on Linux: no `.` parts, `..`
/// resolved where it can be, no repeated or trailing `/`.
fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// One `.dockerignore` pattern.
#[derive(Debug)]
struct Pattern {
    /// The cleaned pattern text.
    text: String,
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(char),
    /// `*`: any run of characters other than `/`.
    Star,
    /// `?`: one character other than `/`.
    AnyChar,
    /// `**` followed by more pattern: any number of whole folders, zero included.
    Folders,
    /// `**` at the end: anything.
    Rest,
    /// `[…]`: the characters or ranges, and whether the class is negated.
    Class(Vec<(char, char)>, bool),
}

/// Reads the patterns of an ignore file the way Docker's `dockerignore.ReadAll` does.
/// Returns `None` when the file has an exception (`!pattern`), which turns the check off.
fn read_patterns(text: &str) -> Option<Vec<Pattern>> {
    let mut patterns = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('!') {
            return None;
        }
        let mut cleaned = clean_path(line);
        if cleaned.len() > 1 && cleaned.starts_with('/') {
            cleaned.remove(0);
        }
        let tokens = tokenize(&cleaned);
        patterns.push(Pattern {
            text: cleaned,
            tokens,
        });
    }
    Some(patterns)
}

fn tokenize(pattern: &str) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let ch = chars[index];
        index += 1;
        match ch {
            '*' if chars.get(index) == Some(&'*') => {
                while chars.get(index) == Some(&'*') {
                    index += 1;
                }
                if chars.get(index) == Some(&'/') {
                    index += 1;
                }
                tokens.push(if index >= chars.len() {
                    Token::Rest
                } else {
                    Token::Folders
                });
            }
            '*' => tokens.push(Token::Star),
            '?' => tokens.push(Token::AnyChar),
            '\\' if index < chars.len() => {
                tokens.push(Token::Literal(chars[index]));
                index += 1;
            }
            '[' => match read_class(&chars, index) {
                Some((class, next)) => {
                    tokens.push(class);
                    index = next;
                }
                None => tokens.push(Token::Literal('[')),
            },
            _ => tokens.push(Token::Literal(ch)),
        }
    }
    tokens
}

/// Reads a bracket expression that starts after `[` at `start`; returns the token and
/// the index after `]`.
fn read_class(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut index = start;
    let negated = matches!(chars.get(index), Some('^' | '!'));
    if negated {
        index += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    while index < chars.len() {
        let mut ch = chars[index];
        if ch == ']' && !first {
            return Some((Token::Class(ranges, negated), index + 1));
        }
        first = false;
        if ch == '\\' && index + 1 < chars.len() {
            index += 1;
            ch = chars[index];
        }
        if chars.get(index + 1) == Some(&'-') && chars.get(index + 2).is_some_and(|&c| c != ']') {
            ranges.push((ch, chars[index + 2]));
            index += 3;
        } else {
            ranges.push((ch, ch));
            index += 1;
        }
    }
    None
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        let chars: Vec<char> = path.chars().collect();
        match_tokens(&self.tokens, &chars)
    }
}

fn match_tokens(tokens: &[Token], path: &[char]) -> bool {
    let Some((token, rest)) = tokens.split_first() else {
        return path.is_empty();
    };
    match token {
        Token::Literal(ch) => path.first() == Some(ch) && match_tokens(rest, &path[1..]),
        Token::AnyChar => path.first().is_some_and(|&c| c != '/') && match_tokens(rest, &path[1..]),
        Token::Class(ranges, negated) => {
            path.first().is_some_and(|&c| {
                let inside = ranges.iter().any(|&(low, high)| low <= c && c <= high);
                c != '/' && inside != *negated
            }) && match_tokens(rest, &path[1..])
        }
        Token::Star => {
            let run = path.iter().take_while(|&&c| c != '/').count();
            (0..=run).any(|skip| match_tokens(rest, &path[skip..]))
        }
        Token::Folders => {
            // Zero folders, or any prefix that ends with `/`.
            match_tokens(rest, path)
                || (0..path.len())
                    .filter(|&i| path[i] == '/')
                    .any(|i| match_tokens(rest, &path[i + 1..]))
        }
        Token::Rest => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored(patterns: &str, path: &str) -> bool {
        let patterns = read_patterns(patterns).unwrap();
        is_ignored(&clean_path(path), &patterns)
    }

    #[test]
    fn docker_pattern_rules() {
        assert!(ignored("*.md", "README.md"));
        assert!(!ignored("*.md", "docs/README.md"));
        assert!(ignored("**/*.md", "docs/README.md"));
        assert!(ignored("**/*.md", "README.md"));
        assert!(ignored("node_modules", "node_modules/x/y.js"));
        assert!(ignored("/build", "./build/out"));
        assert!(ignored("secret?.txt", "secret1.txt"));
        assert!(!ignored("secret?.txt", "secret/.txt"));
        assert!(ignored("log[0-9]", "log5"));
        assert!(ignored("docs/**", "docs/a/b"));
        assert!(!ignored("*.md", "."));
        assert!(ignored("*", "."));
    }

    #[test]
    fn exceptions_turn_the_check_off() {
        assert!(read_patterns("*.md\n!README.md\n").is_none());
    }

    #[test]
    fn clean_like_go() {
        assert_eq!(clean_path("./a//b/../c/"), "a/c");
        assert_eq!(clean_path("/../a"), "/a");
        assert_eq!(clean_path("./"), ".");
        assert_eq!(clean_path("../x"), "../x");
    }
}
