//! `textDocument/selectionRange`: from a name out to the whole document.

mod lsp_support;

use lsp_support::{Client, URI, rich_capabilities};
use serde_json::{Value, json};

/// Returns each range of a selection chain, innermost first, as (start, end) pairs.
fn chain(mut range: &Value) -> Vec<((u64, u64), (u64, u64))> {
    let mut out = Vec::new();
    loop {
        let start = &range["range"]["start"];
        let end = &range["range"]["end"];
        out.push((
            (
                start["line"].as_u64().unwrap(),
                start["character"].as_u64().unwrap(),
            ),
            (
                end["line"].as_u64().unwrap(),
                end["character"].as_u64().unwrap(),
            ),
        ));
        match range.get("parent") {
            Some(parent) if !parent.is_null() => range = parent,
            _ => return out,
        }
    }
}

#[test]
fn selection_grows_from_flag_value_to_document() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    let text = "FROM alpine AS build\nRUN true\nFROM scratch\nCOPY --from=build /a \\\n    /b\n";
    client.open(URI, text);
    let result = client.request(
        "textDocument/selectionRange",
        json!({"textDocument": {"uri": URI}, "positions": [{"line": 3, "character": 14}]}),
    );
    let ranges = chain(&result[0]);
    assert_eq!(
        ranges,
        vec![
            ((3, 12), (3, 17)), // the stage name
            ((3, 5), (3, 17)),  // the flag
            ((3, 0), (4, 6)),   // the instruction
            ((2, 0), (4, 6)),   // the stage
            ((0, 0), (5, 0)),   // the document
        ]
    );
    client.shutdown();
}
