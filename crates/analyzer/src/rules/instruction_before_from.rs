//! DL3061: an instruction before the first `FROM`.

use ballast_parser::Keyword;

use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports every instruction other than `ARG` that comes before the first `FROM`.
    ///
    /// ## Why is this bad
    /// Only `ARG` may precede `FROM`; Docker rejects any other instruction there, so the
    /// build fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV LANG=C.UTF-8
    /// FROM debian:12
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// ENV LANG=C.UTF-8
    /// ```
    pub InstructionBeforeFrom {
        code: "DL3061",
        name: "instruction-before-from",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        if inst.stage.is_some() {
            break;
        }
        if matches!(
            inst.keyword(),
            Keyword::Arg | Keyword::From | Keyword::Unknown
        ) {
            continue;
        }
        cx.report(
            inst.syntax.keyword_span,
            format!(
                "`{}` before the first FROM: only ARG may come before FROM",
                inst.keyword().as_str()
            ),
        );
    }
}
