//! Reading one layer blob: choosing the decompressor, walking the tar stream once, and keeping
//! only the entries' metadata and content hashes. Memory stays bounded by the number of entries:
//! file data passes through a fixed buffer, or stays in a memory map until it is hashed.

use std::cell::{Cell, RefCell};
use std::io::{self, BufRead, BufReader, Read};

use memmap2::Mmap;
use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::Xxh3;

use super::compression::Compression;
use super::digests::{LayerDigests, format_sha256};
use super::entry::{
    ContentHash, Entry, EntryKind, HEAD_BYTES, OPAQUE_MARKER, WHITEOUT_PREFIX, decode_name,
    file_name, head_hash, join, parent, resolve_entry_path,
};
use super::error::{LayerError, printable};
use super::mapped::{MappedData, MappedLayer};

/// The metadata of one decoded layer.
#[derive(Debug, Clone)]
pub struct LayerContents {
    /// Entries in tar order, without PAX global headers and without the root folder.
    pub entries: Vec<Entry>,
    pub compression: Compression,
    /// Bytes of the blob as stored (compressed size for gzip and zstd).
    pub blob_bytes: u64,
    /// Bytes of the uncompressed tar stream.
    pub tar_bytes: u64,
    /// Problems that did not stop the reading, such as absolute entry names.
    pub warnings: Vec<String>,
    /// The blob's and the tar's sha256, when digests were requested.
    pub digests: Option<LayerDigests>,
}

impl LayerContents {
    /// Content bytes: the sum of the regular files' data sizes.
    pub fn content_bytes(&self) -> u64 {
        self.entries.iter().map(|entry| entry.size).sum()
    }
}

/// Receives the number of blob bytes read, for progress display. Called from several threads
/// when layers are decoded in parallel.
pub trait Progress: Sync {
    /// Called once before the layers are read, with the total blob bytes when known.
    fn start(&self, _total_blob_bytes: Option<u64>) {}
    fn advance(&self, _blob_bytes: u64) {}
    /// Called after the layers are read when the files of plain layers that may equal
    /// another file must be hashed, with the bytes of those files. [`Progress::advance`]
    /// then counts hashed bytes.
    fn hashing(&self, _total_file_bytes: u64) {}
}

/// A progress sink that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {}

const BUFFER_BYTES: usize = 256 * 1024;

/// The longest path Linux accepts, in bytes: `PATH_MAX` (4,096) less the terminating NUL.
const MAX_PATH_BYTES: usize = 4095;

/// Warnings kept per layer.
const MAX_WARNINGS: usize = 10;

/// Bytes of a mapped layer between two progress reports.
pub(crate) const PROGRESS_STEP: u64 = 4 * 1024 * 1024;

/// Decodes one layer blob. `declared` is the compression its media type names, when there is
/// one; the blob's magic bytes decide, and a declared compression the bytes contradict is an
/// error. `name` identifies the layer in errors (its digest or archive path).
pub fn read_layer(
    blob: impl Read,
    declared: Option<Compression>,
    name: &str,
    progress: &dyn Progress,
) -> Result<LayerContents, LayerError> {
    read_layer_with(blob, declared, name, progress, false)
}

/// Decodes one layer blob like [`read_layer`], and with `digests` also computes the sha256 of
/// the blob and of its uncompressed tar stream.
pub fn read_layer_with(
    blob: impl Read,
    declared: Option<Compression>,
    name: &str,
    progress: &dyn Progress,
    digests: bool,
) -> Result<LayerContents, LayerError> {
    let blob_bytes = Cell::new(0u64);
    let blob_digest = digests.then(|| RefCell::new(Sha256::new()));
    let mut buffered = BufReader::with_capacity(
        BUFFER_BYTES,
        CountingReader {
            inner: blob,
            count: &blob_bytes,
            progress: Some(progress),
            digest: blob_digest.as_ref(),
        },
    );
    let head = buffered.fill_buf().map_err(|error| LayerError::Read {
        layer: name.to_owned(),
        message: error.to_string(),
    })?;
    let found = Compression::sniff(head);
    let empty_blob = head.is_empty();
    let mismatch = declared_mismatch(declared, found, empty_blob);
    if found == Compression::None
        && let Some(error) = unsupported_compression(head, name)
    {
        return Err(error);
    }

    let decode_error: RefCell<Option<String>> = RefCell::new(None);
    let tar_bytes = Cell::new(0u64);
    // A plain blob is its own tar stream, so one digest serves for both.
    let tar_digest = (digests && found != Compression::None).then(|| RefCell::new(Sha256::new()));
    let decoder: Box<dyn Read + '_> = match found {
        Compression::None => Box::new(buffered),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        Compression::Zstd => {
            let decoder = zstd::stream::read::Decoder::with_buffer(buffered).map_err(|error| {
                LayerError::Decompress {
                    layer: name.to_owned(),
                    compression: found.name(),
                    offset: 0,
                    message: error.to_string(),
                }
            })?;
            Box::new(decoder)
        }
    };
    let trapped = ErrorTrap {
        inner: decoder,
        error: &decode_error,
    };
    let counted = CountingReader {
        inner: trapped,
        count: &tar_bytes,
        progress: None,
        digest: tar_digest.as_ref(),
    };

    let mut walker = Walker::new(name, None);
    walker.warnings.extend(mismatch);
    let result = if empty_blob {
        drop(counted);
        walker.warnings.push(EMPTY_BLOB_WARNING.to_owned());
        Ok(())
    } else {
        walker.walk(counted, &tar_bytes)
    };
    if let Err(error) = result {
        if let Some(message) = decode_error.borrow_mut().take()
            && found != Compression::None
        {
            return Err(LayerError::Decompress {
                layer: name.to_owned(),
                compression: found.name(),
                offset: blob_bytes.get(),
                message,
            });
        }
        return Err(walker.explain_first_header(error, found));
    }

    let digests = blob_digest.map(|blob_digest| {
        let blob = format_sha256(blob_digest.into_inner());
        let tar = match tar_digest {
            Some(tar_digest) => format_sha256(tar_digest.into_inner()),
            None => blob.clone(),
        };
        LayerDigests { blob, tar }
    });
    Ok(LayerContents {
        entries: walker.entries,
        compression: found,
        blob_bytes: blob_bytes.get(),
        tar_bytes: tar_bytes.get(),
        warnings: walker.warnings,
        digests,
    })
}

/// The warning for a 0-byte layer blob. Builders write an empty layer as a tar of at least
/// 1,024 zero bytes (or its compressed form), so a 0-byte blob usually means a damaged copy.
const EMPTY_BLOB_WARNING: &str = "the layer blob is 0 bytes, not a tar archive; it is read as an empty layer, but the archive may be damaged (--verify-digests checks it against the image's diff_id)";

/// Returns a warning when the media type names a compression that the blob's first bytes
/// contradict. The bytes decide, as in containerd and dockerd, which detect the compression
/// of a layer from its magic number. An empty blob matches any media type.
pub(crate) fn declared_mismatch(
    declared: Option<Compression>,
    found: Compression,
    empty_blob: bool,
) -> Option<String> {
    let declared = declared?;
    (declared != found && !empty_blob).then(|| {
        format!(
            "the media type names {}, but the blob is {}; it is read as {}, as container \
             engines do, and the manifest should name {}",
            declared.name(),
            found.name(),
            found.name(),
            found.name()
        )
    })
}

/// Returns an error for a blob compressed with xz or bzip2. dockerd reads both in the legacy
/// `docker save` layout, but OCI defines no media type for them and this tool does not read
/// them.
fn unsupported_compression(head: &[u8], name: &str) -> Option<LayerError> {
    let format = if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        "xz"
    } else if head.starts_with(b"BZh") && head.get(3).is_some_and(u8::is_ascii_digit) {
        "bzip2"
    } else {
        return None;
    };
    Some(LayerError::Tar {
        layer: name.to_owned(),
        offset: 0,
        message: format!(
            "the layer is compressed with {format}, which this tool does not read; \
             decompress it (`{format} -d`) or save the image again with `docker save`"
        ),
    })
}

/// Decodes an uncompressed layer blob mapped into memory: the same result as [`read_layer`]
/// on the same bytes once [`MappedLayer::hash_files`] has hashed every file, without copying
/// file contents. The walk reads the tar headers and the first bytes of each file only, and
/// checks each file's length against its header. Returns `None` for a compressed blob, which
/// [`read_layer`] reads instead because the decompressor copies every byte anyway. Also
/// returns `None` for a layer with a GNU sparse entry, which only a stream reads correctly.
pub fn read_mapped_layer(
    map: Mmap,
    declared: Option<Compression>,
    name: &str,
    progress: &dyn Progress,
    digests: bool,
) -> Option<Result<MappedLayer, LayerError>> {
    let bytes = &map[..];
    let found = Compression::sniff(&bytes[..bytes.len().min(512)]);
    if found != Compression::None {
        return None;
    }
    let tar_bytes = Cell::new(0u64);
    let mut walker = Walker::new(name, Some(MappedData::new(&map)));
    walker
        .warnings
        .extend(declared_mismatch(declared, found, bytes.is_empty()));
    if bytes.is_empty() {
        walker.warnings.push(EMPTY_BLOB_WARNING.to_owned());
    }
    if let Some(error) = unsupported_compression(bytes, name) {
        return Some(Err(error));
    }
    if let Err(error) = walker.walk_mapped(&tar_bytes, progress) {
        return Some(Err(walker.explain_first_header(error, Compression::None)));
    }
    if walker.needs_stream {
        return None;
    }
    let digests = digests.then(|| {
        let tar = MappedData::new(&map).sha256();
        LayerDigests {
            blob: tar.clone(),
            tar,
        }
    });
    let contents = LayerContents {
        entries: walker.entries,
        compression: Compression::None,
        blob_bytes: bytes.len() as u64,
        tar_bytes: bytes.len() as u64,
        warnings: walker.warnings,
        digests,
    };
    let unhashed = walker.unhashed;
    Some(Ok(MappedLayer::new(contents, map, unhashed)))
}

struct Walker<'a> {
    name: &'a str,
    entries: Vec<Entry>,
    warnings: Vec<String>,
    /// Read buffer for file contents that are not mapped.
    buffer: Vec<u8>,
    /// The layer's bytes when they are mapped. File contents are then hashed in place, after
    /// the walk, by [`MappedLayer::hash_files`].
    mapped: Option<MappedData<'a>>,
    /// The index in `entries` and the content offset in the map of each regular file that the
    /// walk did not hash.
    unhashed: Vec<(usize, u64)>,
    /// Whether the walk of a mapped layer met an entry that only a stream reads correctly.
    needs_stream: bool,
    /// Indexes in `entries` of the hard links, checked against their targets after the walk.
    hardlinks: Vec<usize>,
    /// Tar headers read so far, including the ones that add no entry.
    headers_seen: u64,
}

impl<'a> Walker<'a> {
    fn new(name: &'a str, mapped: Option<MappedData<'a>>) -> Walker<'a> {
        let buffer = if mapped.is_some() {
            Vec::new()
        } else {
            vec![0u8; 64 * 1024]
        };
        Walker {
            name,
            entries: Vec::new(),
            warnings: Vec::new(),
            buffer,
            mapped,
            unhashed: Vec::new(),
            needs_stream: false,
            hardlinks: Vec::new(),
            headers_seen: 0,
        }
    }

    /// Replaces the tar reader's message for a layer whose first header is invalid, which
    /// quotes the header's bytes, with one that states the layer is not a tar archive.
    fn explain_first_header(&self, error: LayerError, compression: Compression) -> LayerError {
        let what = match compression {
            Compression::None => "the layer is not a tar archive (nor gzip or zstd)",
            Compression::Gzip => "the layer's gzip stream does not hold a tar archive",
            Compression::Zstd => "the layer's zstd stream does not hold a tar archive",
        };
        match error {
            LayerError::Tar { layer, offset, .. } if self.headers_seen == 0 => LayerError::Tar {
                layer,
                offset,
                message: format!(
                    "{what}: its first 512 bytes are not a tar header; check that the blob is \
                     the layer the manifest names"
                ),
            },
            other => other,
        }
    }

    /// Adds a warning, up to [`MAX_WARNINGS`] per layer. One more line then notes that the
    /// rest were left out.
    fn warn(&mut self, warning: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(warning);
        } else if self.warnings.len() == MAX_WARNINGS {
            self.warnings
                .push("further warnings about this layer are left out".to_owned());
        }
    }

    /// Rejects a name or link target longer than Linux allows. No engine can extract such an
    /// entry, and keeping such names would let a small compressed layer fill memory.
    fn check_length(
        &self,
        text: &str,
        field: &str,
        entry: &str,
        tar_bytes: &Cell<u64>,
    ) -> Result<(), LayerError> {
        if text.len() <= MAX_PATH_BYTES {
            return Ok(());
        }
        let start: String = entry.chars().take(60).collect();
        Err(LayerError::Tar {
            layer: self.name.to_owned(),
            offset: tar_bytes.get(),
            message: format!(
                "the {field} of entry `{}…` is {} bytes long, and Linux paths are at most \
                 {MAX_PATH_BYTES} bytes, so no engine can extract this layer",
                printable(&start),
                text.len()
            ),
        })
    }

    /// Warns about hard links whose target is not an earlier entry of the same layer. dockerd
    /// extracts each layer into an empty folder, so such a link fails with "no such file or
    /// directory", even when a lower layer has the target.
    fn check_hardlinks(&mut self) {
        if self.hardlinks.is_empty() {
            return;
        }
        let mut first_index: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::new();
        for (index, entry) in self.entries.iter().enumerate() {
            first_index.entry(&entry.path).or_insert(index);
        }
        let mut warnings = Vec::new();
        for &index in &self.hardlinks {
            let entry = &self.entries[index];
            let Some(target) = entry.link.as_deref() else { continue };
            let earlier = first_index.get(target).copied().filter(|&found| found < index);
            if target == &*entry.path {
                // dockerd removes the existing path before it makes the link, so the link's
                // target is gone when the link is made.
                warnings.push(format!(
                    "hard link `/{}` names itself; dockerd cannot extract the layer (\"no such \
                     file or directory\")",
                    printable(target)
                ));
            } else if earlier.is_some_and(|found| self.entries[found].kind == EntryKind::Directory)
            {
                warnings.push(format!(
                    "hard link `/{}` names the folder `/{}`; Linux cannot link a folder, so \
                     dockerd cannot extract the layer",
                    printable(&entry.path),
                    printable(target)
                ));
            } else if earlier.is_none() {
                warnings.push(format!(
                    "hard link `/{}` names `/{}`, which is not an earlier entry of this layer; \
                     dockerd cannot extract the layer (\"no such file or directory\")",
                    printable(&entry.path),
                    printable(target)
                ));
            }
        }
        for warning in warnings {
            self.warn(warning);
        }
    }

    /// Walks a mapped layer. The tar parser seeks over file data instead of reading it.
    fn walk_mapped(
        &mut self,
        tar_bytes: &Cell<u64>,
        progress: &dyn Progress,
    ) -> Result<(), LayerError> {
        let (cursor, total) = match &self.mapped {
            Some(mapped) => (mapped.cursor(), mapped.bytes().len() as u64),
            None => unreachable!("walk_mapped runs only on mapped bytes"),
        };
        let mut archive = tar::Archive::new(cursor);
        let tar_error = |error: io::Error| LayerError::Tar {
            layer: self.name.to_owned(),
            offset: tar_bytes.get(),
            message: error.to_string(),
        };
        let entries = archive.entries_with_seek().map_err(tar_error)?;
        let mut reported = 0u64;
        for entry in entries {
            let entry = entry.map_err(tar_error)?;
            let end = entry
                .raw_file_position()
                .saturating_add(entry.size())
                .min(total);
            self.add(entry, tar_bytes)?;
            if self.needs_stream {
                return Ok(());
            }
            tar_bytes.set(end);
            // Reading the headers and the first bytes of each file faults pages in. Dropping
            // them as the walk passes keeps the resident set bounded.
            if let Some(mapped) = &mut self.mapped {
                mapped.release_before(end as usize);
            }
            if end - reported >= PROGRESS_STEP {
                progress.advance(end - reported);
                reported = end;
            }
        }
        progress.advance(total - reported);
        tar_bytes.set(total);
        if let Some(mapped) = &mut self.mapped {
            mapped.release_all();
        }
        self.check_hardlinks();
        Ok(())
    }

    fn walk<R: Read>(&mut self, stream: R, tar_bytes: &Cell<u64>) -> Result<(), LayerError> {
        let mut archive = tar::Archive::new(stream);
        let tar_error = |error: io::Error| LayerError::Tar {
            layer: self.name.to_owned(),
            offset: tar_bytes.get(),
            message: error.to_string(),
        };
        let entries = archive.entries().map_err(tar_error)?;
        for entry in entries {
            let entry = entry.map_err(tar_error)?;
            self.add(entry, tar_bytes)?;
        }

        // Read past the end-of-archive blocks so that `tar_bytes` is the whole stream and the
        // gzip trailer (with its CRC) is checked.
        let mut rest = archive.into_inner();
        io::copy(&mut rest, &mut io::sink()).map_err(tar_error)?;
        self.check_hardlinks();
        Ok(())
    }

    fn add<R: Read>(
        &mut self,
        mut entry: tar::Entry<'_, R>,
        tar_bytes: &Cell<u64>,
    ) -> Result<(), LayerError> {
        self.headers_seen += 1;
        let header_kind = entry.header().entry_type();
        if matches!(
            header_kind,
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader | tar::EntryType::GNULongName
        ) {
            return Ok(());
        }

        let sparse = pax_sparse(&mut entry);
        let raw_name = match sparse.as_ref().and_then(|sparse| sparse.name.clone()) {
            Some(name) => name,
            None => decode_name(&entry.path_bytes()).into_owned(),
        };
        self.check_length(&raw_name, "name", &raw_name, tar_bytes)?;
        let resolved = resolve_entry_path(&raw_name);
        if resolved.was_absolute {
            self.warn(format!(
                "entry `{}` has an absolute name; it is read relative to the image root",
                printable(&raw_name)
            ));
        }
        if resolved.climbed {
            self.warn(format!(
                "entry `{}` climbs above the image root through `..`; it is read as `/{}`, \
                 where dockerd extracts it",
                printable(&raw_name),
                printable(&resolved.path)
            ));
        }
        let path = resolved.path;
        if path.is_empty() {
            return Ok(());
        }

        let header = entry.header();
        let mode = header.mode().unwrap_or(0);
        let uid = header.uid().unwrap_or(0);
        let gid = header.gid().unwrap_or(0);
        let mtime = header.mtime().unwrap_or(0);

        let name = file_name(&path);
        if name == OPAQUE_MARKER && parent(&path).is_empty() {
            // overlayfs does not honour the opaque mark on a layer's root folder, so dockerd's
            // overlay2 driver keeps every lower file, as `docker export` shows.
            self.warn(format!(
                "entry `{}` marks the image root opaque, which overlay2 ignores; it is ignored \
                 here too, although appliers that extract onto the lower tree would remove \
                 every lower file",
                printable(&raw_name)
            ));
            return Ok(());
        }
        let (kind, path) = if name == OPAQUE_MARKER {
            (EntryKind::OpaqueDirectory, parent(&path).to_owned())
        } else if let Some(target) = name.strip_prefix(WHITEOUT_PREFIX) {
            if target == "." || target == ".." {
                self.warn(format!(
                    "whiteout `{}` names `{target}`, which dockerd rejects when it extracts \
                     the layer; it is ignored here",
                    printable(&raw_name)
                ));
                return Ok(());
            }
            if target.is_empty() || target.starts_with(WHITEOUT_PREFIX) {
                // `.wh.` alone is invalid, and `.wh..wh.*` names other than the opaque marker
                // are aufs bookkeeping (such as `.wh..wh.plnk`) with no meaning for the image.
                return Ok(());
            }
            (EntryKind::Whiteout, join(parent(&path), target))
        } else {
            let kind = match header_kind {
                tar::EntryType::Regular
                | tar::EntryType::Continuous
                | tar::EntryType::GNUSparse => EntryKind::File,
                tar::EntryType::Directory => EntryKind::Directory,
                tar::EntryType::Symlink => EntryKind::Symlink,
                tar::EntryType::Link => EntryKind::Hardlink,
                _ => EntryKind::Special,
            };
            (kind, path)
        };

        let link = match kind {
            EntryKind::Symlink | EntryKind::Hardlink => {
                let raw = entry
                    .link_name_bytes()
                    .map(|bytes| decode_name(&bytes).into_owned())
                    .unwrap_or_default();
                self.check_length(&raw, "link target", &raw_name, tar_bytes)?;
                if kind == EntryKind::Symlink {
                    Some(raw.into_boxed_str())
                } else {
                    let target = resolve_entry_path(&raw);
                    if target.climbed {
                        self.warn(format!(
                            "hard link `{}` names `{}`, which climbs above the image root \
                             through `..`; it is read as `/{}`",
                            printable(&raw_name),
                            printable(&raw),
                            printable(&target.path)
                        ));
                    }
                    self.hardlinks.push(self.entries.len());
                    Some(target.path.into_boxed_str())
                }
            }
            _ => None,
        };

        if header_kind == tar::EntryType::GNUSparse {
            self.warn(format!(
                "entry `{}` is an old GNU sparse file (tar type `S`), which dockerd cannot \
                 extract (\"unhandled tar header type 83\"); it is read with its full size",
                printable(&raw_name)
            ));
        }
        if self.mapped.is_some() && header_kind == tar::EntryType::GNUSparse {
            // A sparse entry stores only its data regions, which the tar reader expands, and
            // the reader of a tar walked with seeks yields none of them. The caller reads such
            // a layer as a stream instead.
            self.needs_stream = true;
            return Ok(());
        }
        let real_size = sparse.and_then(|sparse| sparse.size);
        let (size, head_hash, hash) = if let Some(real_size) = real_size
            && kind == EntryKind::File
        {
            // The data holds only the written regions (and, in format 1.0, the map of them),
            // so it is neither the file's content nor its size. The file is not hashed and
            // counts as unique.
            (real_size, 0, None)
        } else if kind == EntryKind::File {
            let claimed = entry.size();
            // Sparse entries of a mapped layer returned above, so mapped data lies in place.
            let content = match &mut self.mapped {
                Some(mapped) => {
                    let position = entry.raw_file_position();
                    let (present, head_hash) = mapped.head(position, claimed);
                    self.unhashed.push((self.entries.len(), position));
                    ReadContent {
                        present,
                        head_hash,
                        hash: None,
                    }
                }
                None => self
                    .hash_data(&mut entry)
                    .map_err(|error| LayerError::Tar {
                        layer: self.name.to_owned(),
                        offset: tar_bytes.get(),
                        message: format!("reading `{raw_name}`: {error}"),
                    })?,
            };
            if content.present != claimed {
                return Err(LayerError::TruncatedEntry {
                    layer: self.name.to_owned(),
                    entry: raw_name,
                    claimed,
                    read: content.present,
                });
            }
            (claimed, content.head_hash, content.hash)
        } else {
            (0, 0, None)
        };

        self.entries.push(Entry {
            path: path.into_boxed_str(),
            kind,
            size,
            mode,
            uid,
            gid,
            mtime,
            link,
            head_hash,
            hash,
        });
        Ok(())
    }

    fn hash_data(&mut self, data: &mut impl Read) -> io::Result<ReadContent> {
        let mut hasher = Xxh3::new();
        let mut total = 0u64;
        let mut head = [0u8; HEAD_BYTES];
        let mut head_len = 0;
        loop {
            let read = match data.read(&mut self.buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            // A read may return fewer bytes than the head, so the head is gathered across reads.
            let copied = read.min(HEAD_BYTES - head_len);
            head[head_len..head_len + copied].copy_from_slice(&self.buffer[..copied]);
            head_len += copied;
            hasher.update(&self.buffer[..read]);
            total += read as u64;
        }
        Ok(ReadContent {
            present: total,
            head_hash: head_hash(&head[..head_len]),
            hash: Some(hasher.digest128()),
        })
    }
}

/// The real name and size of a file in one of GNU tar's PAX sparse formats (0.0, 0.1 and
/// 1.0). Its tar name can be a placeholder such as `GNUSparseFile.123/name`, and its data
/// holds only the written regions.
struct PaxSparse {
    name: Option<String>,
    size: Option<u64>,
}

/// Reads the GNU sparse records of an entry's PAX header, as Go's `archive/tar` (which
/// dockerd extracts with) does: `GNU.sparse.name` replaces the name, and `GNU.sparse.size`
/// or else `GNU.sparse.realsize` is the size.
fn pax_sparse<R: Read>(entry: &mut tar::Entry<'_, R>) -> Option<PaxSparse> {
    let extensions = entry.pax_extensions().ok().flatten()?;
    let mut sparse = PaxSparse {
        name: None,
        size: None,
    };
    let mut real_size = None;
    let mut found = false;
    for extension in extensions.flatten() {
        let Ok(key) = extension.key() else { continue };
        if !key.starts_with("GNU.sparse.") {
            continue;
        }
        found = true;
        let value = extension.value_bytes();
        match key {
            "GNU.sparse.name" => sparse.name = Some(decode_name(value).into_owned()),
            "GNU.sparse.size" => sparse.size = parse_decimal(value),
            "GNU.sparse.realsize" => real_size = parse_decimal(value),
            _ => {}
        }
    }
    sparse.size = sparse.size.or(real_size);
    found.then_some(sparse)
}

fn parse_decimal(value: &[u8]) -> Option<u64> {
    std::str::from_utf8(value).ok()?.trim().parse().ok()
}

/// The length and hashes of one regular file's content, as the walk read them.
struct ReadContent {
    /// Content bytes present in the layer, fewer than the header claims when it ends early.
    present: u64,
    head_hash: u64,
    /// `None` when the content is left in a memory map to be hashed later.
    hash: Option<ContentHash>,
}

/// Counts the bytes that pass through, reports them to a progress sink and feeds them to a
/// digest.
struct CountingReader<'a, R> {
    inner: R,
    count: &'a Cell<u64>,
    progress: Option<&'a dyn Progress>,
    digest: Option<&'a RefCell<Sha256>>,
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.count.set(self.count.get() + read as u64);
        if let Some(digest) = self.digest {
            digest.borrow_mut().update(&buffer[..read]);
        }
        if let Some(progress) = self.progress {
            progress.advance(read as u64);
        }
        Ok(read)
    }
}

/// Remembers the first error of the decompressor, so a failure seen by the tar reader can be
/// reported as a decompression error with the compressed offset.
struct ErrorTrap<'a, R> {
    inner: R,
    error: &'a RefCell<Option<String>>,
}

impl<R: Read> Read for ErrorTrap<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buffer).inspect_err(|error| {
            let mut slot = self.error.borrow_mut();
            if slot.is_none() {
                *slot = Some(error.to_string());
            }
        })
    }
}

/// Tells whether a 512-byte block is a tar header: all zeros (an empty archive) or a header
/// whose checksum field matches its bytes.
pub fn looks_like_tar(block: &[u8]) -> bool {
    if block.len() < 512 {
        return false;
    }
    let block = &block[..512];
    if block.iter().all(|&byte| byte == 0) {
        return true;
    }
    let field = &block[148..156];
    let text: String = field
        .iter()
        .take_while(|&&byte| byte != 0)
        .map(|&byte| byte as char)
        .collect();
    let Ok(stored) = u32::from_str_radix(text.trim(), 8) else {
        return false;
    };
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(index, &byte)| {
            if (148..156).contains(&index) {
                32
            } else {
                u32::from(byte)
            }
        })
        .sum();
    sum == stored
}

#[cfg(test)]
#[path = "layer_tests.rs"]
mod tests;
