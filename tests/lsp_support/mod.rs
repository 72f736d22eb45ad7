//! A small language-server client for the protocol tests. It starts `ballast lsp`, speaks
//! JSON-RPC with Content-Length framing over pipes, replies to the server's own requests,
//! and waits for messages without a time limit. A server that closes its output while the test
//! waits fails the test with the server's standard error.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread;

use serde_json::{Value, json};

/// The URI most tests open.
pub const URI: &str = "file:///work/project/Dockerfile";

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Option<Value>>,
    /// Notifications read while waiting for something else.
    pending: VecDeque<Value>,
    next_id: i64,
    stderr_path: std::path::PathBuf,
    pub server_requests: Vec<String>,
    /// The requests from the server not yet taken by [`Client::server_request`].
    requests: Vec<(String, Value)>,
}

impl Client {
    /// Starts `ballast lsp ARGS…`.
    pub fn start(args: &[&str]) -> Client {
        Client::start_with_env(args, &[])
    }

    /// Starts `ballast lsp ARGS…` with these environment variables set.
    pub fn start_with_env(args: &[&str], env: &[(&str, &std::path::Path)]) -> Client {
        let stderr_path = std::env::temp_dir().join(format!(
            "ballast-lsp-test-{}-{}.log",
            std::process::id(),
            unique()
        ));
        let stderr =
            std::fs::File::create(&stderr_path).expect("a log file for the server can be created");
        let mut child = Command::new(env!("CARGO_BIN_EXE_ballast"))
            .arg("lsp")
            .args(args)
            .env("BALLAST_LOG", "ballast_lsp=debug,warn")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the ballast binary starts");
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, messages) = channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(Some(message)).is_err() {
                    return;
                }
            }
            let _ = sender.send(None);
        });
        Client {
            child,
            stdin,
            messages,
            pending: VecDeque::new(),
            next_id: 1,
            stderr_path,
            server_requests: Vec::new(),
            requests: Vec::new(),
        }
    }

    /// Returns the server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Starts the server and initializes it with `capabilities`.
    pub fn initialized(capabilities: Value) -> (Client, Value) {
        let mut client = Client::start(&["--stdio"]);
        let result = client.initialize(capabilities, Value::Null);
        (client, result)
    }

    pub fn initialize(&mut self, capabilities: Value, options: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": capabilities,
                "initializationOptions": options,
                "clientInfo": {"name": "ballast-protocol-test"}
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("messages serialize");
        self.send_raw(&body);
    }

    /// Writes one framed message with any body, valid JSON or not.
    pub fn send_raw(&mut self, body: &[u8]) {
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.stdin
            .write_all(header.as_bytes())
            .expect("the server reads its input");
        self.stdin
            .write_all(body)
            .expect("the server reads its input");
        self.stdin.flush().expect("the server reads its input");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and returns its `result`; fails on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        let response = self.response(id);
        if let Some(error) = response.get("error") {
            panic!("{method} failed: {error}");
        }
        response["result"].clone()
    }

    /// Waits for the response to request `id`, keeping notifications for later.
    pub fn response(&mut self, id: i64) -> Value {
        self.response_to(&json!(id))
    }

    /// Waits for the response to the request with `id`, a number or a string.
    pub fn response_to(&mut self, id: &Value) -> Value {
        loop {
            let message = self.read();
            if message.get("method").is_none() && message["id"] == *id {
                return message;
            }
            self.keep(message);
        }
    }

    /// Waits for the next response to any request, keeping notifications for later.
    pub fn next_response(&mut self) -> Value {
        loop {
            let message = self.read();
            if message.get("method").is_none() {
                return message;
            }
            self.keep(message);
        }
    }

    /// Waits for the next response with a null `id`, the reply to a message the server
    /// could not read, keeping notifications for later.
    pub fn null_id_response(&mut self) -> Value {
        loop {
            let message = self.read();
            if message.get("method").is_none() && message["id"].is_null() {
                return message;
            }
            self.keep(message);
        }
    }

    /// Waits for the next notification `method` that `accept` takes, dropping earlier ones
    /// of the same method that it does not take.
    pub fn notification(&mut self, method: &str, accept: impl Fn(&Value) -> bool) -> Value {
        if let Some(position) = self
            .pending
            .iter()
            .position(|m| m["method"] == method && accept(&m["params"]))
        {
            let message = self
                .pending
                .remove(position)
                .expect("the position is valid");
            self.pending.retain(|m| m["method"] != method);
            return message["params"].clone();
        }
        self.pending.retain(|m| m["method"] != method);
        loop {
            let message = self.read();
            if message["method"] == method && message.get("id").is_none() {
                if accept(&message["params"]) {
                    return message["params"].clone();
                }
                continue;
            }
            self.keep(message);
        }
    }

    /// Waits for the server to send request `method` to the client; returns its params.
    /// The request is answered with `null`.
    pub fn server_request(&mut self, method: &str) -> Value {
        loop {
            if let Some(position) = self.requests.iter().position(|(name, _)| name == method) {
                return self.requests.remove(position).1;
            }
            let message = self.read();
            self.keep(message);
        }
    }

    /// Waits for diagnostics of `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let params = self.notification("textDocument/publishDiagnostics", |params| {
            params["uri"] == uri && params["version"] == json!(version)
        });
        params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Returns the notifications of `method` read so far and not yet taken.
    pub fn pending(&self, method: &str) -> Vec<Value> {
        self.pending
            .iter()
            .filter(|m| m["method"] == method)
            .map(|m| m["params"].clone())
            .collect()
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.open_with(uri, "dockerfile", 1, text);
    }

    pub fn open_with(&mut self, uri: &str, language: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}}),
        );
    }

    /// Replaces `start..end` (line, character) with `text`.
    pub fn change(
        &mut self,
        uri: &str,
        version: i64,
        start: (u32, u32),
        end: (u32, u32),
        text: &str,
    ) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range(start, end), "text": text}]
            }),
        );
    }

    /// Sends `shutdown` and `exit`, and checks that the server exits with status 0.
    pub fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self
            .child
            .wait()
            .expect("the server process can be waited for");
        assert!(
            status.success(),
            "the server exited with {status}; log:\n{}",
            self.log()
        );
    }

    /// Sends `exit` without `shutdown` and returns how the server process ended.
    pub fn exit_without_shutdown(mut self) -> std::process::ExitStatus {
        self.notify("exit", Value::Null);
        self.child
            .wait()
            .expect("the server process can be waited for")
    }

    /// Returns the server's standard error so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    fn keep(&mut self, message: Value) {
        if message.get("method").is_some() && message.get("id").is_none() {
            self.pending.push_back(message);
        }
    }

    /// Reads the next message. A request from the server is answered before it is returned.
    fn read(&mut self) -> Value {
        // A liveness guard, not a speed check: a server that sends nothing for this long has
        // stopped responding, so the test fails instead of hanging.
        let silence = std::time::Duration::from_secs(120);
        let message = match self.messages.recv_timeout(silence) {
            Ok(Some(message)) => message,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                panic!("no message from the server for {silence:?}; log:\n{}", self.log())
            }
            _ => panic!("the server closed its output; log:\n{}", self.log()),
        };
        if let (Some(method), Some(id)) = (
            message.get("method").and_then(Value::as_str),
            message.get("id"),
        ) {
            self.server_requests.push(method.to_string());
            self.requests
                .push((method.to_string(), message["params"].clone()));
            let result = match method {
                "workspace/configuration" => {
                    let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                    Value::Array(vec![Value::Null; items])
                }
                _ => Value::Null,
            };
            let id = id.clone();
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
        }
        message
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_file(&self.stderr_path);
    }
}

fn unique() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// Reads one framed message, or `None` at the end of the stream.
pub fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Returns the diagnostics with `code`.
pub fn with_code<'a>(diagnostics: &'a [Value], code: &str) -> Vec<&'a Value> {
    diagnostics
        .iter()
        .filter(|diagnostic| diagnostic["code"] == code)
        .collect()
}

/// The code of syntax errors.
pub const SYNTAX_ERROR: &str = "DL1000";

pub fn position(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

pub fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({"start": position(start.0, start.1), "end": position(end.0, end.1)})
}

/// `{"textDocument": {"uri": …}, "position": …}`.
pub fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position(line, character)})
}

/// Client capabilities of a full-featured editor: snippets, Markdown, hierarchical
/// symbols, prepareRename, UTF-16 positions.
pub fn rich_capabilities() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-16"]},
        "textDocument": {
            "completion": {"completionItem": {"snippetSupport": true, "documentationFormat": ["markdown"], "tagSupport": {"valueSet": [1]}}},
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
            "rename": {"prepareSupport": true},
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true, "tagSupport": {"valueSet": [1, 2]}, "codeDescriptionSupport": true},
            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source", "source.fixAll"]}}},
            "semanticTokens": {"requests": {"full": true, "range": true}, "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"]}
        },
        "workspace": {"applyEdit": true, "configuration": true, "didChangeConfiguration": {"dynamicRegistration": false}}
    })
}

/// Returns the text of `line` in `text`, for reading ranges back.
pub fn line_text(text: &str, line: u32) -> &str {
    text.split('\n').nth(line as usize).unwrap_or("")
}

/// Returns the text a UTF-16 range covers on one line.
pub fn range_text(text: &str, range: &Value) -> String {
    let line = line_text(text, range["start"]["line"].as_u64().unwrap() as u32);
    assert_eq!(
        range["start"]["line"], range["end"]["line"],
        "single-line range expected: {range}"
    );
    let units: Vec<u16> = line.encode_utf16().collect();
    let start = range["start"]["character"].as_u64().unwrap() as usize;
    let end = range["end"]["character"].as_u64().unwrap() as usize;
    String::from_utf16(&units[start..end]).expect("the range falls on character boundaries")
}
