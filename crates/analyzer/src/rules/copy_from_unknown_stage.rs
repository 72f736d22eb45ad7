//! DL3022: `COPY --from` naming neither an earlier stage nor a tagged image.

use crate::FastMap;

use crate::model::{Model, Typed, expand, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY --from=<value>` whose value is not the name or index of a stage
    /// defined so far and has no `:` tag, so it is read as an untagged image.
    ///
    /// ## Why is this bad
    /// A misspelt stage name is not an error for the builder: it pulls an image of that
    /// name from Docker Hub, or fails late with a confusing pull error. When the value
    /// really is an image, it is untagged, and the copied files change whenever the
    /// image's `latest` tag moves.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// RUN go build -o /out/app .
    /// FROM alpine:3.20
    /// COPY --from=biuld /out/app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// RUN go build -o /out/app .
    /// FROM alpine:3.20
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Differences from hadolint
    /// NOTE: stage names are compared without regard to case, as BuildKit does, and a
    /// value made of build arguments is expanded before the comparison.
    pub CopyFromUnknownStage {
        code: "DL3022",
        name: "copy-from-unknown-stage",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let first_stages = first_stage_by_name(model);
    for inst in &model.instructions {
        let Typed::Copy(copy) = &inst.args else {
            continue;
        };
        let (Some(flag), Some(stage)) = (copy.from, inst.stage) else {
            continue;
        };
        let Some(value) = flag.value.as_deref() else {
            continue;
        };
        let value = unquote(value);
        let expanded = expand(&value, model.tree.escape, &|name| {
            model.value_before(inst.index, name)
        });
        let value = if expanded.unresolved.is_empty() {
            expanded.value
        } else {
            value
        };
        if value.contains(':') || names_stage_so_far(&first_stages, stage, &value) {
            continue;
        }
        cx.report(
            flag.span,
            format!("`--from={value}` names no earlier stage, so the builder pulls it as an untagged image; fix the stage name or tag the image"),
        );
    }
}

/// Returns the index of the first stage of each name. Stage names are stored in lower case.
fn first_stage_by_name<'m>(model: &'m Model<'_>) -> FastMap<&'m str, usize> {
    let mut first = FastMap::default();
    for stage in &model.stages {
        if let Some(name) = stage.name.as_deref() {
            first.entry(name).or_insert(stage.index);
        }
    }
    first
}

/// Whether `value` is the name or the index of stage `current` or one before it.
fn names_stage_so_far(first_stages: &FastMap<&str, usize>, current: usize, value: &str) -> bool {
    let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
    if digits.parse::<usize>().is_ok_and(|index| index <= current) {
        return true;
    }
    first_stages
        .get(value.to_ascii_lowercase().as_str())
        .is_some_and(|&first| first <= current)
}
