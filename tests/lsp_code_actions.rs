//! `textDocument/codeAction`: the linter's fixes, "ignore here" and "ignore in this file"
//! pragmas in the file's existing style, and the source action that applies every safe fix.

mod lsp_support;

use lsp_support::{Client, URI, rich_capabilities};
use serde_json::{Value, json};

fn actions(client: &mut Client, line: u32, only: Option<&str>) -> Vec<Value> {
    let mut context = json!({"diagnostics": []});
    if let Some(kind) = only {
        context["only"] = json!([kind]);
    }
    let result = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": lsp_support::range((line, 0), (line, 999)), "context": context}),
    );
    result.as_array().cloned().unwrap_or_default()
}

fn titles(actions: &[Value]) -> Vec<String> {
    actions
        .iter()
        .map(|action| action["title"].as_str().unwrap().to_string())
        .collect()
}

fn edits_of(action: &Value) -> Vec<(u64, u64, String)> {
    action["edit"]["changes"][URI]
        .as_array()
        .unwrap()
        .iter()
        .map(|edit| {
            (
                edit["range"]["start"]["line"].as_u64().unwrap(),
                edit["range"]["start"]["character"].as_u64().unwrap(),
                edit["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn fix_and_ignore_actions() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(
        URI,
        "FROM alpine:3.20\nADD app.tar.gz /srv/\nMAINTAINER me\n",
    );
    client.diagnostics(URI, 1);

    let on_maintainer = actions(&mut client, 2, None);
    let titles = titles(&on_maintainer);
    assert!(
        titles
            .iter()
            .any(|title| title == "Ignore DL4000 for this instruction"),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|title| title == "Ignore DL4000 in this file"),
        "{titles:?}"
    );
    let here = on_maintainer
        .iter()
        .find(|a| a["title"] == "Ignore DL4000 for this instruction")
        .unwrap();
    assert_eq!(here["kind"], "quickfix");
    assert_eq!(
        edits_of(here),
        [(2, 0, "# ballast ignore=DL4000\n".to_string())]
    );
    let file = on_maintainer
        .iter()
        .find(|a| a["title"] == "Ignore DL4000 in this file")
        .unwrap();
    assert_eq!(
        edits_of(file),
        [(0, 0, "# ballast global ignore=DL4000\n".to_string())]
    );

    // BuildKit's own check is silenced with its own directive.
    let check = on_maintainer
        .iter()
        .find(|a| a["title"] == "Ignore MaintainerDeprecated in this file")
        .unwrap();
    assert_eq!(
        edits_of(check),
        [(0, 0, "# check=skip=MaintainerDeprecated\n".to_string())]
    );

    let fix = on_maintainer.iter().find(|a| {
        a["title"]
            .as_str()
            .unwrap()
            .starts_with("Replace `MAINTAINER`")
    });
    let fix = fix.unwrap_or_else(|| panic!("the linter's fix is offered: {titles:?}"));
    assert_eq!(fix["diagnostics"][0]["code"], "MaintainerDeprecated");
    assert!(
        edits_of(fix)
            .iter()
            .any(|(_, _, text)| text.contains("org.opencontainers.image.authors"))
    );
    client.shutdown();
}

#[test]
fn ignore_follows_existing_hadolint_style() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    let text = "FROM alpine:3.20\n# hadolint ignore=DL3018\nRUN apk add curl\n  MAINTAINER me\n";
    client.open(URI, text);
    client.diagnostics(URI, 1);
    let on_run = actions(&mut client, 2, Some("quickfix"));
    let append = on_run
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .ends_with("for this instruction")
        })
        .expect("an ignore action");
    let (line, character, text) = &edits_of(append)[0];
    assert_eq!(
        (*line, *character),
        (1, 24),
        "appended to the existing pragma"
    );
    assert!(text.starts_with(','));
    let on_maintainer = actions(&mut client, 3, Some("quickfix"));
    let new_line = on_maintainer
        .iter()
        .find(|a| a["title"] == "Ignore DL4000 for this instruction")
        .unwrap();
    assert_eq!(
        edits_of(new_line),
        [(3, 0, "  # hadolint ignore=DL4000\n".to_string())],
        "same indentation"
    );
    client.shutdown();
}

/// A `# check=` comment above an instruction cannot silence BuildKit's whole-file checks,
/// and one right after the parser directives would be read as a second directive, so the
/// action for the instruction is not offered there. The action for the file is.
#[test]
fn check_style_ignore_only_where_it_works() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, "FROM debian:12\nRUN true\nrun true\n");
    client.diagnostics(URI, 1);
    let titles_on_run = titles(&actions(&mut client, 2, Some("quickfix")));
    let instruction = "Ignore ConsistentInstructionCasing for this instruction".to_string();
    let file = "Ignore ConsistentInstructionCasing in this file".to_string();
    assert!(!titles_on_run.contains(&instruction), "{titles_on_run:?}");
    assert!(titles_on_run.contains(&file), "{titles_on_run:?}");

    let text = "# check=skip=JSONArgsRecommended\nfrom debian:12 AS build\n";
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": URI}}));
    client.open(URI, text);
    client.diagnostics(URI, 1);
    let on_from = actions(&mut client, 1, Some("quickfix"));
    let titles_on_from = titles(&on_from);
    let instruction = "Ignore FromAsCasing for this instruction".to_string();
    assert!(!titles_on_from.contains(&instruction), "{titles_on_from:?}");
    let whole_file = on_from
        .iter()
        .find(|action| action["title"] == "Ignore FromAsCasing in this file")
        .expect("an action for the file");
    assert_eq!(
        edits_of(whole_file),
        [(0, 32, ",FromAsCasing".to_string())],
        "appended to the directive"
    );

    // After a blank line, a comment above the instruction is not a directive, so the action
    // for the instruction is offered.
    let text = "# check=skip=JSONArgsRecommended\n\nfrom debian:12 AS build\n";
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": URI}}));
    client.open(URI, text);
    client.diagnostics(URI, 1);
    let on_from = actions(&mut client, 2, Some("quickfix"));
    let for_instruction = on_from
        .iter()
        .find(|action| action["title"] == "Ignore FromAsCasing for this instruction")
        .expect("an action for the instruction");
    assert_eq!(
        edits_of(for_instruction),
        [(2, 0, "# check=skip=FromAsCasing\n".to_string())]
    );
    client.shutdown();
}

#[test]
fn fix_all_source_action() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    let text = "FROM alpine:3.20\nMAINTAINER me\nENV A 1\n";
    client.open(URI, text);
    client.diagnostics(URI, 1);
    let source = actions(&mut client, 0, Some("source.fixAll"));
    assert_eq!(titles(&source), ["Apply every safe fix (ballast)"]);
    assert_eq!(source[0]["kind"], "source.fixAll.ballast");
    let edits = edits_of(&source[0]);
    assert_eq!(edits.len(), 1);
    assert_ne!(edits[0].2, text);
    assert!(edits[0].2.contains("ENV A=1"), "{}", edits[0].2);
    assert!(actions(&mut client, 0, Some("refactor")).is_empty());
    client.shutdown();
}

#[test]
fn commands_for_clients_without_literals() {
    let mut capabilities = rich_capabilities();
    capabilities["textDocument"]["codeAction"] = json!({});
    let (mut client, _) = Client::initialized(capabilities);
    client.open(URI, "FROM alpine:3.20\nMAINTAINER me\n");
    client.diagnostics(URI, 1);
    let commands = actions(&mut client, 1, None);
    assert!(!commands.is_empty());
    assert_eq!(commands[0]["command"], "ballast.applyEdit");
    let arguments = commands[0]["arguments"].clone();
    client.request(
        "workspace/executeCommand",
        json!({"command": "ballast.applyEdit", "arguments": arguments}),
    );
    let edit = client.server_request("workspace/applyEdit");
    assert_eq!(edit["edit"], arguments[0]);
    client.shutdown();
}
