//! BL2004: a shell-form command in a stage built on `scratch`.

use crate::model::{Base, CommandForm, Inst, Model, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports shell-form `RUN`, `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD` in a stage
    /// built on `scratch`, directly or through earlier stages, unless a `SHELL`
    /// instruction names another shell or an earlier step may have put a shell at
    /// `/bin/sh`: a `COPY` or `ADD` to `/bin/sh`, or an exec-form `RUN` (such as
    /// `RUN ["/bin/busybox", "--install", "-s", "/bin"]`), in this stage or the stages it
    /// is built on. ballast cannot tell what an exec-form program writes, so after one it
    /// assumes a shell.
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
        if !model.is_scratch_based(stage.index) || base_provides_shell(model, stage.index) {
            continue;
        }
        for inst in model.stage_instructions(stage.index) {
            if provides_shell(inst) {
                break;
            }
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
            let advice = if matches!(inst.args, Typed::Run(_)) {
                "use exec form (a JSON array) with a binary the stage contains, or `COPY --chmod` instead of `RUN chmod`"
            } else {
                "use exec form (a JSON array) with a binary the stage contains"
            };
            let message = format!(
                "shell-form {keyword} runs `/bin/sh -c`, but this stage is built on `scratch`, which has no shell, so {what}; {advice}"
            );
            cx.report(inst.syntax.keyword_span, message);
        }
    }
}

/// Returns whether `inst` may put a shell at `/bin/sh`: a copy to that path, or an
/// exec-form RUN, whose program ballast cannot follow.
fn provides_shell(inst: &Inst<'_>) -> bool {
    match &inst.args {
        Typed::Copy(copy) | Typed::Add(copy) => copy
            .destination
            .is_some_and(|word| word.value.trim_end_matches('/').ends_with("/bin/sh")),
        Typed::Run(run) => matches!(run.command, CommandForm::Exec(_)),
        _ => false,
    }
}

/// Returns whether a stage built on another stage inherits a shell from it.
fn base_provides_shell(model: &Model<'_>, stage: usize) -> bool {
    match model.stages[stage].base {
        Base::Stage(parent) if parent < stage => {
            model.stage_instructions(parent).iter().any(provides_shell)
                || base_provides_shell(model, parent)
        }
        _ => false,
    }
}
