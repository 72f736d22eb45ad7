//! DL3015: `apt-get install` that also installs recommended packages.

use crate::diagnostic::{Edit, Fix};
use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `apt-get install` without `--no-install-recommends` (or the option
    /// `APT::Install-Recommends=false`).
    ///
    /// ## Why is this bad
    /// By default apt also installs every package the named ones recommend: documentation,
    /// optional tools and their libraries, often doubling the size of the layer with
    /// files the image never uses.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Adds `--no-install-recommends` after `install`. The fix is unsafe: the program may
    /// need a package that was only recommended.
    pub AptInstallRecommends {
        code: "DL3015",
        name: "apt-install-recommends",
        severity: Info,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        for command in run.named("apt-get") {
            let Some(install) = command.args.iter().find(|arg| arg.text == "install") else {
                continue;
            };
            if command.has_flag("no-install-recommends")
                || command.has_arg("APT::Install-Recommends=false")
            {
                continue;
            }
            let plain = cx.text(install.span) == "install";
            let span = install.span;
            let diagnostic = cx.report(
                command.name_span,
                "add `--no-install-recommends` so apt installs only the packages you name and their dependencies",
            );
            if plain {
                diagnostic.fix(Fix::unsafe_(
                    "Add `--no-install-recommends`",
                    vec![Edit::insert(span.end, " --no-install-recommends")],
                ));
            }
        }
    }
}
