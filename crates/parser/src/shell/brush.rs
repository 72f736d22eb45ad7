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
/// overflow, and a redirection descriptor too large for an `i32`, on which it panics.
fn check_supported(text: &str) -> Option<ShellError> {
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
