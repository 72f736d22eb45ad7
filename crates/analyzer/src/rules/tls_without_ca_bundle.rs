//! TlsWithoutCaBundle: an entrypoint that speaks HTTPS in an image with no CA bundle.

use crate::attribution::evidence::first_line_span;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports, in a built image without a CA certificate bundle, an entrypoint that will make
    /// HTTPS requests: its arguments name an `https://` URL, or the program contains a TLS
    /// library (Go's `crypto/tls`, OpenSSL, rustls, mbed TLS). The finding sits on the `FROM`
    /// line of the stage chain and names the entrypoint's line.
    ///
    /// ## Why is this bad
    /// Without a bundle the program cannot verify any server certificate, so every HTTPS call
    /// fails at run time with an unknown-authority error.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM scratch
    /// COPY fetcher /fetcher
    /// ENTRYPOINT ["/fetcher", "https://example.com/feed.json"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12 AS certs
    /// RUN apt-get update && apt-get install -y ca-certificates
    /// FROM scratch
    /// COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
    /// COPY fetcher /fetcher
    /// ENTRYPOINT ["/fetcher", "https://example.com/feed.json"]
    /// ```
    ///
    /// ## Fix
    /// Copy `/etc/ssl/certs/ca-certificates.crt` from a stage that installs `ca-certificates`.
    ///
    /// ## Overlapping rules
    /// BL2005 reports a `scratch` stage whose `CMD` or `ENTRYPOINT` names an `https://` URL
    /// from the Dockerfile alone, on the same `FROM` line, so `ballast build` can show both
    /// findings for one missing bundle. To see only one of the two, turn the other off, for
    /// example with `ignore = ["BL2005"]` in `.ballast.toml` or `ignored: [BL2005]` in
    /// `.hadolint.yaml`. `ballast build` reads the same configuration as `ballast lint` and
    /// has no `--ignore` option.
    pub TlsWithoutCaBundle {
        code: "BL3007",
        name: "tls-without-ca-bundle",
        severity: Warning,
        check: check,
    }
}

/// Where distributions and TLS libraries look for the CA bundle.
const CA_BUNDLES: [&str; 6] = [
    "etc/ssl/certs/ca-certificates.crt",
    "etc/pki/tls/certs/ca-bundle.crt",
    "etc/ssl/ca-bundle.pem",
    "etc/ssl/cert.pem",
    "etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "usr/local/share/ca-certificates/ca-certificates.crt",
];

fn check(cx: &mut Context<'_>) {
    let Some(evidence) = cx.evidence else {
        return;
    };
    let model = cx.model;
    if CA_BUNDLES
        .iter()
        .any(|path| evidence.resolve(path).is_some())
    {
        return;
    }
    let Some((entry_instruction, program, path)) = evidence.entrypoint_program(model) else {
        return;
    };
    let url_argument = evidence
        .run_command(model)
        .is_some_and(|command| command.words.iter().any(|word| word.contains("https://")));
    let marker = path
        .as_deref()
        .and_then(|path| evidence.visible_content(path))
        .and_then(|content| content.tls_marker.clone());
    let reason = match (url_argument, marker) {
        (true, _) => "its arguments name an https:// URL".to_owned(),
        (false, Some(marker)) => format!("{program} contains a TLS library ({marker})"),
        (false, None) => return,
    };
    let Some(from) = evidence.root_from(model) else {
        return;
    };
    let entry_line = model.instructions[entry_instruction].syntax.start_line;
    cx.report(
        first_line_span(model, from),
        format!(
            "the image has no CA certificate bundle, but the entrypoint at line {entry_line} will use HTTPS ({reason}); copy /etc/ssl/certs/ca-certificates.crt from a stage that installs ca-certificates"
        ),
    )
    .label(first_line_span(model, entry_instruction), "HTTPS used here");
}
