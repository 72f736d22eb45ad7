//! `ballast fmt FILES` formats in place; `--check` lists unformatted files and exits 1.

use std::process::Command;

fn ballast() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ballast"))
}

#[test]
fn fmt_check_then_write() {
    let folder = std::env::temp_dir().join(format!("ballast-fmt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    let messy = folder.join("Dockerfile");
    let clean = folder.join("clean.Dockerfile");
    std::fs::write(&messy, "from alpine:3.20\nrun   apk add \\\ncurl\n").unwrap();
    std::fs::write(&clean, "FROM alpine:3.20\n").unwrap();

    let check = ballast()
        .args(["fmt", "--check"])
        .arg(&messy)
        .arg(&clean)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    let listed = String::from_utf8_lossy(&check.stdout);
    assert!(listed.contains("Dockerfile: not formatted"), "{listed}");
    assert!(!listed.contains("clean.Dockerfile"), "{listed}");
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "from alpine:3.20\nrun   apk add \\\ncurl\n",
        "--check changes nothing"
    );

    let write = ballast().arg("fmt").arg(&messy).output().unwrap();
    assert!(write.status.success());
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "FROM alpine:3.20\nRUN apk add \\\n    curl\n"
    );
    let again = ballast()
        .args(["fmt", "--check"])
        .arg(&messy)
        .output()
        .unwrap();
    assert!(again.status.success());

    let missing = ballast()
        .arg("fmt")
        .arg(folder.join("nope"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope"));
    let _ = std::fs::remove_dir_all(&folder);
}
