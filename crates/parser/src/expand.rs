//! Variable expansion exactly as BuildKit's Dockerfile frontend does it (`shell/lex.go`).
//!
//! BuildKit expands `$name` and `${name…}` in the arguments of ENV, LABEL, ARG defaults,
//! ADD and COPY, WORKDIR, USER, VOLUME, STOPSIGNAL, EXPOSE, FROM and `RUN --mount`, and in
//! the bodies of unquoted ADD and COPY heredocs. [`expand_word`] returns one string (the
//! result of BuildKit's `ProcessWord`), [`expand_words`] splits the result into words the
//! way EXPOSE needs (`ProcessWords`), and [`references`] lists the references of a word
//! without expanding it.
//!
//! The rules, all of which the code follows:
//! - Outside quotes the escape character (`\`, or `` ` `` after `# escape=`) makes the next
//!   character literal and is dropped; one at the end of the word is dropped too.
//! - `'…'` is literal. In `"…"`, `$` expands and the escape character escapes only `"`,
//!   `$` and itself; before any other character it stays. Quotes are removed.
//! - A name is a run of digits (`$12x` is `$12` then `x`), one special parameter
//!   (`@ * # ? - $ ! 0`), or a letter or `_` followed by letters, digits and `_`, with
//!   Unicode letters and digits. A `$` with no name after it stays literal.
//! - `${v-w}`, `${v:-w}`, `${v+w}`, `${v:+w}`, `${v?msg}` and `${v:?msg}` behave as in
//!   POSIX sh.
//! - `${v#p}`, `${v##p}`, `${v%p}` and `${v%%p}` remove a prefix or suffix that matches a
//!   pattern. `${v/p/s}` and `${v//p/s}` replace the first or every match. Patterns know
//!   `*` and `?` but no bracket expressions.
//! - Every other `${…}` form is an error.
//! - The words `w`, `msg`, `p` and `s` are expanded themselves, so references nest.

mod chars;
mod glob;
mod lexer;
#[cfg(test)]
mod tests;

use std::borrow::{Borrow, Cow};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};

use serde::Serialize;

use crate::Span;
use lexer::{Lexer, WordSplitter};

pub use lexer::MAX_NESTING;

/// A source of variable values.
///
/// Implemented for `HashMap` and `BTreeMap` with string keys and values, and for closures
/// `Fn(&str) -> Option<String>`.
pub trait Env {
    /// Returns the value of `name`, or `None` when it is unset. An empty value is set.
    fn get(&self, name: &str) -> Option<Cow<'_, str>>;

    /// Returns the value of `name`, comparing keys as BuildKit does on Windows, where
    /// `path` and `PATH` are the same variable. The default tries only `name` itself.
    fn get_ignoring_case(&self, name: &str) -> Option<Cow<'_, str>> {
        self.get(name)
    }
}

impl<K, V, S> Env for HashMap<K, V, S>
where
    K: Borrow<str> + Hash + Eq,
    V: AsRef<str>,
    S: BuildHasher,
{
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        HashMap::get(self, name).map(|value| Cow::Borrowed(value.as_ref()))
    }

    /// NOTE: when several keys differ only in case, which one wins is unspecified,
    /// while BuildKit takes the one defined last.
    fn get_ignoring_case(&self, name: &str) -> Option<Cow<'_, str>> {
        if let Some(value) = Env::get(self, name) {
            return Some(value);
        }
        self.iter()
            .find(|(key, _)| chars::keys_equal_ignoring_case((*key).borrow(), name))
            .map(|(_, value)| Cow::Borrowed(value.as_ref()))
    }
}

impl<K, V> Env for BTreeMap<K, V>
where
    K: Borrow<str> + Ord,
    V: AsRef<str>,
{
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        BTreeMap::get(self, name).map(|value| Cow::Borrowed(value.as_ref()))
    }

    /// Among several keys that differ only in case, the first in key order wins.
    fn get_ignoring_case(&self, name: &str) -> Option<Cow<'_, str>> {
        if let Some(value) = Env::get(self, name) {
            return Some(value);
        }
        self.iter()
            .find(|(key, _)| chars::keys_equal_ignoring_case((*key).borrow(), name))
            .map(|(_, value)| Cow::Borrowed(value.as_ref()))
    }
}

impl<F> Env for F
where
    F: Fn(&str) -> Option<String>,
{
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        self(name).map(Cow::Owned)
    }
}

/// How to read a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The escape character: `\` by default, or the backtick that an `escape` parser
    /// directive selects. Heredoc bodies always use `\`.
    pub escape: char,
    /// Treats `'` and `"` as ordinary characters, so they stay in the result and `$`
    /// expands between them. BuildKit reads the bodies of ADD and COPY heredocs this way
    /// (its `SkipProcessQuotes` mode).
    pub keep_quotes: bool,
    /// Compares variable names without regard to case, as BuildKit does for Windows images.
    pub case_insensitive_keys: bool,
}

impl Options {
    /// Options for instruction arguments with the given escape character.
    pub const fn new(escape: char) -> Self {
        Options {
            escape,
            keep_quotes: false,
            case_insensitive_keys: false,
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options::new('\\')
    }
}

/// The result of [`expand_word`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expansion {
    pub value: String,
    pub lookups: Vec<Lookup>,
}

/// The result of [`expand_words`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Words {
    pub words: Vec<String>,
    pub lookups: Vec<Lookup>,
}

/// One variable lookup made while expanding, in the order BuildKit makes them: the words
/// inside `${name…}` are expanded before `name` is looked up.
///
/// `${v:-default}` records `v` as not found when it is unset, as BuildKit does; BuildKit's
/// `UndefinedVar` check is built on these records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lookup {
    pub name: String,
    pub found: bool,
    /// The byte range of the whole `$name` or `${…}` reference in the input word.
    pub span: Span,
}

/// A failed expansion, with BuildKit's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExpandError {
    /// BuildKit's wording, such as `syntax error: bad substitution` or
    /// `VERSION: is not allowed to be unset`.
    pub message: String,
    /// The byte range in the input word of the reference or quote that failed.
    pub span: Span,
}

impl ExpandError {
    fn new(message: impl Into<String>, span: Span) -> Self {
        ExpandError {
            message: message.into(),
            span,
        }
    }

    /// Formats the error as BuildKit reports it, prefixed with the word it failed on:
    /// `failed to process "${}": syntax error: bad substitution`.
    pub fn buildkit_message(&self, word: &str) -> String {
        format!(
            "failed to process {}: {}",
            chars::go_quote(word),
            self.message
        )
    }
}

/// A variable reference found by [`references`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub name: String,
    /// The whole `$name` or `${…}`, closing brace included.
    pub span: Span,
    pub name_span: Span,
    pub form: Form,
}

/// The kind of a reference. Spans of words are byte ranges of the word as written (before
/// expansion) and may contain further references.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Form {
    /// `$name`
    Plain,
    /// `${name}`
    Braced,
    /// `${name-word}`, or `${name:-word}` when `colon`.
    Default { colon: bool, word: Span },
    /// `${name+word}`, or `${name:+word}` when `colon`.
    Alternative { colon: bool, word: Span },
    /// `${name?message}`, or `${name:?message}` when `colon`.
    Required { colon: bool, message: Span },
    /// `${name#pattern}`, or `${name##pattern}` when `longest`, whose pattern span then
    /// includes the second `#`.
    RemovePrefix { longest: bool, pattern: Span },
    /// `${name%pattern}`, or `${name%%pattern}` when `longest`, whose pattern span then
    /// includes the second `%`.
    RemoveSuffix { longest: bool, pattern: Span },
    /// `${name/pattern/string}`, or `${name//pattern/string}` when `all`.
    Replace {
        all: bool,
        pattern: Span,
        replacement: Span,
    },
}

/// Expands the variables in `word` and removes its quotes, as BuildKit's `ProcessWord`.
pub fn expand_word(word: &str, env: &dyn Env, options: &Options) -> Result<Expansion, ExpandError> {
    let mut lexer = Lexer::new(word, options, Some(env));
    let value = lexer.expand(&mut WordSplitter::disabled())?;
    Ok(Expansion {
        value,
        lookups: lexer.lookups,
    })
}

/// Expands the variables in `word` and splits the result into words, as BuildKit's
/// `ProcessWords` does for EXPOSE: whitespace from the word or from a variable's value
/// separates words, quoted or escaped whitespace does not.
///
/// NOTE: BuildKit revisions whose lexer keeps one shared `wordsBuffer` drop the text
/// before a nested `${name<op>word}` here (`80${X:-1}` gives `1`, not `801`). That is not
/// reproduced, and whether the revision followed here has the shared buffer is unverified.
pub fn expand_words(word: &str, env: &dyn Env, options: &Options) -> Result<Words, ExpandError> {
    let mut lexer = Lexer::new(word, options, Some(env));
    let mut splitter = WordSplitter::new();
    lexer.expand(&mut splitter)?;
    Ok(Words {
        words: splitter.finish(),
        lookups: lexer.lookups,
    })
}

/// Lists the variable references in `word`, nested ones included, ordered by where they
/// start, without expanding anything.
///
/// A syntax error ends the scan: the references before it are returned, and
/// [`expand_word`] reports the error.
pub fn references(word: &str, escape: char) -> Vec<Reference> {
    references_with(word, &Options::new(escape))
}

/// [`references`] with all options, for heredoc bodies (`keep_quotes`) in particular.
pub fn references_with(word: &str, options: &Options) -> Vec<Reference> {
    let mut lexer = Lexer::new(word, options, None);
    // The error is dropped on purpose: the references found before it are still useful.
    let _ = lexer.expand(&mut WordSplitter::disabled());
    let mut references = lexer.references;
    references.sort_by_key(|reference| reference.span.start);
    references
}
