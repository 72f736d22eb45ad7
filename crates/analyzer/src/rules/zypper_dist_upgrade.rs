//! DL3035: `zypper dist-upgrade` in a Dockerfile.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `zypper dist-upgrade` and `zypper dup`.
    ///
    /// ## Why is this bad
    /// A distribution upgrade replaces the base image's packages with whatever the
    /// repositories hold on the day of the build, so the result is neither the base image
    /// that was chosen nor reproducible. Use a newer base image instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.5
    /// RUN zypper --non-interactive dist-upgrade
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// ```
    pub ZypperDistUpgrade {
        code: "DL3035",
        name: "zypper-dist-upgrade",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        for command in &run.commands {
            if command.is("zypper") && command.has_any_arg(&["dist-upgrade", "dup"]) {
                cx.report(
                    command.span,
                    "a distribution upgrade makes the build depend on the day it runs: use a newer base image",
                );
            }
        }
    }
}
