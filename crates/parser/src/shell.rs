//! Shell words.
