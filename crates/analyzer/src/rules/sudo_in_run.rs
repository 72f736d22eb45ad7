//! DL3004: `sudo` in `RUN`.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `sudo` in a `RUN`.
    ///
    /// ## Why is this bad
    /// `sudo` needs a configured `sudoers` file and may ask for a password or a terminal,
    /// and a build has neither. It also leaves the package and its privilege rules in the
    /// image. Switch users with `USER` around the steps that need root instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// USER app
    /// RUN sudo apt-get install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// USER root
    /// RUN apt-get install -y curl
    /// USER app
    /// ```
    pub SudoInRun {
        code: "DL3004",
        name: "sudo-in-run",
        severity: Error,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        for command in run.named("sudo") {
            cx.report(
                command.name_span,
                "RUN does not need sudo: set USER root for the steps that need root, then switch back",
            );
        }
    }
}
