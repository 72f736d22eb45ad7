//! DL3009: `apt-get update` whose package lists stay in the layer.

use crate::rules::Context;
use crate::rules::packages::{ShellCommand, runs, stage_reaches_image};

/// The folder of the package lists that `update` downloads.
const LISTS: &str = "/var/lib/apt/lists";

declare_rule! {
    /// ## What it does
    /// Reports an `apt-get update` (or `apt update`, `aptitude update`) in a `RUN` that
    /// does not also remove `/var/lib/apt/lists`, unless a cache or tmpfs mount contains the
    /// lists. Stages whose files are only copied out with `COPY --from` are not checked.
    ///
    /// ## Why is this bad
    /// The package lists take tens of megabytes and are useless at run time. Removed in a
    /// later `RUN`, they still take space in the earlier layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Differences from hadolint
    /// NOTE: hadolint 2.15.1 accepts any `rm -rf` as cleanup, whatever it removes, yet
    /// rejects `rm -fr /var/lib/apt/lists` (other flag order, folder without `/*`) and
    /// `rm /var/lib/apt/lists/*_*`. ballast accepts an `rm` of the lists folder, of files
    /// in it or of a folder above it, and `apt-get dist-clean`, and nothing else.
    ///
    /// NOTE: hadolint 2.15.1 checks only the last stage and stages used as a `FROM` base.
    /// A stage that no other stage uses is a build target of its own (`--target`), so
    /// ballast checks it too.
    pub AptListsKept {
        code: "DL3009",
        name: "apt-lists-kept",
        severity: Info,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        if !stage_reaches_image(model, run.stage()) {
            continue;
        }
        let update = run.commands.iter().find(|command| {
            ["apt-get", "apt", "aptitude"].contains(&command.name.as_str())
                && command.has_arg("update")
        });
        let Some(update) = update else { continue };
        if run.commands.iter().any(removes_lists) {
            continue;
        }
        let cached = run.run.caches(LISTS)
            || (run.run.caches("/var/lib/apt") && run.run.caches("/var/cache/apt"));
        if cached {
            continue;
        }
        cx.report(
            update.name_span,
            "the package lists from `update` stay in this layer; end the RUN with `rm -rf /var/lib/apt/lists/*`",
        );
    }
}

/// Whether `command` deletes the package lists: `rm` of the lists folder, of files in it,
/// or of a folder above it (`rm -rf /var/lib/apt`, also written with braces as
/// `/var/lib/{apt,dpkg}`), or `apt-get dist-clean` (apt 2.7 and later), which removes
/// the lists.
fn removes_lists(command: &ShellCommand) -> bool {
    if ["apt-get", "apt"].contains(&command.name.as_str()) {
        return command.has_arg("dist-clean");
    }
    command.is("rm")
        && command
            .operands()
            .flat_map(|arg| expand_braces(&arg.text))
            .any(|path| covers_lists(&path))
}

fn covers_lists(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    if path.is_empty() || (path.contains(['*', '?']) && !path.starts_with("/var/lib/apt/lists/")) {
        return false;
    }
    path.starts_with("/var/lib/apt/lists/")
        || LISTS
            .strip_prefix(path)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Expands the first `{a,b}` group of a path, as the shell does, one level deep.
fn expand_braces(text: &str) -> Vec<String> {
    let Some(open) = text.find('{') else {
        return vec![text.to_string()];
    };
    let Some(close) = text[open..].find('}').map(|offset| open + offset) else {
        return vec![text.to_string()];
    };
    let (prefix, suffix) = (&text[..open], &text[close + 1..]);
    text[open + 1..close]
        .split(',')
        .map(|choice| format!("{prefix}{choice}{suffix}"))
        .collect()
}
