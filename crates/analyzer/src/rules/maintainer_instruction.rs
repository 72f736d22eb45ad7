//! DL4000: the `MAINTAINER` instruction, under hadolint's code.

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports every `MAINTAINER` instruction, as hadolint's DL4000 does.
    ///
    /// ## Why is this bad
    /// `MAINTAINER` is deprecated. The `org.opencontainers.image.authors` label holds the
    /// same information where registries and scanners look for it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    /// ```
    ///
    /// ## Overlapping rules
    /// `MaintainerDeprecated`, BuildKit's check, reports every `MAINTAINER` too, and has a
    /// fix that writes the label. To keep one rule of the pair, turn the other off:
    /// `--ignore MaintainerDeprecated`, `ignore = ["MaintainerDeprecated"]` in
    /// `.ballast.toml`, or `ignored: [MaintainerDeprecated]` in `.hadolint.yaml`.
    pub MaintainerInstruction {
        code: "DL4000",
        name: "maintainer-instruction",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        if let Typed::Maintainer(_) = &inst.args {
            cx.report(
                inst.syntax.keyword_span,
                "MAINTAINER is deprecated: use the `org.opencontainers.image.authors` label",
            );
        }
    }
}
