//! BL1000: a pragma that names a code no rule has.

use crate::pragma::PragmaTool;
use crate::rules::{BUILDKIT_CHECKS, Context, find, is_known_code};

declare_rule! {
    /// ## What it does
    /// Reports codes in `# ballast ignore=`, `# hadolint ignore=` and `# check=skip=`
    /// comments that name no known rule.
    ///
    /// ## Why is this bad
    /// A misspelt code silences nothing, so the finding it was meant to silence is still
    /// reported, or a real problem hides behind a comment that looks like it was handled.
    /// BuildKit check names are case-sensitive: `# check=skip=jsonargsrecommended` skips
    /// nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// # hadolint ignore=DL308
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// # hadolint ignore=DL3008
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// ## Fix
    /// None: correct the code or remove it from the comment.
    pub UnknownPragmaCode {
        code: "BL1000",
        name: "unknown-pragma-code",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let pragmas = cx.pragmas;
    for pragma in &pragmas.list {
        for entry in &pragma.codes {
            let code = entry.code.as_str();
            let message = match pragma.tool {
                PragmaTool::Check if BUILDKIT_CHECKS.contains(&code) => continue,
                PragmaTool::Check => format!(
                    "`{code}` is not a BuildKit check name, so `check=skip` skips nothing; names are case-sensitive, such as `JSONArgsRecommended`"
                ),
                _ if is_known_code(code)
                    || find(code).is_some_and(|rule| rule.meta().name == code) =>
                {
                    continue;
                }
                tool => format!(
                    "`{code}` is not a known rule code, so this `{}` pragma silences nothing; correct the code or remove it",
                    tool.as_str()
                ),
            };
            cx.report(entry.span, message);
        }
    }
}
