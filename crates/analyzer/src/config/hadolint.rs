//! hadolint's configuration, read when no `.ballast.toml` applies: `.hadolint.yaml` or
//! `.hadolint.yml`, and the `HADOLINT_*` environment variables, with hadolint 2.15's keys
//! and meanings.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

use super::{ConfigError, Layer, Level, Location, Threshold};
use crate::diagnostic::Severity;

/// The keys of `.hadolint.yaml`. Unknown keys are ignored, as hadolint ignores them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HadolintYaml {
    #[serde(rename = "failure-threshold")]
    failure_threshold: Option<ThresholdText>,
    format: Option<String>,
    formats: Vec<String>,
    ignored: Vec<String>,
    #[serde(rename = "override")]
    overrides: Overrides,
    #[serde(rename = "trustedRegistries")]
    trusted_registries: Vec<String>,
    #[serde(rename = "label-schema")]
    label_schema: BTreeMap<String, String>,
    #[serde(rename = "strict-labels")]
    strict_labels: Option<bool>,
    #[serde(rename = "disable-ignore-pragma")]
    disable_ignore_pragma: Option<bool>,
    #[serde(rename = "no-fail")]
    no_fail: Option<bool>,
    #[serde(rename = "no-color")]
    no_color: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Overrides {
    error: Vec<String>,
    warning: Vec<String>,
    info: Vec<String>,
    style: Vec<String>,
}

/// Reads a `.hadolint.yaml` file.
pub(super) fn read(path: &Path) -> Result<Layer, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// Parses the text of a `.hadolint.yaml` file; `path` names it in errors, with the line
/// and column of the problem. An empty file is an empty configuration.
pub(super) fn parse(text: &str, path: &Path) -> Result<Layer, ConfigError> {
    if text.trim().is_empty() {
        return Ok(Layer::default());
    }
    let file: HadolintYaml =
        serde_norway::from_str(text).map_err(|error| invalid_yaml(path, &error))?;

    let failure_threshold = file.failure_threshold.map(|ThresholdText(threshold)| threshold);
    let mut formats: Vec<String> = file.format.into_iter().collect();
    formats.extend(file.formats);

    Ok(Layer {
        select: Vec::new(),
        ignore: file.ignored,
        severity: severity_overrides(&file.overrides),
        failure_threshold,
        trusted_registries: file.trusted_registries,
        allowed_labels: Vec::new(),
        label_schema: file.label_schema.into_iter().collect(),
        strict_labels: file.strict_labels,
        disable_ignore_pragma: file.disable_ignore_pragma,
        no_fail: file.no_fail,
        formats,
        no_color: file.no_color,
    })
}

/// Returns the error of an invalid `.hadolint.yaml` with the location taken out of the
/// message, where serde_norway writes it as ` at line L column C`.
fn invalid_yaml(path: &Path, error: &serde_norway::Error) -> ConfigError {
    let mut message = error.to_string();
    let location = error.location().map(|location| {
        let suffix = format!(" at line {} column {}", location.line(), location.column());
        message = message.replacen(&suffix, "", 1);
        Location {
            line: location.line(),
            column: Some(location.column()),
        }
    });
    ConfigError::Invalid {
        path: path.to_path_buf(),
        location,
        message,
    }
}

/// A failure threshold parsed while the YAML is read. serde_norway gives an error the line
/// and column of the scalar only when the error comes from the visitor of that scalar.
#[derive(Debug)]
struct ThresholdText(Threshold);

impl<'de> Deserialize<'de> for ThresholdText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ThresholdVisitor)
    }
}

struct ThresholdVisitor;

impl Visitor<'_> for ThresholdVisitor {
    type Value = ThresholdText;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<ThresholdText, E> {
        text.parse().map(ThresholdText).map_err(E::custom)
    }
}

/// hadolint applies overrides from `style` to `error`, so `error` wins a conflict; the
/// list is in that order and later entries win.
fn severity_overrides(overrides: &Overrides) -> Vec<(String, Level)> {
    let mut severity = Vec::new();
    let lists = [
        (&overrides.style, Severity::Style),
        (&overrides.info, Severity::Info),
        (&overrides.warning, Severity::Warning),
        (&overrides.error, Severity::Error),
    ];
    for (codes, level) in lists {
        severity.extend(
            codes
                .iter()
                .map(|code| (code.clone(), Level::Severity(level))),
        );
    }
    severity
}

/// Reads the `HADOLINT_*` variables through `var`, which returns a variable's value.
/// Boolean variables are true for `1`, `y`, `on`, `true` or `yes` in any case; lists are
/// comma-separated.
pub fn from_env(var: &dyn Fn(&str) -> Option<String>) -> Layer {
    let flag = |name: &str| {
        var(name).map(|value| {
            matches!(
                value.trim().to_ascii_lowercase().as_str(),
                "1" | "y" | "on" | "true" | "yes"
            )
        })
    };
    let list = |name: &str| -> Vec<String> {
        var(name)
            .map(|value| {
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };

    let overrides = Overrides {
        error: list("HADOLINT_OVERRIDE_ERROR"),
        warning: list("HADOLINT_OVERRIDE_WARNING"),
        info: list("HADOLINT_OVERRIDE_INFO"),
        style: list("HADOLINT_OVERRIDE_STYLE"),
    };
    let mut label_schema = Vec::new();
    for entry in list("HADOLINT_REQUIRE_LABELS") {
        if let Some((name, kind)) = entry.split_once(':') {
            label_schema.push((name.to_string(), kind.to_string()));
        }
    }

    Layer {
        select: Vec::new(),
        ignore: list("HADOLINT_IGNORE"),
        severity: severity_overrides(&overrides),
        // An invalid threshold in the environment is dropped, as hadolint drops it.
        failure_threshold: var("HADOLINT_FAILURE_THRESHOLD").and_then(|value| value.parse().ok()),
        trusted_registries: list("HADOLINT_TRUSTED_REGISTRIES"),
        allowed_labels: Vec::new(),
        label_schema,
        strict_labels: flag("HADOLINT_STRICT_LABELS"),
        disable_ignore_pragma: flag("HADOLINT_DISABLE_IGNORE_PRAGMA"),
        no_fail: flag("HADOLINT_NOFAIL"),
        formats: list("HADOLINT_FORMAT"),
        no_color: None,
    }
}
