//! The ballast language server. This is the only crate that uses LSP types and JSON-RPC.
//!
//! [`run`] serves one client over standard input and output, or over a loopback TCP
//! connection for debugging. Handlers convert parser and analyzer values to protocol values
//! and back. The server never stops on bad input: a malformed document, a request for a
//! document that is not open, or a position past the end gets an empty answer, and a
//! handler that fails is logged with the document URI and version.
//!
//! [`format`] is the editor-neutral Dockerfile formatter behind both `textDocument/formatting`
//! and `ballast fmt`.

mod analysis;
mod build_command;
mod capabilities;
mod code_action;
mod completion;
mod diagnostics;
mod documents;
mod encoding;
mod folding;
pub mod format;
mod formatting;
mod guard;
mod hover;
mod index;
mod links;
mod logging;
mod memory;
mod navigation;
mod reference;
mod selection;
mod semantic_tokens;
mod server;
mod sizes;
mod spans;
mod symbols;
mod transport;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use logging::LoggingError;

/// How to start the server.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Listen on this loopback address for one client instead of using standard input and
    /// output. Addresses outside the loopback range are rejected.
    pub listen: Option<SocketAddr>,
    /// Append logs to this file as well as to standard error.
    pub log_file: Option<PathBuf>,
}

/// An error that kept the server from starting or stopped it early.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Logging(#[from] LoggingError),
    #[error("--listen {0}: only loopback addresses are accepted (use 127.0.0.1:PORT)")]
    NotLoopback(SocketAddr),
    #[error("failed to listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("failed to accept a client on {address}: {source}")]
    Accept {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("failed to start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// Serves one client until it sends `exit` or closes the connection. Returns `false` when
/// the client sent `exit` before `shutdown`, for which the protocol specifies exit code 1.
pub fn run(options: Options) -> Result<bool, ServerError> {
    logging::init(options.log_file.as_deref())?;
    if let Some(address) = options.listen
        && !address.ip().is_loopback()
    {
        return Err(ServerError::NotLoopback(address));
    }

    memory::limit_malloc_arenas();
    // Each edit passes from the task reading the input to the protocol handler, the task
    // that publishes diagnostics and the task writing the output. On one thread each
    // hand-off is a switch between tasks. With worker threads it was often a wakeup of
    // another thread, and those wakeups made up a fifth of an edit's time at 500 lines. Work that may
    // take long (the lints of large documents, ShellCheck, the heavier requests) runs on
    // the blocking pool, so the server still responds to requests while it runs.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ServerError::Runtime)?;
    let result = runtime.block_on(server::serve(options.listen));
    // The thread reading standard input may still be blocked in a read that never returns
    // when the client keeps the pipe open after `exit`. Waiting for it would keep the
    // process alive.
    runtime.shutdown_background();
    result
}
