//! Duplicates and metadata-only copies found by analyzing archives written here. Plain tar
//! layers are read through a memory map, and their files are hashed only when another file of
//! the image has the same size and first bytes. Gzip layers are read as streams, and all their
//! files are hashed.

use std::io::Write;
use std::path::Path;

use serde_json::json;
use sha2::Digest;

use super::super::digests::format_sha256;
use super::super::{Analysis, AnalyzeOptions, ImageSource, NoProgress, Progress, analyze};
use super::*;

/// How the test archive stores a layer, which decides how the analysis reads it.
#[derive(Clone, Copy)]
enum Stored {
    /// A plain tar, read through a memory map.
    Plain,
    /// A gzip-compressed tar, read as a stream.
    Gzip,
}

/// Writes a layer tar of regular files, each with its mode.
fn layer(files: &[(&str, &[u8], u32)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data, mode) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(*mode);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Writes a legacy `docker save` archive that stores each of `blobs` once and lists them in
/// `order` (so a blob may make several layers), then analyzes it.
fn analyze_image(blobs: &[(&[u8], Stored)], order: &[usize], options: &AnalyzeOptions) -> Analysis {
    analyze_image_reporting(blobs, order, options, &NoProgress)
}

/// Analyzes the image as [`analyze_image`] does and reports its progress to `progress`.
fn analyze_image_reporting(
    blobs: &[(&[u8], Stored)],
    order: &[usize],
    options: &AnalyzeOptions,
    progress: &dyn Progress,
) -> Analysis {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let unique = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "ballast-report-{}-{unique}.tar",
        std::process::id()
    ));

    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    for (index, (tar, stored)) in blobs.iter().enumerate() {
        let data = match stored {
            Stored::Plain => tar.to_vec(),
            Stored::Gzip => gzip(tar),
        };
        members.push((format!("layer{index}.tar"), data));
    }
    let diff_ids: Vec<String> = order
        .iter()
        .map(|&index| format_sha256(sha2::Sha256::new_with_prefix(blobs[index].0)))
        .collect();
    let history: Vec<serde_json::Value> = order
        .iter()
        .map(|index| json!({"created_by": format!("COPY layer{index} /")}))
        .collect();
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    });
    members.push((
        "config.json".to_owned(),
        serde_json::to_vec(&config).unwrap(),
    ));
    let layers: Vec<String> = order
        .iter()
        .map(|index| format!("layer{index}.tar"))
        .collect();
    let manifest = json!([{"Config": "config.json", "Layers": layers}]);
    members.push((
        "manifest.json".to_owned(),
        serde_json::to_vec(&manifest).unwrap(),
    ));
    write_archive(&path, &members);

    let source = ImageSource::parse(path.to_str().unwrap());
    let analysis = analyze(&source, options, progress);
    std::fs::remove_file(&path).unwrap();
    let analysis = analysis.unwrap();
    assert!(analysis.report.complete, "{:?}", analysis.report.errors);
    analysis
}

fn write_archive(path: &Path, members: &[(String, Vec<u8>)]) {
    let mut builder = tar::Builder::new(std::fs::File::create(path).unwrap());
    for (name, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, name, data.as_slice())
            .unwrap();
    }
    builder.finish().unwrap();
}

/// Returns `len` bytes that differ from those of another `seed`, starting at the first byte.
fn content(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|index| (index as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn duplicate_paths(analysis: &Analysis) -> Vec<Vec<String>> {
    analysis
        .report
        .duplicates
        .top_groups
        .iter()
        .map(|group| group.paths.clone())
        .collect()
}

fn hash_of(analysis: &Analysis, path: &str) -> Option<ContentHash> {
    analysis.tree.get(path).unwrap().hash
}

#[test]
fn same_head_different_tail_not_duplicates() {
    let original = content(5000, 1);
    let mut changed = original.clone();
    changed[4000] ^= 1;
    let tar = layer(&[
        ("a", &original, 0o644),
        ("b", &changed, 0o644),
        ("c", &original, 0o644),
    ]);
    let analysis = analyze_image(&[(&tar, Stored::Plain)], &[0], &AnalyzeOptions::default());

    assert_eq!(duplicate_paths(&analysis), vec![vec!["/a", "/c"]]);
    assert_eq!(analysis.report.duplicates.wasted_bytes, 5000);
    assert!(hash_of(&analysis, "b").is_some(), "b shares a's key");
    assert_ne!(hash_of(&analysis, "a"), hash_of(&analysis, "b"));
}

#[test]
fn duplicates_across_mapped_and_streamed_layers() {
    let first = content(3000, 2);
    let second = content(2000, 3);
    let mapped_low = layer(&[("mapped-first", &first, 0o644)]);
    let streamed = layer(&[
        ("streamed-first", &first, 0o644),
        ("streamed-second", &second, 0o644),
    ]);
    let mapped_high = layer(&[("mapped-second", &second, 0o644)]);
    let blobs = [
        (mapped_low.as_slice(), Stored::Plain),
        (streamed.as_slice(), Stored::Gzip),
        (mapped_high.as_slice(), Stored::Plain),
    ];
    let analysis = analyze_image(&blobs, &[0, 1, 2], &AnalyzeOptions::default());

    assert_eq!(
        analysis.report.layers[1].compression,
        Some(Compression::Gzip)
    );
    assert_eq!(
        duplicate_paths(&analysis),
        vec![
            vec!["/mapped-first", "/streamed-first"],
            vec!["/mapped-second", "/streamed-second"],
        ]
    );
    assert_eq!(analysis.report.duplicates.wasted_bytes, 5000);
}

#[test]
fn metadata_only_copy_across_mapped_layers() {
    let data = content(4096, 4);
    let other = content(4096, 5);
    let mut other_changed = other.clone();
    other_changed[4095] ^= 1;
    let lower = layer(&[("srv/data", &data, 0o644), ("srv/other", &other, 0o644)]);
    let upper = layer(&[
        ("srv/data", &data, 0o600),
        ("srv/other", &other_changed, 0o644),
    ]);
    let blobs = [
        (lower.as_slice(), Stored::Plain),
        (upper.as_slice(), Stored::Plain),
    ];
    let analysis = analyze_image(&blobs, &[0, 1], &AnalyzeOptions::default());

    let wasted = analysis.wasted_files();
    assert_eq!(wasted.len(), 2);
    let data_copy = wasted
        .iter()
        .find(|file| &*file.path == "srv/data")
        .unwrap();
    assert_eq!(data_copy.reason, HideReason::MetadataOnly);
    let change = data_copy.changed.unwrap();
    assert!(change.mode);
    assert!(!change.owner);
    let other_copy = wasted
        .iter()
        .find(|file| &*file.path == "srv/other")
        .unwrap();
    assert_eq!(other_copy.reason, HideReason::Overwritten);
}

#[test]
fn repeated_layer_compares_with_itself() {
    let tar = layer(&[("f", &content(1000, 6), 0o644)]);
    let analysis = analyze_image(
        &[(&tar, Stored::Plain)],
        &[0, 0],
        &AnalyzeOptions::default(),
    );

    let wasted = analysis.wasted_files();
    assert_eq!(wasted.len(), 1);
    assert_eq!(wasted[0].reason, HideReason::MetadataOnly);
    assert_eq!(wasted[0].changed, Some(MetadataChange::default()));
}

#[test]
fn unshared_key_leaves_file_unhashed() {
    let pair = content(5000, 7);
    let other_head = content(5000, 8);
    let odd_size = content(777, 7);
    let tar = layer(&[
        ("pair-a", &pair, 0o644),
        ("pair-b", &pair, 0o644),
        ("other-head", &other_head, 0o644),
        ("odd-size", &odd_size, 0o644),
    ]);
    let blobs = [(tar.as_slice(), Stored::Plain)];

    let lazy = analyze_image(&blobs, &[0], &AnalyzeOptions::default());
    assert_eq!(hash_of(&lazy, "odd-size"), None);
    assert_eq!(hash_of(&lazy, "other-head"), None);
    assert_eq!(
        hash_of(&lazy, "pair-a"),
        Some(xxhash_rust::xxh3::xxh3_128(&pair))
    );
    assert_eq!(hash_of(&lazy, "pair-b"), hash_of(&lazy, "pair-a"));

    let options = AnalyzeOptions {
        hash_all_files: true,
        ..AnalyzeOptions::default()
    };
    let full = analyze_image(&blobs, &[0], &options);
    for (path, data) in [
        ("pair-a", &pair),
        ("other-head", &other_head),
        ("odd-size", &odd_size),
    ] {
        assert_eq!(
            hash_of(&full, path),
            Some(xxhash_rust::xxh3::xxh3_128(data)),
            "{path}"
        );
    }
    assert_eq!(duplicate_paths(&full), duplicate_paths(&lazy));
}

/// The calls an analysis makes to its progress sink, in order.
#[derive(Default)]
struct RecordedProgress {
    calls: std::sync::Mutex<Vec<(&'static str, u64)>>,
}

impl Progress for RecordedProgress {
    fn start(&self, total_blob_bytes: Option<u64>) {
        let total = total_blob_bytes.unwrap_or(0);
        self.calls.lock().unwrap().push(("start", total));
    }

    fn advance(&self, blob_bytes: u64) {
        self.calls.lock().unwrap().push(("advance", blob_bytes));
    }

    fn hashing(&self, total_file_bytes: u64) {
        self.calls.lock().unwrap().push(("hashing", total_file_bytes));
    }
}

#[test]
fn progress_counts_hashing_after_the_walk() {
    let shared = content(5000, 7);
    let own = content(3000, 9);
    let lower = layer(&[("a", &shared, 0o644), ("b", &own, 0o644)]);
    let upper = layer(&[("c", &shared, 0o644)]);
    let progress = RecordedProgress::default();
    let blobs = [(lower.as_slice(), Stored::Plain), (upper.as_slice(), Stored::Plain)];
    analyze_image_reporting(&blobs, &[0, 1], &AnalyzeOptions::default(), &progress);
    let calls = progress.calls.into_inner().unwrap();

    let total_read = (lower.len() + upper.len()) as u64;
    assert_eq!(calls.first(), Some(&("start", total_read)), "{calls:?}");
    let hashing = calls
        .iter()
        .position(|&(kind, _)| kind == "hashing")
        .expect("no hashing phase was reported");
    let advanced = |calls: &[(&str, u64)]| -> u64 {
        calls
            .iter()
            .filter(|&&(kind, _)| kind == "advance")
            .map(|&(_, bytes)| bytes)
            .sum()
    };
    assert_eq!(advanced(&calls[..hashing]), total_read, "{calls:?}");
    // Both copies of the shared file are hashed; the other file's size and head are its own.
    assert_eq!(calls[hashing].1, 10_000);
    assert_eq!(advanced(&calls[hashing + 1..]), 10_000, "{calls:?}");
}

#[test]
fn progress_has_no_hashing_phase_without_shared_keys() {
    let lower = layer(&[("a", &content(5000, 1), 0o644)]);
    let upper = layer(&[("b", &content(4000, 2), 0o644)]);
    let progress = RecordedProgress::default();
    let blobs = [(lower.as_slice(), Stored::Plain), (upper.as_slice(), Stored::Plain)];
    analyze_image_reporting(&blobs, &[0, 1], &AnalyzeOptions::default(), &progress);
    let calls = progress.calls.into_inner().unwrap();
    assert!(calls.iter().all(|&(kind, _)| kind != "hashing"), "{calls:?}");
}
