//! DL3025: `CMD`, `ENTRYPOINT` or `HEALTHCHECK CMD` in shell form.

use crate::model::{CommandForm, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD` written in shell form (a plain
    /// string or a heredoc) instead of a JSON array.
    ///
    /// ## Why is this bad
    /// In shell form the program runs as a child of `/bin/sh -c`. The shell, not the
    /// program, is process 1 and receives `SIGTERM` on `docker stop`; it does not pass the
    /// signal on, so the program is killed after the stop timeout instead of shutting down
    /// cleanly. An `ENTRYPOINT` in shell form also ignores the arguments of `docker run`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// CMD python -m http.server 8000
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// CMD ["python", "-m", "http.server", "8000"]
    /// ```
    ///
    /// ## Overlapping rules
    /// `JSONArgsRecommended`, BuildKit's check, reports the same shell-form `CMD` and
    /// `ENTRYPOINT`. It skips a stage where a `SHELL` instruction is in effect and does not
    /// check `HEALTHCHECK CMD`, which DL3025 does. On `CMD ['x']`, BL1003 reports the
    /// single quotes too. To keep one rule of the pair, turn the other off:
    /// `--ignore JSONArgsRecommended`, `ignore = ["JSONArgsRecommended"]` in
    /// `.ballast.toml`, or `ignored: [JSONArgsRecommended]` in `.hadolint.yaml`.
    pub CommandShellForm {
        code: "DL3025",
        name: "command-shell-form",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let (form, keyword) = match &inst.args {
            Typed::Cmd(form) => (form, "CMD"),
            Typed::Entrypoint(form) => (form, "ENTRYPOINT"),
            Typed::Healthcheck(health) => (&health.command, "HEALTHCHECK CMD"),
            _ => continue,
        };
        let CommandForm::Shell(word) = form else {
            continue;
        };
        // A health check gets no stop signal, so for it the cost is the extra shell, which
        // must exist in the image, on every probe.
        let message = if keyword == "HEALTHCHECK CMD" {
            "HEALTHCHECK CMD in shell form starts `/bin/sh -c` for every probe and fails in an image without a shell; write it as a JSON array".to_owned()
        } else {
            format!("{keyword} in shell form runs under `/bin/sh -c`, which does not forward stop signals; write it as a JSON array")
        };
        cx.report(word.span, message);
    }
}
