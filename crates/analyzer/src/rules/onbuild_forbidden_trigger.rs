//! DL3043: `ONBUILD` with a trigger that BuildKit rejects.

use ballast_parser::Keyword;

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`.
    ///
    /// ## Why is this bad
    /// Docker refuses these triggers: chaining `ONBUILD` is not allowed, and `FROM` and
    /// `MAINTAINER` cannot run as triggers. The image that declares them builds, but every
    /// image built on it fails at the trigger.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ONBUILD FROM alpine:3.20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ONBUILD COPY . /app
    /// ```
    pub OnbuildForbiddenTrigger {
        code: "DL3043",
        name: "onbuild-forbidden-trigger",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let Typed::Onbuild(Some((trigger, _))) = &inst.args else {
            continue;
        };
        if !matches!(
            trigger.keyword,
            Keyword::Onbuild | Keyword::From | Keyword::Maintainer
        ) {
            continue;
        }
        cx.report(
            trigger.keyword_span,
            format!(
                "`{}` is not allowed as an ONBUILD trigger: builds on this image fail",
                trigger.keyword.as_str()
            ),
        );
    }
}
