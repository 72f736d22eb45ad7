//! `.ballast.toml`: ballast's own configuration file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{ConfigError, Layer, Level, Threshold};

/// The keys of `.ballast.toml`. Unknown keys are rejected so a typo does not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct BallastToml {
    /// When not empty, only these codes (or rule names) run.
    select: Vec<String>,
    /// Codes (or rule names) that are never reported.
    ignore: Vec<String>,
    /// Per-code severity: `error`, `warning`, `info`, `style`, or `off`.
    severity: BTreeMap<String, String>,
    failure_threshold: Option<String>,
    /// Registries that base images may come from; empty means any.
    trusted_registries: Vec<String>,
    /// Label keys that LABEL may set; a trailing `*` matches any suffix. Empty means any.
    allowed_labels: Vec<String>,
    /// Label keys every stage must set, with the type of their value (hadolint's
    /// `label-schema`: `text`, `url`, `semver`, `hash`, `rfc3339`, `spdx`, `email`).
    label_schema: BTreeMap<String, String>,
    /// Report labels that are not in `label-schema`.
    strict_labels: bool,
    /// Ignore `# ballast ignore=`, `# hadolint ignore=` and `# check=skip=` comments.
    disable_ignore_pragma: bool,
    no_fail: bool,
}

/// Reads a `.ballast.toml` file.
pub(super) fn read(path: &Path) -> Result<Layer, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// Parses the text of a `.ballast.toml` file; `path` names it in errors.
pub(super) fn parse(text: &str, path: &Path) -> Result<Layer, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let file: BallastToml = toml::from_str(text).map_err(|error| invalid(error.to_string()))?;

    let mut severity = Vec::new();
    for (code, level) in &file.severity {
        let level: Level = level
            .parse()
            .map_err(|error| invalid(format!("severity.{code}: {error}")))?;
        severity.push((code.clone(), level));
    }
    let failure_threshold = match &file.failure_threshold {
        Some(text) => Some(
            text.parse::<Threshold>()
                .map_err(|error| invalid(format!("failure-threshold: {error}")))?,
        ),
        None => None,
    };

    Ok(Layer {
        select: file.select,
        ignore: file.ignore,
        severity,
        failure_threshold,
        trusted_registries: file.trusted_registries,
        allowed_labels: file.allowed_labels,
        label_schema: file.label_schema.into_iter().collect(),
        strict_labels: file.strict_labels.then_some(true),
        disable_ignore_pragma: file.disable_ignore_pragma.then_some(true),
        no_fail: file.no_fail.then_some(true),
        formats: Vec::new(),
        no_color: None,
    })
}
