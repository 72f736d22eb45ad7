//! `textDocument/formatting` and `rangeFormatting`: keyword case, one space after the
//! keyword, continuation indent, heredocs and hand-aligned lines kept.

mod lsp_support;

use lsp_support::{Client, URI, rich_capabilities};
use serde_json::{Value, json};

/// Applies UTF-16 text edits to `text` (edits do not overlap).
fn apply(text: &str, edits: &Value) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let before: usize = lines[..line].iter().map(|l| l.len() + 1).sum();
        let units: Vec<u16> = lines[line].encode_utf16().take(character).collect();
        before + String::from_utf16(&units).unwrap().len()
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|edit| {
            (
                offset(&edit["range"]["start"]),
                offset(&edit["range"]["end"]),
                edit["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.0));
    let mut out = text.to_string();
    for (start, end, replacement) in edits {
        out.replace_range(start..end, &replacement);
    }
    out
}

const TEXT: &str = "  from alpine:3.20   AS build\nrun   apk add \\\ncurl \\\n        git   \ncopy <<EOF /etc/motd\n   keep   this   \nEOF\n# 中文 comment   \nenv A=1\n";

#[test]
fn document_formatting() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, TEXT);
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let formatted = apply(TEXT, &edits);
    assert_eq!(
        formatted,
        "FROM alpine:3.20   AS build\nRUN apk add \\\n  curl \\\n        git\nCOPY <<EOF /etc/motd\n   keep   this   \nEOF\n# 中文 comment\nENV A=1\n"
    );
    client.shutdown();
}

#[test]
fn tabs_when_asked() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, "FROM a\nRUN x \\\ny\n");
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": false}}),
    );
    assert_eq!(
        apply("FROM a\nRUN x \\\ny\n", &edits),
        "FROM a\nRUN x \\\n\ty\n"
    );
    client.shutdown();
}

#[test]
fn range_formatting_touches_only_the_range() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, TEXT);
    let edits = client.request(
        "textDocument/rangeFormatting",
        json!({"textDocument": {"uri": URI}, "range": lsp_support::range((8, 0), (8, 3)), "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let formatted = apply(TEXT, &edits);
    assert_eq!(formatted, TEXT.replace("env A=1", "ENV A=1"));
    client.shutdown();
}

#[test]
fn value_continuations_stay_unindented() {
    let text = "from alpine:3.20\nenv E=hello\\\n\\\nworld\nenv PKGS curl \\\ngit\nrun echo hello\\\n\\\nworld \\\n&& true\n";
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, text);
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(
        apply(text, &edits),
        "FROM alpine:3.20\nENV E=hello\\\n\\\nworld\nENV PKGS curl \\\ngit\nRUN echo hello\\\n\\\nworld \\\n    && true\n"
    );
    client.shutdown();
}
