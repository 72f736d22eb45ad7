//! A filter in front of the JSON-RPC reader.
//!
//! `tower-lsp-server` 0.23 stops reading its input after the first message it cannot
//! decode (invalid JSON, a body that is not a JSON-RPC message, invalid UTF-8, a header
//! without `Content-Length`), which would end the session. This filter reads the framing
//! itself and passes on only messages the server can decode. A message with an `id` that
//! is not valid JSON-RPC is replaced by a request for [`INVALID_MESSAGE_METHOD`], so the
//! client still gets an error response for it. Every other message it drops is logged.

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tower_lsp_server::jsonrpc::{Request, Response};

/// The method sent in place of a request the server could not decode.
pub const INVALID_MESSAGE_METHOD: &str = "ballast/invalidMessage";

/// Bodies longer than this are skipped without being buffered.
const MAX_BODY: usize = 512 << 20;

/// Starts copying valid messages from `input`; returns the stream the server reads.
pub fn filtered(input: impl AsyncRead + Unpin + Send + 'static) -> DuplexStream {
    let (server_side, filter_side) = tokio::io::duplex(1 << 16);
    tokio::spawn(async move {
        if let Err(error) = copy_messages(input, filter_side).await {
            tracing::info!("client input closed: {error}");
        }
    });
    server_side
}

async fn copy_messages(
    mut input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
) -> std::io::Result<()> {
    let mut buffer: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        while let Some(frame) = next_frame(&mut buffer) {
            match frame {
                Frame::Message(body) => {
                    if let Some(message) = checked(body) {
                        write_message(&mut output, &message).await?;
                    }
                }
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
        let length = header.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        });
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

/// Returns the message to pass on for `body`: the body itself when the server can decode
/// it, a stand-in request when it has an id, or nothing.
fn checked(body: Vec<u8>) -> Option<Vec<u8>> {
    if serde_json::from_slice::<Request>(&body).is_ok()
        || serde_json::from_slice::<Response>(&body).is_ok()
    {
        return Some(body);
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
    let id = id?;
    let stand_in =
        serde_json::json!({"jsonrpc": "2.0", "id": id, "method": INVALID_MESSAGE_METHOD});
    serde_json::to_vec(&stand_in).ok()
}

async fn write_message(output: &mut (impl AsyncWrite + Unpin), body: &[u8]) -> std::io::Result<()> {
    output
        .write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    output.write_all(body).await?;
    output.flush().await
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
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
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

    #[test]
    fn invalid_requests_with_ids_are_replaced() {
        let stand_in = checked(br#"{"id":4,"method":"x"}"#.to_vec()).unwrap();
        let value: Value = serde_json::from_slice(&stand_in).unwrap();
        assert_eq!(value["method"], INVALID_MESSAGE_METHOD);
        assert_eq!(value["id"], 4);
        assert!(checked(b"{not json".to_vec()).is_none());
        let valid = br#"{"jsonrpc":"2.0","id":1,"result":null}"#.to_vec();
        assert_eq!(checked(valid.clone()), Some(valid));
    }
}
