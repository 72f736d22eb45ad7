//! StageNameCasing: a stage name that is not in lower case.

use ballast_parser::Keyword;

use crate::diagnostic::{Edit, Fix};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM image AS Name` whose stage name contains upper-case letters, as
    /// BuildKit's check of the same name does. BuildKit looks at any `FROM` with exactly
    /// three arguments, even when the middle word is not `AS`.
    ///
    /// ## Why is this bad
    /// BuildKit stores stage names in lower case and compares them without regard to case,
    /// so `AS Build` and `--from=build` name the same stage. Writing the name in another
    /// case suggests a difference that does not exist.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS BuildStage
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS buildstage
    /// ```
    ///
    /// ## Fix
    /// Lower-cases the name. The fix is safe: every reference to the stage already matches
    /// it without regard to case.
    pub StageNameCasing {
        code: "StageNameCasing",
        name: "stage-name-casing",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        if inst.keyword() != Keyword::From {
            continue;
        }
        let [_, _, name] = inst.syntax.args.words() else {
            continue;
        };
        let lower = name.value.to_lowercase();
        if lower == name.value {
            continue;
        }
        cx.report(
            name.span,
            format!(
                "stage name `{}` has upper-case letters: write it in lower case",
                name.value
            ),
        )
        .fix(Fix::safe(
            "Write the stage name in lower case",
            vec![Edit::replace(name.span, lower)],
        ));
    }
}
