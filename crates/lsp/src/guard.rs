//! Handlers run behind a panic guard, because a bug in one feature must not stop the
//! server. A panic becomes a log line with the document URI and version, and the request
//! gets an empty result.

use std::panic::{AssertUnwindSafe, catch_unwind};

use tower_lsp_server::ls_types::Uri;

/// Runs `body`, returning `fallback` when it panics. `what` names the request in the log.
pub fn guard<T>(
    what: &str,
    uri: &Uri,
    version: Option<i32>,
    fallback: T,
    body: impl FnOnce() -> T,
) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            tracing::error!(
                uri = uri.as_str(),
                version,
                "{what} failed and returned an empty answer: {message}"
            );
            fallback
        }
    }
}

/// Sends panic messages through `tracing`, so they reach the log file too, with the
/// source location.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|at| format!("{}:{}", at.file(), at.line()))
            .unwrap_or_default();
        tracing::error!("panic at {location}: {info}");
    }));
}
