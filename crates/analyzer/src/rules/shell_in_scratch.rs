//! BL2004: a shell-form command in a stage built on `scratch`.

use crate::model::{CommandForm, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports shell-form `RUN`, `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD` in a stage
    /// built on `scratch`, directly or through earlier stages, unless the stage copies a
    /// file to `/bin/sh` or a `SHELL` instruction names another shell.
    ///
    /// ## Why is this bad
    /// Shell form runs the command with `/bin/sh -c`, and `scratch` is an empty
    /// filesystem with no `/bin/sh`. The `RUN` step fails, and a shell-form `CMD` or
    /// `ENTRYPOINT` fails when the container starts.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM scratch
    /// COPY app /usr/local/bin/app
    /// RUN chmod 0755 /usr/local/bin/app
    /// ENTRYPOINT /usr/local/bin/app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM scratch
    /// COPY --chmod=0755 app /usr/local/bin/app
    /// ENTRYPOINT ["/usr/local/bin/app"]
    /// ```
    pub ShellInScratch {
        code: "BL2004",
        name: "shell-in-scratch",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for stage in &model.stages {
        if !model.is_scratch_based(stage.index) {
            continue;
        }
        let instructions = model.stage_instructions(stage.index);
        let copies_shell = instructions.iter().any(|inst| match &inst.args {
            Typed::Copy(copy) | Typed::Add(copy) => copy
                .destination
                .is_some_and(|word| word.value.trim_end_matches('/').ends_with("/bin/sh")),
            _ => false,
        });
        if copies_shell {
            continue;
        }
        for inst in instructions {
            let (form, what) = match &inst.args {
                Typed::Run(run) => (run.command, "this RUN step fails"),
                Typed::Cmd(form) => (*form, "the container fails to start"),
                Typed::Entrypoint(form) => (*form, "the container fails to start"),
                Typed::Healthcheck(health) => (health.command, "every health check fails"),
                _ => continue,
            };
            if !matches!(form, CommandForm::Shell(_)) {
                continue;
            }
            if model.shell_of(inst) != crate::model::DEFAULT_SHELL {
                // A SHELL instruction names a shell the author put into the stage.
                continue;
            }
            let keyword = inst.syntax.keyword.as_str();
            let message = format!(
                "shell-form {keyword} runs `/bin/sh -c`, but this stage is built on `scratch`, which has no shell, so {what}; use exec form (a JSON array) with a binary the stage contains, or `COPY --chmod` instead of `RUN chmod`"
            );
            cx.report(inst.syntax.keyword_span, message);
        }
    }
}
