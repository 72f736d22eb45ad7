//! DL3021: `COPY` of several sources to a destination without a trailing `/`.

use crate::diagnostic::{Edit, Fix};
use crate::model::{Typed, inner_span, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` with more than one source whose destination does not end in `/`.
    ///
    /// ## Why is this bad
    /// Several sources can only go into a folder, and the builder rejects the instruction
    /// when the destination does not end in `/`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY setup.py pyproject.toml /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY setup.py pyproject.toml /app/
    /// ```
    ///
    /// ## Fix
    /// Appends `/` to the destination. The fix is safe: the instruction fails to build
    /// without it. It is offered for shell-form arguments only.
    pub CopyMultipleSourcesToFile {
        code: "DL3021",
        name: "copy-multiple-sources-to-file",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let Typed::Copy(copy) = &inst.args else {
            continue;
        };
        let Some(destination) = copy.destination else {
            continue;
        };
        if copy.sources.len() < 2 || unquote(&destination.value).ends_with('/') {
            continue;
        }
        let diagnostic = cx.report(
            destination.span,
            format!(
                "COPY has {} sources, so the destination must be a folder ending in `/`",
                copy.sources.len()
            ),
        );
        if !copy.json {
            let end = inner_span(destination).end;
            diagnostic.fix(Fix::safe(
                "Add `/` to the destination",
                vec![Edit::insert(end, "/")],
            ));
        }
    }
}
