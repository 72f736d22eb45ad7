//! DL4004: more than one `ENTRYPOINT` in a stage.

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports every `ENTRYPOINT` after the first one in the same stage.
    ///
    /// ## Why is this bad
    /// Only the last `ENTRYPOINT` of a stage sets the program the container starts; the earlier ones have no
    /// effect, so a reader may trust a line that does nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// ENTRYPOINT ["/docker-entrypoint.sh"]
    /// ENTRYPOINT ["nginx"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// ENTRYPOINT ["/docker-entrypoint.sh"]
    /// ```
    pub MultipleEntrypoint {
        code: "DL4004",
        name: "multiple-entrypoint",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    // Instructions before the first FROM form a group of their own, as in hadolint.
    let mut group = None;
    let mut first: Option<u32> = None;
    for inst in &model.instructions {
        if inst.stage != group {
            group = inst.stage;
            first = None;
        }
        if !matches!(inst.args, Typed::Entrypoint(_)) {
            continue;
        }
        match first {
            None => first = Some(inst.syntax.start_line),
            Some(line) => {
                cx.report(
                    inst.syntax.keyword_span,
                    format!(
                        "only the last ENTRYPOINT of a stage takes effect: the one on line {line} is overridden"
                    ),
                );
            }
        }
    }
}
