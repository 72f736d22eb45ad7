//! BL2003: a base image whose version no longer gets upstream fixes.

use crate::model::Base;
use crate::rules::Context;
use crate::rules::base_images::end_of_life;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` line whose official image is a version that its project no
    /// longer supports, such as `python:3.7`, `node:16` or `debian:buster`.
    ///
    /// ## Why is this bad
    /// After its end of life a version gets no security fixes, and the official image
    /// is no longer rebuilt, so its operating system packages age too. Package
    /// registries also drop support for it over time, so builds start failing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.7-slim
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ```
    pub EndOfLifeBaseImage {
        code: "BL2003",
        name: "end-of-life-base-image",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for stage in &model.stages {
        let Base::Image(image) = &stage.base else {
            continue;
        };
        if !image.is_official() {
            continue;
        }
        let Some(tag) = image.tag.as_deref() else {
            continue;
        };
        let Some(entry) = end_of_life(image.name(), tag) else {
            continue;
        };
        let Some(word) = model.instructions[stage.from].syntax.args.words().first() else {
            continue;
        };
        let message = format!(
            "`{}:{tag}` is {} {}, whose upstream support ended in {}: it gets no security fixes; move to a supported version",
            entry.name, entry.name, entry.version, entry.ended
        );
        cx.report(word.span, message);
    }
}
