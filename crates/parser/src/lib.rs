//! A lossless Dockerfile parser that reads a file the way BuildKit's Dockerfile frontend does.
//!
//! [`parse`] never fails: it returns the syntax tree together with every syntax error it
//! found. The tree is lossless, so the source text of its top-level nodes, concatenated,
//! is the input byte for byte. All positions are byte ranges ([`Span`]) into the input;
//! [`LineIndex`] converts them to lines and columns. The crate does no IO.
//!
//! [`reparse`] returns the tree of an edited text from the tree of the text before the
//! edit, parsing only the nodes around the edit when it can prove that is enough.
//!
//! Two sub-languages have their own modules: [`expand`] implements BuildKit's variable
//! expansion and [`shell`] splits a `RUN` body into simple commands and words.

mod args;
mod directive;
pub mod dump;
pub mod expand;
mod heredoc;
mod json;
mod lines;
mod parse;
mod reparse;
pub mod run_script;
pub mod shell;
mod shift;
mod span;
mod split;
pub mod syntax;
pub mod typed;
mod validate;

pub use parse::parse;
pub use reparse::{TextEdit, reparse, try_reparse};
pub use span::{LineCol, LineIndex, Span, utf16_len};
pub use syntax::{
    Args, Command, Comment, Directive, Dockerfile, ErrorKind, Flag, Heredoc, Instruction, KeyValue, Keyword, Node,
    NodeKind, SourceMap, SyntaxError, Word,
};
pub use validate::{is_valid_stage_name, suggest_keyword};
