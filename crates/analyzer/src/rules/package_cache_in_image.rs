//! PackageCacheInImage: package-manager caches that ship in the final image.

use std::collections::BTreeMap;

use crate::attribution::evidence::{first_line_span, format_bytes};
use crate::image::entry::EntryKind;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports, in a built image, package-manager caches left in the final filesystem: apt
    /// lists and archives, pip, npm, yarn and apk caches, Go's build cache and Python's
    /// `__pycache__` folders, with their size, on the instruction that stored them.
    ///
    /// ## Why is this bad
    /// A container never needs these files to run; they only make the image larger. The
    /// package manager rebuilds them when it runs again.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix
    /// Remove the cache in the same `RUN` that fills it, turn the cache off (`pip install
    /// --no-cache-dir`, `apk add --no-cache`), or use `RUN --mount=type=cache`.
    pub PackageCacheInImage {
        code: "BL3003",
        name: "package-cache-in-image",
        severity: Warning,
        check: check,
    }
}

/// Returns the cache a path belongs to, by its place in the filesystem.
pub(crate) fn cache_kind(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    let has_pair = |first: &str, second: &str| {
        segments
            .windows(2)
            .any(|pair| pair[0] == first && pair[1] == second)
    };
    if path.starts_with("var/lib/apt/lists/") {
        return Some("apt lists");
    }
    if path.starts_with("var/cache/apt/") {
        return Some("apt archives");
    }
    if path.starts_with("var/cache/apk/") || path.starts_with("etc/apk/cache/") {
        return Some("apk cache");
    }
    if has_pair(".cache", "pip") {
        return Some("pip cache");
    }
    if has_pair(".cache", "yarn") || path.starts_with("usr/local/share/.cache/yarn/") {
        return Some("yarn cache");
    }
    if has_pair(".cache", "go-build") {
        return Some("Go build cache");
    }
    if segments.contains(&".npm") {
        return Some("npm cache");
    }
    if segments.contains(&"__pycache__") {
        return Some("__pycache__");
    }
    None
}

fn check(cx: &mut Context<'_>) {
    let Some(evidence) = cx.evidence else {
        return;
    };
    let model = cx.model;
    // (instruction, cache) → bytes.
    let mut found: BTreeMap<(usize, &'static str), u64> = BTreeMap::new();
    for (path, node) in evidence.analysis.tree.nodes() {
        if node.kind != EntryKind::File || node.size == 0 {
            continue;
        }
        let Some(kind) = cache_kind(path) else {
            continue;
        };
        // apt's lock files are empty and its partial folders hold no data worth a finding.
        if path.ends_with("/lock") {
            continue;
        }
        let Some(instruction) = evidence.anchor(model, node.layer) else {
            continue;
        };
        *found.entry((instruction, kind)).or_insert(0) += node.size;
    }
    for ((instruction, kind), bytes) in found {
        let span = first_line_span(model, instruction);
        let diagnostic = cx.report(
            span,
            format!(
                "the {kind} stored by this instruction ships in the image: {}; remove it in the same RUN or use a cache mount",
                format_bytes(bytes)
            ),
        );
        evidence.record_bytes(diagnostic, bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::cache_kind;

    #[test]
    fn cache_paths() {
        assert_eq!(cache_kind("var/lib/apt/lists/deb_dists"), Some("apt lists"));
        assert_eq!(cache_kind("root/.cache/pip/http/x"), Some("pip cache"));
        assert_eq!(cache_kind("root/.npm/_cacache/index"), Some("npm cache"));
        assert_eq!(
            cache_kind("app/__pycache__/m.cpython-311.pyc"),
            Some("__pycache__")
        );
        assert_eq!(
            cache_kind("root/.cache/go-build/ab/cd"),
            Some("Go build cache")
        );
        assert_eq!(cache_kind("usr/bin/pip"), None);
    }
}
