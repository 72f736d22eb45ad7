//! DL4005: `ln` onto `/bin/sh`.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports an `ln` command with the argument `/bin/sh`.
    ///
    /// ## Why is this bad
    /// Relinking `/bin/sh` changes the shell of every script in the image, including the
    /// package manager's maintainer scripts, which may rely on the original one. The
    /// `SHELL` instruction changes the shell of the Dockerfile's own commands only.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN ln -sf /bin/bash /bin/sh
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// SHELL ["/bin/bash", "-c"]
    /// ```
    pub ShReplacedWithLn {
        code: "DL4005",
        name: "sh-replaced-with-ln",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        for command in &run.commands {
            if command.is("ln") && command.has_arg("/bin/sh") {
                cx.report(
                    command.span,
                    "relinking /bin/sh changes the shell of every script in the image: pick the shell for RUN with a SHELL instruction instead",
                );
            }
        }
    }
}
