//! One entry of a layer tar, reduced to the metadata the analysis needs.

use std::borrow::Cow;

use serde::Serialize;

/// The kind of a layer entry after whiteout markers are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    File,
    Directory,
    Symlink,
    /// A tar hardlink: it stores no data of its own and names another path of the same layer.
    Hardlink,
    /// `.wh.NAME`: deletes NAME and everything below it from the lower layers.
    Whiteout,
    /// `DIR/.wh..wh..opq`: hides every lower-layer child of DIR. The entry's path is DIR.
    OpaqueDirectory,
    /// Character and block devices and FIFOs.
    Special,
}

/// A 128-bit xxh3 hash of a regular file's content.
pub type ContentHash = u128;

/// A regular file's size and the xxh3-64 hash of its first [`HEAD_BYTES`] bytes. Files with
/// equal content have equal keys, so a file whose key no other file shares equals no other file.
pub type ContentKey = (u64, u64);

/// Bytes at the start of a file that its [`ContentKey`] covers. A file's data starts in the
/// 512-byte block after its tar header, which lies on the header's 4 KiB page unless the header
/// ends that page, so reading these bytes from a memory map usually touches no other page.
pub const HEAD_BYTES: usize = 64;

/// Returns the xxh3-64 hash of the first [`HEAD_BYTES`] bytes of `content`, or of all of it
/// when it is shorter.
pub fn head_hash(content: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(&content[..content.len().min(HEAD_BYTES)])
}

/// One entry of a layer. Paths are relative to the image root, without a leading `./` or `/`,
/// with `/` as separator; the root itself is the empty string.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: Box<str>,
    pub kind: EntryKind,
    /// Content bytes: the data size for regular files, 0 for every other kind.
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Modification time in seconds since the Unix epoch, as the tar header stores it.
    pub mtime: u64,
    /// The target of a symlink, or the path a hardlink refers to (normalized like `path`).
    pub link: Option<Box<str>>,
    /// The [`head_hash`] of a regular file's content, and 0 for every other kind.
    pub head_hash: u64,
    /// The content hash of a regular file, and `None` for every other kind. A file of a layer
    /// read through a memory map is hashed only when another file of the image has the same
    /// [`ContentKey`], unless the analysis requests every hash.
    pub hash: Option<ContentHash>,
}

impl Entry {
    /// Returns the [`ContentKey`] of a regular file, and `None` for every other kind.
    pub fn content_key(&self) -> Option<ContentKey> {
        (self.kind == EntryKind::File).then_some((self.size, self.head_hash))
    }
}

/// Why a name could not be turned into an image path.
#[derive(Debug, PartialEq, Eq)]
pub enum PathProblem {
    /// A `..` component: the name leaves the image root.
    ParentComponent,
}

/// A normalized path and whether the raw name was absolute.
#[derive(Debug, PartialEq, Eq)]
pub struct NormalizedPath {
    pub path: String,
    pub was_absolute: bool,
}

/// Normalizes a tar entry name: drops `.` components, leading `./` and `/`, repeated and
/// trailing slashes. A `..` component is rejected, as container engines reject such layers.
pub fn normalize_path(raw: &str) -> Result<NormalizedPath, PathProblem> {
    let was_absolute = raw.starts_with('/');
    let mut path = String::with_capacity(raw.len());
    for component in raw.split('/') {
        match component {
            "" | "." => {}
            ".." => return Err(PathProblem::ParentComponent),
            name => {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(name);
            }
        }
    }
    Ok(NormalizedPath { path, was_absolute })
}

/// A layer entry's name resolved to an image path.
#[derive(Debug, PartialEq, Eq)]
pub struct EntryPath {
    pub path: String,
    pub was_absolute: bool,
    /// Whether a `..` component would have climbed above the image root.
    pub climbed: bool,
}

/// Resolves a layer entry's name the way dockerd extracts it: `.` components, leading `./`
/// and `/`, and repeated and trailing slashes are dropped, and `..` removes the component
/// before it. A `..` at the root stays at the root, as `filepath.Join` inside the chroot that
/// dockerd extracts in makes it.
pub fn resolve_entry_path(raw: &str) -> EntryPath {
    let mut components: Vec<&str> = Vec::new();
    let mut climbed = false;
    for component in raw.split('/') {
        match component {
            "" | "." => {}
            ".." => climbed |= components.pop().is_none(),
            name => components.push(name),
        }
    }
    EntryPath {
        path: components.join("/"),
        was_absolute: raw.starts_with('/'),
        climbed,
    }
}

/// Decodes a name from a tar header. Bytes that are not UTF-8 become `\xNN` escapes, so two
/// names that differ only in such bytes stay different paths.
///
/// NOTE: the escape is not distinguished from the same text typed in a name: a file named
/// `a\xff` in five ASCII characters and one named `a` plus the byte 0xFF are the same path
/// here. Only a crafted layer contains both.
pub fn decode_name(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let mut decoded = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        decoded.push_str(chunk.valid());
        for byte in chunk.invalid() {
            decoded.push_str(&format!("\\x{byte:02x}"));
        }
    }
    Cow::Owned(decoded)
}

/// Returns the parent folder of a normalized path (`""` for top-level names).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |at| &path[..at])
}

/// Returns the last component of a normalized path.
pub fn file_name(path: &str) -> &str {
    path.rfind('/').map_or(path, |at| &path[at + 1..])
}

/// Joins a folder and a name into a normalized path.
pub fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_owned()
    } else {
        format!("{folder}/{name}")
    }
}

/// The opaque-folder marker's file name (OCI image spec, layer changesets).
pub const OPAQUE_MARKER: &str = ".wh..wh..opq";
/// The prefix of whiteout file names.
pub const WHITEOUT_PREFIX: &str = ".wh.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_strips_dot_and_slashes() {
        assert_eq!(normalize_path("./usr//bin/").unwrap().path, "usr/bin");
        assert_eq!(normalize_path("./").unwrap().path, "");
        let absolute = normalize_path("/etc/passwd").unwrap();
        assert_eq!(absolute.path, "etc/passwd");
        assert!(absolute.was_absolute);
    }

    #[test]
    fn normalize_rejects_parent_components() {
        assert_eq!(
            normalize_path("../etc/passwd"),
            Err(PathProblem::ParentComponent)
        );
        assert_eq!(
            normalize_path("a/../../b"),
            Err(PathProblem::ParentComponent)
        );
    }

    #[test]
    fn entry_paths_resolve_parent_components() {
        assert_eq!(resolve_entry_path("ok/../up").path, "up");
        assert!(!resolve_entry_path("ok/../up").climbed);
        assert_eq!(resolve_entry_path("a/./b/../c/").path, "a/c");
        let above = resolve_entry_path("../../etc/evil");
        assert_eq!(above.path, "etc/evil");
        assert!(above.climbed);
        assert!(resolve_entry_path("a/../../b").climbed);
        let absolute = resolve_entry_path("/etc/../etc/passwd");
        assert_eq!(absolute.path, "etc/passwd");
        assert!(absolute.was_absolute);
        assert!(!absolute.climbed);
    }

    #[test]
    fn names_keep_bytes_that_are_not_utf8() {
        assert!(matches!(decode_name(b"usr/bin/x"), Cow::Borrowed("usr/bin/x")));
        assert_eq!(decode_name(b"bad/\xff"), "bad/\\xff");
        assert_eq!(decode_name(b"bad/\xfe"), "bad/\\xfe");
        assert_eq!(decode_name(b"caf\xc3\xa9/\xc3"), "caf\u{e9}/\\xc3");
    }

    #[test]
    fn parent_and_name_of_paths() {
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("a"), "");
        assert_eq!(file_name("a/b/c"), "c");
        assert_eq!(file_name("a"), "a");
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("a", "b"), "a/b");
    }
}
