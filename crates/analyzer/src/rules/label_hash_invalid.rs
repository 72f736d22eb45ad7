//! DL3055: a label of type `hash` in the label schema with a value of another shape.

use crate::rules::Context;
use crate::rules::label_schema::{check_typed_labels, is_commit_hash};

declare_rule! {
    /// ## What it does
    /// Reports a `LABEL` whose key the label schema types as `hash` and whose value is not a Git
    /// commit hash: exactly 7 or 40 characters of `0-9a-f`.
    ///
    /// The rule runs only when the configuration types a label: `label-schema` in
    /// `.ballast.toml` or `.hadolint.yaml`, or `HADOLINT_REQUIRE_LABELS=org.opencontainers.image.revision:hash`.
    ///
    /// ## Why is this bad
    /// The label is meant to name the commit the image was built from; a branch name or a
    /// tag can move.
    ///
    /// ## Example
    /// With `org.opencontainers.image.revision` typed `hash` in the label schema:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.revision=main
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.revision=4f2c1e9
    /// ```
    pub LabelHashInvalid {
        code: "DL3055",
        name: "label-hash-invalid",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    check_typed_labels(
        cx,
        "hash",
        is_commit_hash,
        "a 7- or 40-character lower-case Git commit hash",
    );
}
