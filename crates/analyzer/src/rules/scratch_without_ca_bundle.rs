//! BL2005: a `scratch` image that makes HTTPS requests without a CA bundle.

use crate::model::{CommandForm, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a final stage built on `scratch` whose `CMD` or `ENTRYPOINT` names an
    /// `https://` URL, when no instruction of the stage copies a CA certificate bundle
    /// (a path containing `ca-certificates` or `/etc/ssl`).
    ///
    /// ## Why is this bad
    /// `scratch` is empty, so there are no trusted certificate authorities. Every TLS
    /// connection fails with an unknown-authority error when the container runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM scratch
    /// COPY fetch /fetch
    /// ENTRYPOINT ["/fetch", "https://example.com/feed.json"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS certs
    /// RUN apk add --no-cache ca-certificates
    ///
    /// FROM scratch
    /// COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
    /// COPY fetch /fetch
    /// ENTRYPOINT ["/fetch", "https://example.com/feed.json"]
    /// ```
    ///
    /// ## Overlapping rules
    /// BL3007 reports the same missing bundle from the built image, on the same `FROM`
    /// line, so `ballast build` shows both findings, while `ballast lint`, which has no
    /// image, shows only BL2005. BL3007 reads the image's files, so it also finds a program
    /// that contains a TLS library without naming a URL. To see only one of the two, turn
    /// the other off, for example with `ignore = ["BL2005"]` in `.ballast.toml` or
    /// `ignored: [BL2005]` in `.hadolint.yaml`. `ballast build` reads the same
    /// configuration as `ballast lint` and has no `--ignore` option.
    pub ScratchWithoutCaBundle {
        code: "BL2005",
        name: "scratch-without-ca-bundle",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let Some(stage) = model.final_stage() else {
        return;
    };
    if !model.is_scratch_based(stage.index) {
        return;
    }
    let instructions = model.stage_instructions(stage.index);
    let has_bundle = instructions.iter().any(|inst| match &inst.args {
        Typed::Copy(copy) | Typed::Add(copy) => {
            copy.sources.iter().chain(copy.destination).any(|word| {
                word.value.contains("ca-certificates") || word.value.contains("/etc/ssl")
            })
        }
        _ => false,
    });
    if has_bundle {
        return;
    }
    let https_user = instructions.iter().rev().find(|inst| {
        let form = match &inst.args {
            Typed::Cmd(form) | Typed::Entrypoint(form) => *form,
            _ => return false,
        };
        match form {
            CommandForm::Exec(words) => words.iter().any(|word| word.value.contains("https://")),
            CommandForm::Shell(word) => word.value.contains("https://"),
            CommandForm::None => false,
        }
    });
    let Some(user) = https_user else {
        return;
    };
    let from = &model.instructions[stage.from];
    let line = cx.line_number(user.span().start);
    let diagnostic = cx.report(
        from.syntax.keyword_span,
        format!(
            "this `scratch` image has no CA certificate bundle, so the HTTPS request at line {line} fails with an unknown-authority error; copy one from a builder stage, such as `COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/`"
        ),
    );
    diagnostic.label(user.syntax.keyword_span, "makes an HTTPS request");
}
