//! DL3063: a stage named `scratch` or `context`.

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM … AS scratch` or `FROM … AS context` stage name (case-sensitive,
    /// as hadolint compares it).
    ///
    /// ## Why is this bad
    /// `scratch` is the empty image and `context` names the build context in
    /// `COPY --from` and in named contexts, so a stage with one of these names is
    /// ambiguous and BuildKit rejects it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS scratch
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// ```
    pub ReservedStageAlias {
        code: "DL3063",
        name: "reserved-stage-alias",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let Typed::From(from) = &inst.args else {
            continue;
        };
        let Some(name) = from.name else { continue };
        if matches!(name.value.as_str(), "scratch" | "context") {
            cx.report(
                name.span,
                format!(
                    "`{}` is a reserved name: choose another stage name",
                    name.value
                ),
            );
        }
    }
}
