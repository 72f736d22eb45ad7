//! DL3046: `useradd` with a large UID and without `--no-log-init`.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `useradd -u UID` with a UID of more than five digits when neither `-l` nor
    /// `--no-log-init` is given.
    ///
    /// ## Why is this bad
    /// `useradd` reserves a record for the new user in `/var/log/lastlog` and
    /// `/var/log/faillog`, files indexed by UID. With a large UID the sparse file becomes
    /// gigabytes long in the layer, because image layers do not keep files sparse.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd -u 123456 app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd --no-log-init -u 123456 app
    /// ```
    ///
    /// As in hadolint 2.15.1, only the value after a separate `-u` is read, so
    /// `--uid 123456` is not reported.
    pub UseraddWithoutNoLogInit {
        code: "DL3046",
        name: "useradd-without-no-log-init",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        for command in &run.commands {
            if !command.is("useradd") || command.has_any_flag(&["l", "no-log-init"]) {
                continue;
            }
            let uid = command
                .args
                .iter()
                .position(|arg| arg.text == "-u")
                .and_then(|at| command.args.get(at + 1));
            if uid.is_some_and(|uid| uid.text.len() > 5) {
                cx.report(
                    command.span,
                    "useradd with a large UID writes a huge sparse lastlog file into the layer: add `--no-log-init`",
                );
            }
        }
    }
}
