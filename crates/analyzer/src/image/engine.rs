//! The Docker Engine API over its unix socket: `GET /images/{name}/get` streams the same tar
//! that `docker save` writes. podman serves the same API on its own socket. Plain HTTP/1.1 on a
//! blocking socket is all the export needs, so no HTTP client library is used.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use super::error::ImageError;

/// The socket the Docker CLI uses when `DOCKER_HOST` is not set.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// The largest response head or error body read from the engine.
const HEAD_LIMIT: usize = 64 * 1024;

/// A Docker-compatible engine reached through a unix socket.
#[derive(Debug, Clone)]
pub struct Engine {
    socket: PathBuf,
}

impl Engine {
    /// Takes the socket from `DOCKER_HOST` (`unix://PATH`), or the default socket.
    pub fn from_env() -> Result<Engine, ImageError> {
        match std::env::var("DOCKER_HOST") {
            Ok(host) if !host.is_empty() => Engine::from_host(&host),
            _ => Ok(Engine {
                socket: PathBuf::from(DEFAULT_SOCKET),
            }),
        }
    }

    /// Parses a `DOCKER_HOST` value. Only `unix://` is supported.
    pub fn from_host(host: &str) -> Result<Engine, ImageError> {
        match host.strip_prefix("unix://") {
            Some(path) if !path.is_empty() => Ok(Engine {
                socket: PathBuf::from(path),
            }),
            _ => Err(ImageError::UnsupportedEngineHost {
                host: host.to_owned(),
            }),
        }
    }

    pub fn socket(&self) -> String {
        self.socket.display().to_string()
    }

    fn failure(&self, message: String) -> ImageError {
        ImageError::Engine {
            socket: self.socket(),
            message,
        }
    }

    /// Starts the export of an image and returns its tar stream. Fails with
    /// [`ImageError::ImageNotFound`] when the engine does not know the reference.
    pub fn export(&self, reference: &str) -> Result<Box<dyn Read + Send>, ImageError> {
        let encoded = encode_path_segment(reference);
        let (status, _, body) = self.request(&format!("/images/{encoded}/json"))?;
        let mut error_body = String::new();
        if status != 200 {
            body.take(HEAD_LIMIT as u64)
                .read_to_string(&mut error_body)
                .ok();
            return Err(self.status_error(status, &error_body, reference));
        }
        drop(body);

        let (status, _, body) = self.request(&format!("/images/{encoded}/get"))?;
        if status != 200 {
            body.take(HEAD_LIMIT as u64)
                .read_to_string(&mut error_body)
                .ok();
            return Err(self.status_error(status, &error_body, reference));
        }
        Ok(body)
    }

    fn status_error(&self, status: u16, body: &str, reference: &str) -> ImageError {
        if status == 404 {
            return ImageError::ImageNotFound {
                socket: self.socket(),
                reference: reference.to_owned(),
            };
        }
        let message = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|value| value.get("message")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| body.trim().to_owned());
        self.failure(format!("HTTP {status}: {message}"))
    }

    /// Sends one GET request and returns the status, the headers and the body reader.
    fn request(
        &self,
        path: &str,
    ) -> Result<(u16, Vec<(String, String)>, Box<dyn Read + Send>), ImageError> {
        let mut stream = UnixStream::connect(&self.socket).map_err(|error| {
            self.failure(format!(
                "cannot connect: {error}; is the engine running, and is DOCKER_HOST right?"
            ))
        })?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: ballast/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|error| self.failure(format!("sending the request failed: {error}")))?;

        let mut reader = BufReader::with_capacity(256 * 1024, stream);
        let (status, headers) = read_head(&mut reader)
            .map_err(|error| self.failure(format!("invalid HTTP response: {error}")))?;
        let header = |name: &str| {
            headers
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.as_str())
        };
        let body: Box<dyn Read + Send> = if header("Transfer-Encoding")
            .is_some_and(|value| value.to_ascii_lowercase().contains("chunked"))
        {
            Box::new(ChunkedReader::new(reader))
        } else if let Some(length) =
            header("Content-Length").and_then(|value| value.trim().parse::<u64>().ok())
        {
            Box::new(reader.take(length))
        } else {
            Box::new(reader)
        };
        Ok((status, headers, body))
    }
}

/// Percent-encodes an image reference for a URL path. `/` stays, because the engine routes
/// `/images/{name:.*}/get` with slashes in the name.
fn encode_path_segment(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/:@".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

fn read_line_limited(reader: &mut impl BufRead, budget: &mut usize) -> io::Result<String> {
    let mut line = Vec::new();
    let read = reader.take(*budget as u64).read_until(b'\n', &mut line)?;
    if read == 0 {
        return Err(invalid(
            "the connection closed before the response head ended",
        ));
    }
    *budget = budget.saturating_sub(read);
    if !line.ends_with(b"\n") {
        return Err(invalid("the response head is too long"));
    }
    Ok(String::from_utf8_lossy(&line).trim_end().to_owned())
}

fn read_head(reader: &mut impl BufRead) -> io::Result<(u16, Vec<(String, String)>)> {
    let mut budget = HEAD_LIMIT;
    let status_line = read_line_limited(reader, &mut budget)?;
    let mut parts = status_line.split_whitespace();
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err(invalid(format!("unexpected status line `{status_line}`")));
    }
    let status = parts
        .next()
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| invalid(format!("unexpected status line `{status_line}`")))?;

    let mut headers = Vec::new();
    loop {
        let line = read_line_limited(reader, &mut budget)?;
        if line.is_empty() {
            return Ok((status, headers));
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
}

/// Decodes an HTTP/1.1 chunked body (RFC 9112, section 7.1). Trailers are read and dropped.
struct ChunkedReader<R> {
    inner: R,
    remaining: u64,
    finished: bool,
}

impl<R: BufRead> ChunkedReader<R> {
    fn new(inner: R) -> ChunkedReader<R> {
        ChunkedReader {
            inner,
            remaining: 0,
            finished: false,
        }
    }

    fn next_chunk_size(&mut self) -> io::Result<u64> {
        let mut budget = 4096;
        let line = read_line_limited(&mut self.inner, &mut budget)?;
        let digits = line.split(';').next().unwrap_or("").trim();
        u64::from_str_radix(digits, 16)
            .map_err(|_| invalid(format!("invalid chunk size line `{line}`")))
    }
}

impl<R: BufRead> Read for ChunkedReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.finished || buffer.is_empty() {
            return Ok(0);
        }
        if self.remaining == 0 {
            let size = self.next_chunk_size()?;
            if size == 0 {
                let mut budget = HEAD_LIMIT;
                while !read_line_limited(&mut self.inner, &mut budget)?.is_empty() {}
                self.finished = true;
                return Ok(0);
            }
            self.remaining = size;
        }
        let wanted = buffer
            .len()
            .min(self.remaining.min(usize::MAX as u64) as usize);
        let read = self.inner.read(&mut buffer[..wanted])?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the engine closed the connection in the middle of a chunk",
            ));
        }
        self.remaining -= read as u64;
        if self.remaining == 0 {
            let mut budget = 16;
            let end = read_line_limited(&mut self.inner, &mut budget)?;
            if !end.is_empty() {
                return Err(invalid("a chunk does not end with CRLF"));
            }
        }
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_body_decodes() {
        let body = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n";
        let mut decoded = String::new();
        ChunkedReader::new(&body[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, "hello world");
    }

    #[test]
    fn truncated_chunk_is_an_error() {
        let body = b"a\r\nhello";
        let mut decoded = Vec::new();
        let error = ChunkedReader::new(&body[..])
            .read_to_end(&mut decoded)
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn docker_host_forms() {
        assert!(Engine::from_host("unix:///run/podman/podman.sock").is_ok());
        assert!(matches!(
            Engine::from_host("tcp://127.0.0.1:2375"),
            Err(ImageError::UnsupportedEngineHost { .. })
        ));
        assert_eq!(encode_path_segment("a/b:c d"), "a/b:c%20d");
    }
}
