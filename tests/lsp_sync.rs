//! Document synchronisation: incremental edits applied in order, diagnostics published with
//! the version they describe, and bursts of edits coalesced.

mod lsp_support;

use lsp_support::{Client, SYNTAX_ERROR, URI, rich_capabilities, with_code};
use serde_json::json;

#[test]
fn incremental_edits_apply_in_order() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, "FROM alpine:3.20\nRUN echo hi\n");
    assert!(client.diagnostics(URI, 1).is_empty());

    // Break the file: an unknown instruction, then fix it in a second edit.
    client.change(URI, 2, (1, 0), (1, 3), "RNU");
    let broken = client.diagnostics(URI, 2);
    let errors = with_code(&broken, SYNTAX_ERROR);
    assert_eq!(errors.len(), 1, "{broken:?}");
    assert_eq!(errors[0]["range"]["start"]["line"], 1);

    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": URI, "version": 3},
            "contentChanges": [
                {"range": lsp_support::range((1, 0), (1, 3)), "text": "RUN"},
                {"range": lsp_support::range((2, 0), (2, 0)), "text": "COPY --from=nowhere /a /b\n"}
            ]
        }),
    );
    let fixed = client.diagnostics(URI, 3);
    assert!(with_code(&fixed, SYNTAX_ERROR).is_empty(), "{fixed:?}");
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let children = symbols[0]["children"].as_array().unwrap();
    let names: Vec<&str> = children
        .iter()
        .map(|child| child["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["FROM", "RUN", "COPY"]);
    client.shutdown();
}

#[test]
fn full_text_change_replaces_document() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, "FROM alpine\n");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": "BOGUS x\n"}]}),
    );
    let diagnostics = client.diagnostics(URI, 2);
    assert!(!with_code(&diagnostics, SYNTAX_ERROR).is_empty());
    client.shutdown();
}

#[test]
fn burst_of_edits_is_coalesced() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    let mut text = String::from("FROM alpine\n");
    for number in 0..2000 {
        text.push_str(&format!("RUN echo {number}\n"));
    }
    client.open(URI, &text);
    client.diagnostics(URI, 1);

    let edits = 50;
    for version in 2..2 + edits {
        client.change(URI, version, (1, 10), (1, 10), "x");
    }
    client.diagnostics(URI, 1 + edits);
    let earlier = client.pending("textDocument/publishDiagnostics");
    assert!(
        earlier.len() < edits as usize,
        "{} publishes for {edits} edits",
        earlier.len()
    );
    let versions: Vec<i64> = earlier
        .iter()
        .map(|params| params["version"].as_i64().unwrap())
        .collect();
    assert!(
        versions.windows(2).all(|pair| pair[0] < pair[1]),
        "versions in order: {versions:?}"
    );

    let hover = client.request("textDocument/hover", lsp_support::at(URI, 1, 1));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("RUN"));
    client.shutdown();
}
