//! DL3016: `npm install` without versions.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports each package of an `npm install <package>…` that has no version
    /// (`express@4.19.2`), when it is not a local path, a tarball, or a Git URL with a
    /// `#` commit. Plain `npm install`, `npm ci` and `npm i` are not checked.
    ///
    /// ## Why is this bad
    /// Without a version npm installs whatever the registry serves on the day of the
    /// build, so two builds of the same Dockerfile can differ or break.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20
    /// RUN npm install -g typescript
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20
    /// RUN npm install -g typescript@5.4.5
    /// ```
    pub NpmUnpinned {
        code: "DL3016",
        name: "npm-unpinned",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        for command in run.named("npm") {
            let operands: Vec<_> = command
                .args_without_values_of(&["loglevel", "registry"])
                .into_iter()
                .filter(|arg| !arg.text.starts_with('-'))
                .collect();
            let Some((first, packages)) = operands.split_first() else {
                continue;
            };
            if first.text != "install" {
                continue;
            }
            for arg in packages {
                if is_pinned(&arg.text) {
                    continue;
                }
                cx.report(
                    arg.span,
                    format!("pin the version of `{}` (`{}@<version>`) so rebuilds install the same package", arg.text, arg.text),
                );
            }
        }
    }
}

fn is_pinned(package: &str) -> bool {
    let git = ["git://", "git+ssh://", "git+http://", "git+https://"]
        .iter()
        .any(|prefix| package.starts_with(prefix));
    if git {
        return package.contains('#');
    }
    if [".tar", ".tar.gz", ".tgz"]
        .iter()
        .any(|suffix| package.ends_with(suffix))
    {
        return true;
    }
    if ["/", "./", "../", "~/"]
        .iter()
        .any(|prefix| package.starts_with(prefix))
    {
        return true;
    }
    // A scope (`@types/`) is not a version: look for `@` after it.
    let name = if package.starts_with('@') {
        package.trim_start_matches(|c: char| c > '/')
    } else {
        package
    };
    name.contains('@')
}
