//! The editor setups in `editors/`. The VS Code extension builds, passes its unit tests and
//! packages into a `.vsix`. The Neovim plugin gets diagnostics from a real server in headless
//! Neovim. The configuration files of the other editors parse.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{skip, temp_dir, tool_works};

fn editors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("editors")
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|error| panic!("{command:?} failed to start: {error}"))
}

fn assert_success(output: &Output, step: &str) {
    assert!(
        output.status.success(),
        "{step} failed with exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Removes the `//` comment lines that Zed and Sublime Text allow in their JSON settings.
fn strip_line_comments(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn vscode_extension_builds_tests_packages() {
    if !tool_works("npm", &["--version"]) || !tool_works("node", &["--version"]) {
        skip("node and npm are not installed, so the VS Code extension was not built");
        return;
    }
    let folder = editors_dir().join("vscode");

    // `npm ci` installs exactly the versions in package-lock.json and fails when the lock
    // file and package.json disagree.
    assert_success(
        &run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&folder)),
        "npm ci",
    );
    assert_success(
        &run(Command::new("npm")
            .args(["run", "compile"])
            .current_dir(&folder)),
        "npm run compile",
    );
    let tests = run(Command::new("npm").arg("test").current_dir(&folder));
    assert_success(&tests, "npm test");
    let report = String::from_utf8_lossy(&tests.stdout);
    assert!(
        report.contains("# fail 0"),
        "node's test runner reports no failure:\n{report}"
    );

    let out_folder = temp_dir("vsix");
    let out = out_folder.join("ballast.vsix");
    let package = run(Command::new("npx")
        .args([
            "--no-install",
            "@vscode/vsce",
            "package",
            "--skip-license",
            "--allow-missing-repository",
            "--out",
        ])
        .arg(&out)
        .current_dir(&folder));
    assert_success(&package, "npx @vscode/vsce package");

    // A .vsix is a zip archive; member names are stored uncompressed in its headers.
    let archive = std::fs::read(&out).unwrap_or_else(|error| panic!("{}: {error}", out.display()));
    assert!(
        archive.starts_with(b"PK\x03\x04"),
        "{} is a zip archive",
        out.display()
    );
    for member in [
        "extension/package.json",
        "extension/out/extension.js",
        "extension/node_modules/vscode-languageclient/",
    ] {
        let found = archive
            .windows(member.len())
            .any(|window| window == member.as_bytes());
        assert!(found, "{} contains {member}", out.display());
    }
}

#[test]
fn neovim_plugin_gets_diagnostics() {
    if !tool_works("nvim", &["--version"]) {
        skip("nvim is not installed, so the Neovim plugin was not run");
        return;
    }
    let state = temp_dir("nvim-state");
    let output = run(Command::new("nvim")
        .args([
            "--headless",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-n",
            "-c",
            "luafile editors/neovim/tests/headless.lua",
        ])
        .env("BALLAST", env!("CARGO_BIN_EXE_ballast"))
        .env("XDG_STATE_HOME", &state)
        .current_dir(env!("CARGO_MANIFEST_DIR")));
    assert_success(&output, "editors/neovim/tests/headless.lua");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("DL3006"),
        "the plugin received DL3006: {stdout}"
    );
}

#[test]
fn helix_languages_toml_parses() {
    if !tool_works("python3", &["-c", "import tomllib"]) {
        skip(
            "python3 with tomllib (3.11 or later) is not installed, so languages.toml was not parsed",
        );
        return;
    }
    let path = editors_dir().join("helix/languages.toml");
    let script =
        "import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], 'rb'))))";
    let output = run(Command::new("python3").args(["-c", script]).arg(&path));
    assert_success(&output, "parsing editors/helix/languages.toml");
    let parsed: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("python printed JSON");

    assert_eq!(parsed["language-server"]["ballast"]["command"], "ballast");
    assert_eq!(
        parsed["language-server"]["ballast"]["args"],
        serde_json::json!(["lsp"])
    );
    let language = &parsed["language"][0];
    assert_eq!(language["name"], "dockerfile");
    assert_eq!(language["language-servers"], serde_json::json!(["ballast"]));
    let file_types = language["file-types"].to_string();
    for glob in ["Dockerfile.*", "*.Dockerfile", "Containerfile"] {
        assert!(
            file_types.contains(glob),
            "file-types lists {glob}: {file_types}"
        );
    }
}

#[test]
fn zed_and_sublime_settings_parse() {
    for (path, server) in [
        (
            "zed/settings.json",
            "/lsp/dockerfile-language-server/binary/arguments",
        ),
        ("sublime/LSP.sublime-settings", "/clients/ballast/command"),
    ] {
        let full = editors_dir().join(path);
        let text = std::fs::read_to_string(&full)
            .unwrap_or_else(|error| panic!("{}: {error}", full.display()));
        let parsed: serde_json::Value = serde_json::from_str(&strip_line_comments(&text))
            .unwrap_or_else(|error| panic!("{}: invalid JSON: {error}", full.display()));
        let command = parsed
            .pointer(server)
            .unwrap_or_else(|| panic!("{path} has {server}"));
        assert!(
            command.to_string().contains("\"lsp\""),
            "{path}: {server} runs `ballast lsp`: {command}"
        );
    }
}

#[test]
fn settings_keys_match_everywhere() {
    // The server reads these keys; every editor setup that lists settings uses the same names.
    let keys = ["select", "ignore", "severity", "shellcheck", "sizeHints"];
    for path in [
        "helix/languages.toml",
        "zed/settings.json",
        "sublime/LSP.sublime-settings",
        "emacs/ballast.el",
        "vscode/README.md",
        "neovim/README.md",
    ] {
        let text =
            std::fs::read_to_string(editors_dir().join(path)).expect("the editor file is readable");
        for key in keys {
            assert!(
                text.contains(key),
                "{path} mentions the server setting {key}"
            );
        }
    }
}
