//! DL3014: `apt-get install` that would wait for confirmation.

use crate::diagnostic::{Edit, Fix};
use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `apt-get install` without `-y` (`--yes`, `--assume-yes`) or `-qq`, the
    /// options that answer its confirmation prompt.
    ///
    /// ## Why is this bad
    /// A build has no terminal to answer "Do you want to continue?". Without the option
    /// `apt-get` aborts as soon as it would install more than the named packages.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// ## Fix
    /// Adds `-y` after `install`. The fix is safe: it only answers the prompt the build
    /// cannot answer.
    pub AptWithoutYes {
        code: "DL3014",
        name: "apt-without-yes",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        for command in run.named("apt-get") {
            let Some(install) = command.args.iter().find(|arg| arg.text == "install") else {
                continue;
            };
            let flags = command.flags();
            let quiet = flags.iter().filter(|flag| **flag == "q").count() == 2
                || flags.iter().filter(|flag| **flag == "quiet").count() == 2
                || command.has_arg("-q=2");
            if quiet || command.has_any_flag(&["y", "yes", "assume-yes"]) {
                continue;
            }
            let plain = cx.text(install.span) == "install";
            let span = install.span;
            let diagnostic = cx.report(
                command.name_span,
                "add `-y` to `apt-get install`: the build cannot answer its confirmation prompt",
            );
            if plain {
                diagnostic.fix(Fix::safe("Add `-y`", vec![Edit::insert(span.end, " -y")]));
            }
        }
    }
}
