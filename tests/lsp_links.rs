//! `textDocument/documentLink`: base images link to their registry pages; stages, scratch
//! and images named by variables do not.

mod lsp_support;

use lsp_support::{Client, URI, rich_capabilities};
use serde_json::json;

#[test]
fn base_images_link_to_registry_pages() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    let text = "FROM python:3.12-slim AS base\nFROM bitnami/redis:7\nFROM ghcr.io/owner/tool:1\nFROM quay.io/org/app\nFROM base\nFROM scratch\nARG IMAGE=x\nFROM $IMAGE\nFROM registry.example.com/app:1\n";
    client.open(URI, text);
    let links = client.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": URI}}),
    );
    let targets: Vec<(u64, &str)> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|link| {
            (
                link["range"]["start"]["line"].as_u64().unwrap(),
                link["target"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        targets,
        [
            (0, "https://hub.docker.com/_/python"),
            (1, "https://hub.docker.com/r/bitnami/redis"),
            (2, "https://ghcr.io/owner/tool"),
            (3, "https://quay.io/repository/org/app"),
        ]
    );
    assert_eq!(links[0]["range"]["end"]["character"], 21);
    client.shutdown();
}
