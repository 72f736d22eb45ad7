//! DL3018: `apk add` without package versions.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports each package of an `apk add` that has no version constraint (`curl=8.9.1-r0`,
    /// `curl~8.9`, `curl>8`) and is not an `.apk` file. The values of `-t`/`--virtual`,
    /// `-X`/`--repository` are not packages.
    ///
    /// ## Why is this bad
    /// Without a version the package is whatever the repository serves on the day of the
    /// build, so two builds of the same Dockerfile can differ.
    ///
    /// A constraint with `<` or `>` must be quoted (`"curl>8"`): unquoted, the shell reads
    /// `>` as a redirection and apk sees only the name.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl=8.9.1-r0
    /// ```
    pub ApkUnpinned {
        code: "DL3018",
        name: "apk-unpinned",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        for command in run.named("apk") {
            if !command.has_arg("add") {
                continue;
            }
            for arg in command.args_without_values_of(&["t", "virtual", "repository", "X"]) {
                let package = arg.text.as_str();
                if package.starts_with('-') || package == "add" || is_pinned(package) {
                    continue;
                }
                cx.report(
                    arg.span,
                    format!("pin the version of `{package}` (`{package}=<version>`) so rebuilds install the same package"),
                );
            }
        }
    }
}

fn is_pinned(package: &str) -> bool {
    package.contains(['=', '~', '>', '<']) || package.ends_with(".apk")
}
