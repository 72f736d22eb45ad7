//! BL2007: a `scratch` final stage that copies a dynamically linked binary.

use crate::diagnostic::{Edit, Fix};
use crate::model::Typed;
use crate::rules::Context;
use crate::rules::build_outputs::{BuildOutput, Linkage, Toolchain, build_outputs, copied_sources};

declare_rule! {
    /// ## What it does
    /// Reports a `COPY --from` in a final stage built on `scratch` that copies a binary
    /// which its builder stage links dynamically. Three builds count as dynamic: a Go
    /// build with cgo on (`CGO_ENABLED=1`, or unset in the Debian-based golang image,
    /// which has gcc), a Rust build for the glibc host target of the rust image, and a C
    /// build without `-static`. Files the Dockerfile does not build, such as a binary
    /// copied from the build context, are not judged.
    ///
    /// ## Why is this bad
    /// A dynamically linked binary names an ELF interpreter, such as
    /// `/lib64/ld-linux-x86-64.so.2`, that loads its shared libraries. `scratch` has
    /// neither, so starting the container fails with `exec /app: no such file or
    /// directory`, which reads as if the binary itself were missing. A Go program that
    /// does not use cgo packages links statically even with cgo on, so for Go the finding
    /// means the binary may fail.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// RUN go build -o /out/app .
    ///
    /// FROM scratch
    /// COPY --from=build /out/app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// RUN CGO_ENABLED=0 go build -o /out/app .
    ///
    /// FROM scratch
    /// COPY --from=build /out/app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// For Rust, build for a musl target (`cargo build --target x86_64-unknown-linux-musl`);
    /// for C, link with `-static`.
    ///
    /// ## Fix
    /// For Go, sets `CGO_ENABLED=0` on the build command; for C, adds `-static`. Both
    /// fixes are unsafe: a program that needs cgo or a library without a static archive
    /// no longer builds.
    pub DynamicBinaryInScratch {
        code: "BL2007",
        name: "dynamic-binary-in-scratch",
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
    for inst in model.stage_instructions(stage.index) {
        let Typed::Copy(copy) = &inst.args else {
            continue;
        };
        let Some(builder) = copy
            .from
            .and_then(|flag| flag.value.as_deref())
            .and_then(|value| model.stage_ref(value))
        else {
            continue;
        };
        let outputs = build_outputs(model, builder);
        let sources = copied_sources(model, inst, copy);
        for (word, source) in copy.sources.iter().zip(&sources) {
            let Some(build) = outputs.iter().rev().find(|build| build.produced(source)) else {
                continue;
            };
            if build.linkage != Some(Linkage::Dynamic) {
                continue;
            }
            report(cx, word.span, source, build);
        }
    }
}

fn report(cx: &mut Context<'_>, span: ballast_parser::Span, source: &str, build: &BuildOutput) {
    let line = cx.line_number(build.name_span.start);
    let toolchain = build.toolchain.label();
    let (verb, remedy) = match build.toolchain {
        Toolchain::Go => ("may link", "build it with `CGO_ENABLED=0`"),
        Toolchain::Rust => ("links", "build it for a `*-musl` target"),
        Toolchain::C => ("links", "link it with `-static`"),
    };
    let reason = build.reason.clone();
    let diagnostic = cx.report(
        span,
        format!(
            "the {toolchain} build at line {line} {verb} `{source}` dynamically (because of {reason}), and `scratch` has no ELF interpreter or C library, so it fails to start with \"no such file or directory\": {remedy}"
        ),
    );
    diagnostic.label(build.name_span, "built here");

    let fix = match build.toolchain {
        // An explicit `CGO_ENABLED=1` is a request for cgo, which a fix must not undo.
        Toolchain::Go if !build.cgo_explicit => Some(Fix::unsafe_(
            "Build with `CGO_ENABLED=0`",
            vec![Edit::insert(build.name_span.start, "CGO_ENABLED=0 ")],
        )),
        Toolchain::C => Some(Fix::unsafe_(
            "Link with `-static`",
            vec![Edit::insert(build.name_span.end, " -static")],
        )),
        _ => None,
    };
    if let Some(fix) = fix {
        diagnostic.fix(fix);
    }
}
