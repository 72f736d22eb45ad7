//! DL3028: `gem install` without versions.

use crate::rules::Context;
use crate::rules::packages::{Arg, ShellCommand, runs};

declare_rule! {
    /// ## What it does
    /// Reports each gem of a `gem install` (or `gem i`) written without a version
    /// (`rails:7.1.3`), when the command has no `-v`/`--version` option. A word right
    /// after an option is taken for the option's value and not checked. A local `.gem`
    /// file is fixed content and counts as pinned.
    ///
    /// ## Why is this bad
    /// Without a version the gem is whatever the registry serves on the day of the build,
    /// so two builds of the same Dockerfile can differ.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ruby:3.3
    /// RUN gem install bundler
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM ruby:3.3
    /// RUN gem install bundler:2.5.6
    /// ```
    ///
    /// ## Differences from hadolint
    /// NOTE: hadolint 2.15.1 reports a local gem file (`gem install --local x-1.4.0.gem`),
    /// whose content cannot change; ballast does not.
    pub GemUnpinned {
        code: "DL3028",
        name: "gem-unpinned",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model, cx.focus()) {
        for command in run.named("gem") {
            if !command.has_any_arg(&["install", "i"]) || command.has_any_flag(&["v", "version"]) {
                continue;
            }
            for arg in gems(command) {
                if arg.text.contains(':') || arg.text.ends_with(".gem") {
                    continue;
                }
                cx.report(
                    arg.span,
                    format!(
                        "pin the version of `{}` (`{}:<version>`) so rebuilds install the same gem",
                        arg.text, arg.text
                    ),
                );
            }
        }
    }
}

/// The gem names: the words before `--` that are neither options nor the subcommand.
/// An option and the word after it are skipped as a pair, as hadolint 2.15.1 does, even
/// when that word is another option: in `--local --force x.gem` the gem is `x.gem`.
fn gems(command: &ShellCommand) -> Vec<&Arg> {
    let mut gems = Vec::new();
    let mut args = command.args.iter();
    while let Some(arg) = args.next() {
        let text = arg.text.as_str();
        if text == "--" {
            break;
        }
        if text.starts_with('-') {
            args.next();
            continue;
        }
        if text != "install" && text != "i" {
            gems.push(arg);
        }
    }
    gems
}
