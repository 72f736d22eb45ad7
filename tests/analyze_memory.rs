//! Memory stays bounded by the number of paths, not the bytes: an image of 200,000 small files
//! (about 300 MB of tar) is analyzed in this process and the peak resident set is checked.
//! This test has its own binary so that no other test's allocations count.

mod common;

use std::io::Write;

use ballast_analyzer::image::{AnalyzeOptions, ImageSource, NoProgress, analyze};

const FILES: usize = 200_000;
const FILE_BYTES: usize = 1024;

/// Reads a `kB` field of /proc/self/status, in bytes.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with(field))
        .unwrap_or_else(|| panic!("/proc/self/status has no {field}"));
    let kilobytes: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kilobytes * 1024
}

#[test]
fn tiny_files_keep_memory_bounded() {
    let folder = common::temp_dir("tiny-files");
    let layer_path = folder.join("layer.tar");
    {
        let file = std::io::BufWriter::new(std::fs::File::create(&layer_path).unwrap());
        let mut builder = tar::Builder::new(file);
        let mut data = vec![0u8; FILE_BYTES];
        for index in 0..FILES {
            data[..8].copy_from_slice(&(index as u64).to_le_bytes());
            let mut header = tar::Header::new_gnu();
            header
                .set_path(format!("d{:03}/f{index:06}", index % 500))
                .unwrap();
            header.set_size(FILE_BYTES as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append(&header, data.as_slice()).unwrap();
        }
        builder.into_inner().unwrap().flush().unwrap();
    }
    let layer_bytes = std::fs::metadata(&layer_path).unwrap().len();
    let tar = std::fs::read(&layer_path).unwrap_or_default();
    let diff_id = common::fixtures::sha256(&tar);
    drop(tar);
    std::fs::rename(&layer_path, folder.join(&diff_id[7..])).unwrap();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "COPY many /"}],
    });
    std::fs::write(
        folder.join("config.json"),
        serde_json::to_vec(&config).unwrap(),
    )
    .unwrap();
    let manifest = serde_json::json!([{"Config": "config.json", "Layers": [&diff_id[7..]]}]);
    std::fs::write(
        folder.join("manifest.json"),
        serde_json::to_vec(&manifest).unwrap(),
    )
    .unwrap();
    let archive = folder.join("image.tar");
    let status = std::process::Command::new("tar")
        .args(["-cf"])
        .arg(&archive)
        .args(["-C"])
        .arg(&folder)
        .args([&diff_id[7..], "config.json", "manifest.json"])
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_file(folder.join(&diff_id[7..])).unwrap();

    let before = status_bytes("VmHWM:");
    let source = ImageSource::parse(archive.to_str().unwrap());
    let analysis = analyze(&source, &AnalyzeOptions::default(), &NoProgress).unwrap();
    let peak = status_bytes("VmHWM:");

    assert!(analysis.report.complete);
    assert_eq!(analysis.report.layers[0].files, FILES as u64);
    assert_eq!(
        analysis.report.totals.final_bytes,
        (FILES * FILE_BYTES) as u64
    );
    let growth = peak.saturating_sub(before);
    // About 100 bytes of path and metadata per file, kept a few times over (entries, merged
    // tree, dive's maps); the layer's 300 MB of data must not be held.
    assert!(
        growth < layer_bytes / 2,
        "peak resident memory grew by {growth} bytes for a {layer_bytes}-byte layer"
    );
}
