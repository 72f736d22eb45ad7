//! DL3023: `COPY --from` naming the stage it is in.

use crate::model::{Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY --from=<name>` inside the stage called `<name>`.
    ///
    /// ## Why is this bad
    /// A stage cannot copy from itself: the builder reads the name as another stage or an
    /// image and the build fails or copies the wrong files. Copying inside one stage needs
    /// no `--from`, or a `RUN cp`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12 AS build
    /// COPY --from=build /src /dst
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12 AS build
    /// RUN cp -r /src /dst
    /// ```
    pub CopyFromOwnStage {
        code: "DL3023",
        name: "copy-from-own-stage",
        severity: Error,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        let Typed::Copy(copy) = &inst.args else {
            continue;
        };
        let (Some(flag), Some(stage)) = (copy.from, inst.stage) else {
            continue;
        };
        let (Some(value), Some(name)) =
            (flag.value.as_deref(), model.stages[stage].name.as_deref())
        else {
            continue;
        };
        if !unquote(value).eq_ignore_ascii_case(name) {
            continue;
        }
        cx.report(
            flag.span,
            format!("`--from={name}` names the current stage; a stage cannot copy from itself"),
        );
    }
}
