//! MaintainerDeprecated: the `MAINTAINER` instruction.

use crate::diagnostic::{Edit, Fix};
use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports the `MAINTAINER` instruction, as BuildKit's check of the same name does,
    /// also before the first `FROM`, where BuildKit reports it before rejecting the file.
    ///
    /// ## Why is this bad
    /// `MAINTAINER` is deprecated. It sets the image's `Author` field, which few tools
    /// read; the `org.opencontainers.image.authors` label is the standard place for the
    /// same information.
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
    /// ## Fix
    /// Replaces the instruction with the label. The fix is unsafe: the image no longer
    /// has an `Author` field, which a tool may still read.
    ///
    /// ## Overlapping rules
    /// DL4000, hadolint's check, reports every `MAINTAINER` too, without a fix. To keep one
    /// rule of the pair, turn the other off: `--ignore DL4000`, `ignore = ["DL4000"]` in
    /// `.ballast.toml`, or `ignored: [DL4000]` in `.hadolint.yaml`. A Dockerfile can also
    /// skip this check with BuildKit's directive `# check=skip=MaintainerDeprecated` at its
    /// top.
    pub MaintainerDeprecated {
        code: "MaintainerDeprecated",
        name: "maintainer-deprecated",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let Typed::Maintainer(value) = &inst.args else {
            continue;
        };
        let diagnostic = cx.report(
            inst.syntax.keyword_span,
            "`MAINTAINER` is deprecated: put the author in the `org.opencontainers.image.authors` label",
        );
        let Some(value) = value else { continue };
        if !inst.syntax.inner_comments.is_empty() {
            continue;
        }
        let escaped = value.value.replace('\\', "\\\\").replace('"', "\\\"");
        let label = format!("LABEL org.opencontainers.image.authors=\"{escaped}\"");
        diagnostic.fix(Fix::unsafe_(
            "Replace `MAINTAINER` with the `org.opencontainers.image.authors` label",
            vec![Edit::replace(inst.syntax.line_span(), label)],
        ));
    }
}
