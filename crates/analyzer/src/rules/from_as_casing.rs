//! FromAsCasing: `FROM` and `AS` written in different cases.

use ballast_parser::Keyword;

use crate::diagnostic::{Edit, Fix};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM … AS name` whose `AS` keyword is not in the case of its `FROM`
    /// keyword, as BuildKit's check of the same name does. Only an all-lower or all-upper
    /// `FROM` is compared; a mixed-case `From` is left to `ConsistentInstructionCasing`.
    ///
    /// ## Why is this bad
    /// Mixed casing on one line makes the file harder to scan and is usually a typo.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12 as build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12 AS build
    /// ```
    ///
    /// ## Fix
    /// Writes `AS` in the case of `FROM`. The fix is safe: BuildKit reads the keyword in
    /// any case.
    pub FromAsCasing {
        code: "FromAsCasing",
        name: "from-as-casing",
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
        let words = inst.syntax.args.words();
        if words.len() < 3 {
            continue;
        }
        let keyword = inst.syntax.keyword_text.as_str();
        let as_word = &words[1];
        let expected = if keyword == keyword.to_lowercase() {
            as_word.value.to_lowercase()
        } else if keyword == keyword.to_uppercase() {
            as_word.value.to_uppercase()
        } else {
            continue;
        };
        if expected == as_word.value {
            continue;
        }
        cx.report(
            as_word.span,
            format!(
                "the `{}` keyword does not follow the case of `{}`: write both in upper case or both in lower case",
                as_word.value, keyword
            ),
        )
        .fix(Fix::safe(
            format!("Write `{expected}` in the case of `{keyword}`"),
            vec![Edit::replace(as_word.span, expected)],
        ));
    }
}
