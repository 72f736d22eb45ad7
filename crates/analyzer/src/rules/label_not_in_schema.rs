//! DL3050: a label that the configuration does not allow.

use crate::rules::Context;
use crate::rules::label_schema::label_pairs;

declare_rule! {
    /// ## What it does
    /// Reports a `LABEL` that sets a key outside the label schema when `strict-labels` is
    /// on, or outside `allowed-labels` when that list is set. With `strict-labels` and an
    /// empty schema, every label is reported, as in hadolint. One finding per instruction,
    /// at its first such key.
    ///
    /// ## Why is this bad
    /// A team that fixes the set of labels wants typos (`org.opencontainers.image.sorce`)
    /// and ad-hoc keys caught before the image is published.
    ///
    /// ## Example
    /// With `strict-labels` on and only `org.opencontainers.image.source` in the schema:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source=https://github.com/example/app build-host=ci-7
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source=https://github.com/example/app
    /// ```
    pub LabelNotInSchema {
        code: "DL3050",
        name: "label-not-in-schema",
        severity: Info,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        let extra = label_pairs(&inst.args)
            .into_iter()
            .find(|label| !cx.settings.is_allowed_label(&label.key));
        if let Some(label) = extra {
            cx.report(
                label.pair.key.span,
                format!(
                    "label `{}` is not in the configured label schema",
                    label.key
                ),
            );
        }
    }
}
