//! DL3058: a label of type `email` in the label schema with a value of another shape.

use crate::rules::Context;
use crate::rules::label_schema::{check_typed_labels, is_email};

declare_rule! {
    /// ## What it does
    /// Reports a `LABEL` whose key the label schema types as `email` and whose value is not an
    /// e-mail address (`local@domain`, RFC 5322).
    ///
    /// The rule runs only when the configuration types a label: `label-schema` in
    /// `.ballast.toml` or `.hadolint.yaml`, or `HADOLINT_REQUIRE_LABELS=maintainer:email`.
    ///
    /// ## Why is this bad
    /// People and tools use the label to contact the image's maintainers; a name without an
    /// address reaches no one.
    ///
    /// ## Example
    /// With `maintainer` typed `email` in the label schema:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL maintainer="Jane Doe"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL maintainer=jane@example.com
    /// ```
    pub LabelEmailInvalid {
        code: "DL3058",
        name: "label-email-invalid",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    check_typed_labels(cx, "email", is_email, "an e-mail address");
}
