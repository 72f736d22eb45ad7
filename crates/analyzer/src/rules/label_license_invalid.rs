//! DL3054: a label of type `spdx` in the label schema with a value of another shape.

use crate::rules::Context;
use crate::rules::label_schema::{check_typed_labels, is_spdx_license_id};

declare_rule! {
    /// ## What it does
    /// Reports a `LABEL` whose key the label schema types as `spdx` and whose value is not one
    /// SPDX license identifier such as `MIT` or `Apache-2.0`. License expressions such as
    /// `MIT OR Apache-2.0` are reported too, as hadolint reports them.
    ///
    /// The rule runs only when the configuration types a label: `label-schema` in
    /// `.ballast.toml` or `.hadolint.yaml`, or `HADOLINT_REQUIRE_LABELS=org.opencontainers.image.licenses:spdx`.
    ///
    /// ## Why is this bad
    /// License scanners match the value against the SPDX license list; free text such as
    /// `Apache 2` matches nothing.
    ///
    /// ## Example
    /// With `org.opencontainers.image.licenses` typed `spdx` in the label schema:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.licenses="Apache 2"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.licenses=Apache-2.0
    /// ```
    pub LabelLicenseInvalid {
        code: "DL3054",
        name: "label-license-invalid",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    check_typed_labels(
        cx,
        "spdx",
        is_spdx_license_id,
        "one SPDX license identifier",
    );
}
