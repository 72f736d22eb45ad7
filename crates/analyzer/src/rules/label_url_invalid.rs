//! DL3052: a label of type `url` in the label schema with a value of another shape.

use crate::rules::Context;
use crate::rules::label_schema::{check_typed_labels, is_absolute_uri};

declare_rule! {
    /// ## What it does
    /// Reports a `LABEL` whose key the label schema types as `url` and whose value is not an
    /// absolute URI with a scheme, such as `https://…`.
    ///
    /// The rule runs only when the configuration types a label: `label-schema` in
    /// `.ballast.toml` or `.hadolint.yaml`, or `HADOLINT_REQUIRE_LABELS=org.opencontainers.image.source:url`.
    ///
    /// ## Why is this bad
    /// Tools that read the label open it as a link; a relative path or a bare host name
    /// is not one.
    ///
    /// ## Example
    /// With `org.opencontainers.image.source` typed `url` in the label schema:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source=github.com/example/app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source=https://github.com/example/app
    /// ```
    pub LabelUrlInvalid {
        code: "DL3052",
        name: "label-url-invalid",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    check_typed_labels(cx, "url", is_absolute_uri, "an absolute URL");
}
