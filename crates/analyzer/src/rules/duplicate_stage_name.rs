//! DuplicateStageName: two stages with the same name.

use crate::FastMap;

use crate::model::Stage;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a stage whose name an earlier stage already uses, as BuildKit's check of
    /// the same name does. Names are compared in lower case, as BuildKit stores them.
    ///
    /// ## Why is this bad
    /// BuildKit only warns: the later stage silently replaces the earlier one for every
    /// reference after it, so `COPY --from=name` may copy from a stage other than the one
    /// the reader expects.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// FROM node:22 AS build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build-api
    /// FROM node:22 AS build-web
    /// ```
    pub DuplicateStageName {
        code: "DuplicateStageName",
        name: "duplicate-stage-name",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    // The latest stage of each name so far, so the check stays linear in the stages.
    let mut latest: FastMap<&str, &Stage<'_>> = FastMap::default();
    for stage in &model.stages {
        let Some(name) = stage.name.as_deref() else {
            continue;
        };
        let earlier = latest.insert(name, stage);
        let (Some(word), Some(earlier)) = (stage.name_word, earlier) else {
            continue;
        };
        let diagnostic = cx.report(
            word.span,
            format!("an earlier stage is already named `{name}`: give each stage its own name"),
        );
        if let Some(first) = earlier.name_word {
            diagnostic.label(first.span, "the name is first used here");
        }
    }
}
