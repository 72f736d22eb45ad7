//! DL3040: `dnf install` without `dnf clean all` after it.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `dnf` or `microdnf` with `install`, `upgrade`, `reinstall` or one of their
    /// short forms when no later command in the same `RUN` cleans up: the same tool with
    /// `clean` or `all`, or `rm` with `-rf` or `/var/cache/libdnf5*`. A cache or tmpfs
    /// mount on `/var/cache/libdnf5` or `.cache/libdnf5` also counts.
    ///
    /// ## Why is this bad
    /// dnf keeps downloaded packages and repository metadata in its cache folder, which
    /// then stays in the layer, often tens of megabytes.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62 && dnf clean all
    /// ```
    pub DnfCleanMissing {
        code: "DL3040",
        name: "dnf-clean-missing",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

const INSTALLING: &[&str] = &[
    "install",
    "in",
    "upgrade",
    "up",
    "upgrade-minimal",
    "up-min",
    "reinstall",
    "rei",
];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        if run.run.caches("/var/cache/libdnf5") || run.run.caches(".cache/libdnf5") {
            continue;
        }
        for tool in ["dnf", "microdnf"] {
            let Some(install) =
                run.position(|command| command.is(tool) && command.has_any_arg(INSTALLING))
            else {
                continue;
            };
            let cleaned_later = run.commands[install + 1..].iter().any(|command| {
                (command.is(tool) && command.has_any_arg(&["clean", "all"]))
                    || (command.is("rm") && command.has_any_arg(&["-rf", "/var/cache/libdnf5*"]))
            });
            if !cleaned_later {
                cx.report(
                    run.commands[install].span,
                    format!("{tool} keeps its package cache in the layer: run `{tool} clean all` after installing"),
                );
            }
        }
    }
}
