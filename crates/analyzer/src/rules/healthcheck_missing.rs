//! DL3057: a stage without `HEALTHCHECK`, off unless the configuration enables it.

use crate::model::{Base, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports, at its `FROM` line, a stage with no `HEALTHCHECK` instruction when no stage
    /// it is built `FROM` and no stage built `FROM` it has one either. `HEALTHCHECK NONE`
    /// counts as one.
    ///
    /// The rule is off by default, as in hadolint; enable it with a severity, such as
    /// `override: { info: [DL3057] }` in `.hadolint.yaml` or `severity = { DL3057 =
    /// "info" }` in `.ballast.toml`.
    ///
    /// ## Why is this bad
    /// Without a health check, Docker and Swarm only know whether the main process runs,
    /// not whether it still answers.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site /usr/share/nginx/html
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site /usr/share/nginx/html
    /// HEALTHCHECK CMD curl -fs http://localhost/ || exit 1
    /// ```
    pub HealthcheckMissing {
        code: "DL3057",
        name: "healthcheck-missing",
        severity: Info,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let mut own = vec![false; model.stages.len()];
    for inst in &model.instructions {
        if let (Typed::Healthcheck(_), Some(stage)) = (&inst.args, inst.stage) {
            own[stage] = true;
        }
    }

    let parent = |stage: usize| match model.stages[stage].base {
        Base::Stage(parent) if parent < stage => Some(parent),
        _ => None,
    };
    let ancestor_has = |stage: usize| {
        let mut current = parent(stage);
        while let Some(index) = current {
            if own[index] {
                return true;
            }
            current = parent(index);
        }
        false
    };
    let descendant_has = |stage: usize| {
        (stage + 1..model.stages.len()).any(|later| {
            let mut current = parent(later);
            while let Some(index) = current {
                if index == stage {
                    return own[later];
                }
                current = parent(index);
            }
            false
        })
    };

    for (index, stage) in model.stages.iter().enumerate() {
        if own[index] || ancestor_has(index) || descendant_has(index) {
            continue;
        }
        cx.report(
            model.instructions[stage.from].syntax.keyword_span,
            "this stage has no HEALTHCHECK, so the container's health is never checked",
        );
    }
}
