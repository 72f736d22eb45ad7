//! DL4003: more than one `CMD` in a stage.

use ballast_parser::Keyword;

use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports every `CMD` after the first one in the same stage.
    ///
    /// ## Why is this bad
    /// Only the last `CMD` of a stage sets the command the container runs; the earlier ones have no
    /// effect, so a reader may trust a line that does nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// CMD ["nginx", "-g", "daemon off;"]
    /// CMD ["nginx"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    pub MultipleCmd {
        code: "DL4003",
        name: "multiple-cmd",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    report_repeated(cx, Keyword::Cmd);
}

/// Reports every instruction with `keyword` after the first one of its stage. CMD and
/// ENTRYPOINT share this check, since only the last of each takes effect.
pub(super) fn report_repeated(cx: &mut Context<'_>, keyword: Keyword) {
    let model = cx.model;
    // Instructions before the first FROM form a group of their own, as in hadolint.
    let mut group = None;
    let mut first: Option<u32> = None;
    for inst in &model.instructions {
        if inst.stage != group {
            group = inst.stage;
            first = None;
        }
        if inst.keyword() != keyword {
            continue;
        }
        match first {
            None => first = Some(inst.syntax.start_line),
            Some(line) => {
                let name = keyword.as_str();
                cx.report(
                    inst.syntax.keyword_span,
                    format!("this {name} overrides the one on line {line}: a stage keeps only its last {name}, so remove the earlier one"),
                );
            }
        }
    }
}
