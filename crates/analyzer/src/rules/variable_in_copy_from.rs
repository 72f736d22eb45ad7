//! BL1006: a variable in `COPY --from`, which BuildKit does not expand.

use std::borrow::Cow;

use ballast_parser::expand::{Env, Options, expand_word};

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports `COPY --from` values that use a variable, such as `COPY --from=$SOURCE`.
    ///
    /// ## Why is this bad
    /// `docker build` does not expand variables in `--from`, with BuildKit or the classic
    /// builder, and the build stops: recent BuildKit reports `variable expansion is not
    /// supported for --from`, older versions `failed to parse stage name "$SOURCE"`.
    /// podman and buildah expand them, so the file builds with one tool and fails with
    /// the other. The form that works everywhere names a stage built from the variable:
    /// declare the ARG before the first `FROM`, add `FROM ${SOURCE} AS source` and copy
    /// `--from=source`.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG SOURCE=builder
    /// FROM golang:1.22 AS builder
    /// RUN go build -o /app .
    /// FROM debian:12-slim
    /// COPY --from=$SOURCE /app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ARG SOURCE=builder
    /// FROM golang:1.22 AS builder
    /// RUN go build -o /app .
    /// FROM ${SOURCE} AS source
    /// FROM debian:12-slim
    /// COPY --from=source /app /app
    /// ```
    pub VariableInCopyFrom {
        code: "BL1006",
        name: "variable-in-copy-from",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

/// An environment in which no variable is set.
struct NoVariables;

impl Env for NoVariables {
    fn get(&self, _name: &str) -> Option<Cow<'_, str>> {
        None
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let options = Options::new(model.tree.escape);
    for inst in cx.focus().instructions(model) {
        let copy = match &inst.args {
            Typed::Copy(copy) => copy,
            Typed::Onbuild(Some((_, trigger))) => match trigger.as_ref() {
                Typed::Copy(copy) => copy,
                _ => continue,
            },
            _ => continue,
        };
        let Some(flag) = copy.from else { continue };
        let Some(value) = flag.value.as_deref() else { continue };
        // BuildKit's test: the value expanded with no variable set differs from the value.
        // Only values with a `$` are reported, so quotes alone are left to the other rules.
        if !value.contains('$') {
            continue;
        }
        let changed = match expand_word(value, &NoVariables, &options) {
            Ok(expansion) => expansion.value != value,
            Err(_) => true,
        };
        if !changed {
            continue;
        }
        cx.report(
            flag.span,
            format!(
                "`--from={value}` uses a variable: `docker build` does not expand it and the build stops, though podman and buildah do; name a stage built `FROM` the variable and copy from that stage"
            ),
        );
    }
}
