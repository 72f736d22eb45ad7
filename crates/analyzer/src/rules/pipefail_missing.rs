//! DL4006: a pipe in `RUN` without `pipefail`.

use ballast_parser::shell::{Dialect, parse_script};

use crate::model::Typed;
use crate::rules::Context;
use crate::rules::packages::{RunCommands, ShellCommand, reduce_all, run_view};

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` with a pipe (`|` or `|&`) in a stage whose `SHELL` does not turn on
    /// `pipefail`.
    ///
    /// ## Why is this bad
    /// A pipeline's exit status is that of its last command. In
    /// `RUN wget -O- https://example.com/install.sh | sh`, a failed download still lets the
    /// build go on, with an empty script run and a broken image as the result.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN wget -O- https://example.com/key.asc | gpg --dearmor > /usr/share/keyrings/example.gpg
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN wget -O- https://example.com/key.asc | gpg --dearmor > /usr/share/keyrings/example.gpg
    /// ```
    ///
    /// The state starts over at every `FROM`. A `SHELL` running PowerShell or `cmd` counts
    /// as safe, as those shells do not mask a failed pipe element the same way.
    ///
    /// ## Differences from hadolint
    /// hadolint 2.15.1 accepts only `bash`, `zsh` and `ash`, by exact path, and ignores
    /// `set -o pipefail` in the script. ballast also accepts:
    /// - any path to those shells and to `sh` (`/usr/bin/bash`, `/bin/sh -o pipefail`),
    ///   because busybox `sh` and recent dash accept the option, and a shell that rejects
    ///   it fails the build loudly instead of hiding a failure;
    /// - a `RUN` whose script runs `set -o pipefail` (or `set -euo pipefail`) before its
    ///   first pipe, which covers heredoc scripts.
    pub PipefailMissing {
        code: "DL4006",
        name: "pipefail-missing",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let mut pipefail = false;
    // The state resets at each FROM, so checking whole stages in focus is enough.
    for inst in cx.focus().instructions(model) {
        match &inst.args {
            Typed::From(_) => pipefail = false,
            Typed::Shell(words) => {
                let joined: Vec<&str> = words.iter().map(|word| word.value.as_str()).collect();
                pipefail = shell_sets_pipefail(&joined.join(" "));
            }
            Typed::Run(_) if !pipefail => {
                let Some(run) = run_view(model.source, inst) else {
                    continue;
                };
                report_unsafe_pipe(cx, &run);
            }
            _ => {}
        }
    }
}

fn report_unsafe_pipe(cx: &mut Context<'_>, run: &RunCommands<'_, '_>) {
    let Some(first_pipe) = run.position(|command| command.piped) else {
        return;
    };
    let enabled_in_script = run.commands[..first_pipe]
        .iter()
        .any(|command| command.is("set") && enables_pipefail(command));
    if enabled_in_script {
        return;
    }
    cx.report(
        run.commands[first_pipe].span,
        "a failure in this pipe is hidden: only the last command's status counts; set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` or run `set -o pipefail` first",
    );
}

/// Whether a `SHELL` command line turns on `pipefail`, or runs a shell where the
/// question does not arise.
fn shell_sets_pipefail(shell: &str) -> bool {
    let lower = shell.trim_start().to_ascii_lowercase();
    if ["pwsh", "powershell", "cmd"]
        .iter()
        .any(|prefix| lower.starts_with(prefix))
    {
        return true;
    }
    let script = parse_script(shell, Dialect::Bash);
    reduce_all(&script).iter().any(|command| {
        let base = command.name.rsplit('/').next().unwrap_or("");
        matches!(base, "bash" | "zsh" | "ash" | "sh" | "dash" | "ksh") && enables_pipefail(command)
    })
}

/// Whether a shell or `set` command has the option `-o pipefail`.
fn enables_pipefail(command: &ShellCommand) -> bool {
    command.has_any_flag(&["o"]) && command.has_arg("pipefail")
}
