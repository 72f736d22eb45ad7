//! DL3013: `pip install` without versions.

use crate::rules::Context;
use crate::rules::packages::{Arg, ShellCommand, runs};

declare_rule! {
    /// ## What it does
    /// Reports each package of a `pip install` (also `pip3`, `pipx`, `python -m pip
    /// install`) that has no version specifier (`requests==2.32.3`, `django>=5,<6`) and is
    /// not a wheel, an sdist archive, a local path or a VCS URL with a revision
    /// (`git+https://…@v1.2`). Installs from a requirements file (`-r`), with constraints
    /// (`-c`) or of the current folder (`.`) are not checked.
    ///
    /// ## Why is this bad
    /// Without a version the package is whatever the index serves on the day of the
    /// build, so two builds of the same Dockerfile can differ or break.
    ///
    /// A specifier with `<` or `>` must be quoted (`"django>=5"`): unquoted, the shell
    /// reads `>` as a redirection and pip sees only the name.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install --no-cache-dir requests
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install --no-cache-dir requests==2.32.3
    /// ```
    pub PipUnpinned {
        code: "DL3013",
        name: "pip-unpinned",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

/// Options of `pip install` that take a value in the next word.
const VALUE_OPTIONS: &[&str] = &[
    "abi",
    "b",
    "build",
    "e",
    "editable",
    "extra-index-url",
    "f",
    "find-links",
    "i",
    "index-url",
    "implementation",
    "no-binary",
    "only-binary",
    "platform",
    "prefix",
    "progress-bar",
    "proxy",
    "python",
    "python-version",
    "root",
    "root-user-action",
    "src",
    "t",
    "target",
    "trusted-host",
    "upgrade-strategy",
];

/// Specifier operators of PEP 440.
const SPECIFIERS: &[&str] = &["==", ">=", "<=", ">", "<", "!=", "~=", "==="];

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        for command in &run.commands {
            let Some(after_install) = pip_install_args(command) else {
                continue;
            };
            if command.has_any_arg(&["-r", "--requirement", "."])
                || command.has_any_flag(&["c", "constraint"])
            {
                continue;
            }
            for arg in packages(after_install) {
                if is_pinned(&arg.text) {
                    continue;
                }
                cx.report(
                    arg.span,
                    format!("pin the version of `{}` (`{}==<version>`) so rebuilds install the same package", arg.text, arg.text),
                );
            }
        }
    }
}

/// The arguments after `install` when `command` is a pip install: `pip…` (not `pipenv`)
/// with an `install` argument, or `python… -m pip install`.
pub(crate) fn pip_install_args(command: &ShellCommand) -> Option<&[Arg]> {
    let name = command.name.as_str();
    let args = command.args.as_slice();
    if name.starts_with("pip") && !name.starts_with("pipenv") {
        let install = args.iter().position(|arg| arg.text == "install")?;
        return Some(&args[install + 1..]);
    }
    if name.starts_with("python") {
        let start = args.windows(3).position(|window| {
            window[0].text == "-m" && window[1].text == "pip" && window[2].text == "install"
        })?;
        return Some(&args[start + 3..]);
    }
    None
}

fn packages(args: &[Arg]) -> Vec<&Arg> {
    let mut packages = Vec::new();
    let mut skip_next = false;
    for arg in args {
        let text = arg.text.as_str();
        if std::mem::take(&mut skip_next) {
            continue;
        }
        if let Some(option) = text.strip_prefix("--").or_else(|| text.strip_prefix('-')) {
            skip_next = !option.contains('=') && VALUE_OPTIONS.contains(&option);
            continue;
        }
        packages.push(arg);
    }
    packages
}

fn is_pinned(package: &str) -> bool {
    let vcs = ["git+", "git", "hg+", "svn", "bzr+"]
        .iter()
        .any(|prefix| package.starts_with(prefix));
    SPECIFIERS.iter().any(|operator| package.contains(operator))
        || (vcs && package.contains('@'))
        || package.ends_with(".whl")
        || package.ends_with(".tar.gz")
        || (package.contains('/') && !vcs)
}
