//! DL3029: `FROM --platform` with a fixed platform.

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM --platform=<value>` whose value uses neither `BUILDPLATFORM` nor
    /// `TARGETPLATFORM`, such as `--platform=linux/amd64`.
    ///
    /// ## Why is this bad
    /// A fixed platform overrides `docker build --platform`: the stage is built for that
    /// platform whatever the user asks for, and on another host it runs under emulation.
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
    pub FromPlatformConstant {
        code: "DL3029",
        name: "from-platform-constant",
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
        let value = flag.value.as_deref().unwrap_or("");
        if value.contains("BUILDPLATFORM") || value.contains("TARGETPLATFORM") {
            continue;
        }
        cx.report(
            flag.span,
            format!("`--platform={value}` fixes the platform of this stage, so `docker build --platform` cannot change it; use $BUILDPLATFORM or $TARGETPLATFORM"),
        );
    }
}
