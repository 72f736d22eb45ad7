//! DL3037: `zypper install` of a package without a version.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `zypper install` (or `in`) of a package without a version constraint
    /// (`=`, `>`, `<`, `>=`, `<=`) that is not an `.rpm` file.
    ///
    /// ## Why is this bad
    /// Without a version the package is whatever the repository holds on the day of the
    /// build, so two builds of the same Dockerfile can differ.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper -n install curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper -n install curl=8.6.0
    /// ```
    pub ZypperVersionUnpinned {
        code: "DL3037",
        name: "zypper-version-unpinned",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        for command in &run.commands {
            if !command.is("zypper") || !command.has_any_arg(&["install", "in"]) {
                continue;
            }
            let unpinned = command.args_no_flags().into_iter().find(|package| {
                !matches!(*package, "install" | "in")
                    && !package.contains(['=', '>', '<'])
                    && !package.ends_with(".rpm")
            });
            if let Some(package) = unpinned {
                cx.report(
                    command.span,
                    format!("`{package}` has no version: pin it, for example `{package}=1.2.3`"),
                );
            }
        }
    }
}
