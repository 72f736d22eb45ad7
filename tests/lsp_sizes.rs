//! Image sizes from the last build report: inlay hints per instruction, the build's
//! findings as diagnostics (marked stale once the instruction changes), and the "Build and
//! measure" code lens.

mod lsp_support;

use lsp_support::{Client, rich_capabilities};
use serde_json::{Value, json};

const TEXT: &str = "FROM alpine:3.20\nRUN dd if=/dev/zero of=/big bs=1M count=50\nRUN rm /big\n";

fn cost(instruction: u64, line: u64, text: &str, stored: u64, wasted: u64) -> Value {
    json!({
        "instruction": instruction, "stage": 0, "start_line": line, "end_line": line, "text": text,
        "layers": [instruction], "stored_bytes": stored, "wasted_bytes": wasted,
        "hid_lower_bytes": 0, "blob_bytes": stored / 2
    })
}

#[test]
fn hints_findings_and_code_lens() {
    let folder = std::env::temp_dir().join(format!("ballast-lsp-sizes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(folder.join("cache")).unwrap();
    let dockerfile = folder.join("Dockerfile");
    std::fs::write(&dockerfile, TEXT).unwrap();
    // SAFETY: this test binary has one test, so no other thread reads the environment.
    unsafe { std::env::set_var("XDG_CACHE_HOME", folder.join("cache")) };

    let report = json!({
        "schema_version": 1,
        "dockerfile": dockerfile, "context": folder,
        "build": {"builder": "docker", "command": ["docker", "build"], "exit_code": 0, "succeeded": true, "image_id": "sha256:ab", "log": []},
        "stage": 0, "attribution": null,
        "instructions": [
            cost(1, 2, "RUN dd if=/dev/zero of=/big bs=1M count=50", 52_428_800, 52_428_800),
            cost(2, 3, "RUN rm /big", 0, 0)
        ],
        "findings": [{
            "code": "BL3001", "name": "removed-in-later-layer", "severity": "warning",
            "message": "52.4 MB written here is deleted on line 3", "line": 2, "column": 1,
            "end_line": 2, "end_column": 4, "bytes": 52_428_800, "labels": [{"line": 3, "message": "deleted here"}]
        }],
        "image": null, "warnings": []
    });
    let path = ballast_analyzer::build::report_path(&dockerfile);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string(&report).unwrap()).unwrap();

    let uri = format!("file://{}", dockerfile.display());
    let (mut client, result) = Client::initialized(rich_capabilities());
    assert_eq!(
        result["capabilities"]["codeLensProvider"]["resolveProvider"],
        false
    );
    client.open(&uri, TEXT);

    let diagnostics = client.diagnostics(&uri, 1);
    let finding = diagnostics
        .iter()
        .find(|d| d["code"] == "BL3001")
        .expect("the build's finding");
    assert_eq!(finding["range"]["start"]["line"], 1);
    assert_eq!(finding["severity"], 2);

    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": lsp_support::range((0, 0), (3, 0))}),
    );
    let labels: Vec<(u64, &str)> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|hint| {
            (
                hint["position"]["line"].as_u64().unwrap(),
                hint["label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(labels, [(1, "52.4 MB · 52.4 MB wasted"), (2, "0 B")]);
    assert_eq!(
        hints[0]["position"]["character"], 42,
        "at the end of the instruction"
    );

    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(lenses[0]["command"]["command"], "ballast.buildAndMeasure");
    assert_eq!(lenses[0]["command"]["arguments"][0], uri.as_str());
    assert_eq!(lenses[0]["range"]["start"]["line"], 0);

    // Insert a line above: the hints and the finding follow the instructions.
    client.change(&uri, 2, (0, 0), (0, 0), "# comment\n");
    let moved = client.diagnostics(&uri, 2);
    let finding = moved.iter().find(|d| d["code"] == "BL3001").unwrap();
    assert_eq!(finding["range"]["start"]["line"], 2);

    // Change the instruction: its hint goes and its finding is marked stale.
    client.change(&uri, 3, (2, 39), (2, 41), "60");
    let stale = client.diagnostics(&uri, 3);
    let finding = stale.iter().find(|d| d["code"] == "BL3001").unwrap();
    assert_eq!(finding["severity"], 4);
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("changed since")
    );
    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": lsp_support::range((0, 0), (4, 0))}),
    );
    assert_eq!(
        hints.as_array().unwrap().len(),
        1,
        "only the unchanged RUN keeps its hint"
    );
    client.shutdown();
    let _ = std::fs::remove_dir_all(&folder);
}
