//! DL3002: the image runs as root because the last `USER` is root.

use crate::model::{Base, Model, Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `USER root` (or `USER 0`, `USER root:group`) that stays in effect at the
    /// end of a stage whose filesystem becomes a runnable image: the last stage, a stage
    /// no other stage uses (a build target of its own), or a stage that a later stage is
    /// built `FROM` without setting its own user.
    ///
    /// ## Why is this bad
    /// A container that runs as root turns any bug in the program into root access inside
    /// the container, and into wider access when the container runtime has a flaw or a
    /// host folder is mounted.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// USER root
    /// RUN apt-get update
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// USER root
    /// RUN apt-get update
    /// USER 10001
    /// ```
    ///
    /// ## Differences from hadolint
    /// NOTE: hadolint 2.15.1 reports the last root `USER` of every stage, also of build
    /// stages whose files are only copied out with `COPY --from`. Those stages never run
    /// as a container of the final image, and root is the normal user for installing
    /// packages there, so ballast does not report them.
    pub LastUserRoot {
        code: "DL3002",
        name: "last-user-root",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for stage in 0..model.stages.len() {
        let Some((span, user)) = last_user(model, stage) else {
            continue;
        };
        if !is_root(&user) || !root_reaches_image(model, stage) {
            continue;
        }
        cx.report(
            span,
            "the image runs as root: switch to an unprivileged user after the steps that need root",
        );
    }
}

fn last_user(model: &Model<'_>, stage: usize) -> Option<(ballast_parser::Span, String)> {
    model
        .stage_instructions(stage)
        .iter()
        .rev()
        .find_map(|inst| match &inst.args {
            Typed::User(Some(word)) => Some((word.span, unquote(&word.value))),
            _ => None,
        })
}

fn is_root(user: &str) -> bool {
    user == "root" || user == "0" || user.starts_with("root:") || user.starts_with("0:")
}

/// Whether a root user at the end of `stage` is the user of a runnable image: the stage
/// is a target of its own, or a stage built on it without a `USER` of its own is.
fn root_reaches_image(model: &Model<'_>, stage: usize) -> bool {
    let used_by = &model.stages[stage].used_by;
    if used_by.is_empty() {
        return true;
    }
    model.stages.iter().skip(stage + 1).any(|child| {
        child.base == Base::Stage(stage)
            && last_user(model, child.index).is_none()
            && root_reaches_image(model, child.index)
    })
}
