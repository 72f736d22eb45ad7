//! DL4004: more than one `ENTRYPOINT` in a stage.

use ballast_parser::Keyword;

use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports every `ENTRYPOINT` after the first one in the same stage.
    ///
    /// ## Why is this bad
    /// Only the last `ENTRYPOINT` of a stage sets the program the container starts; the earlier ones have no
    /// effect, so a reader may trust a line that does nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// ENTRYPOINT ["/docker-entrypoint.sh"]
    /// ENTRYPOINT ["nginx"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// ENTRYPOINT ["/docker-entrypoint.sh"]
    /// ```
    pub MultipleEntrypoint {
        code: "DL4004",
        name: "multiple-entrypoint",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    super::multiple_cmd::report_repeated(cx, Keyword::Entrypoint);
}
