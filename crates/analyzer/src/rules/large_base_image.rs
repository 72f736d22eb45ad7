//! BL2002: a final stage built on the full variant of an official image.

use crate::model::Base;
use crate::rules::Context;
use crate::rules::base_images::{end_of_life, is_small_variant, official_image};

declare_rule! {
    /// ## What it does
    /// Reports a stage that no other stage uses (an image someone runs) whose base is the
    /// default, full variant of a well-known official image, such as `python:3.12` or
    /// `node:20`, when a `-slim`, `-alpine`, `-jre` or distroless variant exists.
    ///
    /// ## Why is this bad
    /// The default variants carry compilers, headers and tools for building software.
    /// An image that only runs an application pulls, stores and scans all of it. The
    /// full `python` image is several times the size of `python:…-slim`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12
    /// COPY app.py /app/
    /// CMD ["python", "/app/app.py"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app.py /app/
    /// CMD ["python", "/app/app.py"]
    /// ```
    ///
    /// Stages that other stages build on or copy from are not reported: a builder stage
    /// often needs the full image.
    pub LargeBaseImage {
        code: "BL2002",
        name: "large-base-image",
        severity: Info,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for stage in &model.stages {
        if !stage.used_by.is_empty() {
            continue;
        }
        let Base::Image(image) = &stage.base else {
            continue;
        };
        if !image.is_official() || image.digest.is_some() {
            continue;
        }
        let Some(entry) = official_image(image.name()) else {
            continue;
        };
        let tag = image.tag.as_deref().unwrap_or("latest");
        // An end-of-life version gets its own finding; its smaller variants are just as
        // unsupported, so suggesting them would mislead.
        if is_small_variant(tag) || end_of_life(entry.name, tag).is_some() {
            continue;
        }
        let Some(word) = model.instructions[stage.from].syntax.args.words().first() else {
            continue;
        };

        let shown = format!("{}:{tag}", entry.name);
        let message = match (entry.replaced_by, entry.sizes) {
            (Some(replacement), _) => format!(
                "`{shown}` is deprecated and large; use {replacement} for an image that only runs the application"
            ),
            (None, Some((full, small))) => format!(
                "`{shown}` is the full variant ({full}; {small}, approximate); for an image that only runs the application, use a smaller variant: {}",
                variants(entry.name, tag, entry.smaller)
            ),
            (None, None) => format!(
                "`{shown}` is the full variant; for an image that only runs the application, use a smaller variant: {}",
                variants(entry.name, tag, entry.smaller)
            ),
        };
        cx.report(word.span, message);
    }
}

fn variants(name: &str, tag: &str, suffixes: &[&str]) -> String {
    let base = if tag == "latest" { "" } else { tag };
    suffixes
        .iter()
        .map(|suffix| {
            let tag = format!("{base}{suffix}");
            format!("`{name}:{}`", tag.trim_start_matches('-'))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
