//! hadolint's label-schema rules DL3049 to DL3056 and DL3058, and DL3057 (no HEALTHCHECK),
//! which is off unless the configuration sets a severity for it.

use std::path::Path;

use ballast_analyzer::Severity;
use ballast_analyzer::config::{Config, ConfigSource, Layer, Level, parse_file};
use ballast_analyzer::lint::lint;
use ballast_analyzer::rules::FileContext;

fn schema_config(schema: &[(&str, &str)], strict: bool) -> Config {
    let layer = Layer {
        label_schema: schema
            .iter()
            .map(|(key, kind)| (key.to_string(), kind.to_string()))
            .collect(),
        strict_labels: Some(strict),
        ..Layer::default()
    };
    Config::from_layer(layer, ConfigSource::Defaults)
}

/// The findings of `code` as (line, message).
fn findings(text: &str, code: &str, config: &Config) -> Vec<(usize, String)> {
    lint(text, config, &FileContext::default())
        .diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.code == code)
        .map(|diagnostic| {
            let line = text[..diagnostic.span.start].matches('\n').count() + 1;
            (line, diagnostic.message)
        })
        .collect()
}

fn lines(text: &str, code: &str, config: &Config) -> Vec<usize> {
    findings(text, code, config)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

const SOURCE: &str = "org.opencontainers.image.source";

#[test]
fn dl3049_reports_stage_without_label() {
    let config = schema_config(&[(SOURCE, "url")], false);
    let text = "FROM alpine:3.20\nCMD [\"sh\"]\n";
    let found = findings(text, "DL3049", &config);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, 1);
    assert!(found[0].1.contains(SOURCE), "{}", found[0].1);
}

#[test]
fn dl3049_one_finding_per_missing_label() {
    let config = schema_config(&[(SOURCE, "url"), ("maintainer", "email")], false);
    let text = "FROM alpine:3.20\nLABEL maintainer=a@example.com\nFROM alpine:3.20\n";
    assert_eq!(lines(text, "DL3049", &config), [1, 3, 3]);
}

#[test]
fn dl3049_silent_when_label_set() {
    let config = schema_config(&[(SOURCE, "url")], false);
    let text = format!("FROM alpine:3.20\nLABEL {SOURCE}=https://example.com/app\n");
    assert!(lines(&text, "DL3049", &config).is_empty());
}

#[test]
fn dl3049_label_inherited_from_stage() {
    let config = schema_config(&[(SOURCE, "url")], false);
    let text =
        format!("FROM alpine:3.20 AS base\nLABEL {SOURCE}=https://example.com/app\nFROM base\n");
    assert!(lines(&text, "DL3049", &config).is_empty());
}

#[test]
fn dl3049_silent_for_copied_and_parent_stages() {
    let config = schema_config(&[(SOURCE, "url")], false);
    let text = format!(
        "FROM golang:1.23 AS build\nRUN go build -o /app\nFROM alpine:3.20 AS base\nFROM base\nLABEL {SOURCE}=https://example.com/app\nCOPY --from=build /app /app\n"
    );
    assert!(lines(&text, "DL3049", &config).is_empty());
}

#[test]
fn dl3049_silent_without_schema() {
    let text = "FROM alpine:3.20\n";
    assert!(lines(text, "DL3049", &Config::default()).is_empty());
}

#[test]
fn dl3049_schema_from_hadolint_yaml() {
    let yaml = "label-schema:\n  org.opencontainers.image.source: url\n";
    let layer = parse_file(yaml, Path::new(".hadolint.yaml")).expect("valid configuration");
    let config = Config::from_layer(layer, ConfigSource::Defaults);
    assert_eq!(lines("FROM alpine:3.20\n", "DL3049", &config), [1]);
}

#[test]
fn dl3050_reports_label_outside_schema() {
    let config = schema_config(&[(SOURCE, "url")], true);
    let text = format!("FROM alpine:3.20\nLABEL {SOURCE}=https://example.com/app build-host=ci\n");
    let found = findings(&text, "DL3050", &config);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, 2);
    assert!(found[0].1.contains("build-host"), "{}", found[0].1);
}

#[test]
fn dl3050_every_label_with_empty_schema() {
    let config = schema_config(&[], true);
    assert_eq!(
        lines(
            "FROM alpine:3.20\nLABEL a=1\nLABEL b=2\n",
            "DL3050",
            &config
        ),
        [2, 3]
    );
}

#[test]
fn dl3050_silent_without_strict_labels() {
    let config = schema_config(&[(SOURCE, "url")], false);
    assert!(lines("FROM alpine:3.20\nLABEL a=1\n", "DL3050", &config).is_empty());
}

#[test]
fn dl3050_allowed_labels_pattern() {
    let layer = Layer {
        allowed_labels: vec!["org.opencontainers.image.*".to_string()],
        ..Layer::default()
    };
    let config = Config::from_layer(layer, ConfigSource::Defaults);
    let text = "FROM alpine:3.20\nLABEL org.opencontainers.image.title=app\nLABEL team=x\n";
    assert_eq!(lines(text, "DL3050", &config), [3]);
}

#[test]
fn dl3051_reports_empty_schema_label() {
    let config = schema_config(&[("org.opencontainers.image.revision", "hash")], false);
    let text = "FROM alpine:3.20\nLABEL org.opencontainers.image.revision=\"\"\n";
    let found = findings(text, "DL3051", &config);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, 2);
    assert!(found[0].1.contains("empty"), "{}", found[0].1);
}

#[test]
fn dl3051_silent_for_other_labels() {
    let config = schema_config(&[(SOURCE, "url")], false);
    assert!(lines("FROM alpine:3.20\nLABEL other=\"\"\n", "DL3051", &config).is_empty());
}

/// Each typed rule: its code, the schema type, values it reports and values it accepts.
const TYPED_CASES: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "DL3052",
        "url",
        &[
            "github.com/example/app",
            "/srv/app",
            "\"https://example.com/a b\"",
        ],
        &[
            "https://github.com/example/app",
            "git+ssh://git@example.com/app.git",
        ],
    ),
    (
        "DL3053",
        "rfc3339",
        &["2024-05-01", "\"2024-05-01 12:00\"", "2024-13-01T00:00:00Z"],
        &["2024-05-01T12:00:00Z", "2024-05-01T12:00:00.5+02:00"],
    ),
    (
        "DL3054",
        "spdx",
        &["\"Apache 2\"", "\"MIT OR Apache-2.0\"", "proprietary"],
        &["MIT", "Apache-2.0", "GPL-3.0-or-later"],
    ),
    (
        "DL3055",
        "hash",
        &["main", "4F2C1E9", "4f2c1e9a"],
        &["4f2c1e9", "0123456789abcdef0123456789abcdef01234567"],
    ),
    (
        "DL3056",
        "semver",
        &["1.0", "v1.0.0", "1.0.0-"],
        &["1.0.0", "2.1.3-rc.1+build.7"],
    ),
    (
        "DL3058",
        "email",
        &["\"Jane Doe\"", "jane@", "jane..doe@example.com"],
        &["jane@example.com", "'\"Jane Doe\"@example.com'"],
    ),
];

#[test]
fn typed_labels_fire_on_bad_values() {
    for (code, kind, bad, _) in TYPED_CASES {
        let config = schema_config(&[("x.value", kind)], false);
        for value in *bad {
            let text = format!("FROM alpine:3.20\nLABEL x.value={value}\n");
            let found = findings(&text, code, &config);
            assert_eq!(found.len(), 1, "{code} on {value}: {found:?}");
            assert_eq!(found[0].0, 2, "{code} on {value}");
            assert!(found[0].1.contains("x.value"), "{code}: {}", found[0].1);
        }
    }
}

#[test]
fn typed_labels_accept_good_values() {
    for (code, kind, _, good) in TYPED_CASES {
        let config = schema_config(&[("x.value", kind)], false);
        for value in *good {
            let text = format!("FROM alpine:3.20\nLABEL x.value={value}\n");
            assert!(
                findings(&text, code, &config).is_empty(),
                "{code} fired on {value}"
            );
        }
    }
}

#[test]
fn typed_labels_ignore_other_types() {
    // A `text` label takes any value, and a label outside the schema is not checked.
    let config = schema_config(&[("x.value", "text")], false);
    let text = "FROM alpine:3.20\nLABEL x.value=1.0 other=1.0\n";
    for (code, ..) in TYPED_CASES {
        assert!(findings(text, code, &config).is_empty(), "{code} fired");
    }
}

fn healthcheck_config() -> Config {
    let layer = Layer {
        severity: vec![("DL3057".to_string(), Level::Severity(Severity::Info))],
        ..Layer::default()
    };
    Config::from_layer(layer, ConfigSource::Defaults)
}

#[test]
fn dl3057_off_by_default() {
    let text = "FROM nginx:1.27\n";
    assert!(lines(text, "DL3057", &Config::default()).is_empty());
}

#[test]
fn dl3057_reports_when_enabled() {
    let found = findings(
        "FROM nginx:1.27\nCOPY site /srv\n",
        "DL3057",
        &healthcheck_config(),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, 1);
    assert!(found[0].1.contains("HEALTHCHECK"), "{}", found[0].1);
}

#[test]
fn dl3057_enabled_from_hadolint_override() {
    let yaml = "override:\n  warning:\n    - DL3057\n";
    let layer = parse_file(yaml, Path::new(".hadolint.yaml")).expect("valid configuration");
    let config = Config::from_layer(layer, ConfigSource::Defaults);
    let diagnostics = lint("FROM nginx:1.27\n", &config, &FileContext::default()).diagnostics;
    let found: Vec<_> = diagnostics.iter().filter(|d| d.code == "DL3057").collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Warning);
}

#[test]
fn dl3057_silent_with_healthcheck_none() {
    let text = "FROM nginx:1.27\nHEALTHCHECK NONE\n";
    assert!(lines(text, "DL3057", &healthcheck_config()).is_empty());
}

#[test]
fn dl3057_healthcheck_in_related_stage() {
    let text = "FROM nginx:1.27 AS base\nHEALTHCHECK CMD curl -f http://localhost/\nFROM base AS app\nFROM app\nFROM alpine:3.20\n";
    // Stage 1 has its own, 2 and 3 inherit it; only the unrelated last stage is reported.
    assert_eq!(lines(text, "DL3057", &healthcheck_config()), [5]);
    let text = "FROM nginx:1.27 AS base\nFROM base\nHEALTHCHECK CMD true\n";
    assert!(lines(text, "DL3057", &healthcheck_config()).is_empty());
}
