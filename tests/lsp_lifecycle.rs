//! The server's life cycle and its robustness: `initialize`, `shutdown` and `exit`, any
//! language id, and input that must not stop it (unknown documents, positions past the
//! end, half-typed lines, a huge file, cancelled requests, malformed messages).

mod lsp_support;

use lsp_support::{Client, SYNTAX_ERROR, URI, at, rich_capabilities, with_code};
use serde_json::{Value, json};

#[test]
fn initialize_advertises_capabilities() {
    let (client, result) = Client::initialized(rich_capabilities());
    let capabilities = &result["capabilities"];
    assert_eq!(
        capabilities["textDocumentSync"]["change"], 2,
        "incremental sync"
    );
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    for provider in [
        "hoverProvider",
        "completionProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "documentHighlightProvider",
        "documentSymbolProvider",
        "foldingRangeProvider",
        "selectionRangeProvider",
        "semanticTokensProvider",
        "documentLinkProvider",
        "documentFormattingProvider",
        "documentRangeFormattingProvider",
        "diagnosticProvider",
    ] {
        assert!(
            !capabilities[provider].is_null(),
            "{provider} is advertised"
        );
    }
    assert_eq!(capabilities["renameProvider"]["prepareProvider"], true);
    assert_eq!(result["serverInfo"]["name"], "ballast");
    client.shutdown();
}

/// On Linux with glibc the server restarts itself once with a larger malloc cache, which glibc
/// takes only from `GLIBC_TUNABLES` at start-up. The restarted process keeps the process id
/// and still serves the client.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn server_runs_with_malloc_tunables() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    let environment = std::fs::read(format!("/proc/{}/environ", client.pid())).unwrap();
    let tunables: Vec<String> = environment
        .split(|&byte| byte == 0)
        .map(|entry| String::from_utf8_lossy(entry).into_owned())
        .filter(|entry| entry.starts_with("GLIBC_TUNABLES="))
        .collect();
    assert_eq!(tunables.len(), 1, "{tunables:?}");
    assert!(
        tunables[0].contains("glibc.malloc.tcache_count=1000"),
        "{tunables:?}"
    );
    client.open(URI, "FROM alpine:3.19\nMAINTAINER someone\n");
    let diagnostics = client.diagnostics(URI, 1);
    assert!(!with_code(&diagnostics, "DL4000").is_empty(), "{diagnostics:?}");
    client.shutdown();
}

/// A value the user set for `GLIBC_TUNABLES` that already chooses the cache size is left
/// alone, and the server does not restart.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn user_malloc_tunables_are_kept() {
    let mut client = Client::start_with_env(
        &[],
        &[("GLIBC_TUNABLES", std::path::Path::new("glibc.malloc.tcache_count=7"))],
    );
    client.initialize(rich_capabilities(), Value::Null);
    let environment = std::fs::read(format!("/proc/{}/environ", client.pid())).unwrap();
    let text = String::from_utf8_lossy(&environment);
    assert!(text.contains("GLIBC_TUNABLES=glibc.malloc.tcache_count=7"), "{text}");
    assert!(!text.contains("tcache_count=1000"), "{text}");
    client.shutdown();
}

/// The malloc settings of the restart are for the server alone: the processes it starts get
/// the user's `GLIBC_TUNABLES`, or none. A stand-in for ShellCheck, which is one of those
/// processes, writes its environment to a file.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn child_processes_get_user_tunables() {
    use std::os::unix::fs::PermissionsExt;

    for user_value in [None, Some("glibc.malloc.arena_max=2")] {
        let folder = tempfile::Builder::new()
            .prefix("ballast-test-tunables-")
            .tempdir()
            .unwrap();
        let program = folder.path().join("shellcheck");
        std::fs::write(
            &program,
            concat!(
                "#!/bin/sh\n",
                "if [ \"$1\" = --version ]; then\n",
                "  echo 'ShellCheck - shell script analysis tool'\n",
                "  echo 'version: 0.10.0'\n",
                "  exit 0\n",
                "fi\n",
                "env > \"$(dirname \"$0\")/environment.tmp\"\n",
                "mv \"$(dirname \"$0\")/environment.tmp\" \"$(dirname \"$0\")/environment\"\n",
                "cat >/dev/null\n",
                "echo '{\"comments\":[]}'\n",
            ),
        )
        .unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();

        let value = user_value.map(std::path::Path::new);
        let env: Vec<(&str, &std::path::Path)> =
            value.into_iter().map(|value| ("GLIBC_TUNABLES", value)).collect();
        let mut client = Client::start_with_env(&[], &env);
        client.initialize(
            rich_capabilities(),
            json!({"shellcheck": program.to_str().unwrap()}),
        );
        client.open(URI, "FROM alpine:3.19\nRUN echo $HOME\n");
        client.diagnostics(URI, 1);
        // ShellCheck runs after the first list is published. Waiting is bounded only so
        // that a server that never runs it fails the test instead of hanging it.
        let written = folder.path().join("environment");
        for _ in 0..600 {
            if written.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let environment = std::fs::read_to_string(&written)
            .unwrap_or_else(|_| panic!("ShellCheck did not run; log:\n{}", client.log()));
        let tunables: Vec<&str> = environment
            .lines()
            .filter_map(|line| line.strip_prefix("GLIBC_TUNABLES="))
            .collect();
        let expected: Vec<&str> = user_value.into_iter().collect();
        assert_eq!(tunables, expected, "{environment}");
        assert!(!environment.contains("BALLAST_LSP_RESTARTED"), "{environment}");
        client.shutdown();
    }
}

#[test]
fn any_language_id_is_served() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    for (number, language) in ["dockerfile", "dockerfile-ts", "Dockerfile", "plaintext"]
        .iter()
        .enumerate()
    {
        let uri = format!("file:///work/project/{number}.Dockerfile");
        client.open_with(&uri, language, 1, "FROM alpine\nRUN echo hi\n");
        let symbols = client.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        );
        assert_eq!(
            symbols.as_array().map(Vec::len),
            Some(1),
            "{language}: one stage"
        );
    }
    client.shutdown();
}

#[test]
fn unopened_and_closed_documents_get_empty_answers() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    let unknown = "file:///nowhere/Dockerfile";
    assert_eq!(
        client.request("textDocument/hover", at(unknown, 0, 0)),
        Value::Null
    );
    assert_eq!(
        client.request("textDocument/completion", at(unknown, 0, 0)),
        Value::Null
    );
    assert_eq!(
        client.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": unknown}})
        ),
        Value::Null
    );

    client.open(URI, "FROM alpine\n");
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(
        client.request("textDocument/definition", at(URI, 0, 6)),
        Value::Null
    );
    client.change(URI, 5, (0, 0), (0, 0), "x");
    assert_eq!(
        client.request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": URI}})
        ),
        Value::Null
    );
    client.shutdown();
}

#[test]
fn positions_past_the_end_are_clamped() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, "FROM alpine AS base\nRUN echo $HOME\n");
    for (line, character) in [(0, 999), (50, 0), (u32::MAX, u32::MAX), (1, 4000)] {
        client.request("textDocument/hover", at(URI, line, character));
        client.request("textDocument/completion", at(URI, line, character));
        client.request("textDocument/definition", at(URI, line, character));
        client.request(
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": URI}, "positions": [{"line": line, "character": character}]}),
        );
    }
    client.change(URI, 2, (99, 0), (120, 7), "\nCMD [\"sh\"]");
    let diagnostics = client.diagnostics(URI, 2);
    assert!(
        with_code(&diagnostics, SYNTAX_ERROR).is_empty(),
        "{diagnostics:?}"
    );
    client.shutdown();
}

#[test]
fn half_typed_lines_get_answers() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    let text = "FROM alpine AS b\nCOPY --from=\nRUN --mount=type=\nRUN <<'END\nENV A=\"x\nHEALTHCHECK --\nFROM \nRUN echo ${\n";
    client.open(URI, text);
    client.diagnostics(URI, 1);
    for (line, content) in text.split('\n').enumerate() {
        for character in 0..=content.encode_utf16().count() as u32 {
            for method in [
                "textDocument/completion",
                "textDocument/hover",
                "textDocument/definition",
                "textDocument/documentHighlight",
            ] {
                client.request(method, at(URI, line as u32, character));
            }
        }
    }
    for method in [
        "textDocument/semanticTokens/full",
        "textDocument/foldingRange",
        "textDocument/documentSymbol",
        "textDocument/documentLink",
    ] {
        client.request(method, json!({"textDocument": {"uri": URI}}));
    }
    client.shutdown();
}

#[test]
fn huge_file_is_served() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    let mut text = String::from("FROM alpine AS base\n");
    for number in 0..20_000 {
        text.push_str(&format!(
            "ENV VAR_{number}=value_{number} \\\n    OTHER_{number}=$VAR_{number}\n"
        ));
    }
    client.open(URI, &text);

    // Requests are answered while the file is linted in the background.
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(tokens["data"].as_array().unwrap().len() > 20_000 * 5);
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(symbols[0]["children"].as_array().unwrap().len(), 20_001);
    let hover = client.request("textDocument/hover", at(URI, 39_999, 5));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("value_19999"),
        "{hover}"
    );
    client.shutdown();
}

#[test]
fn overlong_line_is_reported() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    let text = format!("FROM alpine:3.20\nRUN echo {}\n", "x".repeat(70_000));
    client.open(URI, &text);
    let diagnostics = client.diagnostics(URI, 1);
    let errors = with_code(&diagnostics, SYNTAX_ERROR);
    assert!(
        errors
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("max allowed size")),
        "{diagnostics:?}"
    );
    client.shutdown();
}

#[test]
fn cancelled_request_gets_a_response() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(URI, "FROM alpine\n");
    let id = client.send_request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": URI}}),
    );
    client.notify("$/cancelRequest", json!({"id": id}));
    let response = client.response(id);
    let cancelled = response["error"]["code"] == json!(-32800);
    assert!(cancelled || response.get("result").is_some(), "{response}");
    assert!(
        client
            .request("textDocument/hover", at(URI, 0, 1))
            .is_object()
    );
    client.shutdown();
}

#[test]
fn malformed_messages_do_not_stop_the_server() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.send_raw(b"{this is not json");
    client.send_raw(
        br#"{"jsonrpc":"2.0","id":77,"method":"textDocument/hover","params":{"nonsense":true}}"#,
    );
    let response = client.response(77);
    assert!(response.get("error").is_some(), "{response}");
    client
        .send(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"bad": 1}}));
    client.send(&json!({"jsonrpc": "2.0", "id": 78, "method": "no/suchMethod", "params": {}}));
    assert_eq!(client.response(78)["error"]["code"], -32601);
    client.open(URI, "FROM alpine\n");
    assert!(
        client
            .request("textDocument/hover", at(URI, 0, 1))
            .is_object()
    );
    client.shutdown();
}

#[test]
fn log_file_records_uri_and_version() {
    let path = std::env::temp_dir().join(format!("ballast-lsp-log-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let mut client = Client::start(&["--log-file", path.to_str().unwrap()]);
    client.initialize(rich_capabilities(), Value::Null);
    client.open(URI, "FROM alpine\n");
    client.change(URI, 2, (0, 0), (0, 0), "# comment\n");
    client.diagnostics(URI, 2);
    client.shutdown();
    let log = std::fs::read_to_string(&path).expect("the log file exists");
    assert!(log.contains("initialize"), "{log}");
    assert!(log.contains(URI), "{log}");
    assert!(log.contains("version=2"), "{log}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn invalid_json_rpc_with_id_gets_an_error() {
    let (mut client, _) = Client::initialized(rich_capabilities());
    client.send_raw(br#"{"id":91,"method":"textDocument/hover"}"#);
    assert_eq!(client.response(91)["error"]["code"], -32600);
    client.send_raw(b"\xff\xfe not utf-8");
    let not_json = client.null_id_response();
    assert_eq!(not_json["error"]["code"], -32700, "{not_json}");
    client.send_raw(b"[1, 2, 3]");
    let not_a_message = client.null_id_response();
    assert_eq!(not_a_message["error"]["code"], -32600, "{not_a_message}");
    client.open(URI, "FROM alpine\n");
    assert!(
        client
            .request("textDocument/hover", at(URI, 0, 1))
            .is_object()
    );
    client.shutdown();
}

/// The server writes the responses to document symbols, folding ranges and semantic tokens
/// itself rather than through the protocol library, to keep them small in memory. They must
/// follow the protocol as every other response: the request's id (number or string), `null`
/// for a document that is not open, an error for invalid parameters, and the usual errors
/// before `initialize` and after `shutdown`.
#[test]
fn direct_responses_follow_protocol() {
    let mut client = Client::start(&["--stdio"]);
    let before = client.send_request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let early = client.response(before);
    assert_eq!(early["error"]["code"], -32002, "not initialized yet: {early}");

    client.initialize(rich_capabilities(), Value::Null);
    let text = "FROM alpine AS base\nRUN echo one \\\n    two\nFROM base\nCOPY --from=base /a /b\n";
    client.open(URI, text);

    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(symbols[0]["name"], "base", "{symbols}");
    let folds = client.request("textDocument/foldingRange", json!({"textDocument": {"uri": URI}}));
    assert!(folds.as_array().is_some_and(|folds| !folds.is_empty()), "{folds}");
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(tokens["data"].as_array().is_some_and(|data| data.len() % 5 == 0 && !data.is_empty()));
    let ranged = client.request(
        "textDocument/semanticTokens/range",
        json!({"textDocument": {"uri": URI}, "range": lsp_support::range((0, 0), (1, 0))}),
    );
    assert!(ranged["data"].as_array().is_some_and(|data| data.len() < tokens["data"].as_array().unwrap().len()));

    // A string id comes back as the same string.
    client.send(&json!({
        "jsonrpc": "2.0", "id": "symbols-1", "method": "textDocument/documentSymbol",
        "params": {"textDocument": {"uri": URI}},
    }));
    let by_string = client.response_to(&json!("symbols-1"));
    assert_eq!(by_string["result"], symbols);

    let closed = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///not/open/Dockerfile"}}),
    );
    assert!(closed.is_null(), "{closed}");
    let invalid = client.send_request("textDocument/foldingRange", json!({"textDocument": 7}));
    let invalid = client.response(invalid);
    assert_eq!(invalid["error"]["code"], -32602, "{invalid}");

    client.request("shutdown", Value::Null);
    let after = client.send_request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let after = client.response(after);
    assert_eq!(after["error"]["code"], -32600, "after shutdown: {after}");
    client.notify("exit", Value::Null);
}

/// A client that sends requests right behind `initialize`, before its response, gets a
/// response to each of them, a result or the not-initialized error, and never silence.
#[test]
fn requests_behind_initialize_get_responses() {
    let mut client = Client::start(&["--stdio"]);
    let initialize = client.send_request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": rich_capabilities()}),
    );
    client.notify("initialized", json!({}));
    let mut early = Vec::new();
    for method in ["textDocument/foldingRange", "textDocument/documentSymbol"] {
        early.push(client.send_request(method, json!({"textDocument": {"uri": URI}})));
    }
    assert!(client.response(initialize).get("result").is_some());
    for id in early {
        let response = client.response(id);
        let answered = response.get("result").is_some()
            || response["error"]["code"] == -32002;
        assert!(answered, "{response}");
    }
    client.shutdown();
}

/// `exit` before `shutdown` ends the server with exit code 1, as the protocol specifies.
/// After `shutdown` the code is 0, which `Client::shutdown` checks in the other tests.
#[test]
fn exit_without_shutdown_ends_with_code_1() {
    let mut client = Client::start(&["--stdio"]);
    client.initialize(rich_capabilities(), Value::Null);
    let status = client.exit_without_shutdown();
    assert_eq!(status.code(), Some(1), "the server exited with {status}");
}

/// A request on a large document is handled off the server's thread together with the
/// document's parse and index, so the server responds first to a request on a small
/// document sent just after it.
#[test]
fn large_document_does_not_hold_up_others() {
    const BIG: &str = "file:///work/big/Dockerfile";
    const SMALL: &str = "file:///work/small/Dockerfile";
    let mut big = String::from("FROM alpine:3.20 AS base\n");
    for stage in 0..12_000 {
        big.push_str(&format!(
            "FROM base AS s{stage}\nARG V{stage}=on\nENV D{stage}=/srv/$V{stage}\nRUN set -eux; \\\n    apk add --no-cache curl; \\\n    rm -rf /var/cache/apk/*\nCOPY --from=base /a /b\n"
        ));
    }
    assert!(big.len() > 1_000_000, "{} bytes", big.len());

    let (mut client, _) = Client::initialized(rich_capabilities());
    client.open(SMALL, "FROM alpine:3.20\nARG X=1\nRUN echo $X\n");
    client.open(BIG, &big);
    client.diagnostics(BIG, 1);
    // The edit makes the next request parse and index the new version.
    client.change(BIG, 2, (3, 9), (3, 9), "x");
    let slow = client.send_request("textDocument/documentSymbol", json!({"textDocument": {"uri": BIG}}));
    let fast = client.send_request("textDocument/hover", at(SMALL, 1, 5));
    let first = client.next_response();
    assert_eq!(
        first["id"],
        json!(fast),
        "the response to request {} came before the small document's hover",
        first["id"]
    );
    let symbols = client.response(slow);
    assert!(symbols["result"].as_array().is_some_and(|symbols| symbols.len() > 12_000));
    client.shutdown();
}

