//! Meaning, rules and images: the semantic model of a Dockerfile, the lint rules that
//! judge it, and the analysis of built image layers.
pub mod image;
