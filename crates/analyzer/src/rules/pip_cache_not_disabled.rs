//! DL3042: `pip install` without `--no-cache-dir`.

use crate::rules::Context;
use crate::rules::packages::{ShellCommand, is_pip_install, runs};

declare_rule! {
    /// ## What it does
    /// Reports `pip install` (also `pip3`, `python -m pip install`) without
    /// `--no-cache-dir`, unless the cache is turned off another way: `PIP_NO_CACHE_DIR`
    /// set to a true value by ENV or ARG in scope or in the RUN itself, or a cache or
    /// tmpfs mount on `.cache/pip`. `pipx` and `pipenv` are not checked.
    ///
    /// ## Why is this bad
    /// pip keeps every downloaded wheel under `~/.cache/pip`. In an image that cache is
    /// never read again but stays in the layer, often tens of megabytes.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install requests==2.32.3
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install --no-cache-dir requests==2.32.3
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint 2.15.1 reads `PIP_NO_CACHE_DIR` from ENV only, and for a stage without an
    /// alias it looks it up by image name, so an ENV of an unrelated earlier stage on the
    /// same image counts. ballast also accepts an ARG with a true default and follows only
    /// the stages a stage is built on.
    pub PipCacheNotDisabled {
        code: "DL3042",
        name: "pip-cache-not-disabled",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

const TRUE_VALUES: &[&str] = &[
    "1", "true", "True", "TRUE", "on", "On", "ON", "yes", "Yes", "YES",
];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        if run.run.caches(".cache/pip") || sets_no_cache_in_text(run.text()) {
            continue;
        }
        let disabled_in_scope = !run.onbuild
            && model
                .value_before(run.inst.index, "PIP_NO_CACHE_DIR")
                .is_some_and(|value| TRUE_VALUES.contains(&value));
        if disabled_in_scope {
            continue;
        }
        for command in &run.commands {
            if is_checked_pip_install(command) && !command.has_arg("--no-cache-dir") {
                cx.report(
                    command.span,
                    "pip keeps its download cache in the layer: add `--no-cache-dir`",
                );
            }
        }
    }
}

fn is_checked_pip_install(command: &ShellCommand) -> bool {
    if !is_pip_install(command) || command.name.contains("pipx") || command.name.contains("pipenv")
    {
        return false;
    }
    let via_module = command
        .args
        .windows(2)
        .any(|pair| pair[0].text == "-m" && matches!(pair[1].text.as_str(), "pipx" | "pipenv"));
    !via_module
}

/// Whether the RUN text assigns a true value to `PIP_NO_CACHE_DIR`.
fn sets_no_cache_in_text(text: &str) -> bool {
    text.match_indices("PIP_NO_CACHE_DIR=").any(|(at, found)| {
        let value: String = text[at + found.len()..]
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        TRUE_VALUES.contains(&value.as_str())
    })
}
