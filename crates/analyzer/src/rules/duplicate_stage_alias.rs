//! DL3024: two stages with the same name.

use crate::FastMap;

use crate::model::{Stage, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM … AS <name>` whose name an earlier stage already has. Names are
    /// compared without regard to case, as BuildKit stores them in lower case.
    ///
    /// ## Why is this bad
    /// `COPY --from=<name>` and `FROM <name>` can refer to only one of the stages, and
    /// BuildKit rejects the file.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20 AS build
    /// FROM golang:1.22 AS build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20 AS web
    /// FROM golang:1.22 AS api
    /// ```
    ///
    /// ## Differences from hadolint
    /// NOTE: hadolint 2.15.1 compares names with case (`AS x` and `AS X` pass); BuildKit
    /// lowercases them, so ballast reports the pair.
    pub DuplicateStageAlias {
        code: "DL3024",
        name: "duplicate-stage-alias",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    // The first stage of each name, so the check stays linear in the stages.
    let mut first_of: FastMap<&str, &Stage<'_>> = FastMap::default();
    for stage in &model.stages {
        let Some(name) = stage.name.as_deref() else {
            continue;
        };
        let first = *first_of.entry(name).or_insert(stage);
        let Some(word) = stage.name_word else {
            continue;
        };
        if std::ptr::eq(first, stage) {
            continue;
        }
        let line = cx.line_number(model.instructions[first.from].span().start);
        cx.report(
            word.span,
            format!(
                "stage name `{}` is already used by the stage on line {line}",
                unquote(&word.value)
            ),
        );
    }
}
