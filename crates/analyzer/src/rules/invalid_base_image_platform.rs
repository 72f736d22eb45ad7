//! InvalidBaseImagePlatform: a base image built for another platform than requested.

use ballast_parser::expand::references;

use crate::model::{Base, Typed};
use crate::rules::Context;

use super::from_platform_flag_const_disallowed::Platform;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` whose base image is made for another operating system or
    /// architecture than the stage's constant `--platform`, as BuildKit's check of the
    /// same name does.
    ///
    /// BuildKit compares the platform of the image it pulled. ballast works offline and
    /// never reads the registry, so it infers an image's platform only from its name: the
    /// per-architecture namespaces of Docker Hub's official images (`arm64v8/alpine`,
    /// `amd64/debian`, `windows-amd64/…`, …) and Microsoft's Windows images
    /// (`mcr.microsoft.com/windows/…`). It cannot see the platforms of any other image,
    /// and it does not check a `--platform` that uses variables, which only the build
    /// resolves.
    ///
    /// ## Why is this bad
    /// The build runs the image under emulation, or fails with `exec format error` when
    /// the first `RUN` starts, and the result is not the image the `--platform` promises.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 arm64v8/alpine:3.20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM --platform=linux/amd64 alpine:3.20
    /// ```
    pub InvalidBaseImagePlatform {
        code: "InvalidBaseImagePlatform",
        name: "invalid-base-image-platform",
        severity: Warning,
        check: check,
    }
}

/// Docker Hub namespaces that hold the official images of one platform.
const ARCH_NAMESPACES: &[(&str, &str)] = &[
    ("amd64", "linux/amd64"),
    ("arm32v5", "linux/arm/v5"),
    ("arm32v6", "linux/arm/v6"),
    ("arm32v7", "linux/arm/v7"),
    ("arm64v8", "linux/arm64/v8"),
    ("i386", "linux/386"),
    ("mips64le", "linux/mips64le"),
    ("ppc64le", "linux/ppc64le"),
    ("riscv64", "linux/riscv64"),
    ("s390x", "linux/s390x"),
    ("windows-amd64", "windows/amd64"),
];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let Typed::From(from) = &inst.args else {
            continue;
        };
        let (Some(flag), Some(image_word)) = (from.platform, from.image) else {
            continue;
        };
        let Some(requested_text) = flag.value.as_deref() else {
            continue;
        };
        if !references(requested_text, model.tree.escape).is_empty() {
            continue;
        }
        let Some(requested) = Platform::parse(requested_text) else {
            continue;
        };
        let Some(stage) = inst.stage else { continue };
        let Base::Image(image) = &model.stages[stage].base else {
            continue;
        };
        let Some((implied_text, implied)) = implied_platform(&image.registry, &image.repository)
        else {
            continue;
        };
        let same_os = implied.os == requested.os;
        let same_arch = implied.architecture == requested.architecture
            || implied.os == "windows" && implied_text == "windows";
        if same_os && same_arch {
            continue;
        }
        cx.report(
            image_word.span,
            format!(
                "base image `{}` is made for `{implied_text}`, but this stage requests `{requested_text}`: use an image for `{requested_text}` or change `--platform`",
                image_word.value
            ),
        );
    }
}

/// Returns the platform an image's name implies, as text and parsed. Windows images from
/// Microsoft's registry imply only the operating system, given as `windows`.
fn implied_platform(registry: &str, repository: &str) -> Option<(&'static str, Platform)> {
    let text = if registry == "mcr.microsoft.com" && repository.starts_with("windows") {
        "windows"
    } else if registry == crate::model::DOCKER_HUB {
        let namespace = repository.split('/').next()?;
        ARCH_NAMESPACES
            .iter()
            .find(|(name, _)| *name == namespace)
            .map(|(_, platform)| *platform)?
    } else {
        return None;
    };
    Some((text, Platform::parse(text)?))
}
