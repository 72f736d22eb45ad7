//! The "Build and measure" command: runs `ballast build` for a Dockerfile as a child
//! process, reports its output as work-done progress when the client supports it, and then
//! refreshes the size hints and diagnostics from the new report.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncBufReadExt, BufReader};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{MessageType, NumberOrString, Uri};

use crate::server::State;

/// Builds the Dockerfile at `uri` with its folder as the build context.
pub async fn build_and_measure(client: Client, state: Arc<State>, uri: Uri, progress: bool) {
    let Some(path) = uri.to_file_path().map(|path| path.into_owned()) else {
        client
            .show_message(
                MessageType::ERROR,
                format!("ballast: {} is not a file on disk", uri.as_str()),
            )
            .await;
        return;
    };
    let program = match std::env::current_exe() {
        Ok(program) => program,
        Err(error) => {
            tracing::error!("the path of the ballast binary is unknown: {error}");
            return;
        }
    };
    let context = path
        .parent()
        .map(|folder| folder.to_path_buf())
        .unwrap_or_default();
    tracing::info!(uri = uri.as_str(), "build and measure started");

    let mut command = tokio::process::Command::new(&program);
    command
        .arg("build")
        .arg(&context)
        .arg("-f")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) => {
            let message = format!("ballast build failed to start: {error}");
            tracing::error!(uri = uri.as_str(), "{message}");
            client.show_message(MessageType::ERROR, message).await;
            return;
        }
    };

    static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);
    let token = NumberOrString::String(format!(
        "ballast-build-{}",
        NEXT_TOKEN.fetch_add(1, Ordering::Relaxed)
    ));
    let ongoing = if progress
        && client
            .create_work_done_progress(token.clone())
            .await
            .is_ok()
    {
        let title = format!("Building {}", path.display());
        Some(client.progress(token, title).begin().await)
    } else {
        None
    };

    if let Some(stderr) = child.stderr.take() {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::debug!(uri = uri.as_str(), "build: {line}");
            if let Some(ongoing) = &ongoing {
                ongoing.report(line).await;
            }
        }
    }
    let status = child.wait().await;
    let outcome = match status {
        Ok(status) if status.success() => "finished".to_string(),
        Ok(status) => format!("failed ({status}); see the server log for the builder's output"),
        Err(error) => format!("failed: {error}"),
    };
    tracing::info!(uri = uri.as_str(), "build and measure {outcome}");
    match ongoing {
        Some(ongoing) => ongoing.finish_with_message(outcome.clone()).await,
        None => {
            client
                .show_message(MessageType::INFO, format!("ballast build {outcome}"))
                .await
        }
    }

    state.relint_all();
    let _ = client.inlay_hint_refresh().await;
    let _ = client.code_lens_refresh().await;
}
