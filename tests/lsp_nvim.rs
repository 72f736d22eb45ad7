//! A real client: headless Neovim starts `ballast lsp`, receives its diagnostics, asks for
//! hover, completion and symbols, and writes what it got to a file this test checks.
//! Skips when `nvim` is not installed, unless `CI=true`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[test]
fn neovim_receives_diagnostics_hover_completion() {
    if Command::new("nvim").arg("--version").output().is_err() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("nvim is not installed; CI installs Debian's neovim package");
        }
        eprintln!("skipped: nvim is not installed (apt-get install neovim)");
        return;
    }
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("nvim");
    let out = std::env::temp_dir().join(format!("ballast-nvim-{}.json", std::process::id()));
    let status = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c"])
        .arg(format!("luafile {}", folder.join("ballast.lua").display()))
        .env("BALLAST", env!("CARGO_BIN_EXE_ballast"))
        .env("DOCKERFILE", folder.join("sample.Dockerfile"))
        .env("OUT", &out)
        .status()
        .expect("nvim runs");
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(status.success(), "nvim exited with {status}: {text}");
    let result: Value = serde_json::from_str(&text).expect("the script wrote JSON");

    let codes: Vec<&str> = result["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    for expected in [
        "DL1000",
        "MaintainerDeprecated",
        "ConsistentInstructionCasing",
    ] {
        assert!(
            codes.contains(&expected),
            "{expected} missing from {codes:?}"
        );
    }
    assert!(
        result["nvim_diagnostics"].as_u64().unwrap() >= 3,
        "Neovim stored the diagnostics"
    );
    let hover = result["hover"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(hover.contains("RUN"), "{hover}");
    let completion = result["completion"].as_array().unwrap();
    assert!(
        completion.iter().any(|item| item["label"] == "RUN"),
        "{completion:?}"
    );
    assert_eq!(result["symbols"].as_array().unwrap().len(), 1, "one stage");
    let _ = std::fs::remove_file(&out);
}
