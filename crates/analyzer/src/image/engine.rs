//! The Docker Engine API over its unix socket: `GET /images/{name}/get` streams the same tar
//! that `docker save` writes. podman serves the same API on its own socket. The HTTP/1.1
//! exchange is hyper's client on a tokio `UnixStream`. The returned reader owns a
//! single-threaded runtime and runs it whenever the synchronous tar reader needs more bytes, so
//! the body is pulled chunk by chunk with no extra thread and no copy of the image.

use std::io::{self, Read};
use std::path::PathBuf;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;
use tokio::runtime::Runtime;

use super::error::ImageError;

/// The socket the Docker CLI uses when `DOCKER_HOST` is not set.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// The maximum error body read from the engine, in bytes.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The time the engine has to respond to the metadata request. It reads the metadata from its
/// image store, so a socket that stays silent this long belongs to a hung process. The export
/// has no limit, because dockerd's classic image store writes the image to a temporary folder
/// before it sends the first byte.
const METADATA_TIMEOUT: Duration = Duration::from_secs(60);

/// A Docker-compatible engine reached through a unix socket.
#[derive(Debug, Clone)]
pub struct Engine {
    socket: PathBuf,
    metadata_timeout: Duration,
}

impl Engine {
    /// Takes the socket from `DOCKER_HOST` (`unix://PATH`), or the default socket.
    pub fn from_env() -> Result<Engine, ImageError> {
        match std::env::var("DOCKER_HOST") {
            Ok(host) if !host.is_empty() => Engine::from_host(&host),
            _ => Ok(Engine {
                socket: PathBuf::from(DEFAULT_SOCKET),
                metadata_timeout: METADATA_TIMEOUT,
            }),
        }
    }

    /// Parses a `DOCKER_HOST` value. Only `unix://` is supported.
    pub fn from_host(host: &str) -> Result<Engine, ImageError> {
        match host.strip_prefix("unix://") {
            Some("") => Err(ImageError::EmptyEngineSocket {
                host: host.to_owned(),
            }),
            Some(path) => Ok(Engine {
                socket: PathBuf::from(path),
                metadata_timeout: METADATA_TIMEOUT,
            }),
            None => Err(ImageError::UnsupportedEngineHost {
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
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|error| self.failure(format!("cannot start the I/O runtime: {error}")))?;
        let encoded = encode_path_segment(reference);

        // The image's metadata first: a missing image gives 404 here, before any export.
        let path = format!("/images/{encoded}/json");
        let metadata = async {
            let response = self.get(&path).await?;
            if response.status() != StatusCode::OK {
                return Err(self.status_error(response, reference).await);
            }
            Ok(())
        };
        let answer =
            runtime.block_on(async { tokio::time::timeout(self.metadata_timeout, metadata).await });
        match answer {
            Ok(answer) => answer?,
            Err(_) => {
                return Err(self.failure(format!(
                    "the engine accepted the connection but did not answer GET {path} within \
                     {} s; check that it is running (`docker info`) and that DOCKER_HOST names \
                     its socket",
                    self.metadata_timeout.as_secs()
                )));
            }
        }

        let response = runtime.block_on(self.get(&format!("/images/{encoded}/get")))?;
        if response.status() != StatusCode::OK {
            return Err(runtime.block_on(self.status_error(response, reference)));
        }
        Ok(Box::new(BodyReader {
            runtime,
            body: response.into_body(),
            chunk: Bytes::new(),
        }))
    }

    /// Sends one GET request on a new connection and returns the response with its body
    /// unread. The connection task runs on the current runtime for as long as the body is.
    async fn get(&self, path: &str) -> Result<Response<Incoming>, ImageError> {
        let stream = UnixStream::connect(&self.socket).await.map_err(|error| {
            self.failure(format!(
                "cannot connect: {error}; is the engine running, and is DOCKER_HOST right?"
            ))
        })?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|error| self.failure(format!("HTTP handshake failed: {error}")))?;
        // Errors of the connection reach the caller through the response or the body.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let request = Request::get(path)
            .header("Host", "docker")
            .header("User-Agent", concat!("ballast/", env!("CARGO_PKG_VERSION")))
            .header("Accept", "*/*")
            .body(Empty::<Bytes>::new())
            .map_err(|error| self.failure(format!("invalid request for {path}: {error}")))?;
        sender
            .send_request(request)
            .await
            .map_err(|error| self.failure(format!("GET {path} failed: {error}")))
    }

    /// Turns a response other than 200 into an error, with the engine's `message` when its
    /// body is the usual JSON error object.
    async fn status_error(&self, response: Response<Incoming>, reference: &str) -> ImageError {
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return ImageError::ImageNotFound {
                socket: self.socket(),
                reference: reference.to_owned(),
            };
        }
        let body = http_body_util::Limited::new(response.into_body(), ERROR_BODY_LIMIT)
            .collect()
            .await
            .map(|collected| collected.to_bytes())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&body);
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|value| value.get("message")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| text.trim().to_owned());
        self.failure(format!("HTTP {}: {message}", status.as_u16()))
    }
}

/// A response body read synchronously: each `read` that finds its chunk used up runs the
/// runtime until hyper yields the next data frame.
struct BodyReader {
    runtime: Runtime,
    body: Incoming,
    chunk: Bytes,
}

impl Read for BodyReader {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if buffer.is_empty() {
            return Ok(0);
        }
        while self.chunk.is_empty() {
            match self.runtime.block_on(self.body.frame()) {
                None => return Ok(0),
                Some(Ok(frame)) => {
                    // Trailer frames carry no data and are skipped.
                    if let Ok(data) = frame.into_data() {
                        self.chunk = data;
                    }
                }
                Some(Err(error)) => {
                    return Err(io::Error::other(format!(
                        "reading the engine's export failed: {error}"
                    )));
                }
            }
        }
        let count = buffer.len().min(self.chunk.len());
        buffer[..count].copy_from_slice(&self.chunk.split_to(count));
        Ok(count)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_host_forms() {
        assert!(Engine::from_host("unix:///run/podman/podman.sock").is_ok());
        assert!(matches!(
            Engine::from_host("tcp://127.0.0.1:2375"),
            Err(ImageError::UnsupportedEngineHost { .. })
        ));
        assert_eq!(encode_path_segment("a/b:c d"), "a/b:c%20d");
    }

    #[test]
    fn empty_socket_path_is_named() {
        let Err(error) = Engine::from_host("unix://") else {
            panic!("DOCKER_HOST=unix:// was accepted");
        };
        assert!(matches!(error, ImageError::EmptyEngineSocket { .. }), "{error}");
        let message = error.to_string();
        assert!(message.contains("names no socket path"), "{message}");
        assert!(!message.contains("not supported"), "{message}");
    }

    /// A socket that accepts the connection and then sends nothing, as a hung engine does.
    #[test]
    fn silent_engine_times_out() {
        let folder = std::env::temp_dir().join(format!("ballast-silent-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let socket = folder.join("engine.sock");
        let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let holder = std::thread::spawn(move || {
            let (connection, _) = listener.accept().unwrap();
            // The connection stays open and silent until the export has given up.
            let _ = wait.recv();
            drop(connection);
        });
        let mut engine = Engine::from_host(&format!("unix://{}", socket.display())).unwrap();
        engine.metadata_timeout = Duration::from_secs(1);
        let Err(error) = engine.export("busybox") else {
            panic!("an export from a silent engine succeeded");
        };
        let message = error.to_string();
        assert!(message.contains("did not answer GET /images/busybox/json"), "{message}");
        assert!(message.contains("within 1 s"), "{message}");
        done.send(()).unwrap();
        holder.join().unwrap();
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn missing_socket_is_an_engine_error() {
        let engine = Engine::from_host("unix:///nonexistent/ballast-test.sock").unwrap();
        let Err(error) = engine.export("busybox") else {
            panic!("an export through a missing socket succeeded");
        };
        assert!(matches!(error, ImageError::Engine { .. }), "{error}");
        assert!(error.to_string().contains("cannot connect"), "{error}");
    }
}
