//! UndefinedArgInFrom: a `FROM` line that uses a build argument no meta `ARG` declares.

use std::collections::BTreeSet;

use ballast_parser::expand::{Options, expand_word};
use ballast_parser::{Span, Word};

use crate::model::{BindingKind, Inst, Model, PREDEFINED_ARGS, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a variable in a `FROM` image name or `--platform` value that is neither
    /// declared by an `ARG` before the first `FROM` (with or without a default) nor one of
    /// BuildKit's predefined platform arguments (`TARGETPLATFORM`, `BUILDARCH`, …), as
    /// BuildKit's check of the same name does. `${name:-default}` counts as a use of
    /// `name`.
    ///
    /// ## Why is this bad
    /// `FROM` sees only the arguments declared before the first `FROM`. An `ARG` inside a
    /// stage, or a `--build-arg` for a name that no `ARG` declares, does not reach it, so
    /// the variable expands to an empty string and the build uses another image than
    /// intended, or fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:${ALPINE_VERSION}
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ARG ALPINE_VERSION=3.20
    /// FROM alpine:${ALPINE_VERSION}
    /// ```
    pub UndefinedArgInFrom {
        code: "UndefinedArgInFrom",
        name: "undefined-arg-in-from",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        let Typed::From(from) = &inst.args else {
            continue;
        };
        let mut reported = BTreeSet::new();
        let platform = from.platform.and_then(platform_word);
        for word in from.image.into_iter().chain(platform.as_ref()) {
            for (name, span) in undeclared(model, inst, word) {
                if !reported.insert(name.clone()) {
                    continue;
                }
                let candidates = declared_names(model, inst.index);
                let remedy = match super::undefined_var::suggest(&name, candidates) {
                    Some(candidate) => format!("did you mean `{candidate}`?"),
                    None => format!("declare it with `ARG {name}` before the first FROM"),
                };
                let message =
                    format!("FROM uses `{name}`, which no ARG before the first FROM declares: {remedy}");
                cx.report(span, message);
            }
        }
    }
}

/// Returns the `--platform` value as a word with its place in the source.
pub(super) fn platform_word(flag: &ballast_parser::Flag) -> Option<Word> {
    let value = flag.value.clone()?;
    let span = match flag.value_span {
        Some(span) if span.end - span.start == value.len() => span,
        _ => flag.span,
    };
    Some(Word { value, span })
}

/// Lists the names `word` uses that no meta ARG declares, with where each is written.
fn undeclared(model: &Model<'_>, inst: &Inst<'_>, word: &Word) -> Vec<(String, Span)> {
    let env = global_env(model, inst.index);
    let Ok(expansion) = expand_word(&word.value, &env, &Options::new(model.tree.escape)) else {
        return Vec::new();
    };
    let declared = declared_names(model, inst.index);
    let contiguous = word.span.end - word.span.start == word.value.len();
    expansion
        .lookups
        .into_iter()
        .filter(|lookup| !lookup.found && !declared.contains(&lookup.name.as_str()))
        .map(|lookup| {
            let span = if contiguous {
                lookup.span.shift(word.span.start)
            } else {
                word.span
            };
            (lookup.name, span)
        })
        .collect()
}

/// Lists the meta ARGs declared before instruction `at` and the predefined arguments.
fn declared_names<'m>(model: &'m Model<'_>, at: usize) -> Vec<&'m str> {
    let mut names: Vec<&str> = model
        .bindings
        .iter()
        .filter(|binding| binding.kind == BindingKind::MetaArg && binding.instruction < at)
        .map(|binding| binding.name.as_str())
        .collect();
    names.extend(PREDEFINED_ARGS);
    names
}

/// Returns the values BuildKit gives the predefined arguments for a build on a linux/amd64 host
/// with no `--platform` option, which is what a `FROM` line is judged with here.
pub(super) fn predefined_value(name: &str) -> Option<&'static str> {
    let value = match name {
        "BUILDPLATFORM" | "TARGETPLATFORM" => "linux/amd64",
        "BUILDOS" | "TARGETOS" => "linux",
        "BUILDARCH" | "TARGETARCH" => "amd64",
        "BUILDVARIANT" | "TARGETVARIANT" | "BUILDOSVERSION" | "TARGETOSVERSION" => "",
        "TARGETSTAGE" => "default",
        _ => return None,
    };
    Some(value)
}

/// Returns the variables visible to a `FROM` line at instruction `at`: the meta ARGs with a default
/// value, declared before it, and the predefined arguments. No `--build-arg` is known.
pub(super) fn global_env<'m>(
    model: &'m Model<'_>,
    at: usize,
) -> impl Fn(&str) -> Option<String> + 'm {
    move |name: &str| {
        let meta = model
            .bindings
            .iter()
            .rev()
            .filter(|binding| binding.kind == BindingKind::MetaArg && binding.instruction < at)
            .find(|binding| binding.name == name);
        match meta {
            Some(binding) => binding.value.clone(),
            None => predefined_value(name).map(str::to_string),
        }
    }
}
