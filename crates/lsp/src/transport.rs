//! A filter in front of the JSON-RPC reader.
//!
//! `tower-lsp-server` 0.23 stops reading its input after the first message it cannot
//! decode (invalid JSON, a body that is not a JSON-RPC message, invalid UTF-8, a header
//! without `Content-Length`), which would end the session. This filter reads the framing
//! itself and passes on only messages the server can decode. A message with an `id` that
//! is not valid JSON-RPC is replaced by a request for [`INVALID_MESSAGE_METHOD`], so the
//! client still gets an error response for it. A body that is not JSON, or JSON without a
//! usable `id`, gets the JSON-RPC error response with a null `id` (-32700 parse error or
//! -32600 invalid request), written between the server's own messages by [`connect`].
//! Every message it drops is logged.

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tower_lsp_server::jsonrpc::{Request, Response};

/// The method sent in place of a request the server could not decode.
pub const INVALID_MESSAGE_METHOD: &str = "ballast/invalidMessage";

/// The notification sent in place of a request in [`DIRECT_REQUESTS`]. Its parameters are
/// a [`DirectRequest`].
pub const DIRECT_REQUEST_METHOD: &str = "ballast/directRequest";

/// Requests whose responses grow with the document. `tower-lsp-server` turns every result
/// into a `serde_json::Value` tree before writing it, and for these the tree takes about ten
/// times the memory of the JSON text. Measured: the document symbols of a 5,000-line file
/// are 1 MB of JSON and raised the server's peak by 10 MB. The filter passes them to the
/// server as a notification that carries the request's id, and the server writes the
/// response itself through [`Notices`].
const DIRECT_REQUESTS: [&str; 4] = [
    "textDocument/documentSymbol",
    "textDocument/foldingRange",
    "textDocument/semanticTokens/full",
    "textDocument/semanticTokens/range",
];

/// A request whose response the server writes through [`Notices`].
#[derive(Debug, serde::Deserialize, serde::Serialize)]
pub struct DirectRequest {
    pub id: Value,
    pub method: String,
    pub params: Value,
}

/// Bodies longer than this are skipped without being buffered.
const MAX_BODY: usize = 512 << 20;

/// How many serialized notifications from [`notices`] may wait for the writer. A sender
/// waits when the client reads slower than the server publishes.
const NOTICES_WAITING: usize = 4;

/// Returns the channel for notifications the server serializes itself, to be passed to
/// [`connect`]. `tower-lsp-server` turns every notification into a `serde_json::Value` tree
/// before writing it. For a diagnostics list of a large file that tree takes several times
/// the memory and time of writing the JSON text directly.
pub fn notices() -> (Notices, NoticeBodies) {
    let (sender, receiver) = tokio::sync::mpsc::channel(NOTICES_WAITING);
    let notices = Notices {
        sender,
        last_length: std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0)),
    };
    (notices, NoticeBodies(receiver))
}

/// Sends serialized JSON-RPC messages to the client, between the server's own messages.
#[derive(Clone, Debug)]
pub struct Notices {
    sender: tokio::sync::mpsc::Sender<Framed>,
    /// The length of the latest message, the first guess at the next one's. A document's
    /// diagnostics lists follow one another, and each is serialized into a buffer that
    /// would otherwise grow and be copied about ten times for a large list.
    last_length: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// The receiving end of [`Notices`], read by the task that writes the output.
pub struct NoticeBodies(tokio::sync::mpsc::Receiver<Framed>);

/// A message with its header, ready to write: `bytes[start..]`.
#[derive(Debug)]
struct Framed {
    bytes: Vec<u8>,
    start: usize,
}

/// The room kept before a body for its header, `Content-Length: ` and up to 20 digits and
/// two line breaks, so the header is written in place instead of copying the body after it.
const HEADER_ROOM: usize = 40;

impl Notices {
    /// Sends one notification with `method` and `params`. Returns `false` when the output
    /// is closed or the value cannot be serialized.
    pub async fn send(&self, method: &str, params: &impl serde::Serialize) -> bool {
        #[derive(serde::Serialize)]
        struct Notification<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
        }
        let notification = Notification {
            jsonrpc: "2.0",
            method,
            params,
        };
        self.write(method, &notification).await
    }

    /// Sends the response to the request with `id`: `result`, or its error.
    pub async fn respond(
        &self,
        method: &str,
        id: &Value,
        result: &Result<impl serde::Serialize, tower_lsp_server::jsonrpc::Error>,
    ) -> bool {
        #[derive(serde::Serialize)]
        struct Reply<'a, R> {
            jsonrpc: &'static str,
            id: &'a Value,
            #[serde(skip_serializing_if = "Option::is_none")]
            result: Option<&'a R>,
            #[serde(skip_serializing_if = "Option::is_none")]
            error: Option<&'a tower_lsp_server::jsonrpc::Error>,
        }
        let reply = Reply {
            jsonrpc: "2.0",
            id,
            result: result.as_ref().ok(),
            error: result.as_ref().err(),
        };
        self.write(method, &reply).await
    }

    /// Sends one notification with `method`, whose parameters `write_params` writes as
    /// JSON text. Returns `false` when the output is closed or writing failed.
    pub async fn send_json(
        &self,
        method: &str,
        write_params: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
    ) -> bool {
        self.write_with(method, |bytes| {
            bytes.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"method\":");
            serde_json::to_writer(&mut *bytes, method)?;
            bytes.extend_from_slice(b",\"params\":");
            write_params(bytes)?;
            bytes.push(b'}');
            Ok(())
        })
        .await
    }

    async fn write(&self, method: &str, message: &impl serde::Serialize) -> bool {
        self.write_with(method, |bytes| serde_json::to_writer(bytes, message))
            .await
    }

    async fn write_with(
        &self,
        method: &str,
        write_body: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
    ) -> bool {
        use std::sync::atomic::Ordering;

        let guess = self.last_length.load(Ordering::Relaxed);
        let mut bytes = Vec::with_capacity(HEADER_ROOM + guess + guess / 8);
        bytes.resize(HEADER_ROOM, b' ');
        if let Err(error) = write_body(&mut bytes) {
            tracing::error!(method, "failed to serialize a message: {error}");
            return false;
        }
        let length = bytes.len() - HEADER_ROOM;
        self.last_length.store(length, Ordering::Relaxed);
        let header = format!("Content-Length: {length}\r\n\r\n");
        let start = HEADER_ROOM - header.len();
        bytes[start..HEADER_ROOM].copy_from_slice(header.as_bytes());
        if self.sender.send(Framed { bytes, start }).await.is_err() {
            return false;
        }
        // The task that writes the output runs next, so the message leaves before this
        // task goes on with other work.
        tokio::task::yield_now().await;
        true
    }
}

/// Connects the server to the client's streams. Returns the stream the server reads, which
/// carries only messages it can decode, the stream it writes, whose messages reach `output`
/// whole, with the error responses for dropped messages and the bodies sent through
/// `notices` between them, the task that writes `output`, and how the client ended the
/// session. Once the server has dropped its stream, awaiting the task makes sure its last
/// messages were written.
pub fn connect(
    input: impl AsyncRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
    notices: NoticeBodies,
) -> (DuplexStream, DuplexStream, tokio::task::JoinHandle<()>, SessionEnd) {
    let (server_reads, filter_writes) = tokio::io::duplex(1 << 16);
    let (server_writes, merger_reads) = tokio::io::duplex(1 << 16);
    let (errors, error_bodies) = tokio::sync::mpsc::unbounded_channel();
    let gate = std::sync::Arc::new(Gate::default());
    let end = SessionEnd(gate.clone());
    let input_gate = gate.clone();
    tokio::spawn(async move {
        if let Err(error) = copy_messages(input, filter_writes, errors, input_gate).await {
            tracing::info!("client input closed: {error}");
        }
    });
    let writer = tokio::spawn(async move {
        if let Err(error) =
            merge_output(merger_reads, error_bodies, notices.0, output, &gate).await
        {
            tracing::info!("client output closed: {error}");
        }
    });
    (server_reads, server_writes, writer, end)
}

/// Writes the server's messages, the filter's error responses and the notices to
/// `output`, each whole.
async fn merge_output(
    mut server: impl AsyncRead + Unpin,
    mut errors: tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>,
    mut notices: tokio::sync::mpsc::Receiver<Framed>,
    mut output: impl AsyncWrite + Unpin,
    gate: &Gate,
) -> std::io::Result<()> {
    let mut buffer: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut chunk = vec![0u8; 1 << 16];
    let mut errors_open = true;
    let mut notices_open = true;
    loop {
        tokio::select! {
            read = server.read(&mut chunk) => {
                let read = read?;
                if read == 0 {
                    return Ok(());
                }
                buffer.extend_from_slice(&chunk[..read]);
                // The server writes well-formed frames, so none is skipped here.
                while let Some(Frame::Message(body)) = next_frame(&mut buffer) {
                    gate.observe(&body);
                    write_message(&mut output, &body).await?;
                }
            }
            body = errors.recv(), if errors_open => match body {
                Some(body) => write_message(&mut output, &body).await?,
                None => errors_open = false,
            },
            framed = notices.recv(), if notices_open => match framed {
                Some(framed) => {
                    output.write_all(&framed.bytes[framed.start..]).await?;
                    output.flush().await?;
                }
                None => notices_open = false,
            },
        }
    }
}

async fn copy_messages(
    mut input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
    errors: tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
    gate: std::sync::Arc<Gate>,
) -> std::io::Result<()> {
    let mut buffer: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut chunk = vec![0u8; 1 << 16];
    let mut session = Session::new(gate);
    loop {
        while let Some(frame) = next_frame(&mut buffer) {
            match frame {
                Frame::Message(body) => match checked(body) {
                    Checked::Pass(message) => {
                        let message = session.route(message);
                        write_message(&mut output, &message).await?
                    }
                    Checked::Reply(error) => {
                        // The send fails when the output task has ended, and then the
                        // reply has nowhere to go.
                        let _ = errors.send(error);
                    }
                },
                Frame::Skip(length) => {
                    tracing::error!(length, "dropped a message longer than {MAX_BODY} bytes");
                    skip(&mut input, &mut buffer, length).await?;
                }
            }
        }
        let read = input.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

/// The flag that the server has accepted `initialize`, as seen in its output. The protocol
/// library ignores notifications until its `initialize` handler has returned, so requests
/// in [`DIRECT_REQUESTS`] go to the server as notifications only after the successful
/// response to `initialize` has been written. Earlier ones pass unchanged, and the library
/// responds to them with its usual error.
#[derive(Debug, Default)]
struct Gate {
    /// The id of the client's latest `initialize` request.
    initialize_id: std::sync::Mutex<Option<Value>>,
    open: std::sync::atomic::AtomicBool,
    /// Whether the client sent `exit` before `shutdown`.
    exit_before_shutdown: std::sync::atomic::AtomicBool,
}

/// The way the client ended the session, read once the server has stopped.
#[derive(Clone, Debug)]
pub struct SessionEnd(std::sync::Arc<Gate>);

impl SessionEnd {
    /// Returns whether the client sent `exit` without `shutdown` first. The protocol
    /// specifies exit code 1 for the server then.
    pub fn exit_before_shutdown(&self) -> bool {
        self.0
            .exit_before_shutdown
            .load(std::sync::atomic::Ordering::Acquire)
    }
}

impl Gate {
    fn is_open(&self) -> bool {
        self.open.load(std::sync::atomic::Ordering::Acquire)
    }

    fn expect_response(&self, id: Value) {
        *self
            .initialize_id
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(id);
    }

    /// Opens the gate when `body`, a message of the server, is the successful response to
    /// `initialize`.
    fn observe(&self, body: &[u8]) {
        if self.is_open() || find(body, b"\"result\"").is_none() {
            return;
        }
        let Ok(message) = serde_json::from_slice::<Value>(body) else {
            return;
        };
        let expected = self
            .initialize_id
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let answers_initialize = expected.is_some_and(|id| message.get("id") == Some(&id));
        if answers_initialize && message.get("result").is_some() && message.get("error").is_none()
        {
            self.open.store(true, std::sync::atomic::Ordering::Release);
        }
    }
}

/// The session state the filter tracks to decide whether a request in [`DIRECT_REQUESTS`]
/// goes to the server as a [`DIRECT_REQUEST_METHOD`] notification.
/// The server ignores notifications before it has accepted `initialize` and after
/// `shutdown`, so those requests pass unchanged then, and the server responds with its
/// usual errors.
struct Session {
    gate: std::sync::Arc<Gate>,
    shut_down: bool,
}

impl Session {
    fn new(gate: std::sync::Arc<Gate>) -> Session {
        Session {
            gate,
            shut_down: false,
        }
    }

    /// Returns the message to pass to the server in place of `body`.
    fn route(&mut self, body: Vec<u8>) -> Vec<u8> {
        // Most messages name none of these methods, and a didChange carrying a whole file
        // is not parsed a second time.
        let mentions = |name: &str| find(&body, name.as_bytes()).is_some();
        if !mentions("initialize")
            && !mentions("shutdown")
            && !mentions("\"exit\"")
            && !DIRECT_REQUESTS.iter().any(|method| mentions(method))
        {
            return body;
        }

        let Ok(request) = serde_json::from_slice::<Request>(&body) else {
            return body;
        };
        match (request.method(), request.id()) {
            ("initialize", Some(id)) => {
                self.gate
                    .expect_response(serde_json::to_value(id).unwrap_or(Value::Null));
            }
            ("shutdown", _) => self.shut_down = true,
            ("exit", None) if !self.shut_down => self
                .gate
                .exit_before_shutdown
                .store(true, std::sync::atomic::Ordering::Release),
            _ => {}
        }

        let direct = self.gate.is_open()
            && !self.shut_down
            && request.id().is_some()
            && DIRECT_REQUESTS.contains(&request.method());
        if !direct {
            return body;
        }

        let (method, id, params) = request.into_parts();
        let notification = serde_json::json!({
            "jsonrpc": "2.0",
            "method": DIRECT_REQUEST_METHOD,
            "params": DirectRequest {
                id: serde_json::to_value(id).unwrap_or(Value::Null),
                method: method.to_string(),
                params: params.unwrap_or(Value::Null),
            },
        });
        serde_json::to_vec(&notification).unwrap_or(body)
    }
}

enum Frame {
    Message(Vec<u8>),
    /// A header announced a body longer than [`MAX_BODY`].
    Skip(usize),
}

/// Takes the next complete frame out of `buffer`. Header blocks without a valid
/// `Content-Length` are dropped.
fn next_frame(buffer: &mut Vec<u8>) -> Option<Frame> {
    loop {
        let header_end = find(buffer, b"\r\n\r\n")?;
        let header = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
        let length = content_length(&header);
        let Some(length) = length else {
            tracing::error!(
                header = header.trim(),
                "dropped a message header without a valid Content-Length"
            );
            buffer.drain(..header_end + 4);
            continue;
        };
        if length > MAX_BODY {
            buffer.drain(..header_end + 4);
            return Some(Frame::Skip(length));
        }
        if buffer.len() < header_end + 4 + length {
            return None;
        }
        let body = buffer[header_end + 4..header_end + 4 + length].to_vec();
        buffer.drain(..header_end + 4 + length);
        return Some(Frame::Message(body));
    }
}

/// Reads the `Content-Length` of a header block. The field is looked for anywhere in a
/// line, so a header glued to the rest of a body that was dropped (after a header whose
/// length was invalid) is still read, and the stream gets back in step.
fn content_length(header: &str) -> Option<usize> {
    const NAME: &str = "content-length:";
    header.lines().rev().find_map(|line| {
        let lower = line.to_ascii_lowercase();
        let at = lower.rfind(NAME)?;
        line[at + NAME.len()..].trim().parse::<usize>().ok()
    })
}

/// The filter's decision on one message of the client.
enum Checked {
    /// Pass this body to the server.
    Pass(Vec<u8>),
    /// Reply to the client with this error response, which has a null `id`.
    Reply(Vec<u8>),
}

/// Decides what to do with `body`. A body the server can decode is passed on, and one with
/// an id is replaced by a stand-in request. Any other body gets a parse error (not JSON) or
/// an invalid-request error (JSON that is not a JSON-RPC message with a usable id).
fn checked(body: Vec<u8>) -> Checked {
    if serde_json::from_slice::<Request>(&body).is_ok()
        || serde_json::from_slice::<Response>(&body).is_ok()
    {
        return Checked::Pass(body);
    }
    let value: Option<Value> = serde_json::from_slice(&body).ok();
    let id = value
        .as_ref()
        .and_then(|value| value.get("id"))
        .filter(|id| id.is_number() || id.is_string());
    let preview: String = String::from_utf8_lossy(&body).chars().take(200).collect();
    tracing::error!(
        message = preview,
        "dropped a message that is not valid JSON-RPC"
    );
    if let Some(id) = id {
        let stand_in =
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": INVALID_MESSAGE_METHOD});
        return Checked::Pass(serde_json::to_vec(&stand_in).unwrap_or_default());
    }
    let (code, message) = if value.is_none() {
        (-32700, "parse error: the message body is not valid JSON")
    } else {
        (-32600, "invalid request: the message is not a JSON-RPC request, notification or response")
    };
    let error = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": code, "message": message},
    });
    Checked::Reply(serde_json::to_vec(&error).unwrap_or_default())
}

/// Writes one message, header and body in a single write. Each write to tokio's standard
/// output is a round trip to a blocking thread, and a client reading the pipe gets the
/// whole message in one read when it fits.
async fn write_message(output: &mut (impl AsyncWrite + Unpin), body: &[u8]) -> std::io::Result<()> {
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    let mut framed = Vec::with_capacity(header.len() + body.len());
    framed.extend_from_slice(header.as_bytes());
    framed.extend_from_slice(body);
    output.write_all(&framed).await?;
    output.flush().await
}

/// Returns standard input and output as pipes that tokio's reactor watches, when both are
/// pipes, as editors start language servers. tokio's `stdin` and `stdout` hand every read
/// and write to a blocking thread and wait for it, which costs a round trip between threads
/// for each message. With the reactor, the task that handles a message reads and writes it
/// itself. This puts both pipes in non-blocking mode.
#[cfg(unix)]
pub fn stdio_pipes() -> Option<(tokio::net::unix::pipe::Receiver, tokio::net::unix::pipe::Sender)> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;

    let input = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let output = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
    // Both are checked before either is changed, so that a failure leaves standard input
    // and output as they were for tokio's own readers and writers.
    let is_pipe = |fd: &std::os::fd::OwnedFd| {
        fd.try_clone()
            .map(std::fs::File::from)
            .and_then(|file| file.metadata())
            .is_ok_and(|metadata| metadata.file_type().is_fifo())
    };
    if !is_pipe(&input) || !is_pipe(&output) {
        return None;
    }
    let receiver = tokio::net::unix::pipe::Receiver::from_owned_fd(input).ok()?;
    let sender = tokio::net::unix::pipe::Sender::from_owned_fd(output).ok()?;
    Some((receiver, sender))
}

/// Asks the kernel for 1 MiB buffers on standard input and output when they are pipes, the
/// most an unprivileged process gets by default. With the default 64 KiB, a diagnostics
/// list of a large file (400 KB for 1,400 findings) crosses the pipe in a series of
/// writes, each waiting for the client to read the previous part. Failures are ignored:
/// the pipe then keeps its size.
pub fn widen_pipes() {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::c_int;

        /// `F_SETPIPE_SZ` from Linux's `fcntl.h`.
        const F_SETPIPE_SZ: c_int = 1031;
        unsafe extern "C" {
            fn fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
        }
        for fd in [0, 1] {
            // SAFETY: F_SETPIPE_SZ only resizes the buffer of a pipe. On any other kind of
            // file it fails with EBADF or EINVAL and changes nothing.
            let size = unsafe { fcntl(fd, F_SETPIPE_SZ, 1 << 20) };
            tracing::debug!(fd, size, "pipe buffer");
        }
    }
}

/// Discards `length` bytes of body, first from `buffer`, then from `input`.
async fn skip(
    input: &mut (impl AsyncRead + Unpin),
    buffer: &mut Vec<u8>,
    mut length: usize,
) -> std::io::Result<()> {
    let from_buffer = length.min(buffer.len());
    buffer.drain(..from_buffer);
    length -= from_buffer;
    let mut chunk = vec![0u8; 1 << 16];
    while length > 0 {
        let read = input.read(&mut chunk[..length.min(1 << 16)]).await?;
        if read == 0 {
            return Ok(());
        }
        length -= read;
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    #[test]
    fn frames_are_split_and_garbage_dropped() {
        let mut buffer = b"garbage\r\n\r\n".to_vec();
        buffer.extend(frame(r#"{"jsonrpc":"2.0","method":"initialized"}"#));
        buffer.extend(b"Content-Length: 5\r\n\r\nab");
        let Some(Frame::Message(body)) = next_frame(&mut buffer) else {
            panic!("one whole frame")
        };
        assert!(body.starts_with(b"{\"jsonrpc\""));
        assert!(
            next_frame(&mut buffer).is_none(),
            "the second frame is incomplete"
        );
    }

    fn passed(checked: Checked) -> Vec<u8> {
        match checked {
            Checked::Pass(body) => body,
            Checked::Reply(_) => panic!("expected the message to be passed on"),
        }
    }

    fn reply(checked: Checked) -> Value {
        match checked {
            Checked::Reply(body) => serde_json::from_slice(&body).unwrap(),
            Checked::Pass(_) => panic!("expected an error reply"),
        }
    }

    #[test]
    fn stream_recovers_after_an_invalid_length() {
        let mut buffer = b"Content-Length: abc\r\n\r\n{}".to_vec();
        buffer.extend(frame(r#"{"jsonrpc":"2.0","method":"initialized"}"#));
        let Some(Frame::Message(body)) = next_frame(&mut buffer) else {
            panic!("the frame after the invalid header is read")
        };
        assert_eq!(body, br#"{"jsonrpc":"2.0","method":"initialized"}"#);
        assert!(buffer.is_empty());
    }

    #[test]
    fn invalid_requests_with_ids_are_replaced() {
        let stand_in = passed(checked(br#"{"id":4,"method":"x"}"#.to_vec()));
        let value: Value = serde_json::from_slice(&stand_in).unwrap();
        assert_eq!(value["method"], INVALID_MESSAGE_METHOD);
        assert_eq!(value["id"], 4);
        let valid = br#"{"jsonrpc":"2.0","id":1,"result":null}"#.to_vec();
        assert_eq!(passed(checked(valid.clone())), valid);
    }

    #[test]
    fn messages_without_ids_get_null_id_errors() {
        let parse = reply(checked(b"{not json".to_vec()));
        assert_eq!(parse["error"]["code"], -32700);
        assert!(parse["id"].is_null());
        let invalid = reply(checked(b"[1, 2, 3]".to_vec()));
        assert_eq!(invalid["error"]["code"], -32600);
        assert!(invalid["id"].is_null());
    }

    fn message(value: Value) -> Vec<u8> {
        serde_json::to_vec(&value).unwrap()
    }

    #[test]
    fn routes_large_requests_in_session() {
        let symbols = message(serde_json::json!({
            "jsonrpc": "2.0", "id": 4, "method": "textDocument/documentSymbol",
            "params": {"textDocument": {"uri": "file:///Dockerfile"}},
        }));
        let gate = std::sync::Arc::new(Gate::default());
        let mut session = Session::new(gate.clone());
        assert_eq!(session.route(symbols.clone()), symbols, "before initialize");

        session.route(initialize_request());
        assert_eq!(session.route(symbols.clone()), symbols, "before the server accepts it");
        gate.observe(&message(serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": {}})));
        let routed: Value = serde_json::from_slice(&session.route(symbols.clone())).unwrap();
        assert_eq!(routed["method"], DIRECT_REQUEST_METHOD);
        assert!(routed.get("id").is_none(), "a notification has no id: {routed}");
        assert_eq!(routed["params"]["id"], 4);
        assert_eq!(routed["params"]["method"], "textDocument/documentSymbol");
        assert_eq!(routed["params"]["params"]["textDocument"]["uri"], "file:///Dockerfile");

        let hover = message(serde_json::json!({
            "jsonrpc": "2.0", "id": 5, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": "file:///Dockerfile"}, "position": {"line": 0, "character": 0}},
        }));
        assert_eq!(session.route(hover.clone()), hover, "other requests pass unchanged");

        session.route(message(serde_json::json!({"jsonrpc": "2.0", "id": 6, "method": "shutdown"})));
        assert_eq!(session.route(symbols.clone()), symbols, "after shutdown");
    }

    fn initialize_request() -> Vec<u8> {
        message(serde_json::json!({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": null, "rootUri": null, "capabilities": {}},
        }))
    }

    #[test]
    fn gate_opens_on_initialize_result() {
        let gate = Gate::default();
        gate.observe(&message(serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": {}})));
        assert!(!gate.is_open(), "a result before any initialize request");

        let mut session = Session::new(std::sync::Arc::new(Gate::default()));
        session.route(initialize_request());
        let gate = &session.gate;
        gate.observe(&message(serde_json::json!({
            "jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "invalid params"},
        })));
        assert!(!gate.is_open(), "an error response");
        gate.observe(&message(serde_json::json!({"jsonrpc": "2.0", "id": 2, "result": null})));
        assert!(!gate.is_open(), "a response to another request");
        gate.observe(&message(serde_json::json!({
            "jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 3, "message": "\"result\""},
        })));
        assert!(!gate.is_open(), "a notification");
        gate.observe(&message(serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": {"capabilities": {}}})));
        assert!(gate.is_open());
    }
}
