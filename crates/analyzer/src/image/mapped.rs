//! Uncompressed layers read through a memory map: the tar headers are parsed from the mapped
//! bytes, and a file's content is hashed where it lies, later and only when the analysis needs
//! its hash, so no file content is copied into a read buffer. Pages are dropped from the
//! mapping behind the reader, so the resident set stays near [`RELEASE_STEP`] per layer however
//! large the layer or its files are.

use std::fs::File;
use std::io::Cursor;
use std::ops::Range;

use memmap2::{Mmap, MmapOptions, UncheckedAdvice};
use sha2::{Digest, Sha256};

use super::digests::format_sha256;
use super::entry::{Entry, head_hash};
use super::layer::{LayerContents, PROGRESS_STEP, Progress};

/// Bytes hashed or passed before the pages behind the reader are dropped from the mapping.
pub const RELEASE_STEP: usize = 8 * 1024 * 1024;

/// Maps `len` bytes of `file` from `offset`. Returns `None` when the range cannot be mapped
/// (an empty range, a range larger than the address space, or a file system without mmap), so
/// the caller reads the blob instead.
pub fn map_blob(file: &File, offset: u64, len: u64) -> Option<Mmap> {
    let len = usize::try_from(len).ok().filter(|&len| len > 0)?;
    // SAFETY: the map is only read. If another process truncates the archive during the
    // analysis, a read past the new end raises SIGBUS and ends this process. That is the
    // price of reading without copies, and the archive is an input nothing else should change.
    let map = unsafe { MmapOptions::new().offset(offset).len(len).map(file) }.ok()?;
    // Readahead works ahead of a reader that moves forward only.
    map.advise(memmap2::Advice::Sequential).ok();
    Some(map)
}

/// Mapped layer bytes and how far the pages behind the reader have been dropped.
pub struct MappedData<'a> {
    map: &'a Mmap,
    released: usize,
}

impl<'a> MappedData<'a> {
    pub fn new(map: &'a Mmap) -> MappedData<'a> {
        MappedData { map, released: 0 }
    }

    pub fn bytes(&self) -> &'a [u8] {
        &self.map[..]
    }

    /// Returns a reader over the mapped bytes for the tar parser, which copies only the
    /// 512-byte headers and PAX records and seeks over file data.
    pub fn cursor(&self) -> Cursor<&'a [u8]> {
        Cursor::new(self.bytes())
    }

    /// Returns the part of the `claimed` content bytes from `position` that the map holds.
    fn content_range(&self, position: u64, claimed: u64) -> Range<usize> {
        let len = self.map.len();
        let start = usize::try_from(position).unwrap_or(usize::MAX).min(len);
        let present = usize::try_from(claimed)
            .unwrap_or(usize::MAX)
            .min(len - start);
        start..start + present
    }

    /// Reads the start of up to `claimed` bytes of content from `position`. Returns the bytes
    /// present (fewer than `claimed` when the layer ends early) and the [`head_hash`] of them,
    /// which reads no more than the first [`super::entry::HEAD_BYTES`].
    pub fn head(&self, position: u64, claimed: u64) -> (u64, u64) {
        let range = self.content_range(position, claimed);
        let present = range.len() as u64;
        (present, head_hash(&self.bytes()[range]))
    }

    /// Hashes up to `claimed` bytes of content starting at `position`. Returns the bytes
    /// present (fewer than `claimed` when the layer ends early) and their xxh3 hash.
    pub fn hash_range(&mut self, position: u64, claimed: u64) -> (u64, u128) {
        let bytes = self.bytes();
        let Range { start, end } = self.content_range(position, claimed);
        let present = end - start;
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let mut at = start;
        while at < end {
            let chunk_end = end.min(at + RELEASE_STEP);
            hasher.update(&bytes[at..chunk_end]);
            at = chunk_end;
            self.release_before(at);
        }
        (present as u64, hasher.digest128())
    }

    /// Computes the sha256 of all mapped bytes, dropping pages behind as it goes.
    pub fn sha256(mut self) -> String {
        let bytes = self.bytes();
        let mut hasher = Sha256::new();
        let mut at = 0;
        while at < bytes.len() {
            let chunk_end = bytes.len().min(at + RELEASE_STEP);
            hasher.update(&bytes[at..chunk_end]);
            at = chunk_end;
            self.release_before(at);
        }
        self.release_all();
        format_sha256(hasher)
    }

    /// Drops the pages before `position` from the mapping once [`RELEASE_STEP`] bytes have
    /// passed since the last drop. The pages stay in the page cache; only this process stops
    /// counting them as resident.
    pub fn release_before(&mut self, position: usize) {
        if position < self.released + RELEASE_STEP {
            return;
        }
        self.release_to(position);
    }

    /// Drops every page still in the mapping. A reader that is done but keeps the map calls it,
    /// so that the pages of many kept maps do not add up.
    pub fn release_all(&mut self) {
        self.release_to(self.map.len());
    }

    fn release_to(&mut self, position: usize) {
        if position <= self.released {
            return;
        }
        let len = position - self.released;
        // SAFETY: the mapping is private and never written, so dropping its pages does not
        // change what it reads: a later read faults the same bytes in again from the file, and
        // slices borrowed from the map stay valid.
        let result = unsafe {
            self.map
                .unchecked_advise_range(UncheckedAdvice::DontNeed, self.released, len)
        };
        if result.is_ok() {
            self.released = position;
        }
    }
}

/// An uncompressed layer read through a memory map, with its regular files not hashed yet. It
/// keeps the map so that [`MappedLayer::hash_files`] can hash the files that need it once
/// every layer of the image is read. The map takes address space but keeps few resident
/// pages, because the walk dropped the pages it read.
pub struct MappedLayer {
    /// The layer's entries, without a `hash` on the files that `unhashed` lists.
    pub contents: LayerContents,
    map: Mmap,
    /// The index in `contents.entries` and the content offset in `map` of each regular file
    /// whose hash is not computed yet, in tar order.
    unhashed: Vec<(usize, u64)>,
}

impl MappedLayer {
    pub fn new(contents: LayerContents, map: Mmap, unhashed: Vec<(usize, u64)>) -> MappedLayer {
        MappedLayer {
            contents,
            map,
            unhashed,
        }
    }

    /// Returns the bytes of the unhashed files for which `wanted` returns true, the bytes
    /// that [`MappedLayer::hash_files`] reads.
    pub fn bytes_to_hash(&self, wanted: impl Fn(&Entry) -> bool) -> u64 {
        self.unhashed
            .iter()
            .map(|&(index, _)| &self.contents.entries[index])
            .filter(|entry| wanted(entry))
            .map(|entry| entry.size)
            .sum()
    }

    /// Computes the content hash of each unhashed file for which `wanted` returns true, reading
    /// the files in tar order and dropping pages behind the reader. Reports the bytes hashed
    /// to `progress`. Returns the layer's entries and drops the map.
    pub fn hash_files(
        self,
        wanted: impl Fn(&Entry) -> bool,
        progress: &dyn Progress,
    ) -> LayerContents {
        let MappedLayer {
            mut contents,
            map,
            unhashed,
        } = self;
        let mut data = MappedData::new(&map);
        let mut unreported = 0;
        for (index, position) in unhashed {
            let entry = &mut contents.entries[index];
            if wanted(entry) {
                let (_, hash) = data.hash_range(position, entry.size);
                entry.hash = Some(hash);
                unreported += entry.size;
                if unreported >= PROGRESS_STEP {
                    progress.advance(std::mem::take(&mut unreported));
                }
            }
        }
        if unreported > 0 {
            progress.advance(unreported);
        }
        contents
    }
}

#[cfg(test)]
impl MappedLayer {
    /// Returns the bytes of the map that this process has resident, read from
    /// `/proc/self/smaps`.
    pub fn resident_bytes(&self) -> u64 {
        let address = self.map.as_ptr() as usize;
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        for line in smaps.lines() {
            let first = line.split(' ').next().unwrap_or_default();
            if let Some((start, end)) = first.split_once('-')
                && let (Ok(start), Ok(end)) = (
                    usize::from_str_radix(start, 16),
                    usize::from_str_radix(end, 16),
                )
            {
                inside = (start..end).contains(&address);
            } else if inside && let Some(value) = line.strip_prefix("Rss:") {
                let kilobytes: u64 = value.trim().trim_end_matches("kB").trim().parse().unwrap();
                return kilobytes * 1024;
            }
        }
        panic!("no mapping at {address:#x} in /proc/self/smaps");
    }
}
