//! A lossless Dockerfile parser that reads a file the way BuildKit's Dockerfile frontend does.
//!
//! [`parse`] never fails: it returns the syntax tree together with every syntax error it
//! found. The tree is lossless, so the source text of its top-level nodes, concatenated,
//! is the input byte for byte. All positions are byte ranges ([`Span`]) into the input;
//! [`LineIndex`] converts them to lines and columns. The crate does no IO.
//!
//! Two sub-languages have their own modules: [`expand`] implements BuildKit's variable
//! expansion and [`shell`] splits a `RUN` body into simple commands and words.

pub mod expand;
pub mod shell;
mod span;

pub use span::{LineCol, LineIndex, Span};
