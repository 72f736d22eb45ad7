//! Configuration: `initializationOptions`, `workspace/didChangeConfiguration`, and the same
//! `.ballast.toml` discovery as `ballast lint`, reloaded when the file changes.

mod lsp_support;

use std::path::PathBuf;

use lsp_support::{Client, rich_capabilities};
use serde_json::{Value, json};

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .map(str::to_string)
        .collect()
}

const TEXT: &str = "FROM alpine:3.20\nMAINTAINER me\n";

#[test]
fn initialization_options_select_rules() {
    let mut client = Client::start(&[]);
    client.initialize(
        rich_capabilities(),
        json!({"ballast": {"ignore": ["DL4000"], "severity": {"MaintainerDeprecated": "error"}}}),
    );
    client.open("file:///nowhere/Dockerfile", TEXT);
    let diagnostics = client.diagnostics("file:///nowhere/Dockerfile", 1);
    assert!(
        !codes(&diagnostics).contains(&"DL4000".to_string()),
        "{diagnostics:?}"
    );
    let deprecated = diagnostics
        .iter()
        .find(|d| d["code"] == "MaintainerDeprecated")
        .unwrap();
    assert_eq!(deprecated["severity"], 1);
    assert_eq!(deprecated["tags"], json!([2]));
    assert!(
        deprecated["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .contains("maintainer-deprecated")
    );
    client.shutdown();
}

#[test]
fn did_change_configuration_relints() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    let uri = "file:///nowhere/Dockerfile";
    client.open(uri, TEXT);
    assert!(codes(&client.diagnostics(uri, 1)).contains(&"DL4000".to_string()));
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ballast": {"ignore": "DL4000,MaintainerDeprecated"}}}),
    );
    let params = client.notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri
            && !codes(params["diagnostics"].as_array().unwrap()).contains(&"DL4000".to_string())
    });
    assert!(
        !codes(params["diagnostics"].as_array().unwrap())
            .contains(&"MaintainerDeprecated".to_string())
    );

    // An invalid value is reported and does not reset the other settings.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ballast": {"ignore": ["DL4000"], "severity": {"DL3006": "loud"}}}}),
    );
    let message = client.notification("window/showMessage", |_| true);
    assert!(
        message["message"].as_str().unwrap().contains("loud"),
        "{message}"
    );
    client.shutdown();
}

#[test]
fn ballast_toml_is_found_and_reloaded() {
    let folder = std::env::temp_dir().join(format!("ballast-lsp-config-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(folder.join("app")).unwrap();
    let dockerfile: PathBuf = folder.join("app").join("Dockerfile");
    std::fs::write(&dockerfile, TEXT).unwrap();
    std::fs::write(folder.join(".ballast.toml"), "ignore = [\"DL4000\"]\n").unwrap();
    let uri = format!("file://{}", dockerfile.display());

    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(&uri, TEXT);
    let first = codes(&client.diagnostics(&uri, 1));
    assert!(!first.contains(&"DL4000".to_string()), "{first:?}");
    assert!(
        first.contains(&"MaintainerDeprecated".to_string()),
        "{first:?}"
    );

    std::fs::write(
        folder.join(".ballast.toml"),
        "ignore = [\"MaintainerDeprecated\"]\n",
    )
    .unwrap();
    let config_uri = format!("file://{}", folder.join(".ballast.toml").display());
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config_uri, "type": 2}]}),
    );
    let params = client.notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri.as_str()
            && codes(params["diagnostics"].as_array().unwrap()).contains(&"DL4000".to_string())
    });
    assert!(
        !codes(params["diagnostics"].as_array().unwrap())
            .contains(&"MaintainerDeprecated".to_string())
    );

    std::fs::write(folder.join(".ballast.toml"), "ignore = [\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config_uri, "type": 2}]}),
    );
    let params = client.notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri.as_str()
            && params["diagnostics"].as_array().unwrap().iter().any(|d| {
                d["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains(".ballast.toml")
            })
    });
    assert_eq!(
        params["diagnostics"][0]["severity"], 2,
        "a broken configuration is a warning"
    );
    client.shutdown();
    let _ = std::fs::remove_dir_all(&folder);
}

/// Returns a new empty folder for one test.
fn fresh_folder(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("ballast-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// Reports to the server that `file` was created, edits the document at `uri` and returns
/// the codes of the list for that edit, which show whether the new file took effect.
fn codes_after_reporting(client: &mut Client, uri: &str, file: &std::path::Path) -> Vec<String> {
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": format!("file://{}", file.display()), "type": 1}]}),
    );
    client.change(uri, 2, (0, 0), (0, 0), "# edited\n");
    codes(&client.diagnostics(uri, 2))
}

/// The server reads a file's `.dockerignore` once, and again when the client reports that
/// it changed.
#[test]
fn dockerignore_reread_on_change() {
    let folder = fresh_folder("ignore");
    let dockerfile = folder.join("Dockerfile");
    let text = "FROM alpine:3.20\nCOPY . /app\n";
    std::fs::write(&dockerfile, text).unwrap();
    let uri = format!("file://{}", dockerfile.display());

    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(&uri, text);
    let first = codes(&client.diagnostics(&uri, 1));
    assert!(first.contains(&"BL2010".to_string()), "{first:?}");

    // Edits reuse what was read. The file appears, and the client reports it.
    std::fs::write(folder.join(".dockerignore"), ".git\n").unwrap();
    let after = codes_after_reporting(&mut client, &uri, &folder.join(".dockerignore"));
    assert!(!after.contains(&"BL2010".to_string()), "{after:?}");
    client.shutdown();
    let _ = std::fs::remove_dir_all(&folder);
}

/// A per-user hadolint file, outside the workspace, is read again when the client reports
/// that it changed.
#[test]
fn user_hadolint_file_reread_on_change() {
    let folder = fresh_folder("user");
    let (project, xdg, home) = (folder.join("project"), folder.join("xdg"), folder.join("home"));
    for path in [&project, &xdg, &home] {
        std::fs::create_dir_all(path).unwrap();
    }
    let dockerfile = project.join("Dockerfile");
    let text = "FROM alpine:3.20\nRUN cd /tmp && echo hi\n";
    std::fs::write(&dockerfile, text).unwrap();
    let uri = format!("file://{}", dockerfile.display());

    let mut client = Client::start_with_env(
        &[],
        &[("XDG_CONFIG_HOME", xdg.as_path()), ("HOME", home.as_path())],
    );
    client.initialize(rich_capabilities(), json!(null));
    client.notify("initialized", json!({}));
    client.open(&uri, text);
    let first = codes(&client.diagnostics(&uri, 1));
    assert!(first.contains(&"DL3003".to_string()), "{first:?}");

    let user_file = xdg.join("hadolint.yaml");
    std::fs::write(&user_file, "ignored: [DL3003]\n").unwrap();
    let after = codes_after_reporting(&mut client, &uri, &user_file);
    assert!(!after.contains(&"DL3003".to_string()), "{after:?}");
    client.shutdown();
    let _ = std::fs::remove_dir_all(&folder);
}

