//! DL3053: a label of type `rfc3339` in the label schema with a value of another shape.

use crate::rules::Context;
use crate::rules::label_schema::{check_typed_labels, is_rfc3339};

declare_rule! {
    /// ## What it does
    /// Reports a `LABEL` whose key the label schema types as `rfc3339` and whose value is not an
    /// RFC 3339 date and time such as `2024-05-01T12:00:00Z`. A date without a time is
    /// rejected.
    ///
    /// The rule runs only when the configuration types a label: `label-schema` in
    /// `.ballast.toml` or `.hadolint.yaml`, or `HADOLINT_REQUIRE_LABELS=org.opencontainers.image.created:rfc3339`.
    ///
    /// ## Why is this bad
    /// Tools that sort or compare build times parse the value; a date in another format
    /// cannot be parsed.
    ///
    /// ## Example
    /// With `org.opencontainers.image.created` typed `rfc3339` in the label schema:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.created=2024-05-01
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.created=2024-05-01T12:00:00Z
    /// ```
    pub LabelRfc3339Invalid {
        code: "DL3053",
        name: "label-time-invalid",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    check_typed_labels(cx, "rfc3339", is_rfc3339, "an RFC 3339 date and time");
}
