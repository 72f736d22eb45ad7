//! BL2009: `ADD` of a remote archive, which stays packed in the layer.

use crate::diagnostic::{Edit, Fix};
use crate::model::{Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports an `ADD` whose source is an `http://` or `https://` URL of an archive
    /// (`.tar`, `.tar.gz`, `.tgz`, `.zip` and the like) without `--unpack`.
    ///
    /// ## Why is this bad
    /// `ADD` unpacks local tar archives but not downloaded ones: a URL source is stored as
    /// the file it is. The archive then stays in the layer, and unpacking it in a later
    /// `RUN` stores its content a second time.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// ADD https://example.com/tool-1.2.tar.gz /opt/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN curl -fsSL https://example.com/tool-1.2.tar.gz | tar -xz -C /opt
    /// ```
    ///
    /// Newer Dockerfile frontends also accept `ADD --unpack=true`, which downloads and
    /// unpacks in one step.
    ///
    /// ## Fix
    /// Adds `--unpack=true` to the `ADD`. The fix is unsafe: older BuildKit versions reject
    /// the flag, and the destination then receives the archive's content instead of the
    /// archive file.
    pub AddRemoteArchive {
        code: "BL2009",
        name: "add-remote-archive",
        severity: Warning,
        check: check,
    }
}

/// Suffixes of archive files.
const ARCHIVE_SUFFIXES: &[&str] = &[
    ".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tbz2", ".txz", ".tar", ".zip", ".gz",
    ".bz2", ".xz", ".zst",
];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let Typed::Add(add) = &inst.args else {
            continue;
        };
        if inst.syntax.flag("unpack").is_some() {
            continue;
        }
        let Some(archive) = add
            .sources
            .iter()
            .find(|word| is_remote_archive(&unquote(&word.value)))
        else {
            continue;
        };
        let keyword = inst.syntax.keyword_span;
        cx.report(
            archive.span,
            "ADD does not unpack a downloaded archive, so the archive stays in the layer: download and unpack it in one RUN (`curl -fsSL URL | tar -xz -C DIR`), or use `ADD --unpack=true`",
        )
        .fix(Fix::unsafe_(
            "Add `--unpack=true`",
            vec![Edit::insert(keyword.end, " --unpack=true")],
        ));
    }
}

fn is_remote_archive(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return false;
    }
    let path = lower.split(['?', '#']).next().unwrap_or(&lower);
    ARCHIVE_SUFFIXES.iter().any(|suffix| path.ends_with(suffix))
}
