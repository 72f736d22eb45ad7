//! The "Build and measure" command end to end: `workspace/executeCommand` makes the server
//! run `ballast build` against the real Docker engine, report the builder's output as
//! work-done progress, and then show the new layer sizes as inlay hints.
//!
//! The Dockerfile only copies files onto the busybox test image, so no build step runs a
//! container and nothing can reach a network. Without an engine the test skips, or fails
//! when `CI=true`.

mod common;
mod lsp_support;

use common::engine::{BASE_IMAGE, engine};
use common::temp_dir;
use lsp_support::{Client, rich_capabilities};
use serde_json::{Value, json};

/// Takes `$/progress` notifications for `token` until the one of `kind` `end`, and returns
/// the kinds in order with the end's message.
fn progress_until_end(client: &mut Client, token: &Value) -> (Vec<String>, String) {
    let mut kinds = Vec::new();
    loop {
        let params = client.notification("$/progress", |params| params["token"] == *token);
        let kind = params["value"]["kind"].as_str().unwrap_or("").to_string();
        kinds.push(kind.clone());
        if kind == "end" {
            let message = params["value"]["message"].as_str().unwrap_or("").to_string();
            return (kinds, message);
        }
    }
}

#[test]
fn build_command_reports_progress_and_sizes() {
    let Some(_) = engine() else { return };
    let folder = temp_dir("lsp-build-command");
    let cache = folder.join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    // SAFETY: this test binary has one test, so no other thread reads the environment. The
    // server and the `ballast build` it starts inherit the variable and write the size
    // report under it.
    unsafe { std::env::set_var("XDG_CACHE_HOME", &cache) };

    std::fs::write(folder.join("payload.bin"), vec![7u8; 300_000]).unwrap();
    let text = format!("FROM {BASE_IMAGE}\nCOPY payload.bin /payload.bin\n");
    let dockerfile = folder.join("Dockerfile");
    std::fs::write(&dockerfile, &text).unwrap();
    let uri = format!("file://{}", dockerfile.display());

    let mut capabilities = rich_capabilities();
    capabilities["window"] = json!({"workDoneProgress": true});
    let (mut client, _) = Client::initialized(capabilities);
    client.open(&uri, &text);
    client.diagnostics(&uri, 1);

    let hints_before = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": lsp_support::range((0, 0), (2, 0))}),
    );
    assert_eq!(
        hints_before.as_array().map_or(0, Vec::len),
        0,
        "no size hints before the first build: {hints_before}"
    );

    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let command = lenses[0]["command"].clone();
    assert_eq!(command["command"], "ballast.buildAndMeasure");
    let answer = client.request(
        "workspace/executeCommand",
        json!({"command": command["command"], "arguments": command["arguments"]}),
    );
    assert_eq!(answer, Value::Null);

    let create = client.server_request("window/workDoneProgress/create");
    let token = create["token"].clone();
    assert!(
        token.as_str().is_some_and(|token| token.starts_with("ballast-build-")),
        "progress token: {token}"
    );
    let (kinds, message) = progress_until_end(&mut client, &token);
    assert_eq!(kinds.first().map(String::as_str), Some("begin"), "{kinds:?}");
    assert!(
        kinds.iter().any(|kind| kind == "report"),
        "the builder's output is reported as progress: {kinds:?}"
    );
    assert_eq!(
        message,
        "finished",
        "server log:\n{}",
        client.log()
    );

    client.server_request("workspace/inlayHint/refresh");
    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": lsp_support::range((0, 0), (2, 0))}),
    );
    let hints = hints.as_array().cloned().unwrap_or_default();
    let copy_hint = hints
        .iter()
        .find(|hint| hint["position"]["line"] == 1)
        .unwrap_or_else(|| panic!("a size hint on the COPY line: {hints:?}"));
    // The layer contains the 300,000-byte file plus its tar headers and folder entries.
    let label = copy_hint["label"].as_str().unwrap_or("");
    let kilobytes: f64 = label
        .split(" kB")
        .next()
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("a size in kB: {label}"));
    assert!(
        (300.0..310.0).contains(&kilobytes),
        "the COPY layer contains the 300,000-byte file: {label}"
    );

    client.shutdown();
    let _ = std::fs::remove_dir_all(&folder);
}
