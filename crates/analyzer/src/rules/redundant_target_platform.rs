//! RedundantTargetPlatform: `FROM --platform=$TARGETPLATFORM`.

use ballast_parser::Span;
use ballast_parser::expand::{Options, expand_word};

use crate::diagnostic::{Edit, Fix};
use crate::model::{BindingKind, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM --platform` whose value is only the predefined `TARGETPLATFORM`
    /// argument (`$TARGETPLATFORM`, `${TARGETPLATFORM}` or `${TARGETPLATFORM:-…}`), as
    /// BuildKit's check of the same name does.
    ///
    /// ## Why is this bad
    /// BuildKit already pulls a base image for the target platform, so the flag changes
    /// nothing and suggests to the reader that it does.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=$TARGETPLATFORM alpine:3.20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Fix
    /// Removes the flag. The fix is safe.
    pub RedundantTargetPlatform {
        code: "RedundantTargetPlatform",
        name: "redundant-target-platform",
        severity: Warning,
        check: check,
    }
}

/// A value no platform has, so that an expansion equal to it came from `TARGETPLATFORM`.
const MARKER: &str = "\u{0}target-platform\u{0}";

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let Typed::From(from) = &inst.args else {
            continue;
        };
        let Some(flag) = from.platform else { continue };
        let Some(value) = flag.value.as_deref() else {
            continue;
        };
        // A meta ARG of the same name replaces the predefined value.
        let redeclared = model.bindings.iter().any(|binding| {
            binding.kind == BindingKind::MetaArg
                && binding.instruction < inst.index
                && binding.name == "TARGETPLATFORM"
                && binding.value.is_some()
        });
        if redeclared {
            continue;
        }
        let env = |name: &str| (name == "TARGETPLATFORM").then(|| MARKER.to_string());
        let Ok(expansion) = expand_word(value, &env, &Options::new(model.tree.escape)) else {
            continue;
        };
        let only_target = expansion.lookups.len() == 1
            && expansion.lookups[0].found
            && expansion.lookups[0].name == "TARGETPLATFORM";
        if !only_target || expansion.value != MARKER {
            continue;
        }
        let removal = Span::new(flag.span.start, skip_blanks(cx.source, flag.span.end));
        cx.report(
            flag.span,
            format!(
                "`--platform={value}` asks for the target platform, which FROM uses anyway: remove the flag"
            ),
        )
        .fix(Fix::safe(
            "Remove the `--platform` flag",
            vec![Edit::delete(removal)],
        ));
    }
}

/// Returns the offset after the spaces and tabs that follow `offset`.
fn skip_blanks(source: &str, offset: usize) -> usize {
    let rest = source.get(offset..).unwrap_or("");
    offset + (rest.len() - rest.trim_start_matches([' ', '\t']).len())
}
