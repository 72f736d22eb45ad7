//! DL3041: `dnf install` of a package without a version.

use crate::rules::Context;
use crate::rules::packages::{is_declared_variable, is_rpm_versioned, runs};

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` with `dnf install` or `microdnf install` of a package without a
    /// version: a package must be `name-version` (a part after a `-` that starts with a
    /// digit), an `.rpm` file, or use a declared ARG or ENV variable. For
    /// `dnf module install` every module needs a stream (`nodejs:20`); `group` commands
    /// are not checked. One finding per `RUN`.
    ///
    /// ## Why is this bad
    /// Without a version the package is whatever the repository holds on the day of the
    /// build, so two builds of the same Dockerfile can differ.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd && dnf clean all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62 && dnf clean all
    /// ```
    pub DnfVersionUnpinned {
        code: "DL3041",
        name: "dnf-version-unpinned",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        let at = run.inst.index;
        let unpinned = run.commands.iter().find_map(|command| {
            let is_dnf = command.is("dnf") || command.is("microdnf");
            if !is_dnf || !command.has_any_arg(&["install"]) || command.has_any_arg(&["group"]) {
                return None;
            }
            let is_module = command.has_any_arg(&["module"]);
            let mut packages = command
                .args_no_flags()
                .into_iter()
                .filter(|package| !matches!(*package, "install" | "module"));
            if is_module {
                packages.find(|module| !module.contains(':'))
            } else {
                packages.find(|package| {
                    !is_rpm_versioned(package, |name| is_declared_variable(model, at, name))
                })
            }
            .map(|package| (command.span, package.to_string()))
        });
        if let Some((span, package)) = unpinned {
            cx.report(
                span,
                format!("`{package}` has no version: pin it, for example `{package}-1.2.3`"),
            );
        }
    }
}
