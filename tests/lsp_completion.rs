//! `textDocument/completion` in each context: instruction keywords with snippets, flags
//! per instruction (the new ones included), `--mount` options and types, parser directives,
//! stage names, variables, rule codes in pragmas, heredoc terminators and base images.

mod lsp_support;

use lsp_support::{Client, URI, at, rich_capabilities};
use serde_json::Value;

fn labels(result: &Value) -> Vec<String> {
    let items = if result.is_array() {
        result
    } else {
        &result["items"]
    };
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["label"].as_str().unwrap().to_string())
        .collect()
}

/// Opens `text` and returns the labels offered at the end of line `line`.
fn labels_at_end(text: &str, line: u32) -> Vec<String> {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, text);
    let character = text
        .split('\n')
        .nth(line as usize)
        .unwrap()
        .encode_utf16()
        .count() as u32;
    let result = client.request("textDocument/completion", at(URI, line, character));
    client.shutdown();
    labels(&result)
}

fn contains_all(labels: &[String], expected: &[&str]) {
    for label in expected {
        assert!(
            labels.iter().any(|have| have == label),
            "{label} missing from {labels:?}"
        );
    }
}

#[test]
fn keywords_with_snippets() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, "FROM alpine:3.20\nRU\n");
    let result = client.request("textDocument/completion", at(URI, 1, 2));
    let items = result.as_array().unwrap();
    let run = items
        .iter()
        .find(|item| item["label"] == "RUN")
        .expect("RUN is offered");
    assert_eq!(run["insertTextFormat"], 2, "a snippet");
    assert_eq!(run["textEdit"]["newText"], "RUN ${1:command}");
    assert_eq!(
        run["textEdit"]["range"]["start"],
        serde_json::json!({"line": 1, "character": 0})
    );
    let maintainer = items
        .iter()
        .find(|item| item["label"] == "MAINTAINER")
        .unwrap();
    assert_eq!(maintainer["tags"], serde_json::json!([1]));
    assert_eq!(items.len(), 18);
    client.shutdown();
}

#[test]
fn keywords_before_first_from_and_plain_text() {
    let mut capabilities = rich_capabilities();
    capabilities["textDocument"]["completion"] = serde_json::json!({});
    let (mut client, _) = Client::initialized(capabilities);
    client.open(URI, "\n");
    let result = client.request("textDocument/completion", at(URI, 0, 0));
    assert_eq!(labels(&result), ["FROM", "ARG"]);
    let from = &result[0];
    assert_eq!(from["insertTextFormat"], 1);
    assert_eq!(from["textEdit"]["newText"], "FROM ");
    client.shutdown();
}

#[test]
fn flags_per_instruction() {
    let copy = labels_at_end("FROM alpine:3.20\nCOPY --", 1);
    contains_all(
        &copy,
        &[
            "--from",
            "--chown",
            "--chmod",
            "--link",
            "--parents",
            "--exclude",
        ],
    );
    let add = labels_at_end("FROM alpine:3.20\nADD --", 1);
    contains_all(
        &add,
        &[
            "--checksum",
            "--keep-git-dir",
            "--link",
            "--chmod",
            "--exclude",
        ],
    );
    let run = labels_at_end("FROM alpine:3.20\nRUN --", 1);
    assert_eq!(run, ["--mount", "--network", "--security"]);
    let healthcheck = labels_at_end("FROM alpine:3.20\nHEALTHCHECK --", 1);
    contains_all(
        &healthcheck,
        &[
            "--interval",
            "--timeout",
            "--start-period",
            "--start-interval",
            "--retries",
        ],
    );
    let used = labels_at_end("FROM alpine:3.20\nCOPY --link --exclude=a --", 1);
    assert!(
        !used.contains(&"--link".to_string()),
        "a flag given once is not offered again"
    );
    assert!(
        used.contains(&"--exclude".to_string()),
        "--exclude may repeat"
    );
}

#[test]
fn flag_values() {
    assert_eq!(
        labels_at_end("FROM alpine:3.20\nRUN --network=", 1),
        ["default", "none", "host"]
    );
    assert_eq!(
        labels_at_end("FROM alpine:3.20\nRUN --security=", 1),
        ["sandbox", "insecure"]
    );
    contains_all(
        &labels_at_end("FROM --platform=", 0),
        &["$BUILDPLATFORM", "linux/amd64"],
    );
}

#[test]
fn mount_options_and_types() {
    let types = labels_at_end("FROM alpine:3.20\nRUN --mount=type=", 1);
    assert_eq!(types, ["bind", "cache", "tmpfs", "secret", "ssh"]);
    let cache = labels_at_end("FROM alpine:3.20\nRUN --mount=type=cache,", 1);
    contains_all(
        &cache,
        &[
            "id", "target", "readonly", "sharing", "from", "source", "mode", "uid", "gid",
        ],
    );
    assert!(!cache.contains(&"type".to_string()));
    let secret = labels_at_end("FROM alpine:3.20\nRUN --mount=type=secret,id=x,", 1);
    contains_all(
        &secret,
        &["target", "env", "required", "mode", "uid", "gid"],
    );
    assert!(!secret.contains(&"id".to_string()));
    let sharing = labels_at_end("FROM alpine:3.20\nRUN --mount=type=cache,sharing=", 1);
    assert_eq!(sharing, ["shared", "private", "locked"]);
    let stage = labels_at_end(
        "FROM alpine:3.20 AS deps\nFROM alpine:3.20\nRUN --mount=from=",
        2,
    );
    assert_eq!(stage, ["deps"]);
}

#[test]
fn stage_names_after_from() {
    let text = "FROM golang:1.24 AS build\nFROM alpine:3.20 AS assets\nFROM scratch\nCOPY --from=";
    assert_eq!(labels_at_end(text, 3), ["build", "assets"]);
    let base = labels_at_end("FROM golang:1.24 AS build\nFROM ", 1);
    contains_all(
        &base,
        &[
            "build",
            "alpine",
            "python",
            "python:3.13-slim",
            "debian:bookworm-slim",
            "scratch",
        ],
    );
    let tags = labels_at_end("FROM python:", 0);
    assert_eq!(tags[0], "3.13-slim", "slim variants first");
    assert_eq!(labels_at_end("FROM alpine:3.20 ", 0), ["AS"]);
}

#[test]
fn variables_after_dollar() {
    let text = "ARG BASE=3.20\nFROM alpine:$BASE\nARG VERSION=1\nENV APP=/srv\nRUN echo ${";
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, text);
    let result = client.request("textDocument/completion", at(URI, 4, 11));
    let items = result.as_array().unwrap();
    let app = items
        .iter()
        .find(|item| item["label"] == "APP")
        .expect("APP is offered");
    assert_eq!(app["textEdit"]["newText"], "APP}");
    assert!(app["detail"].as_str().unwrap().contains("/srv"));
    assert!(items.iter().any(|item| item["label"] == "VERSION"));
    assert!(
        !items.iter().any(|item| item["label"] == "BASE"),
        "a global ARG needs redeclaring in the stage"
    );
    let in_from = client.request("textDocument/completion", at(URI, 1, 13));
    let labels = labels(&in_from);
    assert!(labels.contains(&"BASE".to_string()));
    assert!(labels.contains(&"TARGETPLATFORM".to_string()));
    client.shutdown();
}

#[test]
fn directives_and_pragmas() {
    contains_all(&labels_at_end("# ", 0), &["syntax", "escape", "check"]);
    assert_eq!(
        labels_at_end("# syntax=", 0),
        ["docker/dockerfile:1", "docker/dockerfile:1-labs"]
    );
    contains_all(
        &labels_at_end("# check=skip=JSONArgsRecommended,", 0),
        &["UndefinedVar", "all"],
    );
    let codes = labels_at_end("FROM alpine:3.20\n# hadolint ignore=DL30", 1);
    contains_all(&codes, &["DL3008", "DL3020", "BL1001"]);
    let ballast = labels_at_end("FROM alpine:3.20\n# ballast ignore=", 1);
    assert!(ballast.len() > 50, "{ballast:?}");
}

#[test]
fn heredoc_terminator() {
    let text = "FROM alpine:3.20\nRUN <<SCRIPT\necho hi\nSC";
    assert_eq!(labels_at_end(text, 3), ["SCRIPT"]);
}

#[test]
fn onbuild_and_healthcheck() {
    let onbuild = labels_at_end("FROM alpine:3.20\nONBUILD R", 1);
    assert!(!onbuild.contains(&"FROM".to_string()));
    assert!(onbuild.contains(&"RUN".to_string()));
    assert_eq!(
        labels_at_end("FROM alpine:3.20\nHEALTHCHECK ", 1)[..2],
        ["CMD".to_string(), "NONE".to_string()]
    );
}
