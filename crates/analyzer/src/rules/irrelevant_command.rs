//! DL3001: interactive or system-management commands in `RUN`.

use crate::rules::Context;
use crate::rules::packages::runs;

/// Commands that inspect or manage a running system, or need a terminal.
const COMMANDS: &[&str] = &[
    "free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim",
];

declare_rule! {
    /// ## What it does
    /// Reports `RUN` commands that make no sense while an image is built: `free`, `kill`,
    /// `mount`, `ps`, `service`, `shutdown`, `ssh`, `top` and `vim`.
    ///
    /// ## Why is this bad
    /// A build step runs once, without a terminal and without the services of a booted
    /// system. Starting a service, opening an editor or inspecting processes there has
    /// no lasting effect on the image, or hangs the build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN service nginx start
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    pub IrrelevantCommand {
        code: "DL3001",
        name: "irrelevant-command",
        severity: Info,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        for command in &run.commands {
            if !COMMANDS.contains(&command.name.as_str()) {
                continue;
            }
            cx.report(
                command.name_span,
                format!(
                    "`{}` has no lasting effect during a build; run it in a container instead",
                    command.name
                ),
            );
        }
    }
}
