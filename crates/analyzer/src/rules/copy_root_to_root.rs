//! DL3067: `COPY --from=… / /`.

use crate::model::{Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports `COPY --from` that copies the root folder `/` of another stage or image onto
    /// `/`.
    ///
    /// ## Why is this bad
    /// It copies a whole filesystem, including `/proc` placeholders, package databases and
    /// caches, over the current one. The image grows, files of the current stage are
    /// silently replaced, and the copy hides which files the image really needs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS build
    /// RUN make
    /// FROM scratch
    /// COPY --from=build / /
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS build
    /// RUN make
    /// FROM scratch
    /// COPY --from=build /out/app /app
    /// ```
    pub CopyRootToRoot {
        code: "DL3067",
        name: "copy-root-to-root",
        severity: Warning,
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
        if copy.from.is_none() {
            continue;
        }
        let Some(destination) = copy.destination else {
            continue;
        };
        let root_source = copy
            .sources
            .iter()
            .any(|source| unquote(&source.value) == "/");
        if root_source && unquote(&destination.value) == "/" {
            cx.report(
                inst.syntax.keyword_span,
                "copies the whole root filesystem onto `/`: copy only the paths the image needs",
            );
        }
    }
}
