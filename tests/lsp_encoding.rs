//! Position encodings: UTF-16 by default, counted correctly for CJK text and emoji, and
//! UTF-8 when the client offers it.

mod lsp_support;

use lsp_support::{Client, URI, at, range_text, rich_capabilities};
use serde_json::json;

/// A comment with Chinese text and an emoji before a variable reference on the same line.
const TEXT: &str =
    "FROM alpine AS base\nENV 名前=1 GREETING=你好\nRUN echo \"😀 中文 $GREETING\" # 注释\n";

#[test]
fn utf16_columns_count_cjk_and_emoji() {
    let (mut client, result) = Client::initialized(rich_capabilities());
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    client.open(URI, TEXT);

    // "RUN echo \"😀 中文 $" is 10 + 2 (emoji, a surrogate pair) + 1 + 2 + 1 + 1 units.
    let column = "RUN echo \"😀 中文 $".encode_utf16().count() as u32;
    assert_eq!(column, 17);
    let definition = client.request("textDocument/definition", at(URI, 2, column + 2));
    assert_eq!(definition["range"]["start"]["line"], 1);
    assert_eq!(range_text(TEXT, &definition["range"]), "GREETING");

    let highlights = client.request("textDocument/documentHighlight", at(URI, 2, column));
    let texts: Vec<String> = highlights
        .as_array()
        .unwrap()
        .iter()
        .map(|h| range_text(TEXT, &h["range"]))
        .collect();
    assert_eq!(texts, ["GREETING", "GREETING"]);
    let reference = &highlights[1]["range"];
    assert_eq!(reference["start"], json!({"line": 2, "character": 17}));
    assert_eq!(reference["end"], json!({"line": 2, "character": 25}));

    let hover = client.request("textDocument/hover", at(URI, 2, 20));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("你好"),
        "{hover}"
    );
    client.shutdown();
}

#[test]
fn utf16_edits_after_emoji() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, TEXT);
    // Replace the CJK variable name `名前` (two units) after `ENV ` with `NAME`.
    client.change(URI, 2, (1, 4), (1, 6), "NAME");
    client.diagnostics(URI, 2);
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let env = &symbols[0]["children"][1];
    assert_eq!(env["children"][0]["name"], "NAME");
    assert_eq!(env["children"][1]["name"], "GREETING");
    client.shutdown();
}

#[test]
fn utf8_is_chosen_when_offered() {
    let mut capabilities = rich_capabilities();
    capabilities["general"]["positionEncodings"] = json!(["utf-8", "utf-16"]);
    let (mut client, result) = Client::initialized(capabilities);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    client.open(URI, TEXT);
    let column = "RUN echo \"😀 中文 $".len() as u32;
    let definition = client.request("textDocument/definition", at(URI, 2, column + 2));
    let start = definition["range"]["start"]["character"].as_u64().unwrap();
    assert_eq!(start as usize, "ENV 名前=1 ".len());
    client.shutdown();
}
