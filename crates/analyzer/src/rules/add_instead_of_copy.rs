//! DL3020: `ADD` of local files, where `COPY` does the same.

use ballast_parser::{Instruction, Word};

use crate::diagnostic::{Edit, Fix};
use crate::model::{CopyArgs, Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports `ADD` instructions that copy local files or folders, which `COPY` does
    /// the same way.
    ///
    /// ## Why is this bad
    /// `ADD` also downloads URLs, clones Git repositories and unpacks local tar archives.
    /// A reader of `ADD app.py /app/` has to check which of these happens, and renaming
    /// a source to end in `.tar.gz` silently changes what the instruction does. `COPY`
    /// only copies.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ADD requirements.txt /app/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY requirements.txt /app/
    /// ```
    ///
    /// ## Fix
    /// Replaces `ADD` with `COPY`. The fix is safe when every source is a plain local path
    /// and `ADD` has no flag that `COPY` lacks (`--checksum`, `--keep-git-dir`,
    /// `--unpack`). It is unsafe when a source contains a variable, which could expand to
    /// an archive that `ADD` would unpack.
    pub AddInsteadOfCopy {
        code: "DL3020",
        name: "add-instead-of-copy",
        severity: Error,
        check: check,
    }
}

/// Archive suffixes that make `ADD` unpack a local file: the compressions BuildKit
/// detects (gzip, bzip2, xz, zstd, lzma, compress) and their tar shorthands.
const ARCHIVE_SUFFIXES: &[&str] = &[
    ".tar", ".gz", ".tgz", ".bz2", ".tbz", ".tbz2", ".tb2", ".xz", ".txz", ".zst", ".tzst", ".lz",
    ".lzma", ".tlz", ".z", ".tz", ".tpz",
];

/// `ADD` flags that `COPY` does not accept.
const ADD_ONLY_FLAGS: &[&str] = &["checksum", "keep-git-dir", "unpack"];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let Typed::Add(add) = &inst.args else {
            continue;
        };
        check_add(cx, inst.syntax, add);
    }
}

fn check_add(cx: &mut Context<'_>, instruction: &Instruction, add: &CopyArgs<'_>) {
    let local: Vec<&Word> = add
        .sources
        .iter()
        .filter(|word| !add.is_heredoc_source(word) && is_plain_local(word))
        .collect();
    if local.is_empty() {
        return;
    }
    let span = instruction.keyword_span;
    let diagnostic = cx.report(
        span,
        "use COPY to copy local files: ADD also downloads URLs and unpacks archives, so COPY says what happens",
    );

    let every_source_plain = local.len() + add.heredocs.len() == add.sources.len();
    let has_add_only_flag = instruction
        .flags
        .iter()
        .any(|flag| ADD_ONLY_FLAGS.contains(&flag.name.as_str()));
    if !every_source_plain || has_add_only_flag {
        return;
    }
    let replacement = if instruction
        .keyword_text
        .chars()
        .all(|c| c.is_ascii_lowercase())
    {
        "copy"
    } else {
        "COPY"
    };
    let edits = vec![Edit::replace(span, replacement)];
    let has_variable = local.iter().any(|word| word.value.contains('$'));
    let fix = if has_variable {
        Fix::unsafe_("Replace `ADD` with `COPY`", edits)
    } else {
        Fix::safe("Replace `ADD` with `COPY`", edits)
    };
    diagnostic.fix(fix);
}

/// Returns whether a source is a local path that `ADD` copies without unpacking or downloading.
fn is_plain_local(word: &Word) -> bool {
    let source = unquote(&word.value);
    let lower = source.to_ascii_lowercase();
    let remote = ["http://", "https://", "git://", "git@", "ssh://"]
        .iter()
        .any(|prefix| lower.starts_with(prefix));
    let archive = ARCHIVE_SUFFIXES
        .iter()
        .any(|suffix| lower.ends_with(suffix));
    !remote && !archive
}
