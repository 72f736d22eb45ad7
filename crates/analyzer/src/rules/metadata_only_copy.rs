//! MetadataOnlyCopy: a `chmod`, `chown` or `touch` that copies whole files into a new layer.

use std::collections::BTreeMap;

use crate::attribution::evidence::{first_line_span, format_bytes};
use crate::image::HideReason;
use crate::image::tree::MetadataChange;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports, in a built image, an instruction that changed only the mode, owner or time of
    /// files an earlier layer stored, or made a hard link to them, with the bytes it copied.
    ///
    /// ## Why is this bad
    /// Layers store whole files. Changing a file's metadata in a later layer copies the file
    /// into that layer, so the image carries it twice. A hard link (`ln`) to a file of an
    /// earlier layer changes the file's link count, so it copies the file the same way.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY app/ /srv/app/
    /// RUN chown -R 1000:1000 /srv/app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY --chown=1000:1000 app/ /srv/app/
    /// ```
    ///
    /// ## Fix
    /// Set the owner and mode while copying with `COPY --chown` and `COPY --chmod`, or change
    /// them in the same `RUN` that creates the files. Make a hard link in the `RUN` that
    /// creates its target, or use a symbolic link (`ln -s`).
    ///
    /// ## Overlapping rules
    /// BL2011 reports a `RUN` that runs `chown` or `chmod` on files an earlier `COPY` or
    /// `ADD` added, from the Dockerfile alone, on the same line, so `ballast build` can
    /// show both findings for one change. To see only one of the two, turn the other off,
    /// for example with `ignore = ["BL2011"]` in `.ballast.toml` or `ignored: [BL2011]` in
    /// `.hadolint.yaml`. `ballast build` reads the same configuration as `ballast lint` and
    /// has no `--ignore` option.
    pub MetadataOnlyCopy {
        code: "BL3002",
        name: "metadata-only-copy",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let Some(evidence) = cx.evidence else {
        return;
    };
    let model = cx.model;
    // hiding instruction → (bytes, files, storing instructions, what changed).
    let mut by_hider: BTreeMap<usize, (u64, usize, Vec<usize>, MetadataChange)> = BTreeMap::new();
    for wasted in evidence.analysis.wasted_files() {
        if wasted.reason != HideReason::MetadataOnly {
            continue;
        }
        let Some(hidden) = evidence.anchor(model, wasted.hidden_by) else {
            continue;
        };
        let entry = by_hider
            .entry(hidden)
            .or_insert((0, 0, Vec::new(), MetadataChange::default()));
        entry.0 += wasted.bytes;
        entry.1 += 1;
        if let Some(changed) = wasted.changed {
            entry.3.mode |= changed.mode;
            entry.3.owner |= changed.owner;
            entry.3.mtime |= changed.mtime;
            entry.3.links |= changed.links;
        }
        if let Some(stored) = evidence.anchor(model, wasted.stored_in)
            && !entry.2.contains(&stored)
        {
            entry.2.push(stored);
        }
    }

    for (hidden, (bytes, files, stored, changed)) in by_hider {
        let span = first_line_span(model, hidden);
        let lines: Vec<String> = stored
            .iter()
            .map(|&index| model.instructions[index].syntax.start_line.to_string())
            .collect();
        let noun = if files == 1 { "file" } else { "files" };
        let lines = lines.join(", ");
        let bytes_text = format_bytes(bytes);
        let message = if changed.links && !changed.owner && !changed.mode {
            format!(
                "this instruction makes a hard link to {files} {noun} from line {lines} and so stores {bytes_text} again; a new link to a file of an earlier layer copies the file into this layer even when its content, owner and mode stay the same: make the link in the RUN that creates the file, or use `ln -s`"
            )
        } else if changed == MetadataChange::default() {
            format!(
                "this instruction stores {files} {noun} from line {lines} again ({bytes_text}) with the same content, owner, mode and time; a `chmod` or `chown` to the current value or a change of extended attributes copies a file whole: drop that command or run it in the RUN that creates the files"
            )
        } else {
            format!(
                "this instruction changes only the {} of {files} {noun} from line {lines} and stores {bytes_text} again; {}",
                changed_text(changed),
                advice(changed)
            )
        };
        let diagnostic = cx.report(span, message);
        for &index in &stored {
            diagnostic.label(first_line_span(model, index), "first stored here");
        }
        evidence.record_bytes(diagnostic, bytes);
    }
}

/// Names what changed: "mode", "owner and mode", "modification time"; "metadata" when the
/// image does not record it.
fn changed_text(changed: MetadataChange) -> String {
    let mut parts = Vec::new();
    if changed.owner {
        parts.push("owner");
    }
    if changed.mode {
        parts.push("mode");
    }
    if changed.mtime {
        parts.push("modification time");
    }
    if changed.links {
        parts.push("link count");
    }
    match parts.as_slice() {
        [] => "metadata".to_owned(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Returns the advice that avoids the copy when the owner, the mode or the time changed. COPY
/// sets owner and mode but not the time, so a change of time alone is avoided only in the
/// instruction that creates the files.
fn advice(changed: MetadataChange) -> &'static str {
    match (changed.owner, changed.mode) {
        (true, true) => "set them with `COPY --chown`/`--chmod` or in the RUN that creates the files",
        (true, false) => "set the owner with `COPY --chown` or in the RUN that creates the files",
        (false, true) => "set the mode with `COPY --chmod` or in the RUN that creates the files",
        (false, false) => "set the time in the RUN that creates the files, or leave it as it is",
    }
}
