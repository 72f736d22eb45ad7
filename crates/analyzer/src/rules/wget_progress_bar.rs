//! DL3047: `wget` without a quiet or progress option.

use crate::rules::Context;
use crate::rules::packages::runs;

declare_rule! {
    /// ## What it does
    /// Reports `wget` run without `--progress`, `-q`/`--quiet`, `-nv`/`--no-verbose`, or
    /// an output log (`-o`/`--output-file`, `-a`/`--append-output`).
    ///
    /// ## Why is this bad
    /// wget's default progress bar writes a line for every few kilobytes when the output
    /// is not a terminal, so a large download fills the build log with thousands of lines.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN wget https://example.com/tool.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN wget --progress=dot:giga https://example.com/tool.tar.gz
    /// ```
    pub WgetProgressBar {
        code: "DL3047",
        name: "wget-progress-bar",
        severity: Info,
        scope: Stage,
        check: check,
    }
}

const QUIET_FLAGS: &[&str] = &[
    "progress",
    "q",
    "quiet",
    "o",
    "output-file",
    "a",
    "append-output",
    "no-verbose",
];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in runs(model, cx.focus()) {
        for command in &run.commands {
            if !command.is("wget") {
                continue;
            }
            if command.has_any_flag(QUIET_FLAGS) || command.has_arg("-nv") {
                continue;
            }
            cx.report(
                command.span,
                "wget prints a progress line every few kilobytes into the build log: add `--progress=dot:giga` or `-nv`",
            );
        }
    }
}
