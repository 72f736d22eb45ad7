//! DL3051: a label of the label schema set to an empty value.

use crate::rules::Context;
use crate::rules::label_schema::label_pairs;

declare_rule! {
    /// ## What it does
    /// Reports a `LABEL` that sets a key of the label schema to an empty value.
    ///
    /// ## Why is this bad
    /// An empty value satisfies the check that the label exists while carrying no
    /// information, which usually means a build argument was not passed.
    ///
    /// ## Example
    /// With `org.opencontainers.image.revision` in the label schema:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.revision=""
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.revision=4f2c1e9
    /// ```
    pub LabelValueEmpty {
        code: "DL3051",
        name: "label-value-empty",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        for label in label_pairs(&inst.args) {
            if label.value.is_empty() && cx.settings.label_schema.contains_key(&label.key) {
                cx.report(
                    label.pair.key.span,
                    format!(
                        "the label schema requires a value for `{}`, but this LABEL leaves it empty: set a value",
                        label.key
                    ),
                );
            }
        }
    }
}
