use std::io::Write;

use super::*;

/// Appends a tar entry whose name is written byte for byte, so tests can build names that
/// `tar::Header::set_path` would reject (`..` components, absolute paths).
fn append_raw(builder: &mut tar::Builder<Vec<u8>>, name: &str, kind: tar::EntryType, data: &[u8]) {
    let mut header = tar::Header::new_ustar();
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(if kind == tar::EntryType::Directory {
        0o755
    } else {
        0o644
    });
    header.set_cksum();
    builder.append(&header, data).unwrap();
}

fn layer_tar(entries: &[(&str, tar::EntryType, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, kind, data) in entries {
        append_raw(&mut builder, name, *kind, data);
    }
    builder.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn read(blob: &[u8], declared: Option<Compression>) -> Result<LayerContents, LayerError> {
    read_layer(blob, declared, "sha256:test", &NoProgress)
}

fn sample() -> Vec<u8> {
    layer_tar(&[
        ("./", tar::EntryType::Directory, b""),
        ("./etc/", tar::EntryType::Directory, b""),
        (
            "./etc/hosts",
            tar::EntryType::Regular,
            b"127.0.0.1 localhost\n",
        ),
        ("./etc/.wh.old", tar::EntryType::Regular, b""),
        ("./var/.wh..wh..opq", tar::EntryType::Regular, b""),
    ])
}

#[test]
fn plain_tar_entries_decode() {
    let contents = read(&sample(), None).unwrap();
    let summary: Vec<(&str, EntryKind, u64)> = contents
        .entries
        .iter()
        .map(|entry| (entry.path.as_ref(), entry.kind, entry.size))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("etc", EntryKind::Directory, 0),
            ("etc/hosts", EntryKind::File, 20),
            ("etc/old", EntryKind::Whiteout, 0),
            ("var", EntryKind::OpaqueDirectory, 0),
        ]
    );
    assert_eq!(contents.compression, Compression::None);
    assert_eq!(contents.tar_bytes, sample().len() as u64);
    assert_eq!(contents.blob_bytes, sample().len() as u64);
}

#[test]
fn gzip_with_several_members_decodes() {
    let tar = sample();
    let (first, second) = tar.split_at(700);
    let mut blob = gzip(first);
    blob.extend(gzip(second));
    let contents = read(&blob, Some(Compression::Gzip)).unwrap();
    assert_eq!(contents.entries.len(), 4);
    assert_eq!(contents.compression, Compression::Gzip);
    assert_eq!(contents.tar_bytes, tar.len() as u64);
    assert_eq!(contents.blob_bytes, blob.len() as u64);
}

#[test]
fn zstd_decodes() {
    let blob = zstd::encode_all(sample().as_slice(), 3).unwrap();
    let contents = read(&blob, Some(Compression::Zstd)).unwrap();
    assert_eq!(contents.entries.len(), 4);
    assert_eq!(contents.compression, Compression::Zstd);
}

#[test]
fn magic_bytes_override_plain_media_type() {
    let blob = gzip(&sample());
    let contents = read(&blob, Some(Compression::None)).unwrap();
    assert_eq!(contents.compression, Compression::Gzip);
    assert_eq!(contents.entries.len(), 4);
    assert_eq!(contents.warnings.len(), 1, "{:?}", contents.warnings);
    assert!(
        contents.warnings[0].contains("names uncompressed tar, but the blob is gzip"),
        "{:?}",
        contents.warnings
    );
}

#[test]
fn magic_bytes_override_gzip_media_type() {
    let contents = read(&sample(), Some(Compression::Gzip)).unwrap();
    assert_eq!(contents.compression, Compression::None);
    assert_eq!(contents.entries.len(), 4);
    assert!(
        contents.warnings[0].contains("names gzip, but the blob is uncompressed tar"),
        "{:?}",
        contents.warnings
    );
    let mapped = read_mapped(&sample(), Some(Compression::Gzip)).unwrap().unwrap();
    assert_eq!(mapped.entries.len(), 4);
    assert_eq!(mapped.warnings, contents.warnings);
}

#[test]
fn matching_media_type_gives_no_warning() {
    let contents = read(&gzip(&sample()), Some(Compression::Gzip)).unwrap();
    assert!(contents.warnings.is_empty(), "{:?}", contents.warnings);
}

#[test]
fn pax_global_header_is_skipped() {
    let tar = layer_tar(&[
        (
            "pax_global_header",
            tar::EntryType::XGlobalHeader,
            b"31 comment=made-by-git-archive\n",
        ),
        ("f", tar::EntryType::Regular, b"hello\n"),
    ]);
    let contents = read(&tar, None).unwrap();
    assert_eq!(contents.entries.len(), 1);
    assert_eq!(contents.content_bytes(), 6);
}

#[test]
fn truncated_gzip_names_layer_and_offset() {
    let blob = gzip(&layer_tar(&[(
        "big",
        tar::EntryType::Regular,
        &vec![7u8; 200_000],
    )]));
    let cut = &blob[..blob.len() / 2];
    let error = read(cut, Some(Compression::Gzip)).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("sha256:test"), "{message}");
    assert!(
        matches!(
            error,
            LayerError::Decompress { .. } | LayerError::TruncatedEntry { .. }
        ),
        "{message}"
    );
}

#[test]
fn huge_claimed_size_is_truncation() {
    let mut tar = Vec::new();
    let mut header = tar::Header::new_gnu();
    header.set_path("claims-1tb").unwrap();
    header.set_size(1 << 40);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    tar.extend_from_slice(header.as_bytes());
    tar.extend_from_slice(&[1u8; 4096]);
    let error = read(&tar, None).unwrap_err();
    match error {
        LayerError::TruncatedEntry { claimed, read, .. } => {
            assert_eq!(claimed, 1 << 40);
            assert_eq!(read, 4096);
        }
        other => panic!("expected a truncated entry, got {other}"),
    }
}

#[test]
fn parent_components_resolve_inside_the_root() {
    let tar = layer_tar(&[
        ("ok/../up", tar::EntryType::Regular, b"inside"),
        ("../../etc/evil", tar::EntryType::Regular, b"above"),
    ]);
    let contents = read(&tar, None).unwrap();
    let paths: Vec<&str> = contents.entries.iter().map(|entry| &*entry.path).collect();
    assert_eq!(paths, ["up", "etc/evil"]);
    assert_eq!(contents.warnings.len(), 1, "{:?}", contents.warnings);
    assert!(contents.warnings[0].contains("`../../etc/evil` climbs above the image root"));
    assert!(contents.warnings[0].contains("read as `/etc/evil`"));
}

#[test]
fn names_that_are_not_utf8_stay_apart() {
    let mut builder = tar::Builder::new(Vec::new());
    for name in [&b"bad/\xff"[..], &b"bad/\xfe"[..]] {
        let mut header = tar::Header::new_gnu();
        header.as_old_mut().name[..name.len()].copy_from_slice(name);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(1);
        header.set_cksum();
        builder.append(&header, &b"x"[..]).unwrap();
    }
    let contents = read(&builder.into_inner().unwrap(), None).unwrap();
    let paths: Vec<&str> = contents.entries.iter().map(|entry| &*entry.path).collect();
    assert_eq!(paths, ["bad/\\xff", "bad/\\xfe"]);
}

#[test]
fn overlong_name_is_rejected() {
    let long = format!("{}/file", "d".repeat(5000));
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(1);
    builder.append_data(&mut header, &long, &b"x"[..]).unwrap();
    let error = read(&builder.into_inner().unwrap(), None).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("is 5005 bytes long"), "{message}");
    assert!(message.contains("at most 4095 bytes"), "{message}");
    assert!(message.len() < 400, "the message quotes the whole name: {message}");
}

#[test]
fn hard_link_without_earlier_target_warns() {
    let mut builder = tar::Builder::new(Vec::new());
    append_raw(&mut builder, "data", tar::EntryType::Regular, b"x");
    for (name, target) in [("good", "data"), ("bad", "nowhere/file")] {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Link);
        header.set_size(0);
        builder.append_link(&mut header, name, target).unwrap();
    }
    let tar = builder.into_inner().unwrap();
    let contents = read(&tar, None).unwrap();
    assert_eq!(contents.warnings.len(), 1, "{:?}", contents.warnings);
    assert!(
        contents.warnings[0].contains("hard link `/bad` names `/nowhere/file`"),
        "{:?}",
        contents.warnings
    );
    let mapped = read_mapped(&tar, None).unwrap().unwrap();
    assert_eq!(mapped.warnings, contents.warnings);
}

/// Returns a layer with a 1 MiB file that GNU tar's PAX sparse format 1.0 stores as one
/// 512-byte region. The tar name is a placeholder, and the data starts with the region map.
fn pax_sparse_layer() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    builder
        .append_pax_extensions([
            ("GNU.sparse.major", &b"1"[..]),
            ("GNU.sparse.minor", &b"0"[..]),
            ("GNU.sparse.name", &b"opt/sparse.img"[..]),
            ("GNU.sparse.realsize", &b"1048576"[..]),
        ])
        .unwrap();
    let mut data = b"1\n1048064\n512\n".to_vec();
    data.resize(512, 0);
    data.extend([7u8; 512]);
    append_raw(&mut builder, "opt/GNUSparseFile.42/sparse.img", tar::EntryType::Regular, &data);
    append_raw(&mut builder, "opt/after", tar::EntryType::Regular, b"next");
    builder.into_inner().unwrap()
}

#[test]
fn pax_sparse_folder_has_no_size() {
    let mut builder = tar::Builder::new(Vec::new());
    builder
        .append_pax_extensions([("GNU.sparse.realsize", &b"1099511627776"[..])])
        .unwrap();
    append_raw(&mut builder, "opt/", tar::EntryType::Directory, b"");
    let contents = read(&builder.into_inner().unwrap(), None).unwrap();
    assert_eq!(contents.entries[0].kind, EntryKind::Directory);
    assert_eq!(contents.entries[0].size, 0);
}

#[test]
fn pax_sparse_file_has_real_name_and_size() {
    let tar = pax_sparse_layer();
    let contents = read(&tar, None).unwrap();
    let files: Vec<(&str, u64)> = contents
        .entries
        .iter()
        .map(|entry| (&*entry.path, entry.size))
        .collect();
    assert_eq!(files, [("opt/sparse.img", 1_048_576), ("opt/after", 4)]);
    assert_eq!(contents.entries[0].hash, None);
    let mapped = read_mapped(&tar, None).unwrap().unwrap();
    let mapped_files: Vec<(&str, u64)> = mapped
        .entries
        .iter()
        .map(|entry| (&*entry.path, entry.size))
        .collect();
    assert_eq!(mapped_files, files);
}

#[test]
fn opaque_marker_at_root_is_ignored() {
    let tar = layer_tar(&[
        (".wh..wh..opq", tar::EntryType::Regular, b""),
        ("etc/.wh..wh..opq", tar::EntryType::Regular, b""),
    ]);
    let contents = read(&tar, None).unwrap();
    let kinds: Vec<(&str, EntryKind)> = contents
        .entries
        .iter()
        .map(|entry| (&*entry.path, entry.kind))
        .collect();
    assert_eq!(kinds, [("etc", EntryKind::OpaqueDirectory)]);
    assert_eq!(contents.warnings.len(), 1, "{:?}", contents.warnings);
    assert!(contents.warnings[0].contains("marks the image root opaque"));
}

#[test]
fn bytes_that_are_not_tar_are_named_so() {
    let blob = b"this is not a tar archive at all, and it has no gzip or zstd magic either"
        .repeat(20);
    for error in [read(&blob, None).unwrap_err(), read_mapped(&blob, None).unwrap().unwrap_err()] {
        let message = error.to_string();
        assert!(message.contains("the layer is not a tar archive"), "{message}");
        assert!(!message.contains("this is not a tar"), "the bytes are quoted: {message}");
    }
}

#[test]
fn gzip_of_text_is_named_so() {
    let blob = gzip(&b"plain words, not a tar archive\n".repeat(40));
    let message = read(&blob, None).unwrap_err().to_string();
    assert!(message.contains("gzip stream does not hold a tar archive"), "{message}");
}

#[test]
fn xz_and_bzip2_layers_are_named() {
    let xz = [&[0xfd, b'7', b'z', b'X', b'Z', 0][..], &[0u8; 600][..]].concat();
    let bzip2 = [&b"BZh91AY&SY"[..], &[0u8; 600][..]].concat();
    for (blob, format) in [(xz, "xz"), (bzip2, "bzip2")] {
        let streamed = read(&blob, None).unwrap_err().to_string();
        assert!(streamed.contains(&format!("compressed with {format}")), "{streamed}");
        let mapped = read_mapped(&blob, None).unwrap().unwrap_err().to_string();
        assert_eq!(mapped, streamed);
    }
}

#[test]
fn layers_dockerd_rejects_get_warnings() {
    let mut builder = tar::Builder::new(Vec::new());
    append_raw(&mut builder, "d/", tar::EntryType::Directory, b"");
    append_raw(&mut builder, "d/.wh...", tar::EntryType::Regular, b"");
    append_raw(&mut builder, "s", tar::EntryType::Regular, b"data");
    for (name, target) in [("to-folder", "d"), ("s", "s")] {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Link);
        header.set_size(0);
        builder.append_link(&mut header, name, target).unwrap();
    }
    let contents = read(&builder.into_inner().unwrap(), None).unwrap();
    let warnings = &contents.warnings;
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings[0].contains("whiteout `d/.wh...` names `..`"), "{warnings:?}");
    assert!(warnings[1].contains("`/to-folder` names the folder `/d`"), "{warnings:?}");
    assert!(warnings[2].contains("`/s` names itself"), "{warnings:?}");
}

#[test]
fn warnings_stop_after_ten() {
    let names: Vec<String> = (0..30).map(|index| format!("/abs{index}")).collect();
    let entries: Vec<(&str, tar::EntryType, &[u8])> = names
        .iter()
        .map(|name| (name.as_str(), tar::EntryType::Regular, &b"x"[..]))
        .collect();
    let contents = read(&layer_tar(&entries), None).unwrap();
    assert_eq!(contents.entries.len(), 30);
    assert_eq!(contents.warnings.len(), 11);
    assert!(contents.warnings[10].contains("further warnings"));
}

#[test]
fn absolute_name_is_read_relative_with_warning() {
    let tar = layer_tar(&[("/etc/passwd", tar::EntryType::Regular, b"root\n")]);
    let contents = read(&tar, None).unwrap();
    assert_eq!(contents.entries[0].path.as_ref(), "etc/passwd");
    assert_eq!(contents.warnings.len(), 1);
}

#[test]
fn empty_blob_and_empty_tar_are_empty_layers() {
    let empty_blob = read(&[], None).unwrap();
    assert!(empty_blob.entries.is_empty());
    assert_eq!(empty_blob.warnings.len(), 1, "a 0-byte blob is read with a warning");
    assert!(empty_blob.warnings[0].contains("0 bytes"));
    let empty_tar = vec![0u8; 1024];
    let empty_tar_contents = read(&empty_tar, None).unwrap();
    assert!(empty_tar_contents.entries.is_empty());
    assert!(empty_tar_contents.warnings.is_empty());
    let empty_gzip = gzip(&empty_tar);
    assert!(
        read(&empty_gzip, Some(Compression::Gzip))
            .unwrap()
            .entries
            .is_empty()
    );
}

#[test]
fn media_types_map_to_compression() {
    assert_eq!(
        Compression::from_media_type("application/vnd.oci.image.layer.v1.tar+zstd"),
        Some(Compression::Zstd)
    );
    assert_eq!(
        Compression::from_media_type("application/vnd.docker.image.rootfs.diff.tar.gzip"),
        Some(Compression::Gzip)
    );
    assert_eq!(
        Compression::from_media_type("application/vnd.oci.image.layer.nondistributable.v1.tar"),
        Some(Compression::None)
    );
    assert_eq!(
        Compression::from_media_type("application/vnd.oci.empty.v1+json"),
        None
    );
}

#[test]
fn tar_header_detection() {
    assert!(looks_like_tar(&sample()[..512]));
    assert!(looks_like_tar(&[0u8; 512]));
    assert!(!looks_like_tar(b"{\"a\": 1}"));
    assert!(!looks_like_tar(&[b'x'; 512]));
}

/// Writes `blob` at an odd offset of a file, maps it and decodes it through the map, as a
/// layer inside a `docker save` archive is read, then hashes every file.
fn read_mapped(
    blob: &[u8],
    declared: Option<Compression>,
) -> Option<Result<LayerContents, LayerError>> {
    let result = read_mapped_with(blob, declared, false)?;
    Some(result.map(|layer| layer.hash_files(|_| true, &NoProgress)))
}

/// Decodes `blob` through a map like [`read_mapped`] and leaves its files unhashed.
fn read_mapped_with(
    blob: &[u8],
    declared: Option<Compression>,
    digests: bool,
) -> Option<Result<MappedLayer, LayerError>> {
    use std::io::Write as _;
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let unique = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "ballast-mapped-{}-{unique}.tar",
        std::process::id()
    ));
    let offset = 1536u64;
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(&vec![0xeeu8; offset as usize]).unwrap();
    file.write_all(blob).unwrap();
    file.write_all(&[0xee; 700]).unwrap();
    drop(file);
    let file = std::fs::File::open(&path).unwrap();
    let map = super::super::mapped::map_blob(&file, offset, blob.len() as u64)
        .expect("a regular file can be mapped");
    std::fs::remove_file(&path).unwrap();
    read_mapped_layer(map, declared, "sha256:test", &NoProgress, digests)
}

type EntrySummary = (String, EntryKind, u64, u64, Option<u128>, u32);

fn summary(contents: &LayerContents) -> Vec<EntrySummary> {
    contents
        .entries
        .iter()
        .map(|entry| {
            (
                entry.path.to_string(),
                entry.kind,
                entry.size,
                entry.head_hash,
                entry.hash,
                entry.mode,
            )
        })
        .collect()
}

#[test]
fn mapped_layer_matches_read_layer() {
    let big: Vec<u8> = (0..3_000_000u32).map(|value| (value % 253) as u8).collect();
    let long_name = format!("deep/{}/file", "n".repeat(150));
    let tar = layer_tar(&[
        ("./", tar::EntryType::Directory, b""),
        ("./etc/", tar::EntryType::Directory, b""),
        (
            "./etc/hosts",
            tar::EntryType::Regular,
            b"127.0.0.1 localhost\n",
        ),
        ("./etc/.wh.old", tar::EntryType::Regular, b""),
        ("./big.bin", tar::EntryType::Regular, &big),
        ("./empty", tar::EntryType::Regular, b""),
    ]);
    let mut builder = tar::Builder::new(tar[..tar.len() - 1024].to_vec());
    let mut header = tar::Header::new_gnu();
    header.set_size(5);
    header.set_mode(0o600);
    header.set_entry_type(tar::EntryType::Regular);
    builder
        .append_data(&mut header, &long_name, &b"hello"[..])
        .unwrap();
    let tar = builder.into_inner().unwrap();

    let read_result = read(&tar, None).unwrap();
    let mapped_result = read_mapped(&tar, None)
        .expect("a plain tar is read through the map")
        .unwrap();
    assert_eq!(summary(&mapped_result), summary(&read_result));
    assert_eq!(mapped_result.entries.len(), 6);
    assert_eq!(mapped_result.entries[5].path.as_ref(), long_name);
    assert_eq!(mapped_result.tar_bytes, read_result.tar_bytes);
    assert_eq!(mapped_result.blob_bytes, tar.len() as u64);
    assert_eq!(mapped_result.compression, Compression::None);
}

#[test]
fn mapped_layer_reports_truncation() {
    let mut tar = Vec::new();
    let mut header = tar::Header::new_gnu();
    header.set_path("claims-1tb").unwrap();
    header.set_size(1 << 40);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    tar.extend_from_slice(header.as_bytes());
    tar.extend_from_slice(&[1u8; 4096]);
    let error = read_mapped(&tar, None).unwrap().unwrap_err();
    match error {
        LayerError::TruncatedEntry { claimed, read, .. } => {
            assert_eq!(claimed, 1 << 40);
            assert_eq!(read, 4096);
        }
        other => panic!("expected a truncated entry, got {other}"),
    }
}

#[test]
fn mapped_reader_leaves_compressed_blobs() {
    assert!(read_mapped(&gzip(&sample()), Some(Compression::Gzip)).is_none());
    let zstd_blob = zstd::encode_all(sample().as_slice(), 3).unwrap();
    assert!(read_mapped(&zstd_blob, None).is_none());
}

fn sha256_of(data: &[u8]) -> String {
    use sha2::Digest as _;
    super::super::digests::format_sha256(sha2::Sha256::new_with_prefix(data))
}

#[test]
fn digests_of_plain_and_gzip_layers() {
    let tar = sample();
    let expected_tar = sha256_of(&tar);

    let plain = read_layer_with(tar.as_slice(), None, "sha256:test", &NoProgress, true).unwrap();
    let digests = plain.digests.unwrap();
    assert_eq!(digests.tar, expected_tar);
    assert_eq!(digests.blob, expected_tar);

    let mapped = read_mapped_with(&tar, None, true).unwrap().unwrap();
    assert_eq!(mapped.contents.digests.unwrap(), digests);

    let blob = gzip(&tar);
    let compressed = read_layer_with(blob.as_slice(), None, "sha256:test", &NoProgress, true)
        .unwrap()
        .digests
        .unwrap();
    assert_eq!(compressed.tar, expected_tar);
    assert_eq!(compressed.blob, sha256_of(&blob));

    assert!(read(&tar, None).unwrap().digests.is_none());
}

#[test]
fn mapped_layer_defers_file_hashes() {
    let first: Vec<u8> = (0..5000u32).map(|value| (value % 251) as u8).collect();
    let mut second = first.clone();
    second[4000] ^= 1;
    let tar = layer_tar(&[
        ("dir/", tar::EntryType::Directory, b""),
        ("dir/first", tar::EntryType::Regular, &first),
        ("dir/second", tar::EntryType::Regular, &second),
    ]);
    let streamed = read(&tar, None).unwrap();

    let layer = read_mapped_with(&tar, None, false).unwrap().unwrap();
    for (mapped, streamed) in layer.contents.entries.iter().zip(&streamed.entries) {
        assert_eq!(
            mapped.hash, None,
            "{} is hashed during the walk",
            mapped.path
        );
        assert_eq!(mapped.head_hash, streamed.head_hash, "{}", mapped.path);
        assert_eq!(
            mapped.content_key(),
            streamed.content_key(),
            "{}",
            mapped.path
        );
    }
    assert_eq!(
        layer.contents.entries[1].content_key(),
        layer.contents.entries[2].content_key(),
        "files that differ after the head share a key"
    );

    let hashed = layer.hash_files(|entry| entry.path.as_ref() == "dir/second", &NoProgress);
    assert_eq!(hashed.entries[1].hash, None);
    assert_eq!(hashed.entries[2].hash, streamed.entries[2].hash);
    assert_ne!(streamed.entries[1].hash, streamed.entries[2].hash);
}

/// Returns at most 7 bytes per read, as a pipe or a decompressor may.
struct ShortReads<'a>(&'a [u8]);

impl Read for ShortReads<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = buffer.len().min(7).min(self.0.len());
        buffer[..count].copy_from_slice(&self.0[..count]);
        self.0 = &self.0[count..];
        Ok(count)
    }
}

#[test]
fn head_hash_spans_short_reads() {
    let content: Vec<u8> = (0..200u8).collect();
    let tar = layer_tar(&[
        ("long", tar::EntryType::Regular, &content),
        ("short", tar::EntryType::Regular, b"abc"),
        ("empty", tar::EntryType::Regular, b""),
    ]);
    let streamed = read_layer(ShortReads(&tar), None, "sha256:test", &NoProgress).unwrap();
    assert_eq!(
        streamed.entries[0].head_hash,
        xxhash_rust::xxh3::xxh3_64(&content[..HEAD_BYTES])
    );
    assert_eq!(
        streamed.entries[1].head_hash,
        xxhash_rust::xxh3::xxh3_64(b"abc")
    );
    assert_eq!(
        streamed.entries[2].head_hash,
        xxhash_rust::xxh3::xxh3_64(b"")
    );

    let mapped = read_mapped(&tar, None).unwrap().unwrap();
    assert_eq!(summary(&mapped), summary(&streamed));
}

#[test]
fn mapped_read_keeps_no_pages() {
    // 3 MB, less than one release step, so only the drop at the end of the walk frees them.
    let data: Vec<u8> = (0..20_000u32).map(|value| (value % 241) as u8).collect();
    let names: Vec<String> = (0..150).map(|index| format!("f{index}")).collect();
    let entries: Vec<(&str, tar::EntryType, &[u8])> = names
        .iter()
        .map(|name| (name.as_str(), tar::EntryType::Regular, data.as_slice()))
        .collect();
    let tar = layer_tar(&entries);

    for digests in [false, true] {
        let layer = read_mapped_with(&tar, None, digests).unwrap().unwrap();
        assert_eq!(layer.contents.entries.len(), 150);
        assert_eq!(layer.resident_bytes(), 0, "digests: {digests}");
    }
}

/// Returns a layer with a GNU sparse entry `sparse` (8,192 bytes, of which only 512 at offset
/// 4,096 are stored) and a regular file `plain` with the same expanded content.
fn sparse_layer() -> Vec<u8> {
    fn octal(field: &mut [u8], value: u64) {
        let text = format!("{value:0width$o}", width = field.len() - 1);
        field[..text.len()].copy_from_slice(text.as_bytes());
    }
    let data = [b'x'; 512];
    let mut header = [0u8; 512];
    header[..6].copy_from_slice(b"sparse");
    octal(&mut header[100..108], 0o644);
    octal(&mut header[108..116], 0);
    octal(&mut header[116..124], 0);
    octal(&mut header[124..136], data.len() as u64);
    octal(&mut header[136..148], 0);
    header[156] = b'S';
    header[257..265].copy_from_slice(b"ustar  \0");
    // The stored region, an empty one that ends the trailing hole as GNU tar writes it, and
    // the real size.
    octal(&mut header[386..398], 4096);
    octal(&mut header[398..410], data.len() as u64);
    octal(&mut header[410..422], 8192);
    octal(&mut header[422..434], 0);
    octal(&mut header[483..495], 8192);
    header[148..156].fill(b' ');
    let checksum: u32 = header.iter().map(|&byte| u32::from(byte)).sum();
    octal(&mut header[148..155], u64::from(checksum));

    let mut expanded = vec![0u8; 8192];
    expanded[4096..4608].copy_from_slice(&data);
    let mut tar = layer_tar(&[("plain", tar::EntryType::Regular, &expanded)]);
    tar.truncate(tar.len() - 1024);
    tar.extend_from_slice(&header);
    tar.extend_from_slice(&data);
    tar.extend_from_slice(&[0u8; 1024]);
    tar
}

#[test]
fn sparse_entry_skips_mapped_reader() {
    let tar = sparse_layer();
    let streamed = read(&tar, None).unwrap();
    let files: Vec<(&str, u64)> = streamed
        .entries
        .iter()
        .map(|entry| (&*entry.path, entry.size))
        .collect();
    assert_eq!(files, [("plain", 8192), ("sparse", 8192)]);
    assert_eq!(streamed.entries[0].hash, streamed.entries[1].hash, "the same bytes once expanded");
    // The walk through the map cannot expand the sparse entry, so it leaves the layer to the
    // stream reader rather than report it as truncated.
    assert!(read_mapped(&tar, None).is_none());
}
