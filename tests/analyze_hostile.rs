//! Hostile and broken archives: each gives a clear error that names the file or digest, the
//! exit code 2, and a report of what could be read.

mod common;

use serde_json::json;

use common::fixtures::{Item, LAYER_GZIP, Layout, Member, gzip, layer, legacy_archive, write_tar};
use common::{TempFile, analyze_json, temp_dir, u64_at};

fn legacy(name: &str, tars: &[&[u8]]) -> TempFile {
    let archive = TempFile::new(temp_dir(name), "image.tar");
    legacy_archive(&archive, tars, &[]);
    archive
}

#[test]
fn parent_components_resolve_like_dockerd() {
    let good = layer(&[Item::File("ok", b"fine")]);
    let evil = layer(&[
        Item::File("../../etc/passwd", b"root::0:0::/:/bin/sh\n"),
        Item::File("ok/../up", b"inside"),
    ]);
    let (code, report, stderr) = analyze_json(&[legacy("dotdot", &[&good, &evil]).as_str()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["complete"], true);
    assert_eq!(report["layers"][1]["readable"], true);
    assert_eq!(u64_at(&report, "/totals/final_bytes"), 4 + 21 + 6);
    let warnings = report["layers"][1]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = warnings[0].as_str().unwrap();
    assert!(warning.contains("`../../etc/passwd` climbs above the image root"), "{warning}");
    assert!(warning.contains("read as `/etc/passwd`"), "{warning}");
    let paths: Vec<&str> = report["largest_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/etc/passwd", "/up", "/ok"]);
}

#[test]
fn absolute_entry_names_read_relative() {
    let absolute = layer(&[Item::File("/etc/hostname", b"box\n")]);
    let (code, report, stderr) = analyze_json(&[legacy("absolute", &[&absolute]).as_str()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["largest_files"][0]["path"], "/etc/hostname");
    assert!(
        report["layers"][0]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("absolute name")
    );
}

#[test]
fn symlink_loop_inside_layer_is_harmless() {
    let looped = layer(&[
        Item::Symlink("a", "b"),
        Item::Symlink("b", "a"),
        Item::Symlink("c", "c"),
    ]);
    let (code, report, stderr) = analyze_json(&[legacy("layer-loop", &[&looped]).as_str()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(u64_at(&report, "/layers/0/symlinks"), 3);
}

#[test]
fn symlink_loop_between_layer_files() {
    let folder = temp_dir("archive-loop");
    let archive = folder.join("image.tar");
    let only = layer(&[Item::File("a", b"a")]);
    let config = common::fixtures::config(&[&only], "amd64");
    let manifest =
        json!([{"Config": "config.json", "RepoTags": ["loop:1"], "Layers": ["one/layer.tar"]}]);
    write_tar(
        &archive,
        &[
            (
                "one/layer.tar".to_owned(),
                Member::Symlink("../two/layer.tar".to_owned()),
            ),
            (
                "two/layer.tar".to_owned(),
                Member::Symlink("../one/layer.tar".to_owned()),
            ),
            ("config.json".to_owned(), Member::Data(config)),
            (
                "manifest.json".to_owned(),
                Member::Data(serde_json::to_vec(&manifest).unwrap()),
            ),
        ],
    );
    let (code, report, stderr) = analyze_json(&[archive.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("one/layer.tar"), "{stderr}");
    assert!(stderr.contains("loops"), "{stderr}");
    assert_eq!(report["complete"], false);
}

#[test]
fn terabyte_claim_is_truncation() {
    let claim = layer(&[
        Item::File("ok", b"x"),
        Item::Claim("huge.bin", 1 << 40, 10_000),
    ]);
    let (code, report, stderr) = analyze_json(&[legacy("claim", &[&claim]).as_str()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("huge.bin"), "{stderr}");
    assert!(stderr.contains("claims 1099511627776 bytes"), "{stderr}");
    assert_eq!(report["complete"], false);
}

#[test]
fn truncated_gzip_layer_names_digest() {
    let data: Vec<u8> = (0..400_000u32)
        .map(|value| (value * 7919 % 251) as u8)
        .collect();
    let tar = layer(&[Item::File("data.bin", &data)]);
    let mut layout = Layout::default();
    let manifest = layout.image(&[&tar], LAYER_GZIP, "amd64");
    let blob_digest = common::fixtures::sha256(&gzip(&tar));
    for (digest, blob) in &mut layout.blobs {
        if *digest == blob_digest {
            blob.truncate(blob.len() / 3);
        }
    }
    let folder = temp_dir("truncated-gzip");
    layout.write_folder(&folder, &Layout::index_json(&[manifest]));

    let (code, report, stderr) = analyze_json(&[&format!("oci:{}", folder.display())]);
    assert_eq!(code, 2);
    assert!(stderr.contains(&blob_digest), "{stderr}");
    assert!(
        stderr.contains("truncated") || stderr.contains("corrupt"),
        "{stderr}"
    );
    assert_eq!(report["layers"][0]["readable"], false);
}

#[test]
fn manifest_naming_missing_blob() {
    let first = layer(&[Item::File("kept", b"12345")]);
    let second = layer(&[Item::File("lost", b"1")]);
    let mut layout = Layout::default();
    let manifest = layout.image(&[&first, &second], common::fixtures::LAYER_TAR, "amd64");
    let missing = common::fixtures::sha256(&second);
    layout.blobs.retain(|(digest, _)| *digest != missing);
    let folder = temp_dir("missing-blob");
    layout.write_folder(&folder, &Layout::index_json(&[manifest]));

    let (code, report, stderr) = analyze_json(&[&format!("oci:{}", folder.display())]);
    assert_eq!(code, 2);
    assert!(stderr.contains(&missing), "{stderr}");
    assert!(stderr.contains("missing"), "{stderr}");
    assert_eq!(report["complete"], false);
    assert_eq!(u64_at(&report, "/totals/final_bytes"), 5);
}

#[test]
fn missing_config_is_an_error() {
    let folder = temp_dir("missing-config");
    let archive = folder.join("image.tar");
    let manifest = json!([{"Config": "nowhere.json", "Layers": []}]);
    write_tar(
        &archive,
        &[(
            "manifest.json".to_owned(),
            Member::Data(serde_json::to_vec(&manifest).unwrap()),
        )],
    );
    let output = common::ballast()
        .args(["analyze", archive.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nowhere.json"), "{stderr}");
    assert!(stderr.contains("missing"), "{stderr}");
}

#[test]
fn crafted_digest_cannot_escape_blobs() {
    let folder = temp_dir("crafted-digest");
    std::fs::write(
        folder.join("index.json"),
        br#"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:../../../../etc/passwd","size":1}]}"#,
    )
    .unwrap();
    std::fs::write(
        folder.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    let output = common::ballast()
        .args(["analyze", &format!("oci:{}", folder.display())])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("index.json"), "{stderr}");
}

#[test]
fn not_an_archive_is_an_error() {
    let folder = temp_dir("not-archive");
    let path = folder.join("image.tar");
    std::fs::write(&path, b"this is not a tar archive at all").unwrap();
    let output = common::ballast()
        .args(["analyze", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("image.tar"));
}

/// Runs `ballast analyze PATH` and returns the exit code and standard error.
fn analyze_error(path: &std::path::Path) -> (Option<i32>, String) {
    let output = common::ballast()
        .args(["analyze", "--no-progress", path.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

#[test]
fn empty_file_is_named_empty() {
    let folder = temp_dir("empty-archive");
    let path = folder.join("image.tar");
    std::fs::write(&path, b"").unwrap();
    let (code, stderr) = analyze_error(&path);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("the file is empty"), "{stderr}");
}

#[test]
fn compressed_archive_says_decompress() {
    let folder = temp_dir("gzipped-archive");
    let plain = folder.join("plain.tar");
    legacy_archive(&plain, &[&layer(&[Item::File("a", b"a")])], &[]);
    let path = folder.join("image.tar.gz");
    std::fs::write(&path, gzip(&std::fs::read(&plain).unwrap())).unwrap();
    let (code, stderr) = analyze_error(&path);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("gzip-compressed"), "{stderr}");
    assert!(stderr.contains("gunzip"), "{stderr}");
}

#[test]
fn truncated_archive_says_truncated() {
    let folder = temp_dir("truncated-archive");
    let plain = folder.join("plain.tar");
    let big = vec![7u8; 64 * 1024];
    legacy_archive(&plain, &[&layer(&[Item::File("big", &big)])], &[]);
    let bytes = std::fs::read(&plain).unwrap();
    // The layer comes first and is larger than half the archive, so half of it cuts the
    // layer's data short.
    let path = folder.join("image.tar");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let (code, stderr) = analyze_error(&path);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("truncated"), "{stderr}");
}

#[test]
fn zero_byte_layer_is_read_with_a_warning() {
    let good = layer(&[Item::File("ok", b"fine")]);
    let archive = legacy("zero-byte-layer", &[&good, b""]);
    let (code, report, _) = analyze_json(&[archive.as_str()]);
    assert_eq!(code, 0);
    let warnings = report["layers"][1]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].as_str().unwrap().contains("0 bytes"));
}

/// Returns `length` bytes from a fixed xorshift sequence: every byte value, control bytes and
/// invalid UTF-8 included, the same on every run.
fn random_bytes(length: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Asserts that `text` has no character a terminal would act on or that stands for a byte
/// that was not UTF-8, apart from the line feeds that end its lines.
fn assert_printable(text: &str) {
    for ch in text.chars() {
        assert!(
            ch == '\n' || !ch.is_control(),
            "control character {ch:?} in {text:?}"
        );
        assert_ne!(ch, char::REPLACEMENT_CHARACTER, "U+FFFD in {text:?}");
    }
}

#[test]
fn random_bytes_error_is_printable() {
    let folder = temp_dir("random-archive");
    let path = folder.join("image.tar");
    // The first bytes must not look like gzip, zstd, bzip2 or xz, which get their own message.
    let mut bytes = random_bytes(20_000);
    bytes[0] = b'R';
    std::fs::write(&path, &bytes).unwrap();
    let (code, stderr) = analyze_error(&path);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("image.tar"), "{stderr}");
    assert!(stderr.contains("not a tar archive"), "{stderr}");
    assert_printable(&stderr);
}

#[test]
fn random_bytes_on_stdin_is_printable() {
    let mut bytes = random_bytes(20_000);
    bytes[0] = b'R';
    let mut child = common::ballast()
        .args(["analyze", "--no-progress", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // ballast may stop reading at the first invalid header, so a broken pipe is fine here.
    let _ = std::io::Write::write_all(&mut stdin, &bytes);
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("not a tar archive"), "{stderr}");
    assert_printable(&stderr);
}

#[test]
fn random_layer_error_is_printable() {
    let good = layer(&[Item::File("ok", b"fine")]);
    let mut noise = random_bytes(4096);
    noise[0] = b'R';
    let archive = legacy("random-layer", &[&good, &noise]);
    let (code, report, stderr) = analyze_json(&[archive.as_str()]);
    assert_eq!(code, 2);
    assert_eq!(report["layers"][1]["readable"], false);
    let error = report["errors"][0].as_str().unwrap();
    assert!(error.contains("invalid tar stream"), "{error}");
    assert_printable(error);
    assert_printable(&stderr);
}

#[test]
fn control_characters_in_entry_name_are_escaped() {
    let evil = layer(&[Item::File("../\u{1b}[31mred\u{7}", b"x")]);
    let archive = legacy("control-name", &[&evil]);
    let (code, report, stderr) = analyze_json(&[archive.as_str()]);
    assert_eq!(code, 0, "{stderr}");
    let warning = report["layers"][0]["warnings"][0].as_str().unwrap();
    assert!(warning.contains(r"`../\x1b[31mred\x07`"), "{warning}");
    assert_printable(warning);

    let output = common::ballast()
        .args(["analyze", "--no-progress", archive.as_str()])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains(r"\x1b[31mred\x07"), "{table}");
    assert_printable(&table.replace('\n', " "));
}

#[test]
fn control_characters_in_archive_path_are_escaped() {
    let folder = temp_dir("control-path");
    let path = folder.join("odd\u{1b}[31mred\u{7}.tar");
    let mut bytes = random_bytes(2_000);
    bytes[0] = b'R';
    std::fs::write(&path, &bytes).unwrap();
    let (code, stderr) = analyze_error(&path);
    assert_eq!(code, Some(2));
    assert!(stderr.contains(r"odd\x1b[31mred\x07.tar"), "{stderr}");
    assert_printable(&stderr);
}

/// Runs `ballast analyze -` with the file at `path` on standard input and returns the exit
/// code and standard error.
fn analyze_stdin(path: &std::path::Path) -> (Option<i32>, String) {
    let output = common::ballast()
        .args(["analyze", "--no-progress", "-"])
        .stdin(std::process::Stdio::from(std::fs::File::open(path).unwrap()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

/// A member of an archive written by [`write_members`].
enum Odd {
    Data(Vec<u8>),
    Folder,
    Symlink(&'static str),
}

/// Writes a tar whose members may be folder entries, which `write_tar` cannot write.
fn write_members(path: &std::path::Path, members: Vec<(&str, Odd)>) {
    let mut builder = tar::Builder::new(std::fs::File::create(path).unwrap());
    for (name, member) in members {
        let mut header = tar::Header::new_gnu();
        header.set_path(name).unwrap();
        header.set_mode(0o644);
        header.set_size(0);
        match member {
            Odd::Data(data) => {
                header.set_size(data.len() as u64);
                header.set_entry_type(tar::EntryType::Regular);
                header.set_cksum();
                builder.append(&header, data.as_slice()).unwrap();
            }
            Odd::Folder => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_cksum();
                builder.append(&header, &[][..]).unwrap();
            }
            Odd::Symlink(target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_link_name(target).unwrap();
                header.set_cksum();
                builder.append(&header, &[][..]).unwrap();
            }
        }
    }
    builder.finish().unwrap();
}

/// Writes a legacy archive of two layers whose second layer member, `b/layer.tar`, is `odd`.
fn archive_with_odd_layer(name: &str, odd: Odd) -> TempFile {
    let first = layer(&[Item::File("a", b"a")]);
    let second = layer(&[Item::File("b", b"b")]);
    let config = common::fixtures::config(&[&first, &second], "amd64");
    let manifest = json!([{
        "Config": "config.json",
        "RepoTags": ["odd:1"],
        "Layers": ["a/layer.tar", "b/layer.tar"],
    }]);
    let archive = TempFile::new(temp_dir(name), "image.tar");
    write_members(
        &archive,
        vec![
            ("a/layer.tar", Odd::Data(first)),
            ("b/layer.tar", odd),
            ("config.json", Odd::Data(config)),
            ("manifest.json", Odd::Data(serde_json::to_vec(&manifest).unwrap())),
        ],
    );
    archive
}

#[test]
fn layer_folder_entry_is_named_folder() {
    let archive = archive_with_odd_layer("layer-folder", Odd::Folder);
    for (source, (code, stderr)) in [
        ("file", analyze_error(&archive)),
        ("stdin", analyze_stdin(&archive)),
    ] {
        assert_eq!(code, Some(2), "{source}");
        assert!(stderr.contains("`b/layer.tar` is a folder"), "{source}: {stderr}");
        assert!(!stderr.contains("missing"), "{source}: {stderr}");
    }
}

#[test]
fn layer_link_outside_archive_is_named() {
    let archive = archive_with_odd_layer("layer-escape", Odd::Symlink("../../../etc/passwd"));
    for (source, (code, stderr)) in [
        ("file", analyze_error(&archive)),
        ("stdin", analyze_stdin(&archive)),
    ] {
        assert_eq!(code, Some(2), "{source}");
        assert!(stderr.contains("`b/layer.tar` is a link to `../../../etc/passwd`"), "{stderr}");
        assert!(stderr.contains("points outside the archive"), "{source}: {stderr}");
        assert!(!stderr.contains("missing"), "{source}: {stderr}");
    }
}

#[test]
fn manifest_folder_entry_is_named_folder() {
    let archive = TempFile::new(temp_dir("manifest-folder"), "image.tar");
    write_members(&archive, vec![("manifest.json", Odd::Folder)]);
    for (source, (code, stderr)) in [
        ("file", analyze_error(&archive)),
        ("stdin", analyze_stdin(&archive)),
    ] {
        assert_eq!(code, Some(2), "{source}");
        assert!(stderr.contains("`manifest.json` is a folder"), "{source}: {stderr}");
        assert!(!stderr.contains("neither"), "{source}: {stderr}");
    }
}

#[test]
fn folder_as_archive_is_named_folder() {
    let plain = temp_dir("folder-archive");
    let mut layout = Layout::default();
    let manifest = layout.image(&[&layer(&[Item::File("a", b"a")])], LAYER_GZIP, "amd64");
    let with_layout = temp_dir("folder-archive-layout");
    layout.write_folder(&with_layout, &Layout::index_json(&[manifest]));
    for prefix in ["oci-archive", "docker-archive"] {
        let (code, stderr) =
            common::analyze_failure(&[&format!("{prefix}:{}", plain.display())]);
        assert_eq!(code, 2, "{prefix}");
        assert!(stderr.contains("is a folder, not a tar archive"), "{prefix}: {stderr}");
        assert!(!stderr.contains("oci:"), "{prefix}: {stderr}");

        let (code, stderr) =
            common::analyze_failure(&[&format!("{prefix}:{}", with_layout.display())]);
        assert_eq!(code, 2, "{prefix}");
        assert!(stderr.contains("is a folder, not a tar archive"), "{prefix}: {stderr}");
        let hint = format!("pass `oci:{}`", with_layout.display());
        assert!(stderr.contains(&hint), "{prefix}: {stderr}");
    }
}

#[test]
fn folder_without_layout_is_named() {
    let folder = temp_dir("folder-no-layout");
    let (code, stderr) = analyze_error(&folder);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("contains neither index.json"), "{stderr}");
    assert!(stderr.contains(&folder.display().to_string()), "{stderr}");
}

#[test]
fn empty_stdin_is_named_empty() {
    let folder = temp_dir("empty-stdin");
    let path = folder.join("empty");
    std::fs::write(&path, b"").unwrap();
    let (code, stderr) = analyze_stdin(&path);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("the stream is empty"), "{stderr}");
    assert!(!stderr.contains("neither"), "{stderr}");
}

#[test]
fn truncated_stream_names_member() {
    let folder = temp_dir("truncated-stream");
    let plain = folder.join("plain.tar");
    let big = vec![7u8; 64 * 1024];
    legacy_archive(&plain, &[&layer(&[Item::File("big", &big)])], &[]);
    let bytes = std::fs::read(&plain).unwrap();
    let layer_member = format!("{:064}/layer.tar", 0);
    // The layer comes first and is larger than half the archive, so each cut ends the stream
    // inside the layer's data or just after it.
    for cut in [bytes.len() / 2, 512 + 64 * 1024 + 1024] {
        let path = folder.join("image.tar");
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let (code, stderr) = analyze_stdin(&path);
        assert_eq!(code, Some(2), "{cut}");
        assert!(stderr.contains("the stream is truncated"), "{cut}: {stderr}");
        assert!(stderr.contains(&format!("`{layer_member}`")), "{cut}: {stderr}");
        assert!(stderr.contains(&format!("ended after {cut} bytes")), "{cut}: {stderr}");
    }
}

/// `name/x:tag` is read as the file `name/x` when one exists in the current folder; when that
/// file is not an image, the error names the form that reaches the engine's image.
#[test]
fn file_shadowing_engine_reference_names_docker_daemon() {
    let folder = temp_dir("shadowed-reference");
    std::fs::create_dir(folder.join("team")).unwrap();
    std::fs::write(folder.join("team/app"), "notes\n").unwrap();
    let output = common::ballast()
        .args(["analyze", "--no-progress", "team/app:latest"])
        .current_dir(&*folder)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("write `docker-daemon:team/app:latest`"), "{stderr}");
}
