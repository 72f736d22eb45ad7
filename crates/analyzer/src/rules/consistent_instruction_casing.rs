//! ConsistentInstructionCasing: keywords that do not follow the file's majority case.

use crate::diagnostic::{Edit, Fix};
use crate::rules::Context;
use ballast_parser::Keyword;

declare_rule! {
    /// ## What it does
    /// Counts the instruction keywords written all in lower case and all in upper case,
    /// and reports every keyword that is not written in the majority case, as BuildKit's
    /// check of the same name does. Lower case is the majority only when it has strictly
    /// more keywords; a tie counts as upper case. Like BuildKit, ballast counts `FROM` and
    /// the instructions inside stages, but not the `ARG`s before the first `FROM` or the
    /// keyword of an `ONBUILD` trigger.
    ///
    /// ## Why is this bad
    /// Keywords are case-insensitive, so mixed casing carries no meaning and makes the
    /// file harder to scan.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// run echo hello
    /// COPY . /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN echo hello
    /// COPY . /app
    /// ```
    ///
    /// ## Fix
    /// Rewrites the keyword in the majority case. The fix is safe.
    pub ConsistentInstructionCasing {
        code: "ConsistentInstructionCasing",
        name: "consistent-instruction-casing",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let counted = || {
        model
            .instructions
            .iter()
            .filter(|inst| inst.stage.is_some() && inst.keyword() != Keyword::Unknown)
    };
    let mut lower = 0;
    let mut upper = 0;
    // A known keyword is ASCII, so checking its bytes is enough and allocates nothing.
    for inst in counted() {
        let keyword = inst.syntax.keyword_text.as_bytes();
        if !keyword.iter().any(u8::is_ascii_uppercase) {
            lower += 1;
        } else if !keyword.iter().any(u8::is_ascii_lowercase) {
            upper += 1;
        }
    }
    let majority_lower = lower > upper;
    let majority = if majority_lower {
        "lowercase"
    } else {
        "uppercase"
    };

    for inst in counted() {
        let keyword = inst.syntax.keyword_text.as_str();
        let wrong_case: fn(&u8) -> bool = if majority_lower {
            u8::is_ascii_uppercase
        } else {
            u8::is_ascii_lowercase
        };
        if !keyword.as_bytes().iter().any(wrong_case) {
            continue;
        }
        let expected = if majority_lower {
            keyword.to_lowercase()
        } else {
            keyword.to_uppercase()
        };
        let span = inst.syntax.keyword_span;
        cx.report(
            span,
            format!(
                "most instruction keywords in this file are {majority}, so write `{keyword}` in {majority} too"
            ),
        )
        .fix(Fix::safe(
            format!("Write `{expected}`"),
            vec![Edit::replace(span, expected)],
        ));
    }
}
