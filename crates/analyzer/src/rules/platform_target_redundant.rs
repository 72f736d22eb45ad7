//! DL3065: `FROM --platform=$TARGETPLATFORM`.

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports `FROM --platform=$TARGETPLATFORM` and `FROM --platform=${TARGETPLATFORM}`.
    ///
    /// ## Why is this bad
    /// A stage is built for the target platform by default, so the flag changes nothing
    /// and suggests to the reader that it does.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=$TARGETPLATFORM alpine:3.20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Fix
    /// Removes the flag. The fix is safe: the stage is built for the same platform.
    pub PlatformTargetRedundant {
        code: "DL3065",
        name: "platform-target-redundant",
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
        let Some(platform) = from.platform else {
            continue;
        };
        let value = platform.value.as_deref().unwrap_or("");
        if !matches!(value, "$TARGETPLATFORM" | "${TARGETPLATFORM}") {
            continue;
        }
        let end = cx.source[platform.span.end..]
            .find(|c: char| c != ' ' && c != '\t')
            .map_or(platform.span.end, |skip| platform.span.end + skip);
        let removal = ballast_parser::Span::new(platform.span.start, end);
        cx.report(
            platform.span,
            "`--platform=$TARGETPLATFORM` is the default: remove the flag",
        )
        .fix(crate::diagnostic::Fix::safe(
            "Remove `--platform`",
            vec![crate::diagnostic::Edit::delete(removal)],
        ));
    }
}
