//! The build report: what `ballast build` found, as a serializable value that the command
//! line prints and writes to the cache folder, and that the language server reads back.
//! Its JSON form is documented in `docs/build-report.md`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::BuilderKind;
use crate::attribution::{Attribution, InstructionCost};
use crate::diagnostic::Severity;

/// Bumped when a field changes meaning or is removed; adding fields keeps the version.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// Everything one `ballast build` found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildReport {
    pub schema_version: u32,
    /// The Dockerfile, canonical when it could be resolved.
    pub dockerfile: PathBuf,
    pub context: PathBuf,
    pub build: BuildInfo,
    /// The built stage: the `--target` stage, or the last one.
    pub stage: Option<usize>,
    /// Absent when the build failed.
    pub attribution: Option<Attribution>,
    /// Each instruction of the built stage chain with its layer size and wasted bytes.
    pub instructions: Vec<InstructionCost>,
    /// Lint findings and image findings (BL3###) in one list, sorted by line.
    pub findings: Vec<ReportFinding>,
    /// The image analysis, in the schema of `ballast analyze --format json`; absent when the
    /// build failed or the image could not be read.
    pub image: Option<serde_json::Value>,
    /// Problems that did not stop the report, such as an image that could not be read.
    pub warnings: Vec<String>,
}

/// How the build ran.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildInfo {
    pub builder: BuilderKind,
    /// The builder's argument vector, program first.
    pub command: Vec<String>,
    /// The builder's exit status; `None` when a signal ended it.
    pub exit_code: Option<i32>,
    pub succeeded: bool,
    /// The built image's id (`sha256:…`).
    pub image_id: Option<String>,
    /// Every line the builder printed.
    pub log: Vec<String>,
}

/// One finding, located by lines so that readers need not parse the Dockerfile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFinding {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    /// 1-based lines and columns of the primary range; columns count characters.
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// The bytes the finding measured in the image; `None` for lint findings.
    pub bytes: Option<u64>,
    pub labels: Vec<ReportLabel>,
}

/// A secondary line of a finding, such as the line that deleted a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportLabel {
    pub line: u32,
    pub message: String,
}

/// Returns the folder of build reports: `$XDG_CACHE_HOME/ballast/reports`, or
/// `$HOME/.cache/ballast/reports` when `XDG_CACHE_HOME` is unset or not absolute (the XDG Base
/// Directory rule). `None` when neither variable gives a folder.
pub fn reports_folder() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|path| path.is_absolute());
    let cache = xdg.or_else(|| {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
            .map(|home| home.join(".cache"))
    })?;
    Some(cache.join("ballast").join("reports"))
}

/// Returns where `ballast build` keeps the last report for `dockerfile`:
/// `<reports folder>/<key>.json`, where the key is the 32 hex digits of the xxh3-128 hash of the
/// Dockerfile's canonical path (the path as given when it cannot be resolved). Falls back to
/// the system's temporary folder when no cache folder is known.
pub fn report_path(dockerfile: &Path) -> PathBuf {
    let canonical = dockerfile
        .canonicalize()
        .unwrap_or_else(|_| dockerfile.to_path_buf());
    let key = xxhash_rust::xxh3::xxh3_128(canonical.as_os_str().as_encoded_bytes());
    let folder =
        reports_folder().unwrap_or_else(|| std::env::temp_dir().join("ballast").join("reports"));
    folder.join(format!("{key:032x}.json"))
}

/// Reads the last report `ballast build` wrote for `dockerfile`.
pub fn load_report(dockerfile: &Path) -> std::io::Result<BuildReport> {
    let path = report_path(dockerfile);
    let text = std::fs::read_to_string(&path)?;
    serde_json::from_str(&text).map_err(|error| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{}: invalid build report: {error}", path.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_path_is_stable_and_keyed() {
        let first = report_path(Path::new("/nonexistent/a/Dockerfile"));
        let again = report_path(Path::new("/nonexistent/a/Dockerfile"));
        let other = report_path(Path::new("/nonexistent/b/Dockerfile"));
        assert_eq!(first, again);
        assert_ne!(first, other);
        assert_eq!(first.extension().and_then(|e| e.to_str()), Some("json"));
        let name = first.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        assert_eq!(name.len(), 32);
    }
}
