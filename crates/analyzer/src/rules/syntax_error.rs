//! DL1000: lines BuildKit rejects.

use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports lines that BuildKit's Dockerfile frontend rejects: unknown instructions,
    /// missing arguments, invalid flags, unterminated heredocs and the like.
    ///
    /// ## Why is this bad
    /// `docker build` stops at the first such line, so the image is not built at all.
    /// ballast reports the error and goes on checking every instruction that parsed.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUNN apk add curl
    /// ENV PORT
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add curl
    /// ENV PORT=8080
    /// ```
    ///
    /// ## Fix
    /// None: the message states what BuildKit expects. Fixes of other rules never edit an
    /// instruction that has a syntax error.
    pub SyntaxError {
        code: "DL1000",
        name: "syntax-error",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for error in &cx.tree.errors {
        cx.report(error.span, error.message.clone());
    }
}
