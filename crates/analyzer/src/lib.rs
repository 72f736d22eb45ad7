//! Meaning, rules and images: the semantic model of a Dockerfile, the lint rules that
//! judge it, and the analysis of built image layers.
pub mod attribution;
pub mod build;
pub mod config;
pub mod diagnostic;
pub mod fix;
pub mod image;
pub mod lint;
pub mod model;
pub mod pragma;
pub mod rules;
pub mod shellcheck;
#[cfg(test)]
mod test_words;

/// A hash map with a fast hasher, for the maps the lint builds again after every edit in an
/// editor, where hashing with the standard library's hasher took a large share of the time.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
pub use lint::{LintResult, lint};
