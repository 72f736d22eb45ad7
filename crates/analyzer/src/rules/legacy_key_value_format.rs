//! LegacyKeyValueFormat: `ENV key value` and `LABEL key value`.

use ballast_parser::KeyValue;

use crate::diagnostic::{Edit, Fix};
use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports an `ENV` or `LABEL` written in the legacy `key value` form, without `=`, as
    /// BuildKit's check of the same name does. `ARG` has no legacy form: `ARG a b` declares
    /// two arguments, so it is not reported.
    ///
    /// ## Why is this bad
    /// In the legacy form the value is the whole rest of the line, spaces, quotes and `#`
    /// included, and only one pair fits on a line. `ENV A B=1` sets `A` to `B=1`, which is
    /// rarely what the author meant.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV APP_HOME /srv/app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV APP_HOME=/srv/app
    /// ```
    ///
    /// ## Fix
    /// Rewrites the pair as `key=value`, in double quotes when the value contains blanks.
    /// The fix is safe; it is offered only for values without quotes or escape characters,
    /// whose meaning the quotes cannot change.
    pub LegacyKeyValueFormat {
        code: "LegacyKeyValueFormat",
        name: "legacy-key-value-format",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let escape = model.tree.escape;
    for inst in &model.instructions {
        let (name, pairs) = match &inst.args {
            Typed::Env(pairs) => ("ENV", *pairs),
            Typed::Label(pairs) => ("LABEL", *pairs),
            _ => continue,
        };
        for pair in pairs.iter().filter(|pair| pair.legacy) {
            let diagnostic = cx.report(
                pair.key.span.cover(pair.value.span),
                format!("this {name} pair uses the legacy `key value` form: write it as `key=value`"),
            );
            if let Some(edit) = rewrite(pair, escape) {
                diagnostic.fix(Fix::safe("Write the pair as `key=value`", vec![edit]));
            }
        }
    }
}

fn rewrite(pair: &KeyValue, escape: char) -> Option<Edit> {
    let value = &pair.value.value;
    let simple = !value.contains(['"', '\'', '\\', escape, '\n']);
    if !simple || pair.key.value.contains(['=', '"', '\'']) {
        return None;
    }
    let value = if value.contains(char::is_whitespace) || value.is_empty() {
        format!("\"{value}\"")
    } else {
        value.clone()
    };
    Some(Edit::replace(
        pair.key.span.cover(pair.value.span),
        format!("{}={value}", pair.key.value),
    ))
}
