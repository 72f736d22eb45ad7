//! DL3060: `yarn install` without `yarn cache clean`.

use crate::rules::Context;
use crate::rules::packages::{runs, stage_reaches_image};

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` with `yarn install` that does not run `yarn cache clean` after it,
    /// unless a cache or tmpfs mount covers `.cache/yarn`. Only stages that end up in an
    /// image are checked: the last stage and stages that a later `FROM` builds on.
    ///
    /// ## Why is this bad
    /// Yarn keeps a copy of every package it installs in its cache folder. In an image the
    /// cache is never read again but stays in the layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// RUN yarn install --frozen-lockfile
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// RUN yarn install --frozen-lockfile && yarn cache clean
    /// ```
    pub YarnCacheNotCleaned {
        code: "DL3060",
        name: "yarn-cache-not-cleaned",
        severity: Info,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        let Some(install) =
            run.position(|command| command.is("yarn") && command.has_any_arg(&["install"]))
        else {
            continue;
        };
        if run.run.caches(".cache/yarn") || !stage_reaches_image(model, run.inst.stage) {
            continue;
        }
        let clean =
            run.position(|command| command.is("yarn") && command.has_any_arg(&["cache", "clean"]));
        if clean.is_some_and(|clean| clean > install) {
            continue;
        }
        cx.report(
            run.commands[install].span,
            "yarn keeps its package cache in the layer: run `yarn cache clean` after installing",
        );
    }
}
