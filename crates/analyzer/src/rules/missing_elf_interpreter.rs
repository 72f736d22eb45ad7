//! MissingElfInterpreter: a dynamically linked entrypoint whose ELF interpreter the image lacks.

use crate::attribution::elf::{ElfLinking, elf_linking};
use crate::attribution::evidence::first_line_span;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports, in a built image, an entrypoint program that is a dynamically linked ELF file
    /// whose interpreter (the `PT_INTERP` path, such as `/lib64/ld-linux-x86-64.so.2`) is not
    /// in the final filesystem. The finding sits on the instruction that added the program.
    ///
    /// ## Why is this bad
    /// The kernel cannot start the program and reports "no such file or directory", which
    /// reads as if the program itself were missing. This is the usual failure of a binary
    /// built against glibc and copied into `scratch`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM scratch
    /// COPY app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM gcr.io/distroless/base-debian12
    /// COPY app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Fix
    /// Link the program statically (`CGO_ENABLED=0` for Go, the `musl` target for Rust), or
    /// start from a base image that has the C library and its loader.
    pub MissingElfInterpreter {
        code: "BL3006",
        name: "missing-elf-interpreter",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let Some(evidence) = cx.evidence else {
        return;
    };
    let model = cx.model;
    let Some((entry_instruction, program, Some(path))) = evidence.entrypoint_program(model) else {
        return;
    };
    let Some(content) = evidence.visible_content(&path) else {
        return;
    };
    let Some(ElfLinking::Dynamic { interpreter }) = elf_linking(&content.head) else {
        return;
    };
    if evidence.resolve(&interpreter).is_some() {
        return;
    }
    let Some(layer) = evidence.analysis.tree.get(&path).map(|node| node.layer) else {
        return;
    };
    let Some(added_by) = evidence.anchor(model, layer) else {
        return;
    };
    let span = first_line_span(model, added_by);
    let entry_line = model.instructions[entry_instruction].syntax.start_line;
    let diagnostic = cx.report(
        span,
        format!(
            "{program} (added here, run at line {entry_line}) is dynamically linked, but its ELF interpreter {interpreter} is not in the image, so it fails with \"no such file or directory\"; link it statically or use a base image with its C library"
        ),
    )
    .label(first_line_span(model, entry_instruction), "run here");
    evidence.record_bytes(diagnostic, content.size);
}
