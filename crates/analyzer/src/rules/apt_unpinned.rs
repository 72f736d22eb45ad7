//! DL3008: `apt-get install` without package versions.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports each package of an `apt-get install` that has no version (`curl=7.88.1-10`)
    /// and is not a release pin (`curl/bookworm-backports`) or a `.deb` file. The value of
    /// `-t`/`--target-release` is not a package.
    ///
    /// ## Why is this bad
    /// Without a version the package is whatever the mirror serves on the day of the
    /// build, so two builds of the same Dockerfile can differ, and a layer cached on one
    /// machine differs from a fresh build on another.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
    /// ```
    pub AptUnpinned {
        code: "DL3008",
        name: "apt-unpinned",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        for command in run.named("apt-get") {
            if !command.has_arg("install") {
                continue;
            }
            for arg in command.args_without_values_of(&["t", "target-release"]) {
                let package = arg.text.as_str();
                if package.starts_with('-') || package == "install" || is_pinned(package) {
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
    package.contains('=') || package.contains('/') || package.ends_with(".deb")
}
