//! FromPlatformFlagConstDisallowed: `FROM --platform=linux/amd64` with a constant value.

use ballast_parser::expand::references;

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM --platform` set to a constant platform, such as `linux/amd64`, as
    /// BuildKit's check of the same name does. Like BuildKit, ballast accepts the constant
    /// when the stage's name contains the platform's operating system or architecture
    /// (`FROM --platform=linux/arm64 alpine AS build-arm64`), which marks a stage meant
    /// for that platform only. An unnamed stage is always reported.
    ///
    /// ## Why is this bad
    /// A constant platform pins the stage to one platform, so a multi-platform build
    /// (`docker buildx build --platform linux/amd64,linux/arm64`) produces the same
    /// architecture for every target, or runs under emulation. `$BUILDPLATFORM` or
    /// `$TARGETPLATFORM` follow the build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 golang:1.22 AS build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM golang:1.22 AS build
    /// ```
    pub FromPlatformFlagConstDisallowed {
        code: "FromPlatformFlagConstDisallowed",
        name: "from-platform-flag-const-disallowed",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let Typed::From(from) = &inst.args else {
            continue;
        };
        let Some(flag) = from.platform else { continue };
        let Some(value) = flag.value.as_deref() else {
            continue;
        };
        if !references(value, model.tree.escape).is_empty() {
            continue;
        }
        let Some(platform) = Platform::parse(value) else {
            continue;
        };
        let stage_name = from.name.map(|word| word.value.to_lowercase());
        let named_for_it = stage_name.is_some_and(|name| {
            name.contains(&platform.os) || name.contains(&platform.architecture)
        });
        if named_for_it {
            continue;
        }
        cx.report(
            flag.span,
            format!(
                "constant platform `{value}` in `--platform`: use `$BUILDPLATFORM` or `$TARGETPLATFORM` so the stage follows the build, or name the stage after the platform"
            ),
        );
    }
}

/// A platform as containerd's `platforms.Parse` reads `os[/arch[/variant]]`, with the
/// architecture normalized (`x86_64` is `amd64`, `aarch64` is `arm64`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: String,
}

const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];

const KNOWN_ARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

impl Platform {
    /// Parses a platform specifier. A single word is an operating system when it names
    /// one, else an architecture on Linux.
    pub(super) fn parse(specifier: &str) -> Option<Platform> {
        let valid_part = |part: &str| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        };
        let lower = specifier.to_ascii_lowercase();
        let parts: Vec<&str> = lower.split('/').collect();
        if !parts.iter().all(|part| valid_part(part)) {
            return None;
        }
        let (os, arch, variant) = match parts.as_slice() {
            [one] if KNOWN_OS.contains(one) => (*one, "amd64", ""),
            [one] => {
                let (arch, variant) = normalize_arch(one, "");
                if !KNOWN_ARCH.contains(&arch.as_str()) {
                    return None;
                }
                return Some(Platform {
                    os: "linux".to_string(),
                    architecture: arch,
                    variant,
                });
            }
            [os, arch] => (*os, *arch, ""),
            [os, arch, variant] => (*os, *arch, *variant),
            _ => return None,
        };
        let (architecture, variant) = normalize_arch(arch, variant);
        Some(Platform {
            os: os.to_string(),
            architecture,
            variant,
        })
    }
}

/// containerd's architecture aliases.
fn normalize_arch(arch: &str, variant: &str) -> (String, String) {
    let (arch, variant) = match (arch, variant) {
        ("i386" | "i686" | "x86", _) => ("386", ""),
        ("x86_64" | "x86-64" | "amd64", "v1") => ("amd64", ""),
        ("x86_64" | "x86-64" | "amd64", v) => ("amd64", v),
        ("aarch64" | "arm64", "8" | "v8" | "") => ("arm64", "v8"),
        ("aarch64" | "arm64", v) => ("arm64", v),
        ("armhf", _) => ("arm", "v7"),
        ("armel", _) => ("arm", "v6"),
        ("arm", "" | "7") => ("arm", "v7"),
        ("arm", "5") => ("arm", "v5"),
        ("arm", "6") => ("arm", "v6"),
        ("arm", "8") => ("arm", "v8"),
        (a, v) => (a, v),
    };
    (arch.to_string(), variant.to_string())
}
