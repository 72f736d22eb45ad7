//! DL3062: `go install`, `go get` or `go run` of a module without a version.

use crate::rules::Context;
use crate::rules::packages::{ShellCommand, runs};

declare_rule! {
    /// ## What it does
    /// Reports `go install`, `go get` and `go run` of a remote package without a pinned
    /// version: the package must end in `@version` (not `@latest` or `@none`) unless it is
    /// a local path (`.`, `./…`, `/…`). For `go run` only the first argument, the package,
    /// is checked.
    ///
    /// ## Why is this bad
    /// Without a version Go fetches whatever is newest when the image is built, so two
    /// builds of the same Dockerfile can install different code.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23
    /// RUN go install golang.org/x/tools/gopls@latest
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23
    /// RUN go install golang.org/x/tools/gopls@v0.16.2
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint 2.15.1 also reports `go run build.go`, a local source file. ballast treats
    /// an argument ending in `.go` as a local file.
    pub GoModuleUnpinned {
        code: "DL3062",
        name: "go-module-unpinned",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        for command in &run.commands {
            if let Some(package) = unpinned_package(command) {
                cx.report(
                    command.span,
                    format!("`{package}` has no pinned version: add `@vX.Y.Z` so builds install the same code"),
                );
            }
        }
    }
}

/// The first unpinned package of a `go install`, `go get` or `go run` command.
fn unpinned_package(command: &ShellCommand) -> Option<String> {
    if !command.is("go") {
        return None;
    }
    let operands = command.args_no_flags();
    let (subcommand, packages) = operands.split_first()?;
    let checked: Vec<&str> = match *subcommand {
        "run" => packages.first().copied().into_iter().collect(),
        "install" | "get" => packages
            .iter()
            .copied()
            .filter(|package| *package != "tool")
            .collect(),
        _ => return None,
    };
    checked
        .into_iter()
        .find(|package| !is_pinned(package))
        .map(str::to_string)
}

fn is_pinned(package: &str) -> bool {
    let local = package == "." || package.starts_with('/') || package.starts_with('.');
    if local || package.ends_with(".go") {
        return true;
    }
    package.contains('@') && !package.ends_with("@latest") && !package.ends_with("@none")
}
