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

pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
pub use lint::{LintResult, lint};
