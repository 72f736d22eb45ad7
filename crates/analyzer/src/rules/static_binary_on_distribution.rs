//! BL2006: a final stage that only runs a static binary but is based on a distribution.

use ballast_parser::Keyword;

use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::{Base, CommandForm, ImageRef, Inst, Model, Typed, unquote};
use crate::rules::Context;
use crate::rules::build_outputs::{BuildOutput, Linkage, basename, build_outputs, copied_sources};

declare_rule! {
    /// ## What it does
    /// Reports a final stage based on a Linux distribution (debian, ubuntu, fedora,
    /// centos and the like, or a language image built on one) that only copies statically
    /// linked binaries out of a builder stage and runs one of them. A binary counts as
    /// static when the builder compiles it with `CGO_ENABLED=0`, the `netgo,osusergo`
    /// tags or `-extldflags -static` (Go), a `*-musl` target or `+crt-static` (Rust), or
    /// `-static` (C). A final stage on `alpine` is reported at info severity, because it
    /// is small already.
    ///
    /// ## Why is this bad
    /// A static binary needs no C library, no shell and no package manager, so everything
    /// the distribution brings is dead weight: tens to hundreds of megabytes to pull and
    /// store, and packages that vulnerability scanners report.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// RUN CGO_ENABLED=0 go build -o /out/app .
    ///
    /// FROM debian:12
    /// COPY --from=build /out/app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// RUN CGO_ENABLED=0 go build -o /out/app .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /out/app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// `FROM scratch` is smaller still, but has no CA certificates, time zone data or
    /// `/etc/passwd`, which the distroless image provides.
    ///
    /// ## Fix
    /// Replaces the base image with `gcr.io/distroless/static-debian12`. The fix is unsafe:
    /// the binary may read files of the distribution (configuration in `/etc`, locale
    /// data), and the Dockerfile does not show whether it does.
    pub StaticBinaryOnDistribution {
        code: "BL2006",
        name: "static-binary-on-distribution",
        severity: Warning,
        check: check,
    }
}

const DISTROLESS_STATIC: &str = "gcr.io/distroless/static-debian12";

/// Official images that are a Linux distribution or are built on one.
const DISTRIBUTIONS: &[&str] = &[
    "debian",
    "ubuntu",
    "fedora",
    "centos",
    "rockylinux",
    "almalinux",
    "amazonlinux",
    "oraclelinux",
    "archlinux",
    "buildpack-deps",
    "golang",
    "rust",
    "gcc",
    "python",
    "node",
    "ruby",
    "php",
    "openjdk",
    "eclipse-temurin",
];

/// Instructions that a stage running only a copied binary may contain.
const ALLOWED: &[Keyword] = &[
    Keyword::From,
    Keyword::Copy,
    Keyword::Entrypoint,
    Keyword::Cmd,
    Keyword::Expose,
    Keyword::User,
    Keyword::Env,
    Keyword::Label,
    Keyword::Workdir,
    Keyword::Arg,
    Keyword::Stopsignal,
    Keyword::Volume,
];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let Some(stage) = model.final_stage() else {
        return;
    };
    let Base::Image(image) = &stage.base else {
        return;
    };
    let Some(alpine) = distribution_kind(image) else {
        return;
    };
    let instructions = model.stage_instructions(stage.index);
    if instructions
        .iter()
        .any(|inst| !ALLOWED.contains(&inst.keyword()) || is_shell_command(inst))
    {
        return;
    }

    let Some(binaries) = static_binaries(model, instructions) else {
        return;
    };
    if !runs_a_binary(instructions, &binaries) {
        return;
    }

    let (build, _) = &binaries[0];
    let build_line = cx.line_number(build.name_span.start);
    let from = &model.instructions[stage.from];
    let Some(image_word) = from.syntax.args.words().first() else {
        return;
    };
    let reason = build.reason.clone();
    let toolchain = build.toolchain.label();
    let written = unquote(&image_word.value);
    let diagnostic = cx.report(
        image_word.span,
        format!(
            "the final stage only runs the static {toolchain} binary built at line {build_line}, yet it is based on the distribution `{written}`: use `FROM scratch` or `{DISTROLESS_STATIC}`"
        ),
    );
    if alpine {
        diagnostic.severity = Severity::Info;
    }
    diagnostic.label(
        build.name_span,
        format!("linked statically because of {reason}"),
    );
    if !image_word.value.contains('$') {
        diagnostic.fix(Fix::unsafe_(
            format!("Base the final stage on `{DISTROLESS_STATIC}`"),
            vec![Edit::replace(image_word.span, DISTROLESS_STATIC)],
        ));
    }
}

/// Returns `Some(is_alpine)` for a distribution image, `None` for any other image.
fn distribution_kind(image: &ImageRef) -> Option<bool> {
    let name = image.name();
    let official = image.is_official();
    if official && name == "alpine" {
        return Some(true);
    }
    let known = (official && DISTRIBUTIONS.contains(&name))
        || image.repository.starts_with("opensuse/")
        || image.repository.starts_with("redhat/ubi")
        || (image.registry == "registry.access.redhat.com" && image.repository.starts_with("ubi"));
    known.then_some(false)
}

fn is_shell_command(inst: &Inst<'_>) -> bool {
    matches!(&inst.args, Typed::Cmd(form) | Typed::Entrypoint(form) if form.is_shell())
}

/// Returns each build output copied into the stage with the path it is copied to, when at
/// least one is copied and every copied build output is static. Files that no build
/// command of the builder produced (certificates, configuration) do not count.
fn static_binaries(
    model: &Model<'_>,
    instructions: &[Inst<'_>],
) -> Option<Vec<(BuildOutput, String)>> {
    let mut binaries = Vec::new();
    for inst in instructions {
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
        let destination = copy
            .destination
            .map_or(String::new(), |word| unquote(&word.value));
        for source in copied_sources(model, inst, copy) {
            let Some(build) = outputs.iter().rev().find(|build| build.produced(&source)) else {
                continue;
            };
            if build.linkage != Some(Linkage::Static) {
                return None;
            }
            binaries.push((build.clone(), copied_to(&source, &destination)));
        }
    }
    (!binaries.is_empty()).then_some(binaries)
}

fn copied_to(source: &str, destination: &str) -> String {
    if destination.ends_with('/') {
        format!("{destination}{}", basename(source))
    } else {
        destination.to_string()
    }
}

/// Returns whether the exec-form `ENTRYPOINT` (or `CMD` when there is none) starts one of
/// the copied binaries. A stage with neither is still reported, because it adds no
/// program other than the copied binaries.
fn runs_a_binary(instructions: &[Inst<'_>], binaries: &[(BuildOutput, String)]) -> bool {
    let command = instructions
        .iter()
        .rev()
        .find_map(|inst| match &inst.args {
            Typed::Entrypoint(CommandForm::Exec(words)) => Some(*words),
            _ => None,
        })
        .or_else(|| {
            instructions.iter().rev().find_map(|inst| match &inst.args {
                Typed::Cmd(CommandForm::Exec(words)) => Some(*words),
                _ => None,
            })
        });
    let Some(program) = command.and_then(|words| words.first()) else {
        return true;
    };
    let program = unquote(&program.value);
    binaries.iter().any(|(_, destination)| {
        program == *destination || basename(&program) == basename(destination)
    })
}
