//! BL2008: npm, Go, gem and Composer leave caches or documentation in the layer.

use crate::diagnostic::{Edit, Fix};
use crate::model::{Base, Model};
use crate::rules::Context;
use crate::rules::packages::{RunCommands, ShellCommand, runs, stage_reaches_image};

declare_rule! {
    /// ## What it does
    /// Reports package-manager commands that leave files no one reads again in the
    /// image, in stages that end up in an image (the last stage and stages that a later
    /// `FROM` builds on):
    /// - `npm install` or `npm ci` without `npm cache clean --force` later in the same
    ///   `RUN` (the cache is `~/.npm`);
    /// - `go build` or `go install` (the build cache is `~/.cache/go-build`) and
    ///   `go mod download` (the module cache is `/go/pkg/mod`) without `go clean -cache`
    ///   or `go clean -modcache` later in the same `RUN`;
    /// - `gem install` without `--no-document`, except on the official ruby images, whose
    ///   `gemrc` turns documentation off;
    /// - `composer install`, `update`, `require` or `create-project` without `--no-cache`
    ///   or a later `composer clear-cache`.
    ///
    /// A `RUN --mount=type=cache` (or `tmpfs`) whose target covers the cache folder
    /// silences the finding. `yarn` is DL3060's and `pip` is DL3042's.
    ///
    /// ## Why is this bad
    /// Each `RUN` is a layer, and whatever it leaves on disk is shipped with the image.
    /// Download caches and generated documentation often add tens of megabytes, and a
    /// cleanup in a later `RUN` does not remove them from the earlier layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// RUN npm ci
    /// RUN gem install bundler
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// RUN --mount=type=cache,target=/root/.npm npm ci
    /// RUN gem install --no-document bundler
    /// ```
    ///
    /// ## Fix
    /// Adds `--no-document` to `gem install` and `--no-cache` to Composer. Both fixes are
    /// safe: they change only what is written to the cache or documentation folders.
    pub PackageCacheKept {
        code: "BL2008",
        name: "package-cache-kept",
        severity: Info,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        let Some(stage) = run.stage() else {
            continue;
        };
        if run.onbuild || !stage_reaches_image(model, Some(stage)) {
            continue;
        }
        for (index, command) in run.commands.iter().enumerate() {
            let later = &run.commands[index + 1..];
            check_npm(cx, &run, command, later);
            check_go(cx, &run, command, later);
            check_gem(cx, model, stage, command);
            check_composer(cx, &run, command, later);
        }
    }
}

fn check_npm(
    cx: &mut Context<'_>,
    run: &RunCommands<'_, '_>,
    command: &ShellCommand,
    later: &[ShellCommand],
) {
    if !command.is("npm")
        || subcommand(command).is_none_or(|sub| !matches!(sub, "install" | "i" | "ci"))
    {
        return;
    }
    let cleaned = later.iter().any(|next| {
        (next.is("npm") && next.has_arg("cache") && next.has_arg("clean")) || removes(next, "/.npm")
    });
    if cleaned || run.run.caches(".npm") {
        return;
    }
    cx.report(
        command.name_span,
        "npm keeps every downloaded package in `~/.npm`, which stays in the layer: run `npm cache clean --force` in the same RUN, or use `RUN --mount=type=cache,target=/root/.npm`",
    );
}

fn check_go(
    cx: &mut Context<'_>,
    run: &RunCommands<'_, '_>,
    command: &ShellCommand,
    later: &[ShellCommand],
) {
    if !command.is("go") {
        return;
    }
    let (folder, clean_flag, message) = match subcommand(command) {
        Some("build" | "install") => (
            ".cache/go-build",
            "-cache",
            "the Go build cache in `/root/.cache/go-build` stays in the image: build in a separate stage, or use `RUN --mount=type=cache,target=/root/.cache/go-build`",
        ),
        Some("mod") if command.has_arg("download") => (
            "pkg/mod",
            "-modcache",
            "the Go module cache in `/go/pkg/mod` stays in the image: build in a separate stage, or use `RUN --mount=type=cache,target=/go/pkg/mod`",
        ),
        _ => return,
    };
    let cleaned = later.iter().any(|next| {
        (next.is("go") && next.has_arg("clean") && next.has_arg(clean_flag))
            || removes(next, folder)
    });
    if cleaned || run.run.caches(folder) {
        return;
    }
    cx.report(command.name_span, message);
}

fn check_gem(cx: &mut Context<'_>, model: &Model<'_>, stage: usize, command: &ShellCommand) {
    if !command.is("gem") || subcommand(command) != Some("install") {
        return;
    }
    let documented =
        !command.has_any_arg(&["--no-document", "-N", "--no-doc", "--no-ri", "--no-rdoc"]);
    if !documented || has_gemrc(model, stage) {
        return;
    }
    let Some(install) = command.args.iter().find(|arg| arg.text == "install") else {
        return;
    };
    let span = install.span;
    cx.report(
        command.name_span,
        "gem installs the documentation of each gem, which no one reads in an image: add `--no-document`",
    )
    .fix(Fix::safe(
        "Add `--no-document`",
        vec![Edit::insert(span.end, " --no-document")],
    ));
}

fn check_composer(
    cx: &mut Context<'_>,
    run: &RunCommands<'_, '_>,
    command: &ShellCommand,
    later: &[ShellCommand],
) {
    if !command.is("composer") {
        return;
    }
    let Some(sub) = subcommand(command) else {
        return;
    };
    if !matches!(sub, "install" | "update" | "require" | "create-project")
        || command.has_arg("--no-cache")
    {
        return;
    }
    let cleaned = later
        .iter()
        .any(|next| next.is("composer") && next.has_any_arg(&["clear-cache", "clearcache", "cc"]));
    if cleaned || run.run.caches("composer") || run.run.caches("/tmp/cache") {
        return;
    }
    let Some(word) = command.args.iter().find(|arg| arg.text == sub) else {
        return;
    };
    let span = word.span;
    cx.report(
        command.name_span,
        "Composer keeps every downloaded package in its cache folder, which stays in the layer: add `--no-cache`",
    )
    .fix(Fix::safe("Add `--no-cache`", vec![Edit::insert(span.end, " --no-cache")]));
}

/// Returns the first argument that is not an option.
fn subcommand(command: &ShellCommand) -> Option<&str> {
    command.operands().next().map(|arg| arg.text.as_str())
}

/// Returns whether `command` is an `rm` of a path containing `folder`.
fn removes(command: &ShellCommand, folder: &str) -> bool {
    command.is("rm") && command.operands().any(|arg| arg.text.contains(folder))
}

/// Returns whether the stage's image turns gem documentation off: the official ruby images
/// write `--no-document` into their `gemrc`, and a stage may write one itself.
fn has_gemrc(model: &Model<'_>, stage: usize) -> bool {
    if let Base::Image(image) = model.base_image(stage)
        && image.is_official()
        && image.name() == "ruby"
    {
        return true;
    }
    model.stage_instructions(stage).iter().any(|inst| {
        model
            .source
            .get(inst.span().start..inst.span().end)
            .is_some_and(|text| text.contains("gemrc"))
    })
}
