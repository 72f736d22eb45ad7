//! The size report: a plain, serializable value that the command line prints as a table or as
//! JSON. Its JSON form is versioned (see `SCHEMA_VERSION`) and documented in
//! `docs/image-report.md`.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use serde::Serialize;

use super::compression::Compression;
use super::digests::DigestCheck;
use super::dive::{DiveFigures, ratio_or};
use super::entry::{ContentHash, EntryKind};
use super::history::HistoryEntry;
use super::layer::LayerContents;
use super::layout::{ArchiveFormat, PlatformSpec};
use super::tree::{HideReason, MergedTree, MetadataChange, WastedFile};

/// Bumped when a field changes meaning or is removed; adding fields keeps the version.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub source: SourceInfo,
    /// False when some layer could not be read; the figures then cover the readable layers.
    pub complete: bool,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub totals: Totals,
    pub base: BaseScope,
    pub dive: DiveFigures,
    pub layers: Vec<LayerReport>,
    pub history: Vec<HistoryEntry>,
    pub wasted: WasteSummary,
    pub duplicates: DuplicateSummary,
    pub largest_files: Vec<FileSize>,
    /// The comparison of computed and declared layer digests, with `--verify-digests` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digests: Option<DigestCheck>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    pub description: String,
    pub format: ArchiveFormat,
    pub reference: Option<String>,
    pub platform: Option<PlatformSpec>,
    /// Digest of the image config (the image id), when known.
    pub config_digest: Option<String>,
    pub architecture: Option<String>,
    pub os: Option<String>,
    pub created: Option<String>,
}

/// Whole-image figures. Bytes are file content bytes unless the name says otherwise.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub layers: usize,
    /// Σ blob sizes as stored in the source (compressed for gzip and zstd layers).
    pub blob_bytes: u64,
    /// Σ uncompressed tar stream sizes.
    pub tar_bytes: u64,
    /// Σ regular file bytes over all layers.
    pub stored_bytes: u64,
    /// Regular file bytes visible in the final filesystem.
    pub final_bytes: u64,
    /// `stored_bytes - final_bytes`: bytes shipped that no container can see.
    pub wasted_bytes: u64,
    /// `final_bytes / stored_bytes`, 1.0 for an image without file bytes.
    pub efficiency: f64,
    /// Paths in the final filesystem (files, folders, links).
    pub final_paths: usize,
}

/// Figures for the layers above the base image: the part a Dockerfile can change.
#[derive(Debug, Clone, Serialize)]
pub struct BaseScope {
    /// Layers counted as the base, from the bottom.
    pub layers: usize,
    /// The source of `layers`: `option` (given by the caller), `attribution` (the layers
    /// that `ballast build` tied to the base image) or `first-layer` (dive's convention, which
    /// counts only the first layer as the base).
    pub chosen_by: String,
    pub base_stored_bytes: u64,
    /// Σ regular file bytes stored in the layers above the base.
    pub stored_bytes: u64,
    /// Bytes stored above the base and hidden later.
    pub wasted_bytes: u64,
    /// `wasted_bytes / stored_bytes`, 0.0 when nothing is stored above the base.
    pub wasted_ratio: f64,
    /// Base bytes that layers above the base hid: they still ship with the image.
    pub base_bytes_hidden: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    pub index: usize,
    /// The layer's diff id (sha256 of the uncompressed tar) from the config.
    pub diff_id: Option<String>,
    /// Digest of the blob, when the manifest gives one.
    pub blob_digest: Option<String>,
    pub media_type: Option<String>,
    pub path: String,
    pub readable: bool,
    pub compression: Option<Compression>,
    pub blob_bytes: u64,
    pub tar_bytes: u64,
    pub stored_bytes: u64,
    /// This layer's bytes still visible in the final filesystem.
    pub visible_bytes: u64,
    /// This layer's bytes hidden by a later layer (or by itself, for a duplicate path).
    pub hidden_later_bytes: u64,
    /// Bytes of lower layers that this layer hid.
    pub hid_lower_bytes: u64,
    pub entries: usize,
    pub files: u64,
    pub folders: u64,
    pub symlinks: u64,
    pub hardlinks: u64,
    pub files_added: u64,
    pub files_changed: u64,
    pub files_removed: u64,
    pub file_whiteouts: u64,
    pub folder_whiteouts: u64,
    pub opaque_folders: u64,
    /// The history entry that made this layer.
    pub history: Option<HistoryEntry>,
    pub largest_files: Vec<LayerFile>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerFile {
    pub path: String,
    pub bytes: u64,
    /// Whether this copy is the one visible in the final filesystem.
    pub visible: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileSize {
    pub path: String,
    pub bytes: u64,
    pub layer: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct WasteSummary {
    pub bytes: u64,
    pub files: usize,
    pub by_reason: BTreeMap<HideReason, ReasonTotal>,
    /// Wasted bytes by the layer that stored them and the layer that hid them.
    pub by_layers: Vec<LayerPairWaste>,
    /// The largest wasted files, largest first.
    pub top_files: Vec<WastedFile>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ReasonTotal {
    pub bytes: u64,
    pub files: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerPairWaste {
    pub stored_in: usize,
    pub hidden_by: usize,
    pub bytes: u64,
    pub files: usize,
    pub metadata_only_bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DuplicateSummary {
    /// Bytes that all copies but one of each group take.
    pub wasted_bytes: u64,
    pub groups: usize,
    /// The groups with the most duplicated bytes, largest first.
    pub top_groups: Vec<DuplicateGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DuplicateGroup {
    pub bytes_each: u64,
    pub paths: Vec<String>,
    pub wasted_bytes: u64,
}

/// The decoded state of one layer.
pub struct LayerInput<'a> {
    pub path: String,
    pub diff_id: Option<String>,
    pub blob_digest: Option<String>,
    pub media_type: Option<String>,
    pub contents: Option<&'a LayerContents>,
}

pub struct ReportInput<'a> {
    pub source: SourceInfo,
    pub layers: Vec<LayerInput<'a>>,
    pub history: Vec<HistoryEntry>,
    pub tree: &'a MergedTree,
    pub dive: DiveFigures,
    pub base_layers: Option<usize>,
    pub top: usize,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

pub fn build_report(input: ReportInput<'_>) -> Report {
    let tree = input.tree;
    let layer_count = input.layers.len();

    let mut visible_by_layer = vec![0u64; layer_count];
    for (_, node) in tree.nodes() {
        if let Some(slot) = visible_by_layer.get_mut(node.layer) {
            *slot += node.size;
        }
    }
    let mut hidden_by_layer = vec![0u64; layer_count];
    for wasted in tree.wasted() {
        if let Some(slot) = hidden_by_layer.get_mut(wasted.stored_in) {
            *slot += wasted.bytes;
        }
    }

    let layers: Vec<LayerReport> = input
        .layers
        .iter()
        .enumerate()
        .map(|(index, layer)| {
            layer_report(
                index,
                layer,
                tree,
                visible_by_layer[index],
                hidden_by_layer[index],
                &input.history,
                input.top,
            )
        })
        .collect();

    let stored_bytes: u64 = layers.iter().map(|layer| layer.stored_bytes).sum();
    let final_bytes = tree.visible_bytes();
    let wasted_bytes: u64 = tree.wasted().iter().map(|wasted| wasted.bytes).sum();
    let totals = Totals {
        layers: layer_count,
        blob_bytes: layers.iter().map(|layer| layer.blob_bytes).sum(),
        tar_bytes: layers.iter().map(|layer| layer.tar_bytes).sum(),
        stored_bytes,
        final_bytes,
        wasted_bytes,
        efficiency: ratio_or(final_bytes, stored_bytes, 1.0),
        final_paths: tree.len(),
    };

    let (base_count, chosen_by) = match input.base_layers {
        Some(count) => (count, "option"),
        None => (layer_count.min(1), "first-layer"),
    };
    let base = base_scope(&layers, tree, base_count, chosen_by);

    Report {
        schema_version: SCHEMA_VERSION,
        source: input.source,
        complete: input.errors.is_empty(),
        errors: input.errors,
        warnings: input.warnings,
        totals,
        base,
        dive: input.dive,
        layers,
        history: input.history,
        wasted: waste_summary(tree.wasted(), input.top),
        duplicates: duplicate_summary(tree, input.top),
        largest_files: largest_final_files(tree, input.top),
        digests: None,
    }
}

fn layer_report(
    index: usize,
    layer: &LayerInput<'_>,
    tree: &MergedTree,
    visible_bytes: u64,
    hidden_later_bytes: u64,
    history: &[HistoryEntry],
    top: usize,
) -> LayerReport {
    let changes = tree.changes(index);
    let mut report = LayerReport {
        index,
        diff_id: layer.diff_id.clone(),
        blob_digest: layer.blob_digest.clone(),
        media_type: layer.media_type.clone(),
        path: layer.path.clone(),
        readable: layer.contents.is_some(),
        compression: layer.contents.map(|contents| contents.compression),
        blob_bytes: 0,
        tar_bytes: 0,
        stored_bytes: 0,
        visible_bytes,
        hidden_later_bytes,
        hid_lower_bytes: changes.hid_lower_bytes,
        entries: 0,
        files: 0,
        folders: 0,
        symlinks: 0,
        hardlinks: 0,
        files_added: changes.files_added,
        files_changed: changes.files_changed,
        files_removed: changes.files_removed,
        file_whiteouts: changes.file_whiteouts,
        folder_whiteouts: changes.folder_whiteouts,
        opaque_folders: changes.opaque_folders,
        history: history
            .iter()
            .find(|entry| entry.layer == Some(index))
            .cloned(),
        largest_files: Vec::new(),
        warnings: Vec::new(),
    };
    let Some(contents) = layer.contents else {
        return report;
    };

    report.blob_bytes = contents.blob_bytes;
    report.tar_bytes = contents.tar_bytes;
    report.stored_bytes = contents.content_bytes();
    report.entries = contents.entries.len();
    report.warnings = contents.warnings.clone();
    for entry in &contents.entries {
        match entry.kind {
            EntryKind::File => report.files += 1,
            EntryKind::Directory => report.folders += 1,
            EntryKind::Symlink => report.symlinks += 1,
            EntryKind::Hardlink => report.hardlinks += 1,
            _ => {}
        }
    }

    let largest = top_by(
        contents
            .entries
            .iter()
            .filter(|entry| entry.kind == EntryKind::File),
        |entry| entry.size,
        top,
    );
    report.largest_files = largest
        .into_iter()
        .map(|entry| LayerFile {
            path: format!("/{}", entry.path),
            bytes: entry.size,
            visible: tree
                .get(&entry.path)
                .is_some_and(|node| node.layer == index && node.kind == EntryKind::File),
        })
        .collect();
    report
}

/// Returns the `count` items with the largest keys, largest first; ties keep input order.
fn top_by<T>(items: impl Iterator<Item = T>, key: impl Fn(&T) -> u64, count: usize) -> Vec<T> {
    if count == 0 {
        return Vec::new();
    }
    let mut heap: BinaryHeap<Reverse<(u64, Reverse<usize>)>> = BinaryHeap::new();
    let mut kept: HashMap<usize, T> = HashMap::new();
    for (position, item) in items.enumerate() {
        let item_key = key(&item);
        if heap.len() < count {
            heap.push(Reverse((item_key, Reverse(position))));
            kept.insert(position, item);
        } else if let Some(Reverse((smallest, _))) = heap.peek()
            && item_key > *smallest
        {
            if let Some(Reverse((_, Reverse(evicted)))) = heap.pop() {
                kept.remove(&evicted);
            }
            heap.push(Reverse((item_key, Reverse(position))));
            kept.insert(position, item);
        }
    }
    let mut order: Vec<(u64, usize)> = heap
        .into_iter()
        .map(|Reverse((item_key, Reverse(position)))| (item_key, position))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    order
        .into_iter()
        .filter_map(|(_, position)| kept.remove(&position))
        .collect()
}

impl Report {
    /// Recomputes the base figures with the bottom `layers` layers as the base image, for a
    /// caller that learns the base's extent after the analysis (`ballast build` learns it from
    /// the history's alignment with the Dockerfile). `chosen_by` names that source.
    pub fn set_base_layers(&mut self, tree: &MergedTree, layers: usize, chosen_by: &str) {
        self.base = base_scope(&self.layers, tree, layers, chosen_by);
    }
}

/// Computes the figures of the layers above the bottom `base_count` ones (capped at the layer
/// count).
fn base_scope(
    layers: &[LayerReport],
    tree: &MergedTree,
    base_count: usize,
    chosen_by: &str,
) -> BaseScope {
    let base_count = base_count.min(layers.len());
    let stored_bytes: u64 = layers.iter().map(|layer| layer.stored_bytes).sum();
    let base_stored: u64 = layers[..base_count]
        .iter()
        .map(|layer| layer.stored_bytes)
        .sum();
    let above_stored = stored_bytes - base_stored;
    let above_wasted: u64 = tree
        .wasted()
        .iter()
        .filter(|wasted| wasted.stored_in >= base_count)
        .map(|wasted| wasted.bytes)
        .sum();
    let base_hidden: u64 = tree
        .wasted()
        .iter()
        .filter(|wasted| wasted.stored_in < base_count && wasted.hidden_by >= base_count)
        .map(|wasted| wasted.bytes)
        .sum();
    BaseScope {
        layers: base_count,
        chosen_by: chosen_by.to_owned(),
        base_stored_bytes: base_stored,
        stored_bytes: above_stored,
        wasted_bytes: above_wasted,
        wasted_ratio: ratio_or(above_wasted, above_stored, 0.0),
        base_bytes_hidden: base_hidden,
    }
}

fn waste_summary(wasted: &[WastedFile], top: usize) -> WasteSummary {
    let mut by_reason: BTreeMap<HideReason, ReasonTotal> = BTreeMap::new();
    let mut by_layers: BTreeMap<(usize, usize), LayerPairWaste> = BTreeMap::new();
    for file in wasted {
        let total = by_reason.entry(file.reason).or_default();
        total.bytes += file.bytes;
        total.files += 1;
        let pair = by_layers
            .entry((file.stored_in, file.hidden_by))
            .or_insert(LayerPairWaste {
                stored_in: file.stored_in,
                hidden_by: file.hidden_by,
                bytes: 0,
                files: 0,
                metadata_only_bytes: 0,
            });
        pair.bytes += file.bytes;
        pair.files += 1;
        if file.reason == HideReason::MetadataOnly {
            pair.metadata_only_bytes += file.bytes;
        }
    }
    let top_files = top_by(wasted.iter(), |file| file.bytes, top)
        .into_iter()
        .map(|file| WastedFile {
            path: format!("/{}", file.path).into(),
            ..file.clone()
        })
        .collect();
    WasteSummary {
        bytes: wasted.iter().map(|file| file.bytes).sum(),
        files: wasted.len(),
        by_reason,
        by_layers: by_layers.into_values().collect(),
        top_files,
    }
}

fn duplicate_summary(tree: &MergedTree, top: usize) -> DuplicateSummary {
    let mut groups: HashMap<(ContentHash, u64), Vec<&str>> = HashMap::new();
    for (path, node) in tree.nodes() {
        // A hard link carries bytes only when its target was hidden: it then keeps a copy of
        // its own visible, which another path can duplicate.
        if !matches!(node.kind, EntryKind::File | EntryKind::Hardlink) || node.size == 0 {
            continue;
        }
        if let Some(hash) = node.hash {
            groups.entry((hash, node.size)).or_default().push(path);
        }
    }
    let mut duplicates: Vec<DuplicateGroup> = groups
        .into_iter()
        .filter(|(_, paths)| paths.len() > 1)
        .map(|((_, size), paths)| DuplicateGroup {
            bytes_each: size,
            wasted_bytes: size * (paths.len() as u64 - 1),
            paths: paths.into_iter().map(|path| format!("/{path}")).collect(),
        })
        .collect();
    duplicates.sort_by(|a, b| {
        b.wasted_bytes
            .cmp(&a.wasted_bytes)
            .then_with(|| a.paths.cmp(&b.paths))
    });
    let wasted_bytes = duplicates.iter().map(|group| group.wasted_bytes).sum();
    let group_count = duplicates.len();
    duplicates.truncate(top);
    DuplicateSummary {
        wasted_bytes,
        groups: group_count,
        top_groups: duplicates,
    }
}

fn largest_final_files(tree: &MergedTree, top: usize) -> Vec<FileSize> {
    top_by(
        tree.nodes().filter(|(_, node)| node.size > 0),
        |(_, node)| node.size,
        top,
    )
    .into_iter()
    .map(|(path, node)| FileSize {
        path: format!("/{path}"),
        bytes: node.size,
        layer: node.layer,
    })
    .collect()
}

/// Lists the metadata-only rewrites, for callers that explain them.
pub fn metadata_only(wasted: &[WastedFile]) -> impl Iterator<Item = (&WastedFile, MetadataChange)> {
    wasted.iter().filter_map(|file| {
        (file.reason == HideReason::MetadataOnly).then(|| (file, file.changed.unwrap_or_default()))
    })
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
