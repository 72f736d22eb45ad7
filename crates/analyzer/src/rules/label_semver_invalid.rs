//! DL3056: a label of type `semver` in the label schema with a value of another shape.

use crate::rules::Context;
use crate::rules::label_schema::{check_typed_labels, is_semver};

declare_rule! {
    /// ## What it does
    /// Reports a `LABEL` whose key the label schema types as `semver` and whose value is not a
    /// Semantic Versioning 2.0 version: `MAJOR.MINOR.PATCH`, optionally followed by
    /// `-prerelease` and `+build`. `1.0` and `v1.0.0` are reported.
    ///
    /// The rule runs only when the configuration types a label: `label-schema` in
    /// `.ballast.toml` or `.hadolint.yaml`, or `HADOLINT_REQUIRE_LABELS=org.opencontainers.image.version:semver`.
    ///
    /// ## Why is this bad
    /// Tools that compare image versions parse the value as a semantic version and fail or
    /// sort wrongly on anything else.
    ///
    /// ## Example
    /// With `org.opencontainers.image.version` typed `semver` in the label schema:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.version=1.0
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.version=1.0.0
    /// ```
    pub LabelSemverInvalid {
        code: "DL3056",
        name: "label-semver-invalid",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    check_typed_labels(
        cx,
        "semver",
        is_semver,
        "a semantic version such as `1.2.3`",
    );
}
