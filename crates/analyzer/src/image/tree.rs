//! The merged file tree with union-filesystem semantics, and the waste it reveals: every byte
//! stored in a layer is either visible in the final filesystem or hidden by a later layer, and
//! each hidden file is recorded with the layer that stored it and the layer that hid it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;

use serde::Serialize;

use super::entry::{ContentHash, Entry, EntryKind, OPAQUE_MARKER, join};

/// A path visible in the merged tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// Index of the layer whose entry is visible.
    pub layer: usize,
    pub kind: EntryKind,
    /// Content bytes the path makes visible. A hardlink carries its target's bytes when the
    /// target itself was hidden, because the data stays reachable through the link.
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: u64,
    pub link: Option<Box<str>>,
    pub hash: Option<ContentHash>,
}

impl Node {
    fn from_entry(layer: usize, entry: &Entry) -> Node {
        Node {
            layer,
            kind: entry.kind,
            size: entry.size,
            mode: entry.mode,
            uid: entry.uid,
            gid: entry.gid,
            mtime: entry.mtime,
            link: entry.link.clone(),
            hash: entry.hash,
        }
    }

    fn is_directory(&self) -> bool {
        self.kind == EntryKind::Directory
    }
}

/// Why a stored file is not visible in the final filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HideReason {
    /// A whiteout (`rm`) removed the path or a folder above it.
    Deleted,
    /// An opaque folder marker hid the lower folder's contents.
    OpaqueFolder,
    /// A later entry at the same path with different content replaced it.
    Overwritten,
    /// A later entry at the same path has the same content and differs only in mode, owner,
    /// modification time or link count: the copy-up that `chmod`, `chown`, `touch` or a new
    /// hard link (`ln`) cause.
    MetadataOnly,
    /// A folder replaced a file, or a file or link replaced a folder and its subtree.
    TypeChanged,
}

/// What a metadata-only copy changed, relative to the copy it hides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MetadataChange {
    pub mode: bool,
    pub owner: bool,
    pub mtime: bool,
    /// A hard link of the hiding layer names the file, so its link count changed. Overlay
    /// filesystems copy a lower file up when a link to it is made, and the tar of the new
    /// layer stores the data again even if nothing else changed.
    pub links: bool,
}

/// A file whose stored bytes are not visible in the final filesystem.
#[derive(Debug, Clone, Serialize)]
pub struct WastedFile {
    pub path: Box<str>,
    pub bytes: u64,
    /// The layer whose tar stores the bytes.
    pub stored_in: usize,
    /// The layer whose entry hid them.
    pub hidden_by: usize,
    pub reason: HideReason,
    /// Set for `MetadataOnly`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed: Option<MetadataChange>,
}

/// Counts of what one layer did to the tree below it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LayerChanges {
    /// Non-folder paths that did not exist below this layer.
    pub files_added: u64,
    /// Non-folder paths that replaced an existing path.
    pub files_changed: u64,
    /// Non-folder paths of lower layers removed by this layer's whiteouts and opaque markers.
    pub files_removed: u64,
    pub file_whiteouts: u64,
    /// Whiteouts whose target was a folder (`rm -rf DIR`).
    pub folder_whiteouts: u64,
    pub opaque_folders: u64,
    /// Content bytes of lower layers that this layer hid.
    pub hid_lower_bytes: u64,
}

/// The merged tree after all layers, with the waste found on the way.
#[derive(Debug, Default)]
pub struct MergedTree {
    nodes: BTreeMap<Box<str>, Node>,
    wasted: Vec<WastedFile>,
    changes: Vec<LayerChanges>,
    /// Hardlinks by (layer, path of the file they share), so that hiding the file or one of
    /// its links can hand its bytes to a link that stays visible.
    links: HashMap<(usize, Box<str>), Vec<Box<str>>>,
    /// The path of the file that each hardlink of a layer shares, following links to links.
    link_roots: HashMap<(usize, Box<str>), Box<str>>,
}

impl MergedTree {
    pub fn new() -> MergedTree {
        MergedTree::default()
    }

    /// Applies one layer on top of the tree. `layer` is its index in the image; layers must be
    /// applied in order, and an unreadable layer is skipped by not applying it.
    pub fn apply(&mut self, layer: usize, entries: &[Entry]) {
        if self.changes.len() <= layer {
            self.changes.resize(layer + 1, LayerChanges::default());
        }

        // Whiteouts and opaque markers act on the lower layers only, whatever their position
        // in the tar, so they run before this layer's own entries. Both are files inside a
        // folder of this layer, so a lower-layer file or symlink on their way becomes a folder
        // as it does for any other entry.
        for entry in entries {
            match entry.kind {
                EntryKind::OpaqueDirectory => {
                    self.changes[layer].opaque_folders += 1;
                    self.replace_file_ancestors(&join(&entry.path, OPAQUE_MARKER), layer);
                    self.hide_below(&entry.path, layer, HideReason::OpaqueFolder, true);
                }
                EntryKind::Whiteout => {
                    self.replace_file_ancestors(&entry.path, layer);
                    self.apply_whiteout(&entry.path, layer);
                }
                _ => {}
            }
        }

        let first_hidden = self.wasted.len();
        for entry in entries {
            if matches!(entry.kind, EntryKind::Whiteout | EntryKind::OpaqueDirectory) {
                continue;
            }
            self.apply_entry(layer, entry);
        }
        self.mark_linked_copies(first_hidden, entries);
    }

    /// Marks the metadata-only copies of this layer that a hard link of the same layer names,
    /// as the link or as its target. The target comes first in a tar, so when the copy is
    /// classified its link has not been read yet.
    fn mark_linked_copies(&mut self, first_hidden: usize, entries: &[Entry]) {
        let mut linked: HashSet<&str> = HashSet::new();
        for entry in entries {
            if entry.kind == EntryKind::Hardlink
                && let Some(target) = &entry.link
            {
                linked.insert(&entry.path);
                linked.insert(target);
            }
        }
        if linked.is_empty() {
            return;
        }
        for wasted in &mut self.wasted[first_hidden..] {
            if wasted.reason == HideReason::MetadataOnly
                && linked.contains(wasted.path.as_ref())
                && let Some(changed) = &mut wasted.changed
            {
                changed.links = true;
            }
        }
    }

    fn apply_whiteout(&mut self, path: &str, layer: usize) {
        let target = self.nodes.get(path).map(|node| node.kind);
        let has_children = self.has_children(path);
        if target == Some(EntryKind::Directory) || has_children {
            self.changes[layer].folder_whiteouts += 1;
        } else {
            self.changes[layer].file_whiteouts += 1;
        }
        if target.is_some() {
            self.hide(path, layer, HideReason::Deleted, true);
        }
        self.hide_below(path, layer, HideReason::Deleted, true);
    }

    fn apply_entry(&mut self, layer: usize, entry: &Entry) {
        let new_is_directory = entry.kind == EntryKind::Directory;
        match self.nodes.get(&entry.path) {
            None => {
                if !new_is_directory {
                    self.changes[layer].files_added += 1;
                }
                // A path below a lower-layer file turns that file into a folder, as extracting
                // the layer would.
                self.replace_file_ancestors(&entry.path, layer);
            }
            Some(old) if old.is_directory() && new_is_directory => {}
            Some(old) if old.is_directory() => {
                self.changes[layer].files_changed += 1;
                self.hide_below(&entry.path, layer, HideReason::TypeChanged, false);
            }
            Some(old) => {
                if !new_is_directory {
                    self.changes[layer].files_changed += 1;
                }
                let target = self.link_target(layer, entry);
                let (reason, changed) = classify_replacement(old, entry, target);
                self.hide_with(&entry.path, layer, reason, false, changed);
            }
        }

        if entry.kind == EntryKind::Hardlink
            && let Some(target) = &entry.link
        {
            // A link may name another link of the layer; all of them share the first file.
            let root = self
                .link_roots
                .get(&(layer, target.clone()))
                .cloned()
                .unwrap_or_else(|| target.clone());
            self.link_roots
                .insert((layer, entry.path.clone()), root.clone());
            self.links
                .entry((layer, root))
                .or_default()
                .push(entry.path.clone());
        }
        self.nodes
            .insert(entry.path.clone(), Node::from_entry(layer, entry));
    }

    /// Hides the nearest lower-layer ancestor of `path` when it is not a folder. Docker's
    /// overlay2 driver and containerd's overlayfs snapshotter extract a layer into its own
    /// upper folder, where a lower symlink is not followed: `lib/x` over a lower
    /// `lib -> usr/lib` makes `/lib` a folder that holds only `x`, and `/usr/lib` is unchanged.
    /// Observed with Docker 20.10 (overlay2) and containerd 1.6 (overlayfs) on hand-written
    /// layers.
    ///
    /// NOTE: appliers that extract onto the whole lower tree resolve symlinks in the parent
    /// path instead (containerd's native snapshotter writes `usr/lib/x`), so for images
    /// unpacked that way this tree differs wherever a layer writes through a lower symlink.
    fn replace_file_ancestors(&mut self, path: &str, layer: usize) {
        let mut end = path.len();
        while let Some(at) = path[..end].rfind('/') {
            let ancestor = &path[..at];
            if let Some(node) = self.nodes.get(ancestor) {
                if !node.is_directory() {
                    self.hide(ancestor, layer, HideReason::TypeChanged, false);
                }
                return;
            }
            end = at;
        }
    }

    /// Returns the file that a hardlink entry names when this layer stored it.
    fn link_target(&self, layer: usize, entry: &Entry) -> Option<&Node> {
        if entry.kind != EntryKind::Hardlink {
            return None;
        }
        let target = self.nodes.get(entry.link.as_deref()?)?;
        (target.layer == layer && target.kind == EntryKind::File).then_some(target)
    }

    fn has_children(&self, folder: &str) -> bool {
        let prefix = format!("{folder}/");
        self.nodes
            .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
            .next()
            .is_some_and(|(path, _)| path.starts_with(&prefix))
    }

    /// Hides every path below `folder` (all paths when `folder` is the root).
    fn hide_below(&mut self, folder: &str, layer: usize, reason: HideReason, removal: bool) {
        let below: Vec<Box<str>> = if folder.is_empty() {
            self.nodes.keys().cloned().collect()
        } else {
            let prefix = format!("{folder}/");
            self.nodes
                .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
                .take_while(|(path, _)| path.starts_with(&prefix))
                .map(|(path, _)| path.clone())
                .collect()
        };
        for path in below {
            self.hide(&path, layer, reason, removal);
        }
    }

    /// Removes one path from the tree and records its bytes as wasted. `removal` marks a
    /// whiteout or opaque marker, which counts as a removed file for the hiding layer.
    fn hide(&mut self, path: &str, layer: usize, reason: HideReason, removal: bool) {
        self.hide_with(path, layer, reason, removal, None);
    }

    fn hide_with(
        &mut self,
        path: &str,
        layer: usize,
        reason: HideReason,
        removal: bool,
        changed: Option<MetadataChange>,
    ) {
        let Some(node) = self.nodes.remove(path) else {
            return;
        };
        if removal && !node.is_directory() {
            self.changes[layer].files_removed += 1;
        }
        if node.size == 0 {
            return;
        }
        // The bytes stay visible through another hard link to the same data: a link to this
        // file, or another link to the file this link carried the bytes for.
        // Most images have no hard links, so no key is built for them.
        let data_path: Option<Box<str>> = match node.kind {
            _ if self.links.is_empty() => None,
            EntryKind::File => Some(path.into()),
            EntryKind::Hardlink => self
                .link_roots
                .get(&(node.layer, Box::<str>::from(path)))
                .cloned()
                .or_else(|| node.link.clone()),
            _ => None,
        };
        if let Some(data_path) = data_path
            && self.hand_over_to_link(&data_path, path, &node)
        {
            return;
        }
        self.changes[layer].hid_lower_bytes += node.size;
        self.wasted.push(WastedFile {
            path: path.into(),
            bytes: node.size,
            stored_in: node.layer,
            hidden_by: layer,
            reason,
            changed,
        });
    }

    /// Moves the bytes of a hidden file or link to a hardlink of the same layer to `data_path`
    /// that is still visible, other than `hidden`. Returns whether such a link exists.
    fn hand_over_to_link(&mut self, data_path: &str, hidden: &str, node: &Node) -> bool {
        let key = (node.layer, Box::<str>::from(data_path));
        let Some(links) = self.links.get(&key) else {
            return false;
        };
        for link in links.iter().filter(|link| link.as_ref() != hidden) {
            if let Some(link_node) = self.nodes.get_mut(link)
                && link_node.layer == node.layer
                && link_node.kind == EntryKind::Hardlink
                && link_node.size == 0
            {
                link_node.size = node.size;
                link_node.hash = node.hash;
                return true;
            }
        }
        false
    }

    /// Visible paths and their nodes, sorted by path.
    pub fn nodes(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(path, node)| (path.as_ref(), node))
    }

    /// Looks up a visible path (normalized, without a leading `/`).
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path.trim_start_matches('/'))
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Content bytes visible in the final filesystem.
    pub fn visible_bytes(&self) -> u64 {
        self.nodes.values().map(|node| node.size).sum()
    }

    /// Every hidden file, in the order the layers hid them.
    pub fn wasted(&self) -> &[WastedFile] {
        &self.wasted
    }

    /// What each layer did to the layers below it, by layer index.
    pub fn changes(&self, layer: usize) -> LayerChanges {
        self.changes.get(layer).cloned().unwrap_or_default()
    }
}

/// Classifies what hid `old`. `link_target` is set when `new` is a hardlink to a file of its
/// own layer: `ln /bin/busybox /bin/bb2` stores `bin/bb2` with the data and `bin/busybox` as a
/// link to it, because the tar names the inode by the path that sorts first.
fn classify_replacement(
    old: &Node,
    new: &Entry,
    link_target: Option<&Node>,
) -> (HideReason, Option<MetadataChange>) {
    if let Some(target) = link_target
        && old.kind == EntryKind::File
    {
        if !same_content(old, target.size, target.hash) {
            return (HideReason::Overwritten, None);
        }
        let change = MetadataChange {
            links: true,
            ..metadata_change(old, target.mode, target.uid, target.gid, target.mtime)
        };
        return (HideReason::MetadataOnly, Some(change));
    }
    if old.kind != new.kind {
        return (HideReason::TypeChanged, None);
    }
    if old.kind != EntryKind::File || !same_content(old, new.size, new.hash) {
        return (HideReason::Overwritten, None);
    }
    let change = metadata_change(old, new.mode, new.uid, new.gid, new.mtime);
    (HideReason::MetadataOnly, Some(change))
}

fn same_content(old: &Node, size: u64, hash: Option<ContentHash>) -> bool {
    old.size == size && old.hash.is_some() && old.hash == hash
}

fn metadata_change(old: &Node, mode: u32, uid: u64, gid: u64, mtime: u64) -> MetadataChange {
    MetadataChange {
        mode: old.mode != mode,
        owner: old.uid != uid || old.gid != gid,
        mtime: old.mtime != mtime,
        links: false,
    }
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
