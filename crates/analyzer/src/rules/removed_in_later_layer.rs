//! RemovedInLaterLayer: bytes one instruction adds that a later one deletes or replaces.

use std::collections::BTreeMap;

use crate::attribution::evidence::{first_line_span, format_bytes};
use crate::image::HideReason;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports, in a built image, files that one instruction stores and a later instruction
    /// deletes or overwrites, with the bytes they take. The finding sits on the line that
    /// stored them and names the line that hid them.
    ///
    /// ## Why is this bad
    /// A layer is never changed by the layers above it: deleting a file in a later `RUN` only
    /// adds a whiteout, and the bytes still ship with the image and are pulled by every host.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY vendor-bundle.tgz /tmp/
    /// RUN tar -xzf /tmp/vendor-bundle.tgz -C /opt
    /// RUN rm /tmp/vendor-bundle.tgz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=bind,source=vendor-bundle.tgz,target=/tmp/vendor-bundle.tgz \
    ///     tar -xzf /tmp/vendor-bundle.tgz -C /opt
    /// ```
    ///
    /// ## Fix
    /// Create and delete the files in the same `RUN`, mount them for the one step that needs
    /// them, or build them in an earlier stage and copy only the result.
    pub RemovedInLaterLayer {
        code: "BL3001",
        name: "removed-in-later-layer",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let Some(evidence) = cx.evidence else {
        return;
    };
    let model = cx.model;
    // (storing instruction, hiding instruction) → (bytes, files, an example path).
    let mut pairs: BTreeMap<(usize, usize), (u64, usize, String)> = BTreeMap::new();
    for wasted in evidence.analysis.wasted_files() {
        if wasted.reason == HideReason::MetadataOnly || wasted.stored_in < evidence.base_layers() {
            continue;
        }
        let (Some(stored), Some(hidden)) = (
            evidence.anchor(model, wasted.stored_in),
            evidence.anchor(model, wasted.hidden_by),
        ) else {
            continue;
        };
        let pair = pairs
            .entry((stored, hidden))
            .or_insert((0, 0, String::new()));
        pair.0 += wasted.bytes;
        pair.1 += 1;
        if pair.2.is_empty() {
            pair.2 = format!("/{}", wasted.path);
        }
    }

    for ((stored, hidden), (bytes, files, example)) in pairs {
        let span = first_line_span(model, stored);
        let hidden_line = model.instructions[hidden].syntax.start_line;
        let what = if files == 1 {
            example
        } else {
            format!("{files} files such as {example}")
        };
        let advice = if stored == hidden {
            "the instruction replaces its own files; write each file once"
        } else {
            "create and delete them in one RUN, mount them for the step that needs them, or use a build stage"
        };
        let diagnostic = cx.report(
            span,
            format!(
                "{} stored here ({what}) are deleted or replaced at line {hidden_line} but still ship with the image; {advice}",
                format_bytes(bytes)
            ),
        )
        .label(first_line_span(model, hidden), "hidden here");
        evidence.record_bytes(diagnostic, bytes);
    }
}
