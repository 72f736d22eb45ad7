//! ARG and ENV bindings and the variable expansion the model needs to resolve them.

use std::borrow::Cow;
use std::marker::PhantomData;

use ballast_parser::Span;
use ballast_parser::expand::{Env, ExpandError, Form, Lookup, Options, expand_word, references};

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
    /// Names whose lookup found no value and whose absence shows in [`Expanded::value`].
    /// `${name:-word}` and `${name:+word}` handle an unset name, so they add nothing here.
    pub unresolved: Vec<String>,
    /// BuildKit's error for a word it cannot expand, such as `${}`. The value is then the
    /// word as written and `unresolved` lists every name the word references.
    pub error: Option<ExpandError>,
}

/// Expands the variables in `text` and removes its quotes exactly as BuildKit does, with
/// `lookup` returning a variable's value in the scope of the instruction.
pub fn expand<'v>(text: &str, escape: char, lookup: &dyn Fn(&str) -> Option<&'v str>) -> Expanded {
    // Most words hold no variable, quote or escape, and expand to themselves. The model
    // expands every ARG and ENV value again after each edit in an editor. The lexer drops
    // a byte order mark at the start of a word, as BuildKit does, so words with one take
    // the full path.
    if !text.contains(['$', '\'', '"', escape, BYTE_ORDER_MARK]) {
        return Expanded {
            value: text.to_string(),
            unresolved: Vec::new(),
            error: None,
        };
    }
    if let Some(value) = expand_references(text, escape, lookup) {
        return Expanded {
            value,
            unresolved: Vec::new(),
            error: None,
        };
    }
    expand_word_with(text, escape, lookup)
}

/// U+FEFF, which BuildKit's lexer drops at the start of a word.
const BYTE_ORDER_MARK: char = '\u{feff}';

/// Expands a word whose only special parts are `$name` and `${name}` references to
/// variables that have a value, the usual form of an ENV value such as
/// `${APP_HOME}/bin`. Returns `None` for any other word: quotes, the escape character,
/// modifiers, names that are not ASCII, or a variable without a value. An editor builds
/// the model again after each edit, and the full lexer made up a quarter of that work.
fn expand_references<'v>(
    text: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Option<&'v str>,
) -> Option<String> {
    if text.contains(['\'', '"', escape, BYTE_ORDER_MARK]) {
        return None;
    }
    let bytes = text.as_bytes();
    let is_name_byte = |byte: &u8| byte.is_ascii_alphanumeric() || *byte == b'_';
    let mut value = String::with_capacity(text.len() + 16);
    let mut literal_start = 0;
    while let Some(found) = memchr::memchr(b'$', &bytes[literal_start..]) {
        let dollar = literal_start + found;
        value.push_str(&text[literal_start..dollar]);
        let braced = bytes.get(dollar + 1) == Some(&b'{');
        let name_start = dollar + 1 + usize::from(braced);
        let first = *bytes.get(name_start)?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        let name_end = name_start
            + bytes[name_start..]
                .iter()
                .position(|byte| !is_name_byte(byte))
                .unwrap_or(bytes.len() - name_start);
        let next = bytes.get(name_end);
        if braced && next != Some(&b'}') {
            return None;
        }
        // A letter from outside ASCII continues the name in the lexer.
        if !braced && next.is_some_and(|byte| !byte.is_ascii()) {
            return None;
        }
        value.push_str(lookup(&text[name_start..name_end])?);
        literal_start = name_end + usize::from(braced);
    }
    value.push_str(&text[literal_start..]);
    Some(value)
}

/// [`expand`] without its shortcut for words that expand to themselves.
fn expand_word_with<'v>(
    text: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Option<&'v str>,
) -> Expanded {
    let env = ScopeEnv {
        lookup,
        values: PhantomData,
    };
    match expand_word(text, &env, &Options::new(escape)) {
        Ok(expansion) => {
            let unresolved = unresolved_names(text, escape, &expansion.lookups, lookup);
            Expanded {
                value: expansion.value,
                unresolved,
                error: None,
            }
        }
        Err(error) => Expanded {
            value: text.to_string(),
            unresolved: references(text, escape)
                .into_iter()
                .map(|reference| reference.name)
                .collect(),
            error: Some(error),
        },
    }
}

/// Adapts a scope lookup to the parser's [`Env`] without copying values.
struct ScopeEnv<'l, 'v> {
    lookup: &'l dyn Fn(&str) -> Option<&'v str>,
    values: PhantomData<&'v str>,
}

impl Env for ScopeEnv<'_, '_> {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        (self.lookup)(name).map(Cow::Borrowed)
    }
}

/// Returns the names of the failed lookups that change the value: BuildKit records a
/// lookup for every reference, also for `${name:-word}` with `name` unset (the default
/// applies) and for references inside a default or alternative word that is not used.
fn unresolved_names<'v>(
    text: &str,
    escape: char,
    lookups: &[Lookup],
    lookup: &dyn Fn(&str) -> Option<&'v str>,
) -> Vec<String> {
    if lookups.iter().all(|found| found.found) {
        return Vec::new();
    }

    let references = references(text, escape);
    let form_at = |span: Span| {
        references
            .iter()
            .find(|reference| reference.span == span)
            .map(|reference| reference.form)
    };
    // The words that do not reach the value: a default when its variable is set, an
    // alternative when its variable is unset.
    let mut unused_words = Vec::new();
    for reference in &references {
        let value = lookup(&reference.name);
        let set = |colon: bool| value.is_some_and(|value| !colon || !value.is_empty());
        match reference.form {
            Form::Default { colon, word } if set(colon) => unused_words.push(word),
            Form::Alternative { colon, word } if !set(colon) => unused_words.push(word),
            _ => {}
        }
    }

    lookups
        .iter()
        .filter(|found| !found.found)
        .filter(|missing| {
            !unused_words
                .iter()
                .any(|word| word.start <= missing.span.start && missing.span.end <= word.end)
        })
        .filter(|missing| {
            !matches!(
                form_at(missing.span),
                Some(Form::Default { .. } | Form::Alternative { .. })
            )
        })
        .map(|missing| missing.name.clone())
        .collect()
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

    /// The shortcut for words made of literal text and references gives what the full
    /// expansion gives. The words are every word of up to six characters over name
    /// characters, reference syntax and a few others, with set, empty and unset variables.
    #[test]
    fn simple_references_expand_as_the_lexer_does() {
        let alphabet = ['a', 'b', '1', '_', '$', '{', '}', ':', '-', ' ', '/', '说', '\u{feff}'];
        let lookup = |name: &str| match name {
            "a" => Some("A"),
            "ab" => Some(""),
            "_" => Some("low"),
            "a1" => Some("a $b ${a}"),
            _ => None,
        };
        crate::test_words::every_word(&alphabet, 6, |symbols| {
            let word: String = symbols.iter().collect();
            for escape in ['\\', '`'] {
                let fast = expand(&word, escape, &lookup);
                let full = expand_word_with(&word, escape, &lookup);
                assert_eq!(fast, full, "{word:?} with escape {escape:?}");
            }
        });
    }

    /// The shortcut for words without `$`, quotes or the escape character gives what the
    /// full expansion gives, for every word of up to five characters over an alphabet of
    /// the other characters expansion treats specially.
    #[test]
    fn words_without_variables_expand_to_themselves() {
        let alphabet = ['a', ' ', '\t', '{', '}', ':', '-', '+', '~', '#', '`', '说', '\u{feff}'];
        let lookup = |_: &str| Some("value");
        crate::test_words::every_word(&alphabet, 5, |symbols| {
            let word: String = symbols.iter().collect();
            for escape in ['\\', '`'] {
                let fast = expand(&word, escape, &lookup);
                let full = expand_word_with(&word, escape, &lookup);
                assert_eq!(fast.value, full.value, "{word:?} with escape {escape:?}");
                assert_eq!(fast.unresolved, full.unresolved, "{word:?}");
                assert_eq!(fast.error.is_some(), full.error.is_some(), "{word:?}");
            }
        });
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
        assert_eq!(run("${MISSING#x}").unresolved, vec!["MISSING".to_string()]);
    }

    #[test]
    fn unused_words_do_not_count() {
        assert!(run("${TAG:-$OTHER}").unresolved.is_empty());
        assert!(run("${MISSING:+$OTHER}").unresolved.is_empty());
        assert_eq!(
            run("${MISSING:-$OTHER}").unresolved,
            vec!["OTHER".to_string()]
        );
        assert_eq!(run("${TAG:+$OTHER}").unresolved, vec!["OTHER".to_string()]);
    }

    #[test]
    fn buildkit_forms_expand() {
        assert_eq!(run("${TAG%.*}").value, "3");
        assert_eq!(run("${TAG/./-}").value, "3-12");
    }

    #[test]
    fn bad_substitution_keeps_the_word() {
        let expanded = run("a${}b");
        assert_eq!(expanded.value, "a${}b");
        assert!(expanded.error.is_some());
    }

    #[test]
    fn quotes_are_removed() {
        assert_eq!(run("\"a b\"").value, "a b");
        assert_eq!(run("'$TAG'").value, "$TAG");
        assert_eq!(run("\\$TAG").value, "$TAG");
    }
}
