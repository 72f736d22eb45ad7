//! DL3027: `apt` in `RUN`, where `apt-get` is the scripting interface.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports the `apt` command in a `RUN`.
    ///
    /// ## Why is this bad
    /// `apt` is meant for people at a terminal: its output and options may change between
    /// releases, and it warns that it "does not have a stable CLI interface". `apt-get`
    /// and `apt-cache` are the interfaces meant for scripts.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt update && apt install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// There is no automatic fix: a few `apt` subcommands (`list`, `search`, `show`)
    /// belong to `apt-cache`, some options differ, and the new `apt-get install` would
    /// need the options the other apt rules ask for.
    pub AptCommand {
        code: "DL3027",
        name: "apt-command",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        for command in run.named("apt") {
            cx.report(
                command.name_span,
                "use apt-get (or apt-cache) in scripts; `apt` has no stable command-line interface",
            );
        }
    }
}
