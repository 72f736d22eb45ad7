//! DL3034: `zypper` without `--non-interactive`.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `zypper install`, `remove`, `source-install` and `patch` (and their short
    /// forms `in`, `rm`, `si`) without `-n`/`--non-interactive` or `-y`/`--no-confirm`.
    ///
    /// ## Why is this bad
    /// Without these options zypper asks for confirmation. A build has no terminal to
    /// answer, so the command aborts and the build fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install curl=8.6.0
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper --non-interactive install curl=8.6.0
    /// ```
    pub ZypperNonInteractiveMissing {
        code: "DL3034",
        name: "zypper-non-interactive-missing",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

const CHANGING: &[&str] = &[
    "install",
    "in",
    "remove",
    "rm",
    "source-install",
    "si",
    "patch",
];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        for command in &run.commands {
            if !command.is("zypper") || !command.has_any_arg(CHANGING) {
                continue;
            }
            if command.has_any_flag(&["non-interactive", "n", "no-confirm", "y"]) {
                continue;
            }
            cx.report(
                command.span,
                "zypper asks for confirmation, which fails the build: add `--non-interactive`",
            );
        }
    }
}
