//! DL3028: `gem install` without versions.

use crate::rules::Context;
use crate::rules::packages::{Arg, ShellCommand, runs};

declare_rule! {
    /// ## What it does
    /// Reports each gem of a `gem install` (or `gem i`) written without a version
    /// (`rails:7.1.3`), when the command has no `-v`/`--version` option. A word right
    /// after an option is taken for the option's value and not checked.
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
    pub GemUnpinned {
        code: "DL3028",
        name: "gem-unpinned",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    for run in runs(cx.model) {
        for command in run.named("gem") {
            if !command.has_any_arg(&["install", "i"]) || command.has_any_flag(&["v", "version"]) {
                continue;
            }
            for arg in gems(command) {
                if arg.text.contains(':') {
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

/// The gem names: the words before `--` that are neither options, nor the word after an
/// option, nor the subcommand.
fn gems(command: &ShellCommand) -> Vec<&Arg> {
    let mut gems = Vec::new();
    let mut after_option = false;
    for arg in &command.args {
        let text = arg.text.as_str();
        if text == "--" {
            break;
        }
        if text.starts_with('-') {
            after_option = true;
            continue;
        }
        if std::mem::take(&mut after_option) || text == "install" || text == "i" {
            continue;
        }
        gems.push(arg);
    }
    gems
}
