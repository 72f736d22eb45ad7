//! WorkdirRelativePath: the first `WORKDIR` of a stage is a relative path.

use ballast_parser::expand::{Options, expand_word};

use crate::model::{Base, Model, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports the first `WORKDIR` of a stage when its path, after variable expansion,
    /// is relative, as BuildKit's check of the same name does. A stage built on another
    /// stage that already set a `WORKDIR` is not checked.
    ///
    /// ## Why is this bad
    /// A relative `WORKDIR` is resolved against the working folder of the base image,
    /// which the Dockerfile does not show and which can change with the next version of
    /// that image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// ```
    ///
    /// ## Overlapping rules
    /// DL3000, hadolint's check, reports the same relative path, on every `WORKDIR` of a
    /// stage, but skips a path that starts with a variable. To keep one rule of the pair,
    /// turn the other off: `--ignore DL3000`, `ignore = ["DL3000"]` in `.ballast.toml`, or
    /// `ignored: [DL3000]` in `.hadolint.yaml`. A Dockerfile can also skip this check with
    /// BuildKit's directive `# check=skip=WorkdirRelativePath` at its top.
    pub WorkdirRelativePath {
        code: "WorkdirRelativePath",
        name: "workdir-relative-path",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let focus = cx.focus();
    for stage in 0..model.stages.len() {
        if !focus.covers_stage(Some(stage)) || chain_sets_workdir(model, stage) {
            continue;
        }
        let first = model
            .stage_instructions(stage)
            .iter()
            .find_map(|inst| match &inst.args {
                Typed::Workdir(word) => Some((inst, *word)),
                _ => None,
            });
        let Some((inst, Some(word))) = first else {
            continue;
        };
        let env = super::undefined_var::stage_env(model, inst.index);
        let Ok(expansion) = expand_word(&word.value, &env, &Options::new(model.tree.escape)) else {
            continue;
        };
        if is_absolute(&expansion.value) {
            continue;
        }
        cx.report(
            word.span,
            format!(
                "`{}` is relative, so this WORKDIR resolves against whatever working directory the base image sets: use an absolute path",
                expansion.value
            ),
        );
    }
}

/// Returns whether a stage that `stage` is built on, directly or through others, sets a
/// `WORKDIR`.
fn chain_sets_workdir(model: &Model<'_>, stage: usize) -> bool {
    let mut current = stage;
    while let Base::Stage(parent) = model.stages[current].base {
        if parent >= current {
            return false;
        }
        let sets = model
            .stage_instructions(parent)
            .iter()
            .any(|inst| matches!(inst.args, Typed::Workdir(_)));
        if sets {
            return true;
        }
        current = parent;
    }
    false
}

/// Returns whether a path is absolute on Linux, or on Windows (`C:\app`, `C:/app`, `\app`),
/// since the target platform is not known from the Dockerfile.
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'\\' | b'/');
    path.starts_with('/') || path.starts_with('\\') || drive
}
