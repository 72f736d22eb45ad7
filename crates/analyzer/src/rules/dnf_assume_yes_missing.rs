//! DL3038: `dnf install` without `-y`.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `dnf` or `microdnf` with `install`, `groupinstall` or `localinstall` and
    /// without `-y`/`--assumeyes`.
    ///
    /// ## Why is this bad
    /// Without `-y` dnf asks for confirmation. A build has no terminal to answer, so the
    /// command aborts and the build fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install httpd-2.4.62 && dnf clean all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62 && dnf clean all
    /// ```
    pub DnfAssumeYesMissing {
        code: "DL3038",
        name: "dnf-assume-yes-missing",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        for command in &run.commands {
            let is_dnf = command.is("dnf") || command.is("microdnf");
            if !is_dnf || !command.has_any_arg(&["install", "groupinstall", "localinstall"]) {
                continue;
            }
            if command.has_any_flag(&["y", "assumeyes"]) {
                continue;
            }
            cx.report(
                command.span,
                format!(
                    "{} asks for confirmation, which fails the build: add `-y`",
                    command.name
                ),
            );
        }
    }
}
