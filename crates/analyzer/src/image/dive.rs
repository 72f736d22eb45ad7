//! dive 0.13.1's figures, computed with dive's own formulas so that existing `.dive-ci` gates
//! keep their meaning. These numbers are path-based, not byte-based: they miss folder
//! whiteouts and opaque folders, and count the surviving copy of an overwritten file as waste.
//! The union-filesystem figures in the report are the measured ones.

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

use serde::Serialize;

use crate::FastMap;

use super::entry::{Entry, EntryKind, parent};

/// dive's efficiency score, wasted bytes and user wasted ratio.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DiveFigures {
    /// Σ smallest size of each path / Σ cumulative size of each path, over the leaf paths of
    /// every layer; 1.0 when there are no bytes.
    pub efficiency: f64,
    /// Σ cumulative size of every path seen in two or more layers, surviving copy included.
    pub wasted_bytes: u64,
    /// Content bytes of every layer but the first, which dive calls the user's layers.
    pub user_bytes: u64,
    /// `wasted_bytes / user_bytes`. dive prints NaN when `user_bytes` is 0; this is 0 then.
    pub user_wasted_ratio: f64,
}

#[derive(Clone, Copy)]
enum LeafKind {
    Folder,
    File(u64),
    Whiteout { folder: bool },
}

#[derive(Default)]
struct PathTotals {
    cumulative: u64,
    smallest: u64,
    count: u64,
}

/// Computes dive's figures over the layers in order. A layer that could not be read is passed
/// as `None` and contributes nothing.
//
// NOTE: dive stops visiting a layer's remaining leaves when a whiteout names a path missing
// from the lower layers (it logs the error and goes on with the next layer). That case is not
// emulated: such a whiteout counts 0 bytes and the visit goes on.
pub fn dive_figures(layers: &[Option<&[Entry]>]) -> DiveFigures {
    // The stacked tree of the layers seen so far: path → size, `None` for folders. Opaque
    // markers are ignored, as dive drops them. Every path, folders implied by a deeper path
    // included, is a slice of some entry's path, so no map allocates a key.
    let mut stacked: BTreeMap<&str, Option<u64>> = BTreeMap::new();
    let mut paths: FastMap<&str, PathTotals> = FastMap::default();
    let mut total_bytes = 0u64;
    let mut first_layer_bytes = 0u64;

    for (index, entries) in layers.iter().enumerate() {
        let Some(entries) = entries else { continue };
        let layer_bytes: u64 = entries.iter().map(|entry| entry.size).sum();
        total_bytes += layer_bytes;
        if index == 0 {
            first_layer_bytes = layer_bytes;
        }

        let tree = layer_tree(entries, &stacked);
        let parents: HashSet<&str, foldhash::fast::RandomState> =
            tree.keys().map(|path| parent(path)).collect();
        for (&path, kind) in &tree {
            if parents.contains(path) {
                continue;
            }
            let size = match *kind {
                LeafKind::Folder => 0,
                LeafKind::File(size) => size,
                LeafKind::Whiteout { folder: true } => subtree_bytes(&stacked, path),
                LeafKind::Whiteout { folder: false } => 0,
            };
            let totals = paths.entry(path).or_default();
            totals.smallest = if totals.count == 0 {
                size
            } else {
                totals.smallest.min(size)
            };
            totals.cumulative += size;
            totals.count += 1;
        }

        for (path, kind) in tree {
            match kind {
                LeafKind::Whiteout { folder } => {
                    if folder {
                        remove_subtree(&mut stacked, path);
                    }
                    stacked.remove(path);
                }
                LeafKind::Folder => {
                    stacked.insert(path, None);
                }
                LeafKind::File(size) => {
                    stacked.insert(path, Some(size));
                }
            }
        }
    }

    let smallest: u64 = paths.values().map(|totals| totals.smallest).sum();
    let cumulative: u64 = paths.values().map(|totals| totals.cumulative).sum();
    let wasted_bytes = paths
        .values()
        .filter(|totals| totals.count >= 2)
        .map(|totals| totals.cumulative)
        .sum();
    let user_bytes = total_bytes - first_layer_bytes;
    DiveFigures {
        efficiency: ratio_or(smallest, cumulative, 1.0),
        wasted_bytes,
        user_bytes,
        user_wasted_ratio: ratio_or(wasted_bytes, user_bytes, 0.0),
    }
}

/// One layer's own tree as dive builds it: every entry plus the folders its paths imply.
fn layer_tree<'a>(
    entries: &'a [Entry],
    stacked: &BTreeMap<&str, Option<u64>>,
) -> BTreeMap<&'a str, LeafKind> {
    let mut tree: BTreeMap<&str, LeafKind> = BTreeMap::new();
    for entry in entries {
        let path: &str = &entry.path;
        match entry.kind {
            EntryKind::OpaqueDirectory => continue,
            EntryKind::Whiteout => {
                let folder = matches!(stacked.get(path), Some(None));
                tree.insert(path, LeafKind::Whiteout { folder });
            }
            EntryKind::Directory => {
                tree.entry(path).or_insert(LeafKind::Folder);
            }
            _ => {
                tree.insert(path, LeafKind::File(entry.size));
            }
        }
        // A folder already in the tree has had its own parents added with it.
        let mut folder = parent(path);
        while !folder.is_empty() && !tree.contains_key(folder) {
            tree.insert(folder, LeafKind::Folder);
            folder = parent(folder);
        }
    }
    tree
}

fn subtree_bytes(stacked: &BTreeMap<&str, Option<u64>>, folder: &str) -> u64 {
    let prefix = format!("{folder}/");
    stacked
        .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
        .take_while(|(path, _)| path.starts_with(&prefix))
        .filter_map(|(_, size)| *size)
        .sum()
}

fn remove_subtree(stacked: &mut BTreeMap<&str, Option<u64>>, folder: &str) {
    let prefix = format!("{folder}/");
    let below: Vec<&str> = stacked
        .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
        .take_while(|(path, _)| path.starts_with(&prefix))
        .map(|(&path, _)| path)
        .collect();
    for path in below {
        stacked.remove(path);
    }
}

/// Returns `numerator / denominator`, or `fallback` when the denominator is 0, so that no
/// figure is ever NaN.
pub fn ratio_or(numerator: u64, denominator: u64, fallback: f64) -> f64 {
    if denominator == 0 {
        fallback
    } else {
        numerator as f64 / denominator as f64
    }
}
