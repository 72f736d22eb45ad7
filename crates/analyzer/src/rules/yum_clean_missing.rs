//! DL3032: `yum install` without `yum clean all` after it.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` with `yum install` whose first cleanup comes before the first
    /// install or is missing. A cleanup is `yum clean` (any argument `clean` or `all`) or
    /// `rm` with `-rf` or `/var/cache/yum/*`.
    ///
    /// ## Why is this bad
    /// yum keeps downloaded packages and repository metadata under `/var/cache/yum`. Unless
    /// the same `RUN` removes them, they stay in the layer, often tens of megabytes.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd-2.4.6
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd-2.4.6 && yum clean all
    /// ```
    pub YumCleanMissing {
        code: "DL3032",
        name: "yum-clean-missing",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        let Some(install) =
            run.position(|command| command.is("yum") && command.has_any_arg(&["install"]))
        else {
            continue;
        };
        let clean = run.position(|command| {
            (command.is("yum") && command.has_any_arg(&["clean", "all"]))
                || (command.is("rm") && command.has_any_arg(&["-rf", "/var/cache/yum/*"]))
        });
        if clean.is_some_and(|clean| clean > install) {
            continue;
        }
        cx.report(
            run.commands[install].span,
            "yum keeps its package cache in the layer: run `yum clean all` after installing",
        );
    }
}
