//! DL3007: a base image pinned to the `latest` tag.

use crate::model::{Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` image whose tag is `latest` and that has no digest.
    ///
    /// ## Why is this bad
    /// `latest` is not a version: it moves whenever the publisher pushes a new image. The
    /// tag looks pinned but the build still changes under you.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:latest
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ```
    pub FromLatestTag {
        code: "DL3007",
        name: "from-latest-tag",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let focus = cx.focus();
    for stage in &model.stages {
        if !focus.covers_stage(Some(stage.index)) {
            continue;
        }
        let Typed::From(from) = &model.instructions[stage.from].args else {
            continue;
        };
        let Some(word) = from.image else { continue };
        let written = unquote(&word.value);
        if written.contains('@') {
            continue;
        }
        let last = written.rsplit('/').next().unwrap_or(&written);
        if last.split_once(':').map(|(_, tag)| tag) != Some("latest") {
            continue;
        }
        cx.report(
            word.span,
            "the `latest` tag moves with every release; pin a version tag or a digest",
        );
    }
}
