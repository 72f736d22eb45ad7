//! BL1005: a RUN that starts a process in the background and expects it to keep running.

use ballast_parser::shell::{SeparatorKind, SimpleCommand};

use ballast_parser::shell::Dialect;

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports `RUN` scripts that start a service or a background process and leave it
    /// running: a command ending in `&` that nothing waits for, `nohup …`,
    /// `service NAME start`, `systemctl start NAME` or `/etc/init.d/NAME start`.
    ///
    /// ## Why is this bad
    /// Each `RUN` step runs in a temporary container that stops when its script ends. A
    /// process started in the background is killed then, so it is not running in later
    /// steps and not in the image. Only files it wrote before that point are kept.
    /// Start long-running processes from `CMD` or `ENTRYPOINT`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN service nginx start
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    pub BackgroundProcessInRun {
        code: "BL1005",
        name: "background-process-in-run",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        if !matches!(inst.args, Typed::Run(_)) {
            continue;
        }
        let shell = model.shell_of(inst);
        let dialect = Dialect::from_shell(shell.first().map_or("", String::as_str));
        for script in inst.run_scripts(cx.source, dialect) {
            let commands = &script.script.commands;
            let waits = commands
                .iter()
                .any(|command| command.name().is_some_and(|name| name.value == "wait"));
            for (index, command) in commands.iter().enumerate() {
                let Some(reason) = started_in_background(command, waits, &commands[index + 1..])
                else {
                    continue;
                };
                let span = script.source_span(command.span);
                cx.report(
                    span,
                    format!(
                        "{reason}, but the RUN step's container stops when its script ends, so the process is not running in later steps or in the image; start it from CMD or ENTRYPOINT"
                    ),
                );
            }
        }
    }
}

/// Returns the reason `command` leaves a process running after the script ends, if it does.
fn started_in_background(
    command: &SimpleCommand,
    waits: bool,
    later: &[SimpleCommand],
) -> Option<String> {
    let words: Vec<&str> = command
        .words
        .iter()
        .map(|word| word.value.as_str())
        .collect();
    let name = words.first()?.rsplit('/').next()?;
    let program = words.first()?;
    match (name, words.get(1..).unwrap_or_default()) {
        ("service", [service, "start" | "restart", ..]) => {
            return Some(format!("`service {service} start` starts a daemon"));
        }
        ("systemctl", ["start" | "restart", unit, ..]) => {
            return Some(format!("`systemctl start {unit}` starts a service"));
        }
        (_, ["start" | "restart", ..]) if program.starts_with("/etc/init.d/") => {
            return Some(format!("`{program} start` starts a daemon"));
        }
        _ => {}
    }

    let backgrounded = command.context.in_background
        || command
            .separator
            .is_some_and(|separator| separator.kind == SeparatorKind::Background);
    if !backgrounded || waits || command.context.in_substitution {
        return None;
    }
    // A background job followed by more commands is often a helper the script uses,
    // such as a server for a test run. Only a job started last, or under `nohup`, is
    // meant to outlive the script.
    let is_last = later.iter().all(|other| other.context.in_background);
    if name == "nohup" {
        return Some(format!("`nohup {}` runs in the background", words.get(1)?));
    }
    is_last.then(|| format!("`{program} &` runs in the background"))
}
