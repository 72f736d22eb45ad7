//! The terminal report of `ballast analyze`: fitted to `COLUMNS` when standard output is not a
//! terminal, unchanged when lines fit, and with names that cannot reorder the text.

mod common;

use common::fixtures::{Item, Member, layer, sha256, write_tar};
use common::{ballast, temp_dir};
use serde_json::json;

const LONG_PATH: &str = "usr/share/some/deeply/nested/directory/of/the/application/data-file.bin";
const INSTALL: &str = "apt-get update && apt-get install -y --no-install-recommends \
                       ca-certificates curl git && rm -rf /var/lib/apt/lists/*";

/// Writes a `docker save` archive with long instructions, a long deleted path, duplicates
/// and a name with a right-to-left override, and returns its path.
fn archive(folder: &std::path::Path) -> String {
    let whiteout = LONG_PATH.replace("data-file.bin", ".wh.data-file.bin");
    let tars = [
        layer(&[Item::File(LONG_PATH, &[b'a'; 3000]), Item::File("etc/dup-one", &[b'd'; 2048])]),
        layer(&[Item::File(&whiteout, b""), Item::File("etc/dup-two", &[b'd'; 2048])]),
        layer(&[Item::File("emoji/\u{202e}txt.exe", b"x")]),
    ];

    let history: Vec<serde_json::Value> = [INSTALL, "rm -rf /usr/share/some", "echo x > /e"]
        .iter()
        .map(|command| json!({"created_by": format!("/bin/sh -c {command}")}))
        .collect();
    let diff_ids: Vec<String> = tars.iter().map(|tar| sha256(tar)).collect();
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    });

    let mut members = Vec::new();
    let mut paths = Vec::new();
    for (index, tar) in tars.iter().enumerate() {
        let name = format!("{index:064}/layer.tar");
        members.push((name.clone(), Member::Data(tar.clone())));
        paths.push(name);
    }
    let manifest = json!([{"Config": "config.json", "RepoTags": ["tty:1"], "Layers": paths}]);
    for (name, value) in [("config.json", config), ("manifest.json", manifest)] {
        members.push((name.to_owned(), Member::Data(serde_json::to_vec(&value).unwrap())));
    }

    let path = folder.join("image.tar");
    write_tar(&path, &members);
    path.to_str().unwrap().to_owned()
}

/// Runs `ballast analyze` on `archive` into a pipe, with `COLUMNS` set when given.
fn report(archive: &str, columns: Option<usize>) -> String {
    let mut command = ballast();
    command.args(["analyze", "--no-progress", archive]).env_remove("COLUMNS");
    if let Some(columns) = columns {
        command.env("COLUMNS", columns.to_string());
    }
    let output = command.output().expect("the ballast binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn lines_fit_narrow_columns() {
    let folder = temp_dir("tty-narrow");
    let archive = archive(&folder);
    // At 40 columns every line still fits, with paths and instructions cut shorter.
    let stdout = report(&archive, Some(40));
    for line in stdout.lines() {
        assert!(line.chars().count() <= 40, "40 columns: {line:?}\n{stdout}");
    }
    for columns in [50, 80] {
        let stdout = report(&archive, Some(columns));
        for line in stdout.lines() {
            // The report of this image is ASCII apart from `█` and `…`, one column each.
            assert!(line.chars().count() <= columns, "{columns} columns: {line:?}\n{stdout}");
        }
        // Paths keep their end, which names the file.
        let path = stdout.lines().find(|line| line.contains("data-file.bin")).unwrap();
        assert!(path.contains("  …"), "{path}");
        assert!(path.ends_with("/the/application/data-file.bin"), "{path}");
        assert!(stdout.contains("added in layer 0 (RUN apt-get"), "{stdout}");
        assert!(stdout.contains("deleted in layer 1 (RUN rm -rf"), "{stdout}");
        assert!(stdout.contains("/etc/dup-one"), "{stdout}");
        assert!(stdout.contains("/etc/dup-two"), "{stdout}");
        let row = stdout.lines().find(|line| line.starts_with("    0 ")).unwrap();
        assert!(row.ends_with('…'), "{row}");
    }
    let stdout = report(&archive, Some(80));
    let row = stdout.lines().find(|line| line.starts_with("    0 ")).unwrap();
    assert!(row.contains('█'), "the bar is shortened, not left out: {row}");
}

#[test]
fn wide_columns_keep_the_layout() {
    let folder = temp_dir("tty-wide");
    let archive = archive(&folder);
    let unbounded = report(&archive, None);
    assert!(unbounded.lines().any(|line| line.chars().count() > 100), "{unbounded}");
    assert_eq!(report(&archive, Some(200)), unbounded);
}

#[test]
fn right_to_left_override_escaped() {
    let folder = temp_dir("tty-bidi");
    let stdout = report(&archive(&folder), None);
    assert!(stdout.contains("/emoji/\\u{202e}txt.exe"), "{stdout}");
    assert!(!stdout.contains('\u{202e}'), "{stdout}");
}
