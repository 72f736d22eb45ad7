//! `textDocument/hover`: instruction and flag reference, `--mount` options, directives, the
//! value of a variable at that line, a stage's definition, base images and rule docs, also
//! inside ONBUILD triggers.

mod lsp_support;

use lsp_support::{Client, URI, at, rich_capabilities};

const TEXT: &str = "# syntax=docker/dockerfile:1\nARG V=3.20\nFROM alpine:3.20 AS base\nARG V\nENV DIR=/srv/$V\nENV DIR=/opt\nRUN --mount=type=cache,target=/root/.cache echo $DIR\nFROM base\nCOPY --from=base /a /b\n";

fn hover_text(client: &mut Client, line: u32, character: u32) -> String {
    let hover = client.request("textDocument/hover", at(URI, line, character));
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn hover_everything() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, TEXT);
    client.diagnostics(URI, 1);

    assert!(
        hover_text(&mut client, 2, 1).contains("build stage"),
        "FROM keyword"
    );
    assert!(
        hover_text(&mut client, 0, 4).contains("frontend"),
        "syntax directive"
    );
    assert!(
        hover_text(&mut client, 6, 6).contains("Mounts a file system"),
        "--mount"
    );
    assert!(
        hover_text(&mut client, 6, 14).contains("persists between builds"),
        "type=cache"
    );
    assert!(
        hover_text(&mut client, 6, 26).contains("Where the mount appears"),
        "target"
    );
    assert!(
        hover_text(&mut client, 8, 7).contains("Copies from a build stage"),
        "--from"
    );

    let value = hover_text(&mut client, 4, 15);
    assert!(
        value.contains("`3.20`"),
        "V in the stage comes from the global ARG: {value}"
    );
    let dir = hover_text(&mut client, 6, 50);
    assert!(dir.contains("`/opt`"), "the value at that line: {dir}");
    assert!(dir.contains("line 6"), "{dir}");

    let stage = hover_text(&mut client, 8, 13);
    assert!(stage.contains("FROM alpine:3.20 AS base"), "{stage}");
    let image = hover_text(&mut client, 2, 7);
    assert!(image.contains("docker.io/library/alpine"), "{image}");
    client.shutdown();
}

#[test]
fn hover_shows_rule_docs_on_findings() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, "FROM alpine:3.20\nMAINTAINER someone\n");
    let diagnostics = client.diagnostics(URI, 1);
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "MaintainerDeprecated"),
        "{diagnostics:?}"
    );
    let text = hover_text(&mut client, 1, 3);
    assert!(text.contains("MaintainerDeprecated"), "{text}");
    assert!(text.contains("What it does"), "{text}");
    client.shutdown();
}

#[test]
fn plaintext_clients_get_plaintext() {
    let mut capabilities = rich_capabilities();
    capabilities["textDocument"]["hover"]["contentFormat"] = serde_json::json!(["plaintext"]);
    let (mut client, _) = Client::initialized(capabilities);
    client.open(URI, TEXT);
    let hover = client.request("textDocument/hover", at(URI, 6, 1));
    assert_eq!(hover["contents"]["kind"], "plaintext");
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("RUN"), "{value}");
    for markup in ["```", "`", "**", "](", "\n---\n"] {
        assert!(!value.contains(markup), "{markup:?} in plain text: {value}");
    }
    client.shutdown();
}

#[test]
fn hover_below_last_line_is_empty() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, TEXT);
    let last_line = TEXT.lines().count() as u32;
    assert!(!hover_text(&mut client, last_line - 1, 3).is_empty());
    let below = client.request("textDocument/hover", at(URI, last_line + 5, 0));
    assert!(below.is_null(), "{below}");
    client.shutdown();
}

#[test]
fn hover_and_definition_in_onbuild() {
    let text = "FROM alpine:3.20 AS base\nENV DIR=/srv\nFROM base\nONBUILD COPY --from=base /a $DIR/a\nONBUILD RUN ls $DIR\n";
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, text);

    let stage = hover_text(&mut client, 3, 21);
    assert!(
        stage.contains("FROM alpine:3.20 AS base"),
        "the stage named by ONBUILD COPY --from: {stage}"
    );
    let variable = hover_text(&mut client, 4, 17);
    assert!(
        variable.contains("`/srv`"),
        "the variable in ONBUILD RUN: {variable}"
    );

    let definition = client.request("textDocument/definition", at(URI, 4, 17));
    assert_eq!(definition["range"]["start"]["line"], 1, "{definition}");
    let stage_definition = client.request("textDocument/definition", at(URI, 3, 21));
    assert_eq!(
        stage_definition["range"]["start"]["line"], 0,
        "{stage_definition}"
    );
    client.shutdown();
}
