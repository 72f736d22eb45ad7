//! The adapter for `brush-parser` 0.3.0: it parses shell code and turns the syntax tree
//! into [`SimpleCommand`](super::SimpleCommand)s. No other module uses brush types.
//!
//! Three facts about brush 0.3.0 shape this code:
//! - Positions are character indices, so they go through [`CharOffsets`].
//! - A token's end is exact, but its start can lag behind after a line continuation or a
//!   heredoc, so word starts are moved forward over blanks and continuations.
//! - Redirections and `&&`/`||`/`;` carry no position; they are found in the text next to
//!   the words that do.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use brush_parser::{ParseError, ParserOptions, SourceInfo, TokenLocation, TokenizerError};

use super::{Builder, CommandContext, Dialect, ShellError};
use crate::Span;

mod walk;

use walk::Walker;

/// Nesting of parentheses, braces and compound commands beyond which brush is not used,
/// because its recursive descent could overflow the stack. The fallback tokenizer, which
/// does not recurse, reads such text instead. In a debug build on a 2 MiB thread stack,
/// brush 0.3.0 parsed 64 nested `if` commands and overflowed at 128.
const MAX_NESTING: usize = 32;

/// Parses `builder.text[range]` and stores its simple commands. Returns the syntax error
/// and stores nothing when brush rejects the text.
pub(super) fn parse(
    builder: &mut Builder<'_>,
    range: Range<usize>,
    context: CommandContext,
    depth: usize,
) -> Result<(), ShellError> {
    let text = &builder.text[range.clone()];
    let offsets = CharOffsets::new(text);
    if let Some(error) = check_supported(text) {
        return Err(ShellError {
            message: error.message,
            span: error.span.shift(range.start),
        });
    }

    let options = parser_options(builder.dialect);
    let parsed = catch_unwind(AssertUnwindSafe(|| {
        brush_parser::Parser::new(text.as_bytes(), &options, &SourceInfo::default()).parse_program()
    }));
    let program = match parsed {
        Ok(Ok(program)) => program,
        Ok(Err(error)) => return Err(convert_error(&error, text, &offsets, range.start)),
        Err(_) => {
            // NOTE: brush 0.3.0 panics on some inputs; `check_supported` avoids the known
            // ones, and this keeps any other from taking down the caller.
            let span = Span::new(range.start, range.end);
            return Err(ShellError {
                message: "the shell parser failed on this code".to_owned(),
                span,
            });
        }
    };

    let mut walker = Walker {
        builder,
        base: range.start,
        limit: range.end,
        offsets,
        depth,
    };
    walker.program(&program, context);
    Ok(())
}

fn parser_options(dialect: Dialect) -> ParserOptions {
    let bash = dialect == Dialect::Bash;
    ParserOptions {
        enable_extended_globbing: bash,
        posix_mode: !bash,
        sh_mode: !bash,
        tilde_expansion: true,
    }
}

/// Rejects text that brush 0.3.0 cannot read safely: nesting deep enough to risk a stack
/// overflow, a redirection descriptor too large for an `i32`, on which it panics, and the
/// broken here-documents that [`check_heredoc_delimiters`] finds.
fn check_supported(text: &str) -> Option<ShellError> {
    if let Some(error) = check_heredoc_delimiters(text) {
        return Some(error);
    }
    let bytes = text.as_bytes();
    let mut nesting = 0usize;
    let mut max_nesting = 0usize;
    let mut digits = 0usize;
    for (i, &byte) in bytes.iter().enumerate() {
        match byte {
            b'(' | b'{' => nesting += 1,
            b')' | b'}' => nesting = nesting.saturating_sub(1),
            _ => {}
        }
        max_nesting = max_nesting.max(nesting);

        if byte.is_ascii_digit() {
            digits += 1;
            continue;
        }
        if digits >= 10 && matches!(byte, b'<' | b'>') {
            let message = "file descriptor number out of range".to_owned();
            return Some(ShellError {
                message,
                span: Span::new(i - digits, i),
            });
        }
        digits = 0;
    }

    // Counting both kinds of nesting separately and adding the maxima overestimates the
    // real depth, which errs on the safe side.
    if max_nesting + keyword_nesting(text) > MAX_NESTING {
        let message = format!("shell code nested more than {MAX_NESTING} levels deep");
        return Some(ShellError {
            message,
            span: Span::empty(text.len()),
        });
    }
    None
}

/// Finds the broken here-documents on which brush 0.3.0's tokenizer can loop and fill memory
/// until the process aborts, such as `$(<<  `, `<<''<<#` and `<<-$(  `. Those are an operator
/// (`<<` or `<<-`, outside quotes, comments and here-document bodies) with no delimiter word,
/// with an empty delimiter, or with a delimiter that contains `$(` or a backquote. A
/// here-document inside a `$(` that is never closed counts too. Such text is being typed or
/// is not valid shell code.
fn check_heredoc_delimiters(text: &str) -> Option<ShellError> {
    heredoc_delimiters_in(text).err()
}

fn heredoc_delimiters_in(text: &str) -> Result<(), ShellError> {
    let bytes = text.as_bytes();
    // Delimiters of the here-documents whose bodies start after the current line, and
    // whether each is `<<-` (its terminator may be indented with tabs).
    let mut pending: Vec<(String, bool)> = Vec::new();
    // Where each `$(` that is still open starts, and whether the text has a here-document.
    let mut open_substitutions: Vec<usize> = Vec::new();
    let mut heredoc = false;
    let mut at = 0;
    let mut word_start = true;
    while at < bytes.len() {
        match bytes[at] {
            b'$' if bytes.get(at + 1) == Some(&b'(') => {
                open_substitutions.push(at);
                at += 2;
                word_start = true;
                continue;
            }
            b')' => {
                open_substitutions.pop();
            }
            b'\\' => {
                at += 2;
                word_start = false;
                continue;
            }
            b'\'' => {
                at = memchr::memchr(b'\'', &bytes[at + 1..]).map_or(bytes.len(), |end| at + end + 2);
                word_start = false;
                continue;
            }
            b'"' => {
                at = double_quote_end(text, at + 1)?;
                word_start = false;
                continue;
            }
            b'#' if word_start => {
                at = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |end| at + end);
                continue;
            }
            b'\n' if !pending.is_empty() => {
                at = skip_bodies(text, at + 1, &std::mem::take(&mut pending));
                word_start = true;
                continue;
            }
            b'<' if bytes.get(at + 1) == Some(&b'<')
                && bytes.get(at + 2) != Some(&b'<')
                && (at == 0 || bytes[at - 1] != b'<') =>
            {
                let operator = at;
                at += 2;
                let strip_tabs = bytes.get(at) == Some(&b'-');
                if strip_tabs {
                    at += 1;
                }
                while matches!(bytes.get(at), Some(b' ' | b'\t')) {
                    at += 1;
                }
                let delimiter_end = bytes[at..]
                    .iter()
                    .position(|byte| b" \t\n;&|<>)".contains(byte))
                    .map_or(bytes.len(), |end| at + end);
                let delimiter = &text[at..delimiter_end];
                let unquoted: String = delimiter.chars().filter(|ch| !"'\"\\".contains(*ch)).collect();
                heredoc = true;
                let message = if delimiter.is_empty() || delimiter.starts_with('#') {
                    "here-document operator without a delimiter word"
                } else if delimiter.contains("$(") || delimiter.contains('`') {
                    "here-document delimiter with a command substitution"
                } else if unquoted.is_empty() {
                    "here-document with an empty delimiter"
                } else {
                    pending.push((unquoted, strip_tabs));
                    at = delimiter_end;
                    word_start = false;
                    continue;
                };
                return Err(ShellError {
                    message: message.to_owned(),
                    span: Span::new(operator, at),
                });
            }
            byte => {
                word_start = b" \t\n;&|()".contains(&byte);
            }
        }
        at += 1;
    }
    match open_substitutions.first() {
        Some(&start) if heredoc => Err(unterminated_substitution(start)),
        _ => Ok(()),
    }
}

fn unterminated_substitution(start: usize) -> ShellError {
    ShellError {
        message: "unterminated command substitution `$(`".to_owned(),
        span: Span::new(start, start + 2),
    }
}

/// Returns the offset after the bodies of the here-documents `pending` that start at `at`:
/// for each, the lines up to and including its terminator line.
fn skip_bodies(text: &str, mut at: usize, pending: &[(String, bool)]) -> usize {
    for (delimiter, strip_tabs) in pending {
        while at < text.len() {
            let line_end = text[at..].find('\n').map_or(text.len(), |end| at + end);
            let line = &text[at..line_end];
            let line = if *strip_tabs { line.trim_start_matches('\t') } else { line };
            at = (line_end + 1).min(text.len());
            if line == delimiter {
                break;
            }
        }
    }
    at
}

/// Returns the offset after the `"` that closes a double-quoted string whose text starts at
/// `at`, or the end of `text` when none does. The code of each `$(` inside, up to the `)` that
/// balances it, is checked as [`check_heredoc_delimiters`] checks a script.
fn double_quote_end(text: &str, mut at: usize) -> Result<usize, ShellError> {
    let bytes = text.as_bytes();
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return Ok(at + 1),
            b'$' if bytes.get(at + 1) == Some(&b'(') => {
                let start = at + 2;
                let mut depth = 1usize;
                let mut end = start;
                while end < bytes.len() {
                    match bytes[end] {
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    end += 1;
                }
                let code = &text[start..end];
                heredoc_delimiters_in(code).map_err(|error| ShellError {
                    message: error.message,
                    span: error.span.shift(start),
                })?;
                if end == bytes.len() && code.contains("<<") {
                    return Err(unterminated_substitution(at));
                }
                at = end + 1;
            }
            _ => at += 1,
        }
    }
    Ok(bytes.len())
}

/// Returns the maximum nesting of `if`, `while`, `until`, `for`, `select` and `case`,
/// counted on their words without regard to quoting.
fn keyword_nesting(text: &str) -> usize {
    let words = text.split(|ch: char| ch.is_ascii_whitespace() || ";&|()".contains(ch));
    let mut nesting = 0usize;
    let mut max_nesting = 0usize;
    for word in words {
        match word {
            "if" | "while" | "until" | "for" | "select" | "case" => nesting += 1,
            "fi" | "done" | "esac" => nesting = nesting.saturating_sub(1),
            _ => {}
        }
        max_nesting = max_nesting.max(nesting);
    }
    max_nesting
}

/// Converts a brush error, whose positions are character indices into the parsed slice.
fn convert_error(error: &ParseError, text: &str, offsets: &CharOffsets, base: usize) -> ShellError {
    let end = Span::empty(base + text.len());
    let (message, span) = match error {
        ParseError::ParsingNearToken(token) => {
            let span = offsets.span(token.location()).shift(base);
            let message = match token.to_str() {
                "\n" => "syntax error near unexpected newline".to_owned(),
                token => format!("syntax error near unexpected token `{token}`"),
            };
            (message, span)
        }
        ParseError::ParsingAtEndOfInput => {
            ("syntax error: unexpected end of the script".to_owned(), end)
        }
        ParseError::Tokenizing { inner, .. } => tokenizer_error(inner, offsets, base, end),
    };
    ShellError { message, span }
}

fn tokenizer_error(
    inner: &TokenizerError,
    offsets: &CharOffsets,
    base: usize,
    end: Span,
) -> (String, Span) {
    let at = |position: &brush_parser::SourcePosition| {
        let start = offsets.byte(position.index) + base;
        Span::new(start, offsets.byte(position.index + 1) + base)
    };
    match inner {
        TokenizerError::UnterminatedSingleQuote(position) => {
            ("unterminated single quote".to_owned(), at(position))
        }
        TokenizerError::UnterminatedDoubleQuote(position) => {
            ("unterminated double quote".to_owned(), at(position))
        }
        TokenizerError::UnterminatedAnsiCQuote(position) => {
            ("unterminated `$'` quote".to_owned(), at(position))
        }
        TokenizerError::UnterminatedBackquote(position) => {
            ("unterminated backquote".to_owned(), at(position))
        }
        TokenizerError::UnterminatedCommandSubstitution => {
            ("unterminated command substitution `$(`".to_owned(), end)
        }
        TokenizerError::UnterminatedVariable => {
            ("unterminated parameter expansion `${`".to_owned(), end)
        }
        TokenizerError::UnterminatedEscapeSequence => {
            ("backslash at the end of the script".to_owned(), end)
        }
        TokenizerError::UnterminatedHereDocuments(tags, _) => {
            (format!("heredoc delimited by `{tags}` is not closed"), end)
        }
        other => (other.to_string(), end),
    }
}

/// Converts brush's character indices into byte offsets of one slice.
struct CharOffsets {
    /// Byte offset of each character, then the slice length; empty for ASCII text, whose
    /// character and byte offsets agree.
    starts: Vec<usize>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let starts = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(offset, _)| offset)
                .chain([text.len()])
                .collect()
        };
        CharOffsets {
            starts,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.starts.is_empty() {
            char_index.min(self.len)
        } else {
            self.starts.get(char_index).copied().unwrap_or(self.len)
        }
    }

    fn span(&self, location: &TokenLocation) -> Span {
        let start = self.byte(location.start.index);
        let end = self.byte(location.end.index);
        Span::new(start.min(end), end)
    }
}

#[cfg(test)]
mod tests {
    use super::check_heredoc_delimiters;

    /// Texts on which brush 0.3.0's tokenizer loops and fills memory. Only the check runs on
    /// them here: a test that gave them to brush would take the machine's memory if the check
    /// ever let one through.
    #[test]
    fn heredocs_that_brush_cannot_read_are_rejected() {
        for text in [
            "$(<<  ",
            "echo $(<<  # c",
            "echo $(cat <<  # c",
            "$(<<\t\t",
            "<<-$(  ",
            "<<''<<-#",
            "$(\"$(<<-  ",
            "<<''& ",
            "c<<\"\"\tx=1 &#",
            "\"$(<<  cat cat \"\"$(",
        ] {
            assert!(check_heredoc_delimiters(text).is_some(), "{text:?}");
        }
    }

    #[test]
    fn valid_heredocs_and_look_alikes_pass() {
        for text in [
            "cat <<EOF\nhello\nEOF",
            "cat <<-'EOF'\n\tx << \n\tEOF\necho done",
            "cat <<EOF\nstd::cout << \nEOF\necho hi",
            "cat <<A <<B\na\nA\nb\nB",
            "echo \"a << \" b",
            "echo 'a <<  ' # << ",
            "cat <<< word",
            "echo $((1 << 2)) $(( x<<y ))",
            "echo \"$(echo a) << x\"",
            "x=$(cat <<EOF\nin $(pwd)\nEOF\n)",
        ] {
            assert!(check_heredoc_delimiters(text).is_none(), "{text:?}");
        }
    }
}
