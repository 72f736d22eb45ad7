//! DL3003: `cd` in `RUN` where `WORKDIR` says the same.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `cd` in a `RUN`, except inside a subshell `( … )` or a command
    /// substitution, where the change of folder ends with the subshell. `ONBUILD`
    /// triggers are not checked.
    ///
    /// ## Why is this bad
    /// A `cd` lasts only until the end of its `RUN`. `WORKDIR` sets the folder for every
    /// later instruction and shows it in the image config, so readers and later steps do
    /// not have to guess where commands run.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20
    /// RUN cd /app && npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20
    /// WORKDIR /app
    /// RUN npm ci
    /// ```
    ///
    /// ## Differences from hadolint
    /// NOTE: hadolint 2.15.1 also reports `cd` inside a subshell, as in
    /// `(cd /tmp/src && make install) && rm -rf /tmp/src`. That is the usual way to build
    /// in a scratch folder and clean it up in one layer, and the `cd` cannot leak out of
    /// the subshell, so ballast does not report it.
    pub CdInsteadOfWorkdir {
        code: "DL3003",
        name: "cd-instead-of-workdir",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        if run.onbuild {
            continue;
        }
        for command in run.named("cd") {
            if command.is_isolated() {
                continue;
            }
            cx.report(
                command.name_span,
                "`cd` lasts only until the end of this RUN: set the folder for later instructions with WORKDIR",
            );
        }
    }
}
