//! MultipleInstructionsDisallowed: a second CMD, ENTRYPOINT or HEALTHCHECK in a stage.

use ballast_parser::Keyword;

use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `CMD`, `ENTRYPOINT` or `HEALTHCHECK` that a later instruction of the same
    /// kind in the same stage overrides, as BuildKit's check of the same name does. Like
    /// BuildKit, ballast reports the earlier instruction, the one that has no effect, and
    /// does not compare a stage with the stages it is built on.
    ///
    /// ## Why is this bad
    /// Only the last of these instructions counts. The earlier one is dead code that a
    /// reader may take for the real setting.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// CMD ["nginx", "-g", "daemon off;"]
    /// CMD ["nginx-debug", "-g", "daemon off;"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// CMD ["nginx-debug", "-g", "daemon off;"]
    /// ```
    pub MultipleInstructionsDisallowed {
        code: "MultipleInstructionsDisallowed",
        name: "multiple-instructions-disallowed",
        severity: Warning,
        check: check,
    }
}

const TRACKED: [Keyword; 3] = [Keyword::Cmd, Keyword::Entrypoint, Keyword::Healthcheck];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for stage in 0..model.stages.len() {
        let mut previous: [Option<usize>; 3] = [None; 3];
        for inst in model.stage_instructions(stage) {
            let Some(slot) = TRACKED.iter().position(|&kind| kind == inst.keyword()) else {
                continue;
            };
            if let Some(earlier) = previous[slot] {
                let earlier = &model.instructions[earlier];
                let name = TRACKED[slot].as_str();
                cx.report(
                    earlier.syntax.keyword_span,
                    format!(
                        "a later {name} in this stage replaces this one, so this one has no effect: keep only one {name} per stage"
                    ),
                )
                .label(inst.syntax.keyword_span, "overridden by this one");
            }
            previous[slot] = Some(inst.index);
        }
    }
}
