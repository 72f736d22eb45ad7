//! Image archives: tar files read by random access (layers decoded in parallel), and tar
//! streams read once from start to end (standard input, the engine's export), where each
//! layer is summarized as it passes because the manifest comes last.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::compression::Compression;
use super::entry::{normalize_path, parent};
use super::error::{ImageError, LayerError, printable};
use super::layer::{LayerContents, Progress, looks_like_tar, read_layer_with};
use super::layout::{Catalog, SMALL_FILE_LIMIT, Storage};

/// The longest chain of symlinks or hardlinks followed inside an archive.
const LINK_LIMIT: usize = 40;

#[derive(Debug, Clone)]
enum Member {
    File { offset: u64, size: u64 },
    Symlink(String),
    Hardlink(String),
    Folder,
    Other,
}

/// Resolves a symlink target relative to the folder of the link, allowing `..` as long as
/// it stays inside the archive. Returns `None` for targets that leave it.
fn resolve_relative(link: &str, target: &str) -> Option<String> {
    let mut components: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        parent(link)
            .split('/')
            .filter(|part| !part.is_empty())
            .collect()
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                components.pop()?;
            }
            name => components.push(name),
        }
    }
    Some(components.join("/"))
}

fn normalize_member_name(raw: &str) -> Option<String> {
    normalize_path(raw).ok().map(|normalized| normalized.path)
}

/// Follows links from `name` to a member that is not a link, in any map of members.
fn follow_links<'a>(
    archive: &str,
    members: &'a HashMap<String, Member>,
    name: &str,
) -> Result<(String, &'a Member), ImageError> {
    let mut current = normalize_member_name(name).unwrap_or_else(|| name.to_owned());
    for _ in 0..=LINK_LIMIT {
        let member = members.get(&current).ok_or_else(|| ImageError::MissingFile {
            archive: archive.to_owned(),
            file: name.to_owned(),
        })?;
        let outside = |target: &str| ImageError::LinkOutsideArchive {
            archive: archive.to_owned(),
            file: current.clone(),
            target: target.to_owned(),
        };
        // A symlink's target is relative to the link's folder, a hardlink's to the archive root.
        current = match member {
            Member::Symlink(target) => {
                resolve_relative(&current, target).ok_or_else(|| outside(target))?
            }
            Member::Hardlink(target) => {
                resolve_relative("", target).ok_or_else(|| outside(target))?
            }
            Member::File { .. } | Member::Folder | Member::Other => return Ok((current, member)),
        };
    }
    Err(ImageError::LinkLoop {
        archive: archive.to_owned(),
        file: name.to_owned(),
        limit: LINK_LIMIT,
    })
}

fn io_error(path: &Path, cause: io::Error) -> ImageError {
    ImageError::Io {
        path: path.to_owned(),
        cause,
    }
}

/// A tar archive on disk, indexed by one pass over its headers.
pub struct TarCatalog {
    path: PathBuf,
    display: String,
    members: HashMap<String, Member>,
}

/// Describes a tar reading error. When the first header is already invalid, the input is not
/// a tar archive at all. The tar reader's detail then quotes the header's bytes after a colon
/// (`numeric field did not have utf-8 text: …`), which is noise, so only its first part is
/// kept when the quote contains bytes that are not printable text.
fn tar_error_message(what: &str, started: bool, error: &io::Error) -> String {
    if started {
        return format!("not a readable tar {what}: {error}");
    }
    let detail = error.to_string();
    let reason = match detail.split_once(": ") {
        Some((reason, quoted)) if matches!(printable(quoted), Cow::Owned(_)) => reason,
        _ => detail.as_str(),
    };
    format!("not a tar archive: its first 512-byte header is invalid ({reason})")
}

/// Rejects files that cannot be a tar archive with an error that names what they are: empty,
/// or compressed as a whole (`docker save | gzip`). Leaves the file at its start.
fn check_tar_start(file: &mut File, display: &str, length: u64) -> Result<(), ImageError> {
    let error = |message: String| ImageError::Archive {
        archive: display.to_owned(),
        message,
    };
    if length == 0 {
        return Err(error(
            "the file is empty; expected a tar archive from `docker save` or `podman save`".to_owned(),
        ));
    }
    let mut magic = [0u8; 4];
    let read = file.read(&mut magic).unwrap_or(0);
    file.seek(SeekFrom::Start(0))
        .map_err(|source| error(format!("cannot seek: {source}")))?;
    let compressed = match &magic[..read] {
        [0x1f, 0x8b, ..] => Some(("gzip", "gunzip -k")),
        [0x28, 0xb5, 0x2f, 0xfd] => Some(("zstd", "zstd -d")),
        [b'B', b'Z', b'h', ..] => Some(("bzip2", "bunzip2 -k")),
        [0xfd, b'7', b'z', b'X'] => Some(("xz", "unxz -k")),
        _ => None,
    };
    if let Some((format, command)) = compressed {
        return Err(error(format!(
            "the file is {format}-compressed, not a tar archive; decompress it first (`{command} FILE`)"
        )));
    }
    if length < 512 {
        return Err(error(format!(
            "the file has {length} bytes, less than one tar header (512 bytes); it is truncated or not a tar archive"
        )));
    }
    Ok(())
}

/// Describes a folder given where a tar archive was expected, and suggests `oci:PATH` when the
/// folder contains an OCI image layout.
fn folder_as_archive(path: &Path, display: &str) -> ImageError {
    let layout = path.join("index.json").is_file() || path.join("oci-layout").is_file();
    let message = if layout {
        format!(
            "is a folder, not a tar archive; it contains an OCI image layout, \
             so pass `oci:{display}`"
        )
    } else {
        "is a folder, not a tar archive; expected a tar from `docker save`, \
         or an OCI image layout folder"
            .to_owned()
    };
    ImageError::Archive {
        archive: display.to_owned(),
        message,
    }
}

impl TarCatalog {
    pub fn open(path: &Path) -> Result<TarCatalog, ImageError> {
        let display = path.display().to_string();
        let mut file = File::open(path).map_err(|error| io_error(path, error))?;
        let metadata = file.metadata().map_err(|error| io_error(path, error))?;
        if metadata.is_dir() {
            return Err(folder_as_archive(path, &display));
        }
        let length = metadata.len();
        check_tar_start(&mut file, &display, length)?;
        let mut archive = tar::Archive::new(file);
        let mut members = HashMap::new();
        let started = Cell::new(false);
        let archive_error = |error: io::Error| ImageError::Archive {
            archive: display.clone(),
            message: tar_error_message("archive", started.get(), &error),
        };
        for entry in archive.entries_with_seek().map_err(archive_error)? {
            let entry = entry.map_err(archive_error)?;
            started.set(true);
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(name) = normalize_member_name(&raw) else {
                continue;
            };
            let link = || {
                entry
                    .link_name_bytes()
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                    .unwrap_or_default()
            };
            let member = match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => Member::File {
                    offset: entry.raw_file_position(),
                    size: entry.size(),
                },
                tar::EntryType::Symlink => Member::Symlink(link()),
                tar::EntryType::Link => Member::Hardlink(link()),
                tar::EntryType::Directory => Member::Folder,
                _ => Member::Other,
            };
            members.insert(name, member);
        }
        let truncated = members.iter().find_map(|(name, member)| match member {
            Member::File { offset, size } if offset.saturating_add(*size) > length => {
                Some((name, offset.saturating_add(*size)))
            }
            _ => None,
        });
        if let Some((name, end)) = truncated {
            return Err(ImageError::Archive {
                archive: display,
                message: format!(
                    "the archive is truncated: `{name}` ends at byte {end} but the file has {length} bytes; save or copy the image again"
                ),
            });
        }
        Ok(TarCatalog {
            path: path.to_owned(),
            display,
            members,
        })
    }

    fn locate(&self, name: &str) -> Result<(u64, u64), ImageError> {
        match follow_links(&self.display, &self.members, name)? {
            (_, Member::File { offset, size }) => Ok((*offset, *size)),
            (_, Member::Folder) => Err(ImageError::MemberIsFolder {
                archive: self.display.clone(),
                file: name.to_owned(),
            }),
            _ => Err(ImageError::MissingFile {
                archive: self.display.clone(),
                file: name.to_owned(),
            }),
        }
    }

    /// Opens a member for reading, following links. Each call opens its own file handle, so
    /// several layers can be read at once.
    pub fn open_member(&self, name: &str) -> Result<(impl Read + Send + use<>, u64), ImageError> {
        let (mut file, offset, size) = self.open_blob(name)?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|error| io_error(&self.path, error))?;
        Ok((file.take(size), size))
    }

    /// Opens the archive file for a member, following links, and returns the file with the
    /// member's data offset and size, for callers that map the member instead of reading it.
    pub fn open_blob(&self, name: &str) -> Result<(File, u64, u64), ImageError> {
        let (offset, size) = self.locate(name)?;
        let file = File::open(&self.path).map_err(|error| io_error(&self.path, error))?;
        Ok((file, offset, size))
    }
}

impl Catalog for TarCatalog {
    fn name(&self) -> &str {
        &self.display
    }

    fn storage(&self) -> Storage {
        Storage::Archive
    }

    fn is_folder(&self, path: &str) -> bool {
        matches!(
            follow_links(&self.display, &self.members, path),
            Ok((_, Member::Folder))
        )
    }

    fn contains(&self, path: &str) -> bool {
        self.locate(path).is_ok()
    }

    fn read_small(&self, path: &str) -> Result<Vec<u8>, ImageError> {
        let (mut reader, size) = self.open_member(path)?;
        if size > SMALL_FILE_LIMIT {
            return Err(ImageError::TooLarge {
                archive: self.display.clone(),
                file: path.to_owned(),
                size,
                limit: SMALL_FILE_LIMIT,
            });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        reader
            .read_to_end(&mut bytes)
            .map_err(|error| io_error(&self.path, error))?;
        Ok(bytes)
    }
}

/// How far a stream has been read, and whether its source has ended.
#[derive(Default)]
struct StreamPosition {
    read: Cell<u64>,
    ended: Cell<bool>,
}

/// A reader that records in a [`StreamPosition`] the bytes it passes and the end of its source.
struct Counted<'a, R> {
    inner: R,
    position: &'a StreamPosition,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buffer)?;
        if count == 0 && !buffer.is_empty() {
            self.position.ended.set(true);
        }
        self.position.read.set(self.position.read.get() + count as u64);
        Ok(count)
    }
}

/// Describes a stream that ended after `read` bytes. `last` is the member whose header came
/// last, with the offset where its data ends.
fn truncation_message(read: u64, last: Option<&(String, u64)>) -> String {
    match last {
        None if read < 512 => format!(
            "the stream ended after {read} bytes, less than one tar header (512 bytes); \
             it is truncated or not a tar archive"
        ),
        None => format!(
            "the stream is truncated: it ended after {read} bytes, inside its first member's \
             headers; save or copy the image again"
        ),
        Some((name, end)) if read < *end => format!(
            "the stream is truncated: `{name}` ends at byte {end} but the stream ended after \
             {read} bytes; save or copy the image again"
        ),
        Some((name, _)) => format!(
            "the stream is truncated: it ended after {read} bytes, after `{name}` and before \
             the end of the tar archive; save or copy the image again"
        ),
    }
}

/// The most bytes of manifests and configs kept from one stream.
const STREAM_SMALL_TOTAL_LIMIT: u64 = 256 * 1024 * 1024;

/// An archive read once as a stream. Small JSON members are kept; every member that looks like
/// a layer is decoded on the spot and only its summary is kept.
pub struct StreamCatalog {
    display: String,
    members: HashMap<String, Member>,
    small: HashMap<String, Vec<u8>>,
    layers: HashMap<String, Result<Arc<LayerContents>, LayerError>>,
}

impl StreamCatalog {
    pub fn read(
        stream: impl Read,
        display: &str,
        progress: &dyn Progress,
    ) -> Result<StreamCatalog, ImageError> {
        StreamCatalog::read_with(stream, display, progress, false)
    }

    /// Reads the stream like [`StreamCatalog::read`], and with `digests` also computes the
    /// sha256 of each layer's blob and uncompressed tar.
    pub fn read_with(
        stream: impl Read,
        display: &str,
        progress: &dyn Progress,
        digests: bool,
    ) -> Result<StreamCatalog, ImageError> {
        let mut catalog = StreamCatalog {
            display: display.to_owned(),
            members: HashMap::new(),
            small: HashMap::new(),
            layers: HashMap::new(),
        };
        let mut small_total = 0u64;
        let position = StreamPosition::default();
        let mut archive = tar::Archive::new(Counted {
            inner: stream,
            position: &position,
        });
        let started = Cell::new(false);
        // The last member whose header was read, with the offset where its data ends.
        let last = RefCell::new(None::<(String, u64)>);
        let archive_error = |error: io::Error| ImageError::Archive {
            archive: display.to_owned(),
            message: if position.ended.get() {
                truncation_message(position.read.get(), last.borrow().as_ref())
            } else {
                tar_error_message("stream", started.get(), &error)
            },
        };

        for entry in archive.entries().map_err(archive_error)? {
            let mut entry = entry.map_err(archive_error)?;
            started.set(true);
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let end = entry.raw_file_position().saturating_add(entry.size());
            *last.borrow_mut() = Some((raw.clone(), end));
            let Some(name) = normalize_member_name(&raw) else {
                continue;
            };
            let link = entry
                .link_name_bytes()
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default();
            let member = match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => Member::File {
                    offset: 0,
                    size: entry.size(),
                },
                tar::EntryType::Symlink => Member::Symlink(link),
                tar::EntryType::Link => Member::Hardlink(link),
                tar::EntryType::Directory => Member::Folder,
                _ => Member::Other,
            };
            let Member::File { size, .. } = member else {
                catalog.members.insert(name, member);
                continue;
            };

            let mut head = Vec::with_capacity(512);
            (&mut entry)
                .take(512)
                .read_to_end(&mut head)
                .map_err(archive_error)?;
            let first = head.iter().find(|byte| !byte.is_ascii_whitespace());
            let is_json = matches!(first, Some(b'{') | Some(b'['));
            if is_json && size <= SMALL_FILE_LIMIT {
                small_total += size;
                if small_total > STREAM_SMALL_TOTAL_LIMIT {
                    return Err(ImageError::TooLarge {
                        archive: display.to_owned(),
                        file: name,
                        size: small_total,
                        limit: STREAM_SMALL_TOTAL_LIMIT,
                    });
                }
                let mut bytes = head;
                entry.read_to_end(&mut bytes).map_err(archive_error)?;
                catalog.small.insert(name.clone(), bytes);
            } else if size == 0
                || Compression::sniff(&head) != Compression::None
                || looks_like_tar(&head)
            {
                let blob = Cursor::new(head).chain(&mut entry);
                let contents = read_layer_with(blob, None, &name, progress, digests).map(Arc::new);
                catalog.layers.insert(name.clone(), contents);
            }
            catalog.members.insert(name, member);
        }
        if position.read.get() == 0 {
            return Err(ImageError::Archive {
                archive: display.to_owned(),
                message: "the stream is empty; expected a tar archive from `docker save` or \
                          `podman save`"
                    .to_owned(),
            });
        }
        // A tar ends with zero blocks, so a source that ran out before them was cut short.
        // Without a manifest or index that is why the image cannot be found.
        let has_layout = ["manifest.json", "index.json"]
            .iter()
            .any(|name| catalog.members.contains_key(*name));
        if position.ended.get() && !has_layout {
            return Err(ImageError::Archive {
                archive: display.to_owned(),
                message: truncation_message(position.read.get(), last.borrow().as_ref()),
            });
        }
        Ok(catalog)
    }

    /// Returns the summary of the layer stored at `path` (links followed).
    pub fn layer(&self, path: &str) -> Result<Arc<LayerContents>, LayerError> {
        let missing = || LayerError::MissingBlob {
            layer: path.to_owned(),
            file: path.to_owned(),
        };
        let (resolved, member) =
            follow_links(&self.display, &self.members, path).map_err(|error| match error {
                ImageError::MissingFile { .. } => missing(),
                _ => LayerError::Read {
                    layer: path.to_owned(),
                    message: error.to_string(),
                },
            })?;
        match self.layers.get(&resolved) {
            Some(result) => result.clone(),
            None if matches!(member, Member::Folder) => Err(LayerError::Read {
                layer: path.to_owned(),
                message: ImageError::MemberIsFolder {
                    archive: self.display.clone(),
                    file: path.to_owned(),
                }
                .to_string(),
            }),
            None if self.members.contains_key(&resolved) => Err(LayerError::Read {
                layer: path.to_owned(),
                message: "the member is neither a tar stream nor gzip or zstd data".to_owned(),
            }),
            None => Err(missing()),
        }
    }
}

impl Catalog for StreamCatalog {
    fn name(&self) -> &str {
        &self.display
    }

    fn storage(&self) -> Storage {
        Storage::Stream
    }

    fn is_folder(&self, path: &str) -> bool {
        matches!(
            follow_links(&self.display, &self.members, path),
            Ok((_, Member::Folder))
        )
    }

    fn contains(&self, path: &str) -> bool {
        matches!(
            follow_links(&self.display, &self.members, path),
            Ok((_, Member::File { .. }))
        )
    }

    fn read_small(&self, path: &str) -> Result<Vec<u8>, ImageError> {
        let (resolved, member) = follow_links(&self.display, &self.members, path)?;
        if let Some(bytes) = self.small.get(&resolved) {
            return Ok(bytes.clone());
        }
        let size = match member {
            Member::File { size, .. } => *size,
            Member::Folder => {
                return Err(ImageError::MemberIsFolder {
                    archive: self.display.clone(),
                    file: path.to_owned(),
                });
            }
            _ => 0,
        };
        if size > SMALL_FILE_LIMIT {
            return Err(ImageError::TooLarge {
                archive: self.display.clone(),
                file: path.to_owned(),
                size,
                limit: SMALL_FILE_LIMIT,
            });
        }
        Err(ImageError::InvalidJson {
            archive: self.display.clone(),
            file: path.to_owned(),
            what: "valid JSON",
            reason: "the member does not start with `{` or `[`".to_owned(),
        })
    }
}

/// An OCI image layout folder.
pub struct DirCatalog {
    root: PathBuf,
    display: String,
}

impl DirCatalog {
    pub fn open(root: &Path) -> Result<DirCatalog, ImageError> {
        let metadata = std::fs::metadata(root).map_err(|error| io_error(root, error))?;
        if !metadata.is_dir() {
            return Err(ImageError::Archive {
                archive: root.display().to_string(),
                message: "not a folder; an OCI image layout folder was expected".to_owned(),
            });
        }
        Ok(DirCatalog {
            root: root.to_owned(),
            display: root.display().to_string(),
        })
    }

    fn file_path(&self, path: &str) -> Result<PathBuf, ImageError> {
        let normalized = normalize_path(path).map_err(|_| ImageError::MissingFile {
            archive: self.display.clone(),
            file: path.to_owned(),
        })?;
        Ok(self.root.join(normalized.path))
    }

    pub fn open_member(&self, path: &str) -> Result<(File, u64), ImageError> {
        let full = self.file_path(path)?;
        let file = File::open(&full).map_err(|error| {
            if error.kind() == io::ErrorKind::NotFound {
                ImageError::MissingFile {
                    archive: self.display.clone(),
                    file: path.to_owned(),
                }
            } else {
                io_error(&full, error)
            }
        })?;
        let metadata = file.metadata().map_err(|error| io_error(&full, error))?;
        if metadata.is_dir() {
            return Err(ImageError::MemberIsFolder {
                archive: self.display.clone(),
                file: path.to_owned(),
            });
        }
        Ok((file, metadata.len()))
    }
}

impl Catalog for DirCatalog {
    fn name(&self) -> &str {
        &self.display
    }

    fn storage(&self) -> Storage {
        Storage::Folder
    }

    fn is_folder(&self, path: &str) -> bool {
        self.file_path(path).is_ok_and(|full| full.is_dir())
    }

    fn contains(&self, path: &str) -> bool {
        self.file_path(path).is_ok_and(|full| full.is_file())
    }

    fn read_small(&self, path: &str) -> Result<Vec<u8>, ImageError> {
        let (mut file, size) = self.open_member(path)?;
        if size > SMALL_FILE_LIMIT {
            return Err(ImageError::TooLarge {
                archive: self.display.clone(),
                file: path.to_owned(),
                size,
                limit: SMALL_FILE_LIMIT,
            });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        file.read_to_end(&mut bytes)
            .map_err(|error| io_error(&self.root.join(path), error))?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_inside_archive() {
        assert_eq!(
            resolve_relative("abc/layer.tar", "../def/layer.tar").as_deref(),
            Some("def/layer.tar")
        );
        assert_eq!(resolve_relative("abc/layer.tar", "../../x"), None);
    }
}
