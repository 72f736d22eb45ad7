//! DL3006: a base image without a tag or digest.

use crate::model::{Base, Model, Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` image that has neither a tag nor a digest, such as `FROM ubuntu`.
    /// `scratch`, earlier stages, and references that start with a variable are not
    /// reported.
    ///
    /// ## Why is this bad
    /// Without a tag the builder pulls `latest`, which points at a different image every
    /// time the publisher pushes one. Builds stop being reproducible and can break
    /// without any change to the Dockerfile.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ubuntu
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// ```
    ///
    /// ## Differences from hadolint
    /// NOTE: hadolint 2.15.1 compares the image word as written with earlier stage names,
    /// so `FROM img${n}` is reported even when the build argument makes it the name of an
    /// earlier stage. ballast expands the global build arguments first and does not report
    /// a reference to a stage.
    pub FromUntagged {
        code: "DL3006",
        name: "from-untagged",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for stage in &model.stages {
        let Typed::From(from) = &model.instructions[stage.from].args else {
            continue;
        };
        let Some(word) = from.image else { continue };
        let written = unquote(&word.value);
        if written.starts_with('$') || written.eq_ignore_ascii_case("scratch") {
            continue;
        }
        if matches!(stage.base, Base::Stage(_) | Base::Scratch) {
            continue;
        }
        if is_earlier_stage(model, stage.index, &written) {
            continue;
        }
        let text = match stage.base {
            Base::Unresolved => written.as_str(),
            _ => stage.base_text.as_str(),
        };
        if has_tag_or_digest(text) {
            continue;
        }
        cx.report(
            word.span,
            format!("`{written}` has no tag, so the build pulls whatever `latest` is today; pin a version tag or a digest"),
        );
    }
}

fn is_earlier_stage(model: &Model<'_>, stage: usize, name: &str) -> bool {
    model.stages[..stage].iter().any(|earlier| {
        earlier
            .name
            .as_deref()
            .is_some_and(|own| own.eq_ignore_ascii_case(name))
    })
}

/// Whether an image reference names a tag (a `:` in its last path component) or a
/// digest (`@`).
pub(crate) fn has_tag_or_digest(reference: &str) -> bool {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    reference.contains('@') || last.contains(':')
}
