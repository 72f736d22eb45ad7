//! `textDocument/documentSymbol`: stages containing their instructions, with the variables
//! of ARG and ENV as children, and a flat list for clients without hierarchy.

mod lsp_support;

use lsp_support::{Client, URI, rich_capabilities};
use serde_json::{Value, json};

const TEXT: &str = "# syntax=docker/dockerfile:1\nARG BASE=alpine:3.20\nFROM $BASE AS build\nENV A=1 B=2\nRUN echo \\\n    hi\n\nFROM scratch\nCOPY --from=build /a /a\nMAINTAINER me\n";

fn names(symbols: &Value) -> Vec<String> {
    symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|symbol| symbol["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn stages_contain_instructions() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, TEXT);
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(names(&symbols), ["# syntax", "ARG", "build", "stage 1"]);

    let build = &symbols[2];
    assert_eq!(build["kind"], 2, "a stage is a module");
    assert_eq!(build["range"]["start"]["line"], 2);
    assert_eq!(build["range"]["end"]["line"], 5);
    assert_eq!(
        build["selectionRange"]["start"],
        json!({"line": 2, "character": 14})
    );
    assert_eq!(names(&build["children"]), ["FROM", "ENV", "RUN"]);
    assert_eq!(names(&build["children"][1]["children"]), ["A", "B"]);
    assert_eq!(
        build["children"][2]["range"]["end"]["line"], 5,
        "the RUN spans its continuation line"
    );

    let last = &symbols[3];
    assert_eq!(names(&last["children"]), ["FROM", "COPY", "MAINTAINER"]);
    assert_eq!(
        last["children"][2]["tags"],
        json!([1]),
        "MAINTAINER is deprecated"
    );
    client.shutdown();
}

#[test]
fn flat_symbols_name_their_container() {
    let mut capabilities = rich_capabilities();
    capabilities["textDocument"]["documentSymbol"] = json!({});
    let (mut client, _) = Client::initialized(capabilities);
    client.open(URI, TEXT);
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let list = symbols.as_array().unwrap();
    let run = list.iter().find(|symbol| symbol["name"] == "RUN").unwrap();
    assert_eq!(run["containerName"], "build");
    assert_eq!(run["location"]["uri"], URI);
    assert!(
        list.iter()
            .any(|symbol| symbol["name"] == "A" && symbol["containerName"] == "ENV")
    );
    client.shutdown();
}
