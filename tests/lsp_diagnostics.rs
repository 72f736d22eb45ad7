//! Diagnostics: syntax errors pushed with the document version and cleared on close, and
//! the pull model (`textDocument/diagnostic`) for clients that ask for it.

mod lsp_support;

use lsp_support::{Client, SYNTAX_ERROR, URI, rich_capabilities, with_code};
use serde_json::json;

#[test]
fn syntax_errors_are_published_with_version() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open_with(
        URI,
        "dockerfile",
        7,
        "FROM alpine\nRUN <<EOF\necho unterminated\nCOPY a b\n",
    );
    let diagnostics = client.diagnostics(URI, 7);
    let heredoc = diagnostics
        .iter()
        .find(|d| d["message"] == "unterminated heredoc")
        .expect("an unterminated heredoc error");
    assert_eq!(heredoc["severity"], 1);
    assert_eq!(heredoc["source"], "ballast");
    assert_eq!(
        heredoc["range"]["start"],
        json!({"line": 1, "character": 4})
    );
    client.shutdown();
}

#[test]
fn close_clears_diagnostics() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, "FORM alpine\n");
    assert!(!client.diagnostics(URI, 1).is_empty());
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    let cleared = client.notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == URI
    });
    assert_eq!(cleared["diagnostics"], json!([]));
    client.shutdown();
}

#[test]
fn pull_diagnostics_report_and_unchanged() {
    let mut capabilities = rich_capabilities();
    capabilities["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    let (mut client, result) = Client::initialized(capabilities);
    assert_eq!(
        result["capabilities"]["diagnosticProvider"]["identifier"],
        "ballast"
    );
    client.open(URI, "FROM alpine\nFORM x\n");

    let report = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(report["kind"], "full");
    assert_eq!(
        with_code(report["items"].as_array().unwrap(), SYNTAX_ERROR).len(),
        1
    );
    let result_id = report["resultId"].clone();

    let again = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}, "previousResultId": result_id}),
    );
    assert_eq!(again["kind"], "unchanged");

    client.change(URI, 2, (1, 0), (1, 4), "USER");
    let changed = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}, "previousResultId": result_id}),
    );
    assert_eq!(changed["kind"], "full");
    assert!(with_code(changed["items"].as_array().unwrap(), SYNTAX_ERROR).is_empty());

    // A client that pulls gets no pushed diagnostics, so it never shows a finding twice.
    assert!(client.pending("textDocument/publishDiagnostics").is_empty());
    client.shutdown();
}

/// A slow ShellCheck pass for an old version must not overwrite a newer version's list:
/// once a version's diagnostics are published, no list for an older version follows.
#[test]
fn shellcheck_lists_of_old_versions_are_not_published() {
    if !shellcheck_available() {
        return;
    }
    let (mut client, _) = Client::initialized(rich_capabilities());
    let seen = std::cell::RefCell::new(Vec::new());
    let wait_for = |client: &mut Client, wanted: i64, with_shellcheck: bool| {
        client.notification("textDocument/publishDiagnostics", |params| {
            let version = params["version"].as_i64().unwrap_or(-1);
            let shellcheck = has_shellcheck_findings(params);
            seen.borrow_mut().push((version, shellcheck));
            version == wanted && (shellcheck || !with_shellcheck)
        });
    };

    // Version 1's fast list is out, so its ShellCheck pass (300 findings) is running when
    // version 2 replaces the text.
    let slow = format!("FROM alpine:3.20\nRUN echo {}\n", "$V ".repeat(300));
    client.open(URI, &slow);
    wait_for(&mut client, 1, false);
    client.change(URI, 2, (0, 0), (2, 0), "FROM alpine:3.20\n");
    wait_for(&mut client, 2, false);
    // ShellCheck passes run one at a time, so version 1's pass, if it was published, came
    // before version 3's list with ShellCheck findings.
    client.change(URI, 3, (1, 0), (1, 0), "RUN echo $X\n");
    wait_for(&mut client, 3, true);
    let seen = seen.into_inner();
    for pair in seen.windows(2) {
        assert!(
            pair[1].0 >= pair[0].0,
            "version {} was published after version {}: {seen:?}",
            pair[1].0,
            pair[0].0
        );
    }
    client.shutdown();
}

/// Returns whether `shellcheck` runs. Without it a test skips, except under CI, where it
/// fails instead.
fn shellcheck_available() -> bool {
    if std::process::Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_ok()
    {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "`shellcheck` is not on PATH: install the Debian package `shellcheck`"
    );
    eprintln!("skipped: `shellcheck` is not on PATH");
    false
}

/// 150 different RUNs with 20 ShellCheck findings each. ShellCheck runs once per script
/// text, so the pass takes long enough for the tests to act while it runs.
fn slow_to_check() -> String {
    let mut text = String::from("FROM alpine:3.20\n");
    for index in 0..150 {
        text.push_str(&format!("RUN echo {index} {}\n", "$V ".repeat(20)));
    }
    text
}

/// Starts a server, opens a document that takes long to check, and returns once its first
/// list is out and its ShellCheck pass is under way. Returns `None` without ShellCheck.
fn client_during_slow_pass() -> Option<Client> {
    if !shellcheck_available() {
        return None;
    }
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, &slow_to_check());
    client.diagnostics(URI, 1);
    // The pass starts 200 ms after the list. Its 150 ShellCheck runs of about 7 ms each, on
    // two threads, take about half a second (an estimate), so the pass is still running.
    std::thread::sleep(std::time::Duration::from_millis(400));
    Some(client)
}

/// Returns whether a published list has ShellCheck's finding on the unquoted variables.
fn has_shellcheck_findings(params: &serde_json::Value) -> bool {
    params["diagnostics"]
        .as_array()
        .is_some_and(|list| list.iter().any(|d| d["code"] == "SC2086"))
}

/// A change to a document that is not open changes nothing, so it must not stop the
/// ShellCheck pass of the open one.
#[test]
fn unopened_change_keeps_shellcheck_pass() {
    let Some(mut client) = client_during_slow_pass() else {
        return;
    };
    client.change("file:///tmp/never-opened/Dockerfile", 2, (0, 0), (0, 0), "FROM scratch\n");
    let list = client.notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == URI && has_shellcheck_findings(params)
    });
    assert_eq!(list["version"], 1);
    client.shutdown();
}

/// A document closed during its ShellCheck pass and opened again, from version 1, with
/// another text must never get the findings of its old text.
#[test]
fn reopened_document_drops_old_findings() {
    let Some(mut client) = client_during_slow_pass() else {
        return;
    };
    client.notify("textDocument/didClose", serde_json::json!({"textDocument": {"uri": URI}}));
    client.open(URI, "FROM alpine:3.20\nRUN echo $X\n");
    let seen = std::cell::RefCell::new(Vec::new());
    client.notification("textDocument/publishDiagnostics", |params| {
        let count = params["diagnostics"].as_array().map_or(0, Vec::len);
        seen.borrow_mut().push(count);
        params["uri"] == URI && has_shellcheck_findings(params) && count < 10
    });
    // A list of the old text may come before the close, which clears the list; none may
    // follow it.
    let seen = seen.into_inner();
    let closed = seen.iter().position(|&count| count == 0).expect("the close clears the list");
    assert!(
        seen[closed..].iter().all(|&count| count < 10),
        "a list with the old text's findings was published after the close: sizes {seen:?}"
    );
    client.shutdown();
}
