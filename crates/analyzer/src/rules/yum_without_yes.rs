//! DL3030: `yum install` that would wait for confirmation.

use crate::diagnostic::{Edit, Fix};
use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `yum install`, `yum groupinstall` and `yum localinstall` without `-y`
    /// (`--assumeyes`).
    ///
    /// ## Why is this bad
    /// A build has no terminal to answer yum's "Is this ok" prompt, so yum aborts.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install httpd-2.4.6
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd-2.4.6
    /// ```
    ///
    /// ## Fix
    /// Adds `-y` after the subcommand. The fix is safe: it only answers the prompt the
    /// build cannot answer.
    pub YumWithoutYes {
        code: "DL3030",
        name: "yum-without-yes",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

const INSTALLS: &[&str] = &["install", "groupinstall", "localinstall"];

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        for command in run.named("yum") {
            let Some(install) = command
                .args
                .iter()
                .find(|arg| INSTALLS.contains(&arg.text.as_str()))
            else {
                continue;
            };
            if command.has_any_flag(&["y", "assumeyes"]) {
                continue;
            }
            let plain = cx.text(install.span) == install.text;
            let span = install.span;
            let diagnostic = cx.report(
                command.name_span,
                format!(
                    "add `-y` to `yum {}`: the build cannot answer its confirmation prompt",
                    install.text
                ),
            );
            if plain {
                diagnostic.fix(Fix::safe("Add `-y`", vec![Edit::insert(span.end, " -y")]));
            }
        }
    }
}
