//! DL3045: `COPY` to a relative destination before any `WORKDIR`.

use crate::model::{Base, Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports `COPY` with a relative destination in a stage where no `WORKDIR` was set,
    /// neither in the stage nor in the earlier stages it is built on.
    ///
    /// ## Why is this bad
    /// A relative destination is resolved against the working directory, which then comes
    /// from the base image and can change when the base image does. Setting `WORKDIR`
    /// first, or writing an absolute path, makes the destination explicit.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// COPY package.json .
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// COPY package.json .
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint 2.15.1 remembers `WORKDIR` per image name for stages without an alias, so
    /// a second `FROM node:22` wrongly counts as having the first stage's `WORKDIR`.
    /// ballast follows only the stages a stage is really built on.
    pub CopyRelativeWithoutWorkdir {
        code: "DL3045",
        name: "copy-relative-without-workdir",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let mut has_workdir = vec![false; model.stages.len()];
    for inst in &model.instructions {
        let Some(stage) = inst.stage else { continue };
        match &inst.args {
            Typed::From(_) => {
                if let Base::Stage(parent) = model.stages[stage].base {
                    has_workdir[stage] = parent < stage && has_workdir[parent];
                }
            }
            Typed::Workdir(_) => has_workdir[stage] = true,
            Typed::Copy(copy) if !has_workdir[stage] => {
                let Some(destination) = copy.destination else {
                    continue;
                };
                if is_absolute(&unquote(&destination.value)) {
                    continue;
                }
                cx.report(
                    destination.span,
                    "this stage has no WORKDIR, so a relative destination lands in the base image's working directory: set WORKDIR first or use an absolute path",
                );
            }
            _ => {}
        }
    }
}

/// Whether a destination is absolute: `/…`, a variable, or a Windows drive (`C:`).
fn is_absolute(path: &str) -> bool {
    let mut chars = path.chars();
    match (chars.next(), chars.next()) {
        (Some('/' | '$'), _) => true,
        (Some(letter), Some(':')) => letter.is_ascii_alphabetic(),
        _ => false,
    }
}
