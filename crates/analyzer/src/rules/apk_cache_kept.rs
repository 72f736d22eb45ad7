//! DL3019: `apk add` that keeps its package index in the layer.

use crate::diagnostic::{Edit, Fix};
use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `apk add` without `--no-cache`, unless a cache or tmpfs mount holds
    /// `/var/cache/apk`.
    ///
    /// ## Why is this bad
    /// Without `--no-cache`, apk keeps the downloaded index and packages under
    /// `/var/cache/apk`, which then take space in the layer and are never used at run
    /// time.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add curl=8.9.1-r0
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl=8.9.1-r0
    /// ```
    ///
    /// ## Fix
    /// Adds `--no-cache` after `add`. The fix is safe: the same packages are installed.
    pub ApkCacheKept {
        code: "DL3019",
        name: "apk-cache-kept",
        severity: Info,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        if run.run.caches("/var/cache/apk") {
            continue;
        }
        for command in run.named("apk") {
            let Some(add) = command.args.iter().find(|arg| arg.text == "add") else {
                continue;
            };
            if command.has_flag("no-cache") {
                continue;
            }
            let plain = cx.text(add.span) == "add";
            let span = add.span;
            let diagnostic = cx.report(
                command.name_span,
                "add `--no-cache` so apk does not leave its index and packages in the layer",
            );
            if plain {
                diagnostic.fix(Fix::safe(
                    "Add `--no-cache`",
                    vec![Edit::insert(span.end, " --no-cache")],
                ));
            }
        }
    }
}
