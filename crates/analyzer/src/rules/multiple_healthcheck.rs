//! DL3012: more than one `HEALTHCHECK` in a stage.

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports every `HEALTHCHECK` of a stage after the first, `HEALTHCHECK NONE`
    /// included.
    ///
    /// ## Why is this bad
    /// Only the last `HEALTHCHECK` of a stage takes effect. The earlier ones are dead
    /// code that a reader may take for the check that runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// HEALTHCHECK CMD curl -f http://localhost/ || exit 1
    /// HEALTHCHECK CMD wget -q -O /dev/null http://localhost/ || exit 1
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// HEALTHCHECK CMD curl -f http://localhost/ || exit 1
    /// ```
    pub MultipleHealthcheck {
        code: "DL3012",
        name: "multiple-healthcheck",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for stage in 0..model.stages.len() {
        let mut first: Option<u32> = None;
        for inst in model.stage_instructions(stage) {
            if !matches!(inst.args, Typed::Healthcheck(_)) {
                continue;
            }
            let span = inst.syntax.keyword_span;
            match first {
                None => first = Some(cx.line_number(span.start)),
                Some(line) => {
                    cx.report(
                        span,
                        format!("this HEALTHCHECK replaces the one on line {line}; a stage keeps only its last HEALTHCHECK"),
                    );
                }
            }
        }
    }
}
