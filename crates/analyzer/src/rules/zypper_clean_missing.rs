//! DL3036: `zypper install` without `zypper clean` after it.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `zypper install` (or `in`) with no later `zypper clean` (or `cc`) in the
    /// same `RUN`, unless a cache or tmpfs mount covers `/var/cache/zypp`.
    ///
    /// ## Why is this bad
    /// zypper keeps downloaded packages and repository metadata under `/var/cache/zypp`,
    /// which then stay in the layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper -n install curl=8.6.0
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper -n install curl=8.6.0 && zypper clean
    /// ```
    pub ZypperCleanMissing {
        code: "DL3036",
        name: "zypper-clean-missing",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        if run.run.caches("/var/cache/zypp") {
            continue;
        }
        for (index, command) in run.commands.iter().enumerate() {
            if !command.is("zypper") || !command.has_any_arg(&["install", "in"]) {
                continue;
            }
            let cleaned_later = run.commands[index + 1..]
                .iter()
                .any(|later| later.is("zypper") && later.has_any_arg(&["clean", "cc"]));
            if !cleaned_later {
                cx.report(
                    command.span,
                    "zypper keeps its package cache in the layer: run `zypper clean` after installing",
                );
            }
        }
    }
}
