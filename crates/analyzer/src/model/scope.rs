//! ARG and ENV bindings and the variable expansion the model needs to resolve them.

use ballast_parser::Span;

/// The kind of instruction that declared a variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    /// An `ARG` before the first `FROM`: visible only to `FROM` lines and to in-stage `ARG`s
    /// of the same name.
    MetaArg,
    /// An `ARG` inside a stage.
    Arg,
    Env,
}

/// One variable declared by ARG or ENV.
#[derive(Clone, Debug)]
pub struct Binding {
    pub name: String,
    /// The value after expansion, or `None` for an `ARG name` with no value in scope.
    pub value: Option<String>,
    pub kind: BindingKind,
    /// The index of the declaring instruction in [`super::Model::instructions`].
    pub instruction: usize,
    /// The name (and value) as written.
    pub span: Span,
}

/// BuildKit's predefined global build arguments (`dockerfile2llb/platform.go`, BuildKit
/// v0.20). Their values depend on the build, so the model records only that they exist.
pub const PREDEFINED_ARGS: [&str; 11] = [
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDOSVERSION",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETOSVERSION",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
];

/// The result of expanding a word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expanded {
    pub value: String,
    /// Names that were referenced but have no value in scope.
    pub unresolved: Vec<String>,
}

/// Expands `$name`, `${name}`, `${name:-word}`, `${name-word}`, `${name:+word}` and
/// `${name+word}`, and removes quotes, with `lookup` returning a variable's value.
/// Forms the model does not need (`${name#pattern}` and the like) keep their text and
/// count as unresolved.
///
/// TODO: use `ballast_parser::expand`, BuildKit's exact lexer, once it is published; this
/// covers what FROM lines and ENV values use in practice.
pub fn expand<'v>(text: &str, escape: char, lookup: &dyn Fn(&str) -> Option<&'v str>) -> Expanded {
    let mut out = Expanded::default();
    let chars: Vec<char> = text.chars().collect();
    let mut index = 0;
    let mut quote: Option<char> = None;
    while index < chars.len() {
        let ch = chars[index];
        match ch {
            '\'' if quote.is_none() => quote = Some('\''),
            '\'' if quote == Some('\'') => quote = None,
            '"' if quote.is_none() => quote = Some('"'),
            '"' if quote == Some('"') => quote = None,
            _ if ch == escape && quote != Some('\'') => {
                index += 1;
                if let Some(&next) = chars.get(index) {
                    if quote == Some('"') && !matches!(next, '"' | '$') && next != escape {
                        out.value.push(ch);
                    }
                    out.value.push(next);
                }
            }
            '$' if quote != Some('\'') => {
                index = expand_variable(&chars, index, escape, lookup, &mut out);
                continue;
            }
            _ => out.value.push(ch),
        }
        index += 1;
    }
    out
}

/// Expands the variable reference at `chars[start] == '$'` and returns the index after it.
fn expand_variable<'v>(
    chars: &[char],
    start: usize,
    escape: char,
    lookup: &dyn Fn(&str) -> Option<&'v str>,
    out: &mut Expanded,
) -> usize {
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    let mut index = start + 1;

    if chars.get(index) != Some(&'{') {
        let name_end = (index..chars.len())
            .find(|&i| !is_name(chars[i]))
            .unwrap_or(chars.len());
        if name_end == index {
            out.value.push('$');
            return index;
        }
        let name: String = chars[index..name_end].iter().collect();
        push_value(&name, lookup, out);
        return name_end;
    }

    index += 1;
    let name_end = (index..chars.len())
        .find(|&i| !is_name(chars[i]))
        .unwrap_or(chars.len());
    let name: String = chars[index..name_end].iter().collect();
    let Some(close) = matching_brace(chars, name_end) else {
        out.value.extend(&chars[start..]);
        out.unresolved.push(name);
        return chars.len();
    };
    let modifier: String = chars[name_end..close].iter().collect();
    let value = lookup(&name);
    let word = |skip: usize| expand(&modifier[skip..], escape, lookup);

    let (colon, rest) = match modifier.strip_prefix(':') {
        Some(rest) => (true, rest),
        None => (false, modifier.as_str()),
    };
    let set = value.is_some_and(|value| !colon || !value.is_empty());
    match rest.chars().next() {
        None if !colon => push_value(&name, lookup, out),
        Some('-') => {
            if set {
                out.value.push_str(value.unwrap_or(""));
            } else {
                let default = word(modifier.len() - rest.len() + 1);
                out.value.push_str(&default.value);
                out.unresolved.extend(default.unresolved);
            }
        }
        Some('+') => {
            if set {
                let alternative = word(modifier.len() - rest.len() + 1);
                out.value.push_str(&alternative.value);
                out.unresolved.extend(alternative.unresolved);
            }
        }
        _ => {
            out.value.extend(&chars[start..=close]);
            out.unresolved.push(name);
        }
    }
    close + 1
}

fn push_value<'v>(name: &str, lookup: &dyn Fn(&str) -> Option<&'v str>, out: &mut Expanded) {
    match lookup(name) {
        Some(value) => out.value.push_str(value),
        None => out.unresolved.push(name.to_string()),
    }
}

/// Returns the index of the `}` that closes a `${`, counting nested `${…}`.
fn matching_brace(chars: &[char], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut index = from;
    while index < chars.len() {
        match chars[index] {
            '$' if chars.get(index + 1) == Some(&'{') => {
                depth += 1;
                index += 1;
            }
            '}' if depth == 0 => return Some(index),
            '}' => depth -= 1,
            _ => {}
        }
        index += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Expanded {
        let lookup = |name: &str| match name {
            "TAG" => Some("3.12"),
            "EMPTY" => Some(""),
            _ => None,
        };
        expand(text, '\\', &lookup)
    }

    #[test]
    fn expands_plain_and_braced_names() {
        assert_eq!(run("python:$TAG").value, "python:3.12");
        assert_eq!(run("python:${TAG}-slim").value, "python:3.12-slim");
    }

    #[test]
    fn defaults_and_alternatives() {
        assert_eq!(run("${MISSING:-debian:12}").value, "debian:12");
        assert_eq!(
            run("${MISSING:-debian:12}").unresolved,
            Vec::<String>::new()
        );
        assert_eq!(run("${EMPTY:-x}").value, "x");
        assert_eq!(run("${EMPTY-x}").value, "");
        assert_eq!(run("${TAG:+set}").value, "set");
        assert_eq!(run("${MISSING:-${TAG}}").value, "3.12");
    }

    #[test]
    fn unresolved_names_are_reported() {
        let expanded = run("img${src}");
        assert_eq!(expanded.value, "img");
        assert_eq!(expanded.unresolved, vec!["src".to_string()]);
    }

    #[test]
    fn quotes_are_removed() {
        assert_eq!(run("\"a b\"").value, "a b");
        assert_eq!(run("'$TAG'").value, "$TAG");
        assert_eq!(run("\\$TAG").value, "$TAG");
    }
}
