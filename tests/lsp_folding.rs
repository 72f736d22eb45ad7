//! `textDocument/foldingRange`: stages, continuation lines, heredocs and comment blocks.

mod lsp_support;

use lsp_support::{Client, URI, rich_capabilities};
use serde_json::{Value, json};

#[test]
fn folds_stages_continuations_heredocs_comments() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    let text = "# one\n# two\n# three\nFROM alpine AS build\nRUN apk add \\\n    curl \\\n    git\nCOPY <<EOF /etc/motd\nhello\nworld\nEOF\n\nFROM scratch\nCOPY --from=build /etc/motd /\n";
    client.open(URI, text);
    let ranges = client.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": URI}}),
    );
    let folds: Vec<(u64, u64, Value)> = ranges
        .as_array()
        .unwrap()
        .iter()
        .map(|range| {
            (
                range["startLine"].as_u64().unwrap(),
                range["endLine"].as_u64().unwrap(),
                range["kind"].clone(),
            )
        })
        .collect();
    assert!(folds.contains(&(0, 2, json!("comment"))), "{folds:?}");
    assert!(
        folds.contains(&(3, 10, json!("region"))),
        "first stage: {folds:?}"
    );
    assert!(
        folds.contains(&(12, 13, json!("region"))),
        "second stage: {folds:?}"
    );
    assert!(
        folds.contains(&(4, 6, Value::Null)),
        "continuation lines: {folds:?}"
    );
    assert!(folds.contains(&(7, 10, Value::Null)), "heredoc: {folds:?}");
    assert_eq!(folds.len(), 5, "{folds:?}");
    client.shutdown();
}
