//! DL3026: an image from a registry that is not in the trusted list.

use ballast_parser::Span;

use crate::model::{Base, ImageRef, Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// When trusted registries are configured (`trusted-registries` in `.ballast.toml`,
    /// `trustedRegistries` in `.hadolint.yaml`, or `--trusted-registry`), reports images
    /// from any other registry in `FROM`, `COPY --from` and `RUN --mount=from=`. Images
    /// without a registry come from Docker Hub (`docker.io`). `scratch` and earlier stages
    /// are always allowed. With no trusted registries configured the rule is silent.
    ///
    /// ## Why is this bad
    /// An organisation that mirrors and scans its base images wants every build to pull
    /// from its own registries. An image from elsewhere skips those checks.
    ///
    /// ## Example
    /// With `trusted-registries = ["registry.example.com"]`:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM registry.example.com/library/python:3.12-slim
    /// ```
    ///
    /// ## Differences from hadolint
    /// NOTE: hadolint 2.15.1 takes the registry to be the first path component that
    /// contains a dot, so `localhost:5000/app` counts as Docker Hub, and it reads
    /// `COPY --from=0` as an image named `0`. ballast parses references as the Docker
    /// reference grammar does and resolves stage indexes, and it does not report an image
    /// given by a build argument without a default.
    pub UntrustedRegistry {
        code: "DL3026",
        name: "untrusted-registry",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    if cx.settings.trusted_registries.is_empty() {
        return;
    }
    let model = cx.model;
    let mut images: Vec<(Span, ImageRef)> = Vec::new();
    for stage in &model.stages {
        if let (Base::Image(image), Typed::From(from)) =
            (&stage.base, &model.instructions[stage.from].args)
        {
            let span = from
                .image
                .map_or(model.instructions[stage.from].span(), |word| word.span);
            images.push((span, image.clone()));
        }
    }
    for inst in &model.instructions {
        let references: Vec<(Span, String)> = match &inst.args {
            Typed::Copy(copy) => copy
                .from
                .and_then(|flag| flag.value.as_ref().map(|value| (flag.span, unquote(value))))
                .into_iter()
                .collect(),
            Typed::Run(run) => run
                .mounts
                .iter()
                .filter_map(|mount| mount.from.clone().map(|from| (mount.flag.span, from)))
                .collect(),
            _ => continue,
        };
        for (span, reference) in references {
            if reference.contains('$') || model.stage_ref(&reference).is_some() {
                continue;
            }
            if reference.eq_ignore_ascii_case("scratch") {
                continue;
            }
            if let Ok(image) = ImageRef::parse(&reference) {
                images.push((span, image));
            }
        }
    }

    images.sort_by_key(|(span, _)| span.start);
    for (span, image) in images {
        if cx.settings.is_trusted_registry(&image.registry) {
            continue;
        }
        cx.report(
            span,
            format!(
                "registry `{}` is not in the list of trusted registries",
                image.registry
            ),
        );
    }
}
