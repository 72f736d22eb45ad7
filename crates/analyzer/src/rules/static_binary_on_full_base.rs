//! StaticBinaryOnFullBase: a statically linked entrypoint on a full distribution base.

use crate::attribution::elf::{ElfLinking, elf_linking};
use crate::attribution::evidence::{first_line_span, format_bytes};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports, in a built image, an entrypoint program that is a statically linked ELF file
    /// while the base image is a full distribution (it has `/etc/os-release` and a shell). The
    /// finding sits on the `FROM` line and gives the base image's size as the saving.
    ///
    /// ## Why is this bad
    /// A static program needs nothing from the base image: the distribution's files only add
    /// size and packages that scanners report.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// COPY server /server
    /// ENTRYPOINT ["/server"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM scratch
    /// COPY server /server
    /// ENTRYPOINT ["/server"]
    /// ```
    ///
    /// ## Fix
    /// Start the final stage from `scratch` or a distroless image, and copy in what the
    /// program reads at run time (CA bundle, time zone data).
    pub StaticBinaryOnFullBase {
        code: "BL3005",
        name: "static-binary-on-full-base",
        severity: Info,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let Some(evidence) = cx.evidence else {
        return;
    };
    let model = cx.model;
    let base_layers = evidence.base_layers();
    if base_layers == 0 {
        return;
    }
    let tree = &evidence.analysis.tree;
    let from_base = |path: &str| tree.get(path).is_some_and(|node| node.layer < base_layers);
    let has_shell = from_base("bin/sh") || from_base("usr/bin/sh");
    let has_release = from_base("etc/os-release") || from_base("usr/lib/os-release");
    if !has_shell || !has_release {
        return;
    }
    let Some((entry_instruction, program, Some(path))) = evidence.entrypoint_program(model) else {
        return;
    };
    let Some(content) = evidence.visible_content(&path) else {
        return;
    };
    if elf_linking(&content.head) != Some(ElfLinking::Static) {
        return;
    }
    let Some(from) = evidence.root_from(model) else {
        return;
    };
    let base_bytes: u64 = evidence.analysis.report.layers[..base_layers]
        .iter()
        .map(|layer| layer.stored_bytes)
        .sum();
    let span = first_line_span(model, from);
    let diagnostic = cx.report(
        span,
        format!(
            "{program} is statically linked, yet the image starts from a full distribution of {}; start from scratch or a distroless image to save it",
            format_bytes(base_bytes)
        ),
    )
    .label(first_line_span(model, entry_instruction), "static program run here");
    evidence.record_bytes(diagnostic, base_bytes);
}
