//! One module a subcommand. Each exposes its clap arguments and a `run` function that
//! returns the process exit code.

pub mod analyze;
pub mod build;
pub mod dump;
pub mod fmt;
pub mod lsp;
pub mod lint;
pub mod rules;
