//! The ballast language server. This is the only crate that knows LSP types.
