//! ReservedStageName: a stage named `scratch` or `context`.

use crate::rules::Context;

/// Names BuildKit gives a meaning of its own: the empty image and the build context.
const RESERVED: [&str; 2] = ["context", "scratch"];

declare_rule! {
    /// ## What it does
    /// Reports a stage named `scratch` or `context`, as BuildKit's check of the same name
    /// does.
    ///
    /// ## Why is this bad
    /// `scratch` is the empty base image and `context` is the name of the build context
    /// in `COPY --from` and `RUN --mount=from=`. A stage with one of these names makes
    /// every such reference ambiguous to the reader.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS scratch
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS base
    /// ```
    pub ReservedStageName {
        code: "ReservedStageName",
        name: "reserved-stage-name",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for stage in &model.stages {
        let (Some(name), Some(word)) = (&stage.name, stage.name_word) else {
            continue;
        };
        if !RESERVED.contains(&name.as_str()) {
            continue;
        }
        let meaning = if name == "scratch" {
            "the empty base image"
        } else {
            "the build context"
        };
        cx.report(
            word.span,
            format!("the stage name `{name}` is reserved for {meaning}: rename this stage"),
        );
    }
}
