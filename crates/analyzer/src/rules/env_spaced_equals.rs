//! BL1002: `ENV KEY = value`, which stores `= value`.

use crate::diagnostic::{Edit, Fix};
use crate::model::Typed;
use crate::rules::Context;

use ballast_parser::Span;

declare_rule! {
    /// ## What it does
    /// Reports `ENV` and `LABEL` pairs written with spaces around `=`.
    ///
    /// ## Why is this bad
    /// With spaces around it, `=` is not a separator. The line is read in the legacy
    /// `ENV key value` form, so the key is `KEY` and the value is `= value`, equals sign
    /// and space included.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV APP_HOME = /srv/app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV APP_HOME=/srv/app
    /// ```
    ///
    /// ## Fix
    /// Removes the spaces around `=`. The fix is safe when the value is one word; a value
    /// with spaces would need quotes, so no fix is offered for it.
    pub EnvSpacedEquals {
        code: "BL1002",
        name: "env-spaced-equals",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let (keyword, pairs) = match &inst.args {
            Typed::Env(pairs) => ("ENV", *pairs),
            Typed::Label(pairs) => ("LABEL", *pairs),
            _ => continue,
        };
        for pair in pairs {
            if !pair.legacy || !pair.value.value.starts_with('=') {
                continue;
            }
            let rest = pair.value.value[1..].trim_start();
            let key = &pair.key.value;
            let message = format!(
                "`{keyword} {key} = …` sets `{key}` to a value that starts with `= `: with spaces around it, `=` is part of the value"
            );
            let equals = pair.value.span.start;
            let diagnostic = cx.report(Span::new(equals, equals + 1), message);

            let one_word = !rest.is_empty() && !rest.contains(char::is_whitespace);
            if !one_word || rest.contains(['"', '\'']) {
                continue;
            }
            let value_start = pair.value.span.end - rest.len();
            diagnostic.fix(Fix::safe(
                "Remove the spaces around `=`",
                vec![Edit::replace(
                    Span::new(pair.key.span.end, value_start),
                    "=",
                )],
            ));
        }
    }
}
