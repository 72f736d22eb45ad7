//! `.ballast.toml`: ballast's own configuration file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use toml::Spanned;

use super::{ConfigError, Layer, Level, Location, Threshold};

/// The keys of `.ballast.toml`. Unknown keys are rejected so a typo does not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct BallastToml {
    /// When not empty, only these codes (or rule names) run.
    select: Vec<String>,
    /// Codes (or rule names) that are never reported.
    ignore: Vec<String>,
    /// Per-code severity: `error`, `warning`, `info`, `style`, or `off`.
    severity: BTreeMap<String, Spanned<String>>,
    failure_threshold: Option<Spanned<String>>,
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

/// Parses the text of a `.ballast.toml` file; `path` names it in errors, with the line and
/// column of the problem.
pub(super) fn parse(text: &str, path: &Path) -> Result<Layer, ConfigError> {
    let invalid = |span: Option<std::ops::Range<usize>>, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        location: span.map(|span| Location::of_offset(text, span.start)),
        message,
    };
    // The error's Display text adds a header and a copy of the line, so only its message is
    // kept and the location goes before it.
    let file: BallastToml = toml::from_str(text)
        .map_err(|error| invalid(error.span(), error.message().trim_end().to_string()))?;

    let mut severity = Vec::new();
    for (code, level) in &file.severity {
        let parsed: Level = level
            .get_ref()
            .parse()
            .map_err(|error| invalid(Some(level.span()), format!("severity.{code}: {error}")))?;
        severity.push((code.clone(), parsed));
    }
    let failure_threshold = match &file.failure_threshold {
        Some(threshold) => Some(threshold.get_ref().parse::<Threshold>().map_err(|error| {
            invalid(Some(threshold.span()), format!("failure-threshold: {error}"))
        })?),
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
