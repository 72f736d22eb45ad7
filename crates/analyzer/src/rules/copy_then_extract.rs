//! DL3010: a local archive copied in and extracted by a later `RUN`.

use crate::model::{Typed, unquote};
use crate::rules::Context;
use crate::rules::packages::{ShellCommand, basename, runs};

/// Suffixes of archives that `ADD` unpacks.
const ARCHIVE_SUFFIXES: &[&str] = &[
    ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
    ".tpz", ".txz", ".xz",
];

/// Commands that unpack or decompress their file operands.
const EXTRACTORS: &[&str] = &[
    "unzip",
    "gunzip",
    "bunzip2",
    "unlzma",
    "unxz",
    "zgz",
    "uncompress",
    "zcat",
    "gzcat",
];

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` of a local tar or compressed archive that a later `RUN` of the same
    /// stage extracts (`tar -x`, `gunzip`, `unxz`, …).
    ///
    /// ## Why is this bad
    /// The archive stays in the `COPY` layer even after the `RUN` removes it, so the image
    /// carries the files twice. `ADD` unpacks a local archive in the same step, and a
    /// `RUN --mount=type=bind` can extract it without copying it into a layer at all.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// COPY app.tar.gz /tmp/
    /// RUN tar -xzf /tmp/app.tar.gz -C /opt && rm /tmp/app.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// ADD app.tar.gz /opt/
    /// ```
    pub CopyThenExtract {
        code: "DL3010",
        name: "copy-then-extract",
        severity: Info,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    // A COPY is checked against the RUNs of its own stage, so the RUNs of the stages in
    // focus are enough.
    let focus = cx.focus();
    let runs = runs(model, focus);
    for inst in focus.instructions(model) {
        let Typed::Copy(copy) = &inst.args else {
            continue;
        };
        if copy.from.is_some() || inst.stage.is_none() {
            continue;
        }
        let target = copy
            .destination
            .map(|word| unquote(&word.value))
            .unwrap_or_default();
        let target_name = basename(&target);
        for source in copy.sources {
            if copy.is_heredoc_source(source) {
                continue;
            }
            let source_text = unquote(&source.value);
            let name = if is_archive(target_name) {
                target_name
            } else if is_archive(basename(&source_text)) {
                basename(&source_text)
            } else {
                continue;
            };
            let extracted = runs.iter().any(|run| {
                !run.onbuild
                    && run.stage() == inst.stage
                    && run.inst.index > inst.index
                    && run.commands.iter().any(|command| extracts(command, name))
            });
            if extracted {
                cx.report(
                    source.span,
                    format!("`{name}` is extracted by a later RUN but stays in this layer; use ADD to unpack it, or a bind mount"),
                );
            }
        }
    }
}

fn is_archive(name: &str) -> bool {
    ARCHIVE_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
}

/// Whether `command` unpacks a file called `name`.
fn extracts(command: &ShellCommand, name: &str) -> bool {
    let unpacks = if command.is("tar") {
        command.has_any_flag(&["x", "extract", "get"])
    } else {
        EXTRACTORS.contains(&command.name.as_str())
    };
    unpacks && command.operands().any(|arg| basename(&arg.text) == name)
}
