//! Go to definition, find references, document highlight, prepareRename and rename for
//! stage names (`FROM … AS x`, `--from=x`, `--mount=from=x`), ARG and ENV variables, and
//! heredoc delimiters.

mod lsp_support;

use lsp_support::{Client, URI, at, range_text, rich_capabilities};
use serde_json::{Value, json};

const TEXT: &str = "ARG VERSION=3.20\nFROM alpine:$VERSION AS Builder\nARG VERSION\nENV DIR=/srv/$VERSION\nRUN --mount=type=cache,from=builder,target=/c ls $DIR\nFROM builder AS test\nRUN echo $DIR\nFROM scratch\nCOPY --from=BUILDER $DIR /out\nRUN <<EOF\necho $HOME\nEOF\n";

fn texts(locations: &Value) -> Vec<(u64, String)> {
    locations
        .as_array()
        .unwrap()
        .iter()
        .map(|location| {
            let range = if location.get("range").is_some() {
                &location["range"]
            } else {
                location
            };
            (
                range["start"]["line"].as_u64().unwrap(),
                range_text(TEXT, range),
            )
        })
        .collect()
}

#[test]
fn stage_definition_and_references() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, TEXT);
    // `--from=BUILDER` on line 8 goes to `AS Builder` on line 1.
    let definition = client.request("textDocument/definition", at(URI, 8, 14));
    assert_eq!(definition["uri"], URI);
    assert_eq!(texts(&json!([definition])), [(1, "Builder".to_string())]);

    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 26}, "context": {"includeDeclaration": true}}),
    );
    assert_eq!(
        texts(&references),
        [
            (1, "Builder".into()),
            (4, "builder".into()),
            (5, "builder".into()),
            (8, "BUILDER".into())
        ]
    );
    let without = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 26}, "context": {"includeDeclaration": false}}),
    );
    assert_eq!(without.as_array().unwrap().len(), 3);
    client.shutdown();
}

#[test]
fn variable_definition_follows_scopes() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, TEXT);
    // `$DIR` in the stage built FROM builder resolves to the ENV of builder.
    let definition = client.request("textDocument/definition", at(URI, 6, 11));
    assert_eq!(texts(&json!([definition])), [(3, "DIR".to_string())]);
    // `$VERSION` in the FROM line resolves to the ARG before the first FROM.
    let definition = client.request("textDocument/definition", at(URI, 1, 15));
    assert_eq!(texts(&json!([definition])), [(0, "VERSION".to_string())]);

    let highlights = client.request("textDocument/documentHighlight", at(URI, 0, 5));
    let kinds: Vec<(u64, u64)> = highlights
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["range"]["start"]["line"].as_u64().unwrap(),
                h["kind"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [(0, 3), (1, 2), (2, 3), (3, 2)],
        "declarations write, uses read"
    );
    client.shutdown();
}

#[test]
fn rename_stage_and_variable() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, TEXT);
    let prepared = client.request("textDocument/prepareRename", at(URI, 4, 30));
    assert_eq!(prepared["placeholder"], "builder");

    let edit = client.request("textDocument/rename", json!({"textDocument": {"uri": URI}, "position": {"line": 4, "character": 30}, "newName": "compile"}));
    let edits = edit["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), 4);
    assert!(edits.iter().all(|edit| edit["newText"] == "compile"));

    let edit = client.request("textDocument/rename", json!({"textDocument": {"uri": URI}, "position": {"line": 3, "character": 5}, "newName": "APP_DIR"}));
    let lines: Vec<u64> = edit["changes"][URI]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    // The stage built FROM builder inherits DIR; the scratch stage on line 8 does not.
    assert_eq!(lines, [3, 4, 6]);
    client.shutdown();
}

#[test]
fn rename_rejects_invalid_and_builtin_names() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, TEXT);
    // $HOME comes from the base image: nothing in the file declares it.
    assert_eq!(
        client.request("textDocument/prepareRename", at(URI, 10, 7)),
        Value::Null
    );
    let id = client.send_request("textDocument/rename", json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 26}, "newName": "9 bad"}));
    let response = client.response(id);
    assert_eq!(response["error"]["code"], -32602, "{response}");
    client.shutdown();
}

#[test]
fn heredoc_delimiters_are_linked() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, TEXT);
    let definition = client.request("textDocument/definition", at(URI, 11, 1));
    assert_eq!(texts(&json!([definition])), [(9, "EOF".to_string())]);
    let edit = client.request("textDocument/rename", json!({"textDocument": {"uri": URI}, "position": {"line": 9, "character": 7}, "newName": "SCRIPT"}));
    assert_eq!(edit["changes"][URI].as_array().unwrap().len(), 2);
    client.shutdown();
}
