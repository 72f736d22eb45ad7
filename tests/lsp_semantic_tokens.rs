//! `textDocument/semanticTokens/full` and `/range`: keywords, flags, variables, strings,
//! comments, stage names, base images and heredocs, decoded against the legend.

mod lsp_support;

use lsp_support::{Client, URI, rich_capabilities};
use serde_json::{Value, json};

const TEXT: &str = "# build stage\nARG V=3.20\nFROM alpine:${V} AS build\nRUN --mount=type=cache,target=/c echo \"中 $V\" \\\n    && true\nCOPY <<EOF /motd\nhi $V\nEOF\nFROM scratch\nCOPY --from=build /motd /\n";

/// Decodes the relative token encoding into (line, start, length, type name).
fn decode(data: &Value, legend: &[String]) -> Vec<(u64, u64, u64, String)> {
    let numbers: Vec<u64> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    let (mut line, mut start) = (0, 0);
    numbers
        .chunks(5)
        .map(|chunk| {
            if chunk[0] > 0 {
                line += chunk[0];
                start = chunk[1];
            } else {
                start += chunk[1];
            }
            (line, start, chunk[2], legend[chunk[3] as usize].clone())
        })
        .collect()
}

/// The text of a token, counting UTF-16 units.
fn token_text(line: u64, start: u64, length: u64) -> String {
    let units: Vec<u16> = TEXT
        .split('\n')
        .nth(line as usize)
        .unwrap()
        .encode_utf16()
        .collect();
    String::from_utf16(&units[start as usize..(start + length) as usize]).unwrap()
}

#[test]
fn full_tokens_cover_the_language() {
    let (mut client, result) = Client::initialized(rich_capabilities());
    let legend: Vec<String> =
        result["capabilities"]["semanticTokensProvider"]["legend"]["tokenTypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|kind| kind.as_str().unwrap().to_string())
            .collect();
    client.open(URI, TEXT);
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": URI}}),
    );
    let decoded: Vec<(String, String)> = decode(&tokens["data"], &legend)
        .into_iter()
        .map(|(line, start, length, kind)| (token_text(line, start, length), kind))
        .collect();
    let has = |text: &str, kind: &str| decoded.contains(&(text.to_string(), kind.to_string()));
    assert!(has("# build stage", "comment"), "{decoded:?}");
    assert!(has("ARG", "keyword"));
    assert!(has("V", "variable"));
    assert!(
        has("alpine:${V}", "class") || has("alpine:${", "class"),
        "{decoded:?}"
    );
    assert!(has("build", "namespace"));
    assert!(has("--mount", "parameter"));
    assert!(has("\"中 $", "string"), "{decoded:?}");
    assert!(has("\\", "operator"));
    assert!(has("<<EOF", "macro"));
    assert!(has("hi $", "string"));
    assert!(has("--from", "parameter"));
    client.shutdown();
}

#[test]
fn range_tokens_stay_in_range() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, TEXT);
    let full = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": URI}}),
    );
    let range = client.request(
        "textDocument/semanticTokens/range",
        json!({"textDocument": {"uri": URI}, "range": lsp_support::range((8, 0), (9, 30))}),
    );
    let data = range["data"].as_array().unwrap();
    assert!(!data.is_empty());
    assert!(data.len() < full["data"].as_array().unwrap().len());
    assert_eq!(data[0], 8, "the first token is on line 8");
    client.shutdown();
}
