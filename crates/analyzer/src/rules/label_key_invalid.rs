//! DL3048: a `LABEL` key outside Docker's recommended key format.

use crate::model::{Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `LABEL` instruction with a key that does not follow Docker's key format:
    /// lower-case letters, digits, `.`, `-` and `_`, starting with a letter and ending with
    /// a letter or digit, without `..` or `--`, and outside the namespaces Docker reserves
    /// (`com.docker.`, `io.docker.`, `org.dockerproject.`). One finding per instruction.
    ///
    /// ## Why is this bad
    /// Tools that query labels expect reverse-DNS keys such as
    /// `org.opencontainers.image.source`. Keys with capitals or spaces are hard to query
    /// and keys in the reserved namespaces may clash with Docker's own.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL Version=1.0
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.version=1.0
    /// ```
    pub LabelKeyInvalid {
        code: "DL3048",
        name: "label-key-invalid",
        severity: Style,
        scope: Stage,
        check: check,
    }
}

const RESERVED_NAMESPACES: &[&str] = &["com.docker.", "io.docker.", "org.dockerproject."];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        let Typed::Label(pairs) = &inst.args else {
            continue;
        };
        let invalid = pairs
            .iter()
            .find(|pair| key_problem(&unquote(&pair.key.value)).is_some());
        if let Some(pair) = invalid {
            let key = unquote(&pair.key.value);
            let problem = key_problem(&key).unwrap_or_default();
            cx.report(pair.key.span, format!("label key `{key}` {problem}"));
        }
    }
}

/// What is wrong with a label key, or `None` when it is valid.
fn key_problem(key: &str) -> Option<&'static str> {
    if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("does not start with a lower-case letter");
    }
    if !key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Some("does not end with a lower-case letter or digit");
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_/".contains(c);
    if !key.chars().all(allowed) {
        return Some("contains characters other than a-z, 0-9, `.`, `-`, `_` and `/`");
    }
    if RESERVED_NAMESPACES
        .iter()
        .any(|namespace| key.starts_with(namespace))
    {
        return Some("is in a namespace Docker reserves");
    }
    if key.contains("..") || key.contains("--") {
        return Some("contains `..` or `--`");
    }
    None
}
