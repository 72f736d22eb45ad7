//! Logs go to standard error, which every editor shows in its server log, and optionally to
//! a file. `BALLAST_LOG` sets the filter with `tracing-subscriber`'s syntax; the default is
//! `info`.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;

/// The log file could not be opened, or the filter in `BALLAST_LOG` is invalid.
#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error("failed to open the log file {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid BALLAST_LOG filter: {0}")]
    Filter(String),
}

pub(crate) fn init(log_file: Option<&Path>) -> Result<(), LoggingError> {
    let filter = match std::env::var("BALLAST_LOG") {
        Ok(spec) => EnvFilter::try_new(&spec)
            .map_err(|error| LoggingError::Filter(format!("{spec}: {error}")))?,
        Err(_) => EnvFilter::new("info"),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_target(false);

    // A second `init` (tests run the server in one process more than once) keeps the first
    // subscriber, so the error of `try_init` is ignored.
    match log_file {
        Some(path) => {
            let file = open_log(path)?;
            let _ = builder
                .with_writer(std::io::stderr.and(Arc::new(file)))
                .try_init();
        }
        None => {
            let _ = builder.with_writer(std::io::stderr).try_init();
        }
    }
    Ok(())
}

fn open_log(path: &Path) -> Result<File, LoggingError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| LoggingError::Open {
            path: path.to_path_buf(),
            source,
        })
}
