//! DL1001: inline ignore pragmas.

use crate::pragma::{PragmaScope, PragmaTool};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports each inline ignore pragma (`# hadolint ignore=…` or `# ballast ignore=…`
    /// above an instruction). File-wide (`global ignore`) and stage-wide (`stage ignore`)
    /// pragmas are not reported.
    ///
    /// The rule is off unless the configuration gives it a severity, for example
    /// `--warning DL1001` or `override: { warning: [DL1001] }` in `.hadolint.yaml`, as in
    /// hadolint, where its default severity is `ignore`.
    ///
    /// ## Why is this bad
    /// Teams that want every exception in one reviewed place, the configuration file,
    /// use this rule to find exceptions scattered through Dockerfiles.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// # hadolint ignore=DL3008
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead: list `DL3008` under `ignored` in `.hadolint.yaml`, or pin the package.
    pub InlineIgnorePragma {
        code: "DL1001",
        name: "inline-ignore-pragma",
        severity: Style,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let pragmas = cx.pragmas;
    for pragma in &pragmas.list {
        let inline = matches!(
            pragma.scope,
            PragmaScope::Instruction(_) | PragmaScope::Nothing
        );
        if !inline || pragma.tool == PragmaTool::Check {
            continue;
        }
        cx.report(
            pragma.span,
            "inline ignore pragma: move the exception to the configuration file so all exceptions are reviewed in one place",
        );
    }
}
