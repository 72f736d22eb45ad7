//! DL3000: a relative `WORKDIR` path.

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `WORKDIR` whose path is relative: it does not start with `/`, with a
    /// variable, or with a Windows drive letter (`C:`).
    ///
    /// ## Why is this bad
    /// A relative `WORKDIR` is resolved against the working folder left by the base image
    /// or by an earlier `WORKDIR`. The resulting folder changes when the base image
    /// changes, and a reader has to trace the whole chain to know where files land.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-alpine
    /// WORKDIR app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-alpine
    /// WORKDIR /app
    /// ```
    ///
    /// ## Differences from hadolint
    /// NOTE: hadolint 2.15.1 aborts on a one-letter or empty path (`WORKDIR x`,
    /// `WORKDIR ""`) and prints nothing for the file; ballast reports it like any other
    /// relative path.
    ///
    /// ## Overlapping rules
    /// `WorkdirRelativePath`, BuildKit's check, reports the same relative path when the
    /// `WORKDIR` is the first of its stage chain. It expands variables first, while DL3000
    /// reports every relative `WORKDIR` and skips paths that start with a variable. To keep
    /// one rule of the pair, turn the other off: `--ignore WorkdirRelativePath`,
    /// `ignore = ["WorkdirRelativePath"]` in `.ballast.toml`, or
    /// `ignored: [WorkdirRelativePath]` in `.hadolint.yaml`.
    pub WorkdirNotAbsolute {
        code: "DL3000",
        name: "workdir-not-absolute",
        severity: Error,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        let Typed::Workdir(Some(word)) = &inst.args else {
            continue;
        };
        let path = word.value.trim_matches(|c| c == '"' || c == '\'');
        if path.starts_with('/') || path.starts_with('$') || is_windows_absolute(path) {
            continue;
        }
        cx.report(
            word.span,
            format!("WORKDIR `{path}` is a relative path; give an absolute path so the folder does not depend on the base image"),
        );
    }
}

/// Whether `path` starts with a drive letter and a colon, as `C:\app` does.
fn is_windows_absolute(path: &str) -> bool {
    let mut chars = path.chars();
    matches!((chars.next(), chars.next()), (Some(letter), Some(':')) if letter.is_ascii_alphabetic())
}
