//! The scanner behind [`super::expand_word`], [`super::expand_words`] and
//! [`super::references`]: one pass over the word that follows BuildKit's `shell/lex.go`
//! branch for branch, so its quirks (error wording, which failures become "missing '}'",
//! where escapes are kept raw) come out the same.

use std::borrow::Cow;

use super::chars::{is_digit, is_letter, is_space};
use super::{Env, ExpandError, Form, Lookup, Options, Reference, glob};
use crate::Span;

/// The deepest nesting of `${…}` accepted. BuildKit has no limit (Go stacks grow), but a
/// recursive scanner on a fixed-size thread stack needs one; real Dockerfiles nest two or
/// three levels.
pub const MAX_NESTING: usize = 100;

const MISSING_BRACE: &str = "syntax error: missing '}'";
const MISSING_SLASH: &str = "syntax error: missing '/' in ${}";

pub(super) struct Lexer<'a, 'e> {
    source: &'a str,
    pos: usize,
    options: Options,
    /// `None` scans for references without expanding anything.
    env: Option<&'e dyn Env>,
    /// Keeps escape characters in the output; BuildKit sets it inside patterns and
    /// replacements so that `\*` reaches the pattern parser.
    raw_escapes: bool,
    depth: usize,
    pub(super) lookups: Vec<Lookup>,
    pub(super) references: Vec<Reference>,
}

impl<'a, 'e> Lexer<'a, 'e> {
    pub(super) fn new(source: &'a str, options: &Options, env: Option<&'e dyn Env>) -> Self {
        // Go's text/scanner drops a byte order mark at the start of its input.
        let pos = if source.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        Lexer {
            source,
            pos,
            options: *options,
            env,
            raw_escapes: false,
            depth: 0,
            lookups: Vec::new(),
            references: Vec::new(),
        }
    }

    /// Expands the whole word, feeding `words` when it splits words.
    pub(super) fn expand(&mut self, words: &mut WordSplitter) -> Result<String, ExpandError> {
        self.process_until(None, false, words)
    }

    fn peek(&self) -> Option<char> {
        self.source[self.pos..].chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    /// Scans text up to the unquoted `stop` character (consumed) or the end of the word.
    /// Reaching the end while looking for `stop` is an error.
    fn process_until(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
        words: &mut WordSplitter,
    ) -> Result<String, ExpandError> {
        let outer_raw_escapes = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let result = self.scan_text(stop, words);
        self.raw_escapes = outer_raw_escapes;
        result
    }

    fn scan_text(
        &mut self,
        stop: Option<char>,
        words: &mut WordSplitter,
    ) -> Result<String, ExpandError> {
        let start = self.pos;
        let mut out = String::new();
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.pos += ch.len_utf8();
                return Ok(out);
            }
            match ch {
                '$' => {
                    let value = self.dollar()?;
                    words.push_split(&value);
                    out.push_str(&value);
                }
                '\'' if !self.options.keep_quotes => {
                    let value = self.single_quoted()?;
                    words.push_raw(value);
                    out.push_str(value);
                }
                '"' if !self.options.keep_quotes => {
                    let value = self.double_quoted()?;
                    words.push_raw(&value);
                    out.push_str(&value);
                }
                _ => {
                    self.pos += ch.len_utf8();
                    if ch != self.options.escape {
                        words.push_char(ch);
                        out.push(ch);
                        continue;
                    }
                    if self.raw_escapes {
                        words.push_raw_char(ch);
                        out.push(ch);
                    }
                    // An escape character at the end of the word is dropped.
                    let Some(escaped) = self.next_char() else {
                        break;
                    };
                    words.push_raw_char(escaped);
                    out.push(escaped);
                }
            }
        }

        match stop {
            Some(stop) => Err(ExpandError::new(
                format!("unexpected end of statement while looking for matching {stop}"),
                Span::new(start, self.pos),
            )),
            None => Ok(out),
        }
    }

    /// Reads `'…'`: everything up to the next `'` is literal.
    fn single_quoted(&mut self) -> Result<&'a str, ExpandError> {
        let source = self.source;
        let start = self.pos;
        let content_start = start + 1;
        let Some(len) = source[content_start..].find('\'') else {
            self.pos = source.len();
            return Err(ExpandError::new(
                "unexpected end of statement while looking for matching single-quote",
                Span::new(start, self.pos),
            ));
        };
        self.pos = content_start + len + 1;
        Ok(&source[content_start..content_start + len])
    }

    /// Reads `"…"`: `$` expands, and the escape character escapes only `"`, `$` and itself.
    fn double_quoted(&mut self) -> Result<String, ExpandError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(ch) = self.peek() else {
                return Err(ExpandError::new(
                    "unexpected end of statement while looking for matching double-quote",
                    Span::new(start, self.pos),
                ));
            };
            match ch {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '$' => {
                    let value = self.dollar()?;
                    out.push_str(&value);
                }
                _ => {
                    self.pos += ch.len_utf8();
                    let mut literal = ch;
                    if ch == self.options.escape {
                        if self.raw_escapes {
                            out.push(ch);
                        }
                        match self.peek() {
                            // An escape character right before the end is dropped; the
                            // missing closing quote is reported on the next turn.
                            None => continue,
                            Some(next) if next == '"' || next == '$' || next == ch => {
                                self.pos += next.len_utf8();
                                literal = next;
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(literal);
                }
            }
        }
    }

    /// Reads a reference starting at `$` and returns its value.
    fn dollar(&mut self) -> Result<Cow<'e, str>, ExpandError> {
        let start = self.pos;
        self.pos += 1;
        if self.peek() != Some('{') {
            return Ok(self.plain_reference(start));
        }

        self.pos += 1;
        if self.depth == MAX_NESTING {
            return Err(ExpandError::new(
                format!("variable references nested more than {MAX_NESTING} levels deep"),
                Span::new(start, self.pos),
            ));
        }
        self.depth += 1;
        let value = self.braced_reference(start);
        self.depth -= 1;
        value
    }

    /// `$name`. A `$` without a name after it is literal.
    fn plain_reference(&mut self, start: usize) -> Cow<'e, str> {
        let name_start = self.pos;
        let name = self.scan_name();
        if name.is_empty() {
            return Cow::Borrowed("$");
        }
        let span = Span::new(start, self.pos);
        self.note_reference(name, span, Span::new(name_start, self.pos), Form::Plain);
        self.lookup(name, span).unwrap_or_default()
    }

    /// `${…}`, with the scanner just past the `{`.
    fn braced_reference(&mut self, start: usize) -> Result<Cow<'e, str>, ExpandError> {
        match self.peek() {
            None => return Err(ExpandError::new(MISSING_BRACE, Span::new(start, self.pos))),
            Some('{' | '}' | ':') => {
                return Err(ExpandError::new(
                    "syntax error: bad substitution",
                    Span::new(start, self.pos + 1),
                ));
            }
            Some(_) => {}
        }

        let name_start = self.pos;
        let name = self.scan_name();
        let name_span = Span::new(name_start, self.pos);
        let operator = self.next_char();
        match operator {
            Some('}') => {
                let span = Span::new(start, self.pos);
                self.note_reference(name, span, name_span, Form::Braced);
                Ok(self.lookup(name, span).unwrap_or_default())
            }
            Some(':') => {
                let modifier = self.next_char();
                self.modified(start, name, name_span, true, modifier)
            }
            Some('+' | '-' | '?' | '#' | '%') => {
                self.modified(start, name, name_span, false, operator)
            }
            Some('/') => self.substitution(start, name, name_span),
            _ => Err(unsupported_modifier(
                &modifier_text(false, operator),
                start,
                self.pos,
            )),
        }
    }

    /// `${name<modifier>word}` and `${name:<modifier>word}` for `-`, `+`, `?`, `#` and `%`.
    ///
    /// After `:` BuildKit reads the word whatever the modifier is, and rejects an unknown
    /// modifier only then, so `${v:x${}}` reports the inner `${}`.
    fn modified(
        &mut self,
        start: usize,
        name: &'a str,
        name_span: Span,
        colon: bool,
        modifier: Option<char>,
    ) -> Result<Cow<'e, str>, ExpandError> {
        let is_pattern = matches!(modifier, Some('#' | '%'));
        if colon && is_pattern {
            return Err(unsupported_modifier(
                &modifier_text(true, modifier),
                start,
                self.pos,
            ));
        }

        let word_start = self.pos;
        let word = self.operand('}', is_pattern, start, MISSING_BRACE)?;
        let word_span = Span::new(word_start, self.pos - 1);
        let span = Span::new(start, self.pos);

        let Some(op @ ('-' | '+' | '?' | '#' | '%')) = modifier else {
            return Err(unsupported_modifier(
                &modifier_text(colon, modifier),
                start,
                span.end,
            ));
        };
        // `##` and `%%` arrive as a word that starts with a second `#` or `%`, and BuildKit
        // checks the expanded word, so `${v#$X}` with X=`#a` removes the longest match of `a`.
        let longest = is_pattern && word.starts_with(op);
        if self.env.is_none() {
            let form = match op {
                '-' => Form::Default {
                    colon,
                    word: word_span,
                },
                '+' => Form::Alternative {
                    colon,
                    word: word_span,
                },
                '?' => Form::Required {
                    colon,
                    message: word_span,
                },
                '#' => Form::RemovePrefix {
                    longest,
                    pattern: word_span,
                },
                _ => Form::RemoveSuffix {
                    longest,
                    pattern: word_span,
                },
            };
            self.note_reference(name, span, name_span, form);
            return Ok(Cow::Borrowed(""));
        }

        let value = self.lookup(name, span);
        let is_null = |value: &str| colon && value.is_empty();
        match op {
            '-' => Ok(match value {
                Some(value) if !is_null(&value) => value,
                _ => Cow::Owned(word),
            }),
            '+' => Ok(match value {
                Some(value) if !is_null(&value) => Cow::Owned(word),
                _ => Cow::Borrowed(""),
            }),
            '?' => {
                let default_message = match value {
                    Some(value) if !is_null(&value) => return Ok(value),
                    Some(_) => "is not allowed to be empty",
                    None => "is not allowed to be unset",
                };
                let message = if word.is_empty() {
                    default_message
                } else {
                    &word
                };
                Err(ExpandError::new(format!("{name}: {message}"), span))
            }
            _ => {
                let pattern = if longest { &word[1..] } else { &word[..] };
                let value = value.as_deref().unwrap_or("");
                let trimmed = if op == '#' {
                    glob::remove_prefix(pattern, value, longest)
                } else {
                    glob::remove_suffix(pattern, value, longest)
                };
                trimmed
                    .map(Cow::Owned)
                    .map_err(|message| ExpandError::new(message, span))
            }
        }
    }

    /// `${name/pattern/string}` and `${name//pattern/string}`, with the scanner past the first `/`.
    fn substitution(
        &mut self,
        start: usize,
        name: &'a str,
        name_span: Span,
    ) -> Result<Cow<'e, str>, ExpandError> {
        let all = self.peek() == Some('/');
        if all {
            self.pos += 1;
        }

        let pattern_start = self.pos;
        let pattern = self.operand('/', true, start, MISSING_SLASH)?;
        let pattern_span = Span::new(pattern_start, self.pos - 1);
        let replacement_start = self.pos;
        let replacement = self.operand('}', true, start, MISSING_BRACE)?;
        let replacement_span = Span::new(replacement_start, self.pos - 1);
        let span = Span::new(start, self.pos);

        if self.env.is_none() {
            let form = Form::Replace {
                all,
                pattern: pattern_span,
                replacement: replacement_span,
            };
            self.note_reference(name, span, name_span, form);
            return Ok(Cow::Borrowed(""));
        }

        let value = self.lookup(name, span);
        let value = value.as_deref().unwrap_or("");
        glob::replace(&pattern, value, &replacement, all)
            .map(Cow::Owned)
            .map_err(|message| ExpandError::new(message, span))
    }

    /// Scans the word of a `${…}` form up to `stop`. BuildKit reports any failure that ran
    /// into the end of the word, even an unterminated quote inside it, as `missing`.
    fn operand(
        &mut self,
        stop: char,
        raw_escapes: bool,
        reference_start: usize,
        missing: &'static str,
    ) -> Result<String, ExpandError> {
        let result = self.process_until(Some(stop), raw_escapes, &mut WordSplitter::disabled());
        result.map_err(|error| {
            if self.pos == self.source.len() {
                ExpandError::new(missing, Span::new(reference_start, self.pos))
            } else {
                error
            }
        })
    }

    /// Reads a name: a run of digits, one special parameter (`@ * # ? - $ ! 0`), or a
    /// letter or `_` followed by letters, digits and `_`. Letters and digits are Unicode.
    fn scan_name(&mut self) -> &'a str {
        let source = self.source;
        let start = self.pos;
        let Some(first) = self.peek() else { return "" };

        if is_digit(first) {
            while let Some(ch) = self.peek().filter(|&ch| is_digit(ch)) {
                self.pos += ch.len_utf8();
            }
            return &source[start..self.pos];
        }
        if matches!(first, '@' | '*' | '#' | '?' | '-' | '$' | '!') {
            self.pos += 1;
            return &source[start..self.pos];
        }
        while let Some(ch) = self
            .peek()
            .filter(|&ch| is_letter(ch) || is_digit(ch) || ch == '_')
        {
            self.pos += ch.len_utf8();
        }
        &source[start..self.pos]
    }

    /// Looks `name` up and records the lookup. Without an environment it finds nothing.
    fn lookup(&mut self, name: &str, span: Span) -> Option<Cow<'e, str>> {
        let env = self.env?;
        let value = if self.options.case_insensitive_keys {
            env.get_ignoring_case(name)
        } else {
            env.get(name)
        };
        self.lookups.push(Lookup {
            name: name.to_owned(),
            found: value.is_some(),
            span,
        });
        value
    }

    fn note_reference(&mut self, name: &str, span: Span, name_span: Span, form: Form) {
        if self.env.is_none() {
            self.references.push(Reference {
                name: name.to_owned(),
                span,
                name_span,
                form,
            });
        }
    }
}

/// Formats the modifier as BuildKit prints it: the end of the word shows as U+FFFD, because Go
/// converts the scanner's end marker (-1) to a string.
fn modifier_text(colon: bool, modifier: Option<char>) -> String {
    let modifier = modifier.unwrap_or('\u{fffd}');
    if colon {
        format!(":{modifier}")
    } else {
        modifier.to_string()
    }
}

fn unsupported_modifier(text: &str, start: usize, end: usize) -> ExpandError {
    ExpandError::new(
        format!("unsupported modifier ({text}) in substitution"),
        Span::new(start, end),
    )
}

/// Splits expanded text into words the way BuildKit's `ProcessWords` does: whitespace that
/// comes from the word itself or from a variable's value separates words, whitespace
/// inside quotes or after an escape character does not.
pub(super) struct WordSplitter {
    enabled: bool,
    current: String,
    words: Vec<String>,
    /// Whether a word has started: set by any raw text, even empty quotes, and cleared only
    /// when a word ends.
    in_word: bool,
}

impl WordSplitter {
    pub(super) fn new() -> Self {
        WordSplitter {
            enabled: true,
            current: String::new(),
            words: Vec::new(),
            in_word: false,
        }
    }

    /// A splitter that ignores its input, for text that is not split into words.
    pub(super) fn disabled() -> Self {
        WordSplitter {
            enabled: false,
            ..WordSplitter::new()
        }
    }

    fn push_char(&mut self, ch: char) {
        if !self.enabled {
            return;
        }
        if !is_space(ch) {
            self.push_raw_char(ch);
        } else if self.in_word && !self.current.is_empty() {
            self.words.push(std::mem::take(&mut self.current));
            self.in_word = false;
        }
    }

    fn push_raw_char(&mut self, ch: char) {
        if self.enabled {
            self.current.push(ch);
            self.in_word = true;
        }
    }

    fn push_split(&mut self, text: &str) {
        if self.enabled {
            text.chars().for_each(|ch| self.push_char(ch));
        }
    }

    fn push_raw(&mut self, text: &str) {
        if self.enabled {
            self.current.push_str(text);
            self.in_word = true;
        }
    }

    pub(super) fn finish(mut self) -> Vec<String> {
        if !self.current.is_empty() {
            self.words.push(self.current);
        }
        self.words
    }
}
