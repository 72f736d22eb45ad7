//! `--verify-digests`: layers whose bytes differ from the digests the image declares are named
//! with the expected and the found digest, the report still covers what was read, and the exit
//! status is 2. Each test writes its archive and then changes bytes in it.

mod common;

use std::io::Write;
use std::process::Stdio;

use serde_json::json;

use common::fixtures::{
    Item, LAYER_GZIP, LAYER_TAR, Layout, Member, config, layer, sha256, write_tar,
};
use common::{TempFile, analyze_json, temp_dir, u64_at};

/// Two layers; the second contains `secret.txt`, whose content the tampered copy changes.
fn layers() -> (Vec<u8>, Vec<u8>) {
    let first = layer(&[Item::Folder("etc/"), Item::File("etc/hostname", b"box\n")]);
    let second = layer(&[Item::File("secret.txt", b"the original content\n")]);
    (first, second)
}

/// Returns the second layer with the same entries and sizes but other content bytes.
fn tampered(second: &[u8]) -> Vec<u8> {
    let original = b"the original content\n";
    let changed = b"THE ORIGINAL CONTENT\n";
    let at = second
        .windows(original.len())
        .position(|window| window == original)
        .expect("the layer contains the file content");
    let mut bytes = second.to_vec();
    bytes[at..at + changed.len()].copy_from_slice(changed);
    bytes
}

/// Writes a legacy `docker save` archive whose config declares the diff ids of `declared`
/// while the archive stores `stored`.
fn legacy_with(name: &str, declared: &[&[u8]], stored: &[&[u8]]) -> TempFile {
    let archive = TempFile::new(temp_dir(name), "image.tar");
    let config = config(declared, "amd64");
    let config_name = format!("{}.json", &sha256(&config)[7..]);
    let mut members = Vec::new();
    let mut paths = Vec::new();
    for (index, tar) in stored.iter().enumerate() {
        let path = format!("{index:064}/layer.tar");
        members.push((path.clone(), Member::Data(tar.to_vec())));
        paths.push(path);
    }
    members.push((config_name.clone(), Member::Data(config)));
    let manifest = json!([{"Config": config_name, "RepoTags": ["digests:1"], "Layers": paths}]);
    members.push((
        "manifest.json".to_owned(),
        Member::Data(serde_json::to_vec(&manifest).unwrap()),
    ));
    write_tar(&archive, &members);
    archive
}

fn mismatches(report: &serde_json::Value) -> &Vec<serde_json::Value> {
    report["digests"]["mismatches"]
        .as_array()
        .expect("the report has digests.mismatches")
}

#[test]
fn intact_archive_verifies() {
    let (first, second) = layers();
    let archive = legacy_with("intact", &[&first, &second], &[&first, &second]);
    let (code, report, stderr) = analyze_json(&[archive.as_str(), "--verify-digests"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(u64_at(&report, "/digests/compared"), 2);
    assert!(mismatches(&report).is_empty());
    assert!(
        report["digests"]["unchecked"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn tampered_plain_layer_is_named() {
    let (first, second) = layers();
    let changed = tampered(&second);
    let archive = legacy_with("tampered", &[&first, &second], &[&first, &changed]);
    let (code, report, stderr) = analyze_json(&[archive.as_str(), "--verify-digests"]);

    assert_eq!(code, 2, "{stderr}");
    let found = mismatches(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["layer"], 1);
    assert_eq!(found[0]["kind"], "diff-id");
    assert_eq!(found[0]["expected"], sha256(&second));
    assert_eq!(found[0]["actual"], sha256(&changed));
    assert!(stderr.contains(&sha256(&second)), "{stderr}");
    assert!(stderr.contains(&sha256(&changed)), "{stderr}");
    assert!(stderr.contains("layer 1"), "{stderr}");
    // The analysis still covers the layer as read.
    assert_eq!(report["complete"], true);
    assert_eq!(u64_at(&report, "/layers/1/files"), 1);
    assert_eq!(u64_at(&report, "/totals/final_bytes"), 4 + 21);
}

#[test]
fn tampered_layer_passes_without_flag() {
    let (first, second) = layers();
    let changed = tampered(&second);
    let archive = legacy_with("no-flag", &[&first, &second], &[&first, &changed]);
    let (code, report, stderr) = analyze_json(&[archive.as_str()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(report.get("digests").is_none());
}

#[test]
fn tampered_stream_is_named() {
    let (first, second) = layers();
    let changed = tampered(&second);
    let archive = legacy_with("stream", &[&first, &second], &[&first, &changed]);
    let mut child = common::ballast()
        .args([
            "analyze",
            "-",
            "--verify-digests",
            "--format",
            "json",
            "--no-progress",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(&archive).unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = mismatches(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["layer"], 1);
    assert_eq!(found[0]["actual"], sha256(&changed));
}

#[test]
fn gzip_blob_digest_is_checked() {
    let (first, second) = layers();
    let mut layout = Layout::default();
    let manifest = layout.image(&[&first, &second], LAYER_GZIP, "amd64");
    // The same tar compressed at another level: its diff id still matches, its blob no longer
    // matches the digest that names it.
    let blob_digest = sha256(&common::fixtures::gzip(&second));
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&second).unwrap();
    let recompressed = encoder.finish().unwrap();
    assert_ne!(sha256(&recompressed), blob_digest);
    for (digest, blob) in &mut layout.blobs {
        if *digest == blob_digest {
            *blob = recompressed.clone();
        }
    }
    let folder = temp_dir("gzip-blob");
    layout.write_folder(&folder, &Layout::index_json(&[manifest]));

    let (code, report, stderr) =
        analyze_json(&[&format!("oci:{}", folder.display()), "--verify-digests"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(u64_at(&report, "/digests/compared"), 4);
    let found = mismatches(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["layer"], 1);
    assert_eq!(found[0]["kind"], "blob");
    assert_eq!(found[0]["expected"], blob_digest);
    assert_eq!(found[0]["actual"], sha256(&recompressed));
}

#[test]
fn plain_oci_layout_verifies() {
    let (first, second) = layers();
    let mut layout = Layout::default();
    let manifest = layout.image(&[&first, &second], LAYER_TAR, "amd64");
    let folder = temp_dir("plain-oci");
    layout.write_folder(&folder, &Layout::index_json(&[manifest]));
    let (code, report, stderr) =
        analyze_json(&[&format!("oci:{}", folder.display()), "--verify-digests"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(u64_at(&report, "/digests/compared"), 4);
    assert!(mismatches(&report).is_empty());
}
