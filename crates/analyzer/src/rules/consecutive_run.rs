//! DL3059: consecutive single-command `RUN` instructions.

use ballast_parser::Keyword;

use crate::rules::Context;
use crate::rules::packages::run_view;

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that directly follows another `RUN` with the same flags when both
    /// run at most one command.
    ///
    /// ## Why is this bad
    /// Each `RUN` makes a layer. Two short commands in a row are usually one step and
    /// fit in one layer, which also lets a later cleanup in the same `RUN` shrink it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache git
    /// RUN git --version
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache git && git --version
    /// ```
    ///
    /// Comments between the two instructions do not separate them. After a finding the
    /// next `RUN` is compared with the same earlier one, so a run of short `RUN`s is
    /// reported from the second on.
    pub ConsecutiveRun {
        code: "DL3059",
        name: "consecutive-run",
        severity: Info,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    // The flags of the last RUN that was not reported, when it ran at most one command.
    let mut previous: Option<(Vec<&str>, bool)> = None;
    for inst in &model.instructions {
        if inst.keyword() != Keyword::Run {
            previous = None;
            continue;
        }
        let Some(run) = run_view(model.source, inst) else {
            previous = None;
            continue;
        };
        let flags: Vec<&str> = inst
            .syntax
            .flags
            .iter()
            .map(|flag| flag.text.as_str())
            .collect();
        let short = run.commands.len() <= 1;
        if let Some((previous_flags, previous_short)) = &previous
            && *previous_short
            && short
            && *previous_flags == flags
        {
            cx.report(
                inst.syntax.keyword_span,
                "this RUN and the previous one each run a single command: join them with `&&` to save a layer",
            );
            continue;
        }
        previous = Some((flags, short));
    }
}
