//! Configuration: `.ballast.toml` found by walking up from each Dockerfile, or hadolint's
//! `.hadolint.yaml` and `HADOLINT_*` variables when no `.ballast.toml` applies, merged
//! with the command line.
//!
//! Merging follows hadolint: lists (ignored codes, severity overrides, trusted registries)
//! are concatenated across the sources, and for single values the command line wins over
//! the file, which wins over the environment.

mod ballast;
mod hadolint;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use crate::diagnostic::Severity;

pub use hadolint::from_env as hadolint_env;

/// The name of ballast's configuration file.
pub const BALLAST_FILE: &str = ".ballast.toml";
/// The names of hadolint's configuration file, in the order hadolint tries them.
pub const HADOLINT_FILES: [&str; 2] = [".hadolint.yaml", ".hadolint.yml"];

/// The severity a code is reported with, or `Off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    Severity(Severity),
}

impl FromStr for Level {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "off" | "ignore" | "none" => Ok(Level::Off),
            other => other.parse().map(Level::Severity).map_err(|_| {
                format!("invalid level `{text}`: expected error, warning, info, style or off")
            }),
        }
    }
}

/// The minimum severity of a finding that makes `ballast lint` exit with status 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    Severity(Severity),
    /// No finding fails the run.
    Never,
}

impl Threshold {
    /// Returns whether a finding of `severity` fails the run.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            Threshold::Severity(threshold) => severity.reaches(threshold),
            Threshold::Never => false,
        }
    }
}

impl Default for Threshold {
    /// hadolint's default: style findings alone do not fail a run, info findings do.
    fn default() -> Self {
        Threshold::Severity(Severity::Info)
    }
}

impl FromStr for Threshold {
    type Err = String;

    /// Parses `error`, `warning`, `info`, `style`, or `none` (also `ignore`, `never`).
    ///
    /// NOTE: hadolint 2.15 treats `none` and `ignore` as "fail on every finding"; ballast
    /// reads them as "never fail", the plain meaning of the words.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" | "ignore" | "never" => Ok(Threshold::Never),
            other => other.parse().map(Threshold::Severity).map_err(|_| {
                format!("invalid failure threshold `{text}`: expected error, warning, info, style or none")
            }),
        }
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Threshold::Severity(severity) => write!(f, "{severity}"),
            Threshold::Never => f.write_str("none"),
        }
    }
}

/// One source of configuration before merging. `None` means "not set here".
#[derive(Clone, Debug, Default)]
pub struct Layer {
    /// When not empty, only these codes (or rule names) run.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Severity overrides in order; a later entry for the same code wins.
    pub severity: Vec<(String, Level)>,
    pub failure_threshold: Option<Threshold>,
    pub trusted_registries: Vec<String>,
    pub allowed_labels: Vec<String>,
    pub label_schema: Vec<(String, String)>,
    pub strict_labels: Option<bool>,
    pub disable_ignore_pragma: Option<bool>,
    pub no_fail: Option<bool>,
    /// Output formats a hadolint configuration requests.
    pub formats: Vec<String>,
    pub no_color: Option<bool>,
}

impl Layer {
    /// Merges `later` over `self`: lists are concatenated, single values from `later` win.
    pub fn then(mut self, later: Layer) -> Layer {
        self.select.extend(later.select);
        self.ignore.extend(later.ignore);
        self.severity.extend(later.severity);
        self.failure_threshold = later.failure_threshold.or(self.failure_threshold);
        self.trusted_registries.extend(later.trusted_registries);
        self.allowed_labels.extend(later.allowed_labels);
        self.label_schema.extend(later.label_schema);
        self.strict_labels = later.strict_labels.or(self.strict_labels);
        self.disable_ignore_pragma = later.disable_ignore_pragma.or(self.disable_ignore_pragma);
        self.no_fail = later.no_fail.or(self.no_fail);
        self.formats.extend(later.formats);
        self.no_color = later.no_color.or(self.no_color);
        self
    }
}

/// Settings that rules read.
#[derive(Clone, Debug, Default)]
pub struct RuleSettings {
    /// Registries base images may come from (hadolint's DL3026); empty means any.
    pub trusted_registries: Vec<String>,
    /// Label keys LABEL may set; a trailing `*` matches any suffix. Empty means any.
    pub allowed_labels: Vec<String>,
    /// Required labels and the type of their values.
    pub label_schema: BTreeMap<String, String>,
    /// Report labels that are not in the schema.
    pub strict_labels: bool,
}

impl RuleSettings {
    /// Returns whether `registry` matches a trusted-registry pattern: `*` matches all, `*.suffix`
    /// a registry ending in `.suffix`, `prefix*` one starting with `prefix`, anything else
    /// itself. `docker.io` and `hub.docker.com` both name Docker Hub. With no patterns
    /// every registry is trusted.
    pub fn is_trusted_registry(&self, registry: &str) -> bool {
        if self.trusted_registries.is_empty() {
            return true;
        }
        let is_hub =
            |name: &str| matches!(name, "docker.io" | "hub.docker.com" | "index.docker.io");
        self.trusted_registries.iter().any(|pattern| {
            if pattern == "*" {
                true
            } else if let Some(suffix) = pattern.strip_prefix('*') {
                registry.ends_with(suffix) && suffix.starts_with('.')
            } else if let Some(prefix) = pattern.strip_suffix('*') {
                registry.starts_with(prefix)
            } else {
                pattern == registry || (is_hub(pattern) && is_hub(registry))
            }
        })
    }

    /// Returns whether LABEL may set `key`.
    pub fn is_allowed_label(&self, key: &str) -> bool {
        if self.allowed_labels.is_empty() && !self.strict_labels {
            return true;
        }
        self.label_schema.contains_key(key)
            || self
                .allowed_labels
                .iter()
                .any(|pattern| match pattern.strip_suffix('*') {
                    Some(prefix) => key.starts_with(prefix),
                    None => pattern == key,
                })
    }
}

/// The file a configuration came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ConfigSource {
    Ballast(PathBuf),
    Hadolint(PathBuf),
    /// No file: defaults, the environment and the command line.
    Defaults,
}

/// The configuration for one Dockerfile, all sources merged.
#[derive(Clone, Debug)]
pub struct Config {
    /// When not empty, only these codes (or rule names) run.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: Vec<(String, Level)>,
    pub failure_threshold: Threshold,
    pub disable_ignore_pragma: bool,
    pub no_fail: bool,
    pub formats: Vec<String>,
    pub no_color: bool,
    pub rules: RuleSettings,
    pub source: ConfigSource,
}

impl Default for Config {
    fn default() -> Self {
        Config::from_layer(Layer::default(), ConfigSource::Defaults)
    }
}

impl Config {
    pub fn from_layer(layer: Layer, source: ConfigSource) -> Config {
        Config {
            select: layer.select,
            ignore: layer.ignore,
            severity: layer.severity,
            failure_threshold: layer.failure_threshold.unwrap_or_default(),
            disable_ignore_pragma: layer.disable_ignore_pragma.unwrap_or(false),
            no_fail: layer.no_fail.unwrap_or(false),
            formats: layer.formats,
            no_color: layer.no_color.unwrap_or(false),
            rules: RuleSettings {
                trusted_registries: layer.trusted_registries,
                allowed_labels: layer.allowed_labels,
                label_schema: layer.label_schema.into_iter().collect(),
                strict_labels: layer.strict_labels.unwrap_or(false),
            },
            source,
        }
    }

    /// Returns the level the configuration sets for `code` (whose rule is named `name`): `Off`
    /// when it is ignored, the last severity override for it, or `None` when neither.
    pub fn level_of(&self, code: &str, name: &str) -> Option<Level> {
        let matches =
            |entry: &str| entry.eq_ignore_ascii_case(code) || (!name.is_empty() && entry == name);
        let selected = self.select.is_empty() || self.select.iter().any(|entry| matches(entry));
        if !selected || self.ignore.iter().any(|entry| matches(entry)) {
            return Some(Level::Off);
        }
        self.severity
            .iter()
            .rev()
            .find(|(entry, _)| matches(entry))
            .map(|(_, level)| *level)
    }

    /// Returns the severity to report `code` with, or `None` when it is ignored or turned off.
    pub fn severity_of(&self, code: &str, name: &str, default: Severity) -> Option<Severity> {
        match self.level_of(code, name) {
            Some(Level::Off) => None,
            Some(Level::Severity(severity)) => Some(severity),
            None => Some(default),
        }
    }

    /// Returns every code the configuration names, for validation.
    pub fn named_codes(&self) -> impl Iterator<Item = &str> {
        self.select
            .iter()
            .chain(&self.ignore)
            .map(String::as_str)
            .chain(self.severity.iter().map(|(code, _)| code.as_str()))
    }
}

/// An unreadable or invalid configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read the configuration file: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}{}: invalid configuration: {message}",
        path.display(),
        location.map_or(String::new(), |location| format!(":{location}"))
    )]
    Invalid {
        path: PathBuf,
        /// The line and column of the problem, when the parser reports them.
        location: Option<Location>,
        message: String,
    },
}

/// A 1-based line and, when known, column in a configuration file, printed `LINE:COLUMN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    /// The column, counted in characters.
    pub column: Option<usize>,
}

impl Location {
    /// Returns the location of byte `offset` of `text`. A byte order mark is not a column.
    fn of_offset(text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let columns = before[line_start..].trim_start_matches('\u{feff}').chars().count();
        Location {
            line: before.matches('\n').count() + 1,
            column: Some(columns + 1),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "{}:{column}", self.line),
            None => write!(f, "{}", self.line),
        }
    }
}

/// Finds and merges the configuration of each Dockerfile, reading each file once.
pub struct ConfigLoader {
    explicit: Option<PathBuf>,
    cli: Layer,
    env: Layer,
    home: Option<PathBuf>,
    xdg_config: Option<PathBuf>,
    current_dir: PathBuf,
    by_folder: HashMap<PathBuf, Result<Arc<Config>, Arc<ConfigError>>>,
}

impl ConfigLoader {
    /// `explicit` is `--config`; `cli` the command-line layer; `var` reads environment
    /// variables (`HADOLINT_*`, `HOME`, `XDG_CONFIG_HOME`).
    pub fn new(
        explicit: Option<PathBuf>,
        cli: Layer,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> ConfigLoader {
        let home = var("HOME")
            .filter(|home| !home.is_empty())
            .map(PathBuf::from);
        let xdg_config = var("XDG_CONFIG_HOME")
            .filter(|path| !path.is_empty())
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|home| home.join(".config")));
        ConfigLoader {
            explicit,
            cli,
            env: hadolint::from_env(var),
            home,
            xdg_config,
            current_dir: std::env::current_dir().unwrap_or_default(),
            by_folder: HashMap::new(),
        }
    }

    /// Returns the configuration for the Dockerfile at `path`, or for standard input (`None`),
    /// which is looked up from the current folder.
    pub fn for_file(&mut self, path: Option<&Path>) -> Result<Arc<Config>, Arc<ConfigError>> {
        let folder = match path.and_then(Path::parent) {
            Some(parent) if !parent.as_os_str().is_empty() => self.current_dir.join(parent),
            _ => self.current_dir.clone(),
        };
        if let Some(cached) = self.by_folder.get(&folder) {
            return cached.clone();
        }
        let result = self.load(&folder).map(Arc::new).map_err(Arc::new);
        self.by_folder.insert(folder, result.clone());
        result
    }

    fn load(&self, folder: &Path) -> Result<Config, ConfigError> {
        if let Some(explicit) = &self.explicit {
            return self.load_file(explicit);
        }
        if let Some(found) = folder
            .ancestors()
            .map(|dir| dir.join(BALLAST_FILE))
            .find(|path| path.is_file())
        {
            return self.load_file(&found);
        }
        match self.hadolint_file(folder) {
            Some(found) => self.load_file(&found),
            None => Ok(Config::from_layer(
                self.env.clone().then(self.cli.clone()),
                ConfigSource::Defaults,
            )),
        }
    }

    /// hadolint's file, searched from the Dockerfile's folder upwards, then in hadolint's
    /// per-user locations.
    fn hadolint_file(&self, folder: &Path) -> Option<PathBuf> {
        let mut candidates: Vec<PathBuf> = Vec::new();
        for dir in folder.ancestors() {
            candidates.extend(HADOLINT_FILES.iter().map(|name| dir.join(name)));
        }
        if let Some(xdg) = &self.xdg_config {
            candidates.extend(
                ["hadolint.yaml", "hadolint.yml"]
                    .iter()
                    .map(|name| xdg.join(name)),
            );
        }
        if let Some(home) = &self.home {
            for name in ["hadolint.yaml", "hadolint.yml", "config.yaml", "config.yml"] {
                candidates.push(home.join(".hadolint").join(name));
            }
            candidates.extend(HADOLINT_FILES.iter().map(|name| home.join(name)));
        }
        candidates.into_iter().find(|path| path.is_file())
    }

    fn load_file(&self, path: &Path) -> Result<Config, ConfigError> {
        let is_toml = path
            .extension()
            .is_some_and(|extension| extension == "toml");
        if is_toml {
            let file = ballast::read(path)?;
            return Ok(Config::from_layer(
                file.then(self.cli.clone()),
                ConfigSource::Ballast(path.to_path_buf()),
            ));
        }
        let file = hadolint::read(path)?;
        let layer = self.env.clone().then(file).then(self.cli.clone());
        Ok(Config::from_layer(
            layer,
            ConfigSource::Hadolint(path.to_path_buf()),
        ))
    }
}

/// Parses the text of a configuration file without reading the disk: TOML when `path`
/// ends in `.toml`, hadolint's YAML otherwise.
pub fn parse_file(text: &str, path: &Path) -> Result<Layer, ConfigError> {
    if path
        .extension()
        .is_some_and(|extension| extension == "toml")
    {
        ballast::parse(text, path)
    } else {
        hadolint::parse(text, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballast_toml_keys() {
        let text = r#"
ignore = ["DL3008"]
failure-threshold = "warning"
trusted-registries = ["docker.io", "*.example.com"]
allowed-labels = ["org.opencontainers.image.*"]

[severity]
DL3059 = "off"
DL3020 = "warning"
"#;
        let layer = parse_file(text, Path::new(".ballast.toml")).unwrap();
        let config = Config::from_layer(layer, ConfigSource::Defaults);
        assert_eq!(
            config.failure_threshold,
            Threshold::Severity(Severity::Warning)
        );
        assert_eq!(config.severity_of("DL3008", "x", Severity::Info), None);
        assert_eq!(config.severity_of("DL3059", "x", Severity::Info), None);
        assert_eq!(
            config.severity_of("DL3020", "x", Severity::Error),
            Some(Severity::Warning)
        );
        assert!(config.rules.is_trusted_registry("registry.example.com"));
        assert!(!config.rules.is_trusted_registry("ghcr.io"));
        assert!(config.rules.is_trusted_registry("hub.docker.com"));
        assert!(
            config
                .rules
                .is_allowed_label("org.opencontainers.image.source")
        );
        assert!(!config.rules.is_allowed_label("maintainer"));
    }

    #[test]
    fn ballast_toml_rejects_unknown_keys() {
        let error =
            parse_file("ignored = [\"DL3008\"]\n", Path::new("/x/.ballast.toml")).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("/x/.ballast.toml:1:1: invalid configuration"),
            "{message}"
        );
        assert!(message.contains("ignored"), "{message}");
    }

    /// Returns the location of the error of parsing `text` as the file `name`.
    fn error_location(name: &str, text: &str) -> Option<Location> {
        match parse_file(text, Path::new(name)).unwrap_err() {
            ConfigError::Invalid { location, .. } => location,
            other => panic!("not an invalid configuration: {other}"),
        }
    }

    #[test]
    fn toml_errors_have_location() {
        let at = |line, column| Some(Location { line, column: Some(column) });
        assert_eq!(error_location("a.toml", "ignore = [\"DL3003\"\n"), at(1, 19));
        assert_eq!(error_location("a.toml", "no-fail = true\nignore = 3\n"), at(2, 10));
        assert_eq!(error_location("a.toml", "[severity]\n\"é\" = \"loud\"\n"), at(2, 7));
        assert_eq!(error_location("a.toml", "failure-threshold = \"x\"\n"), at(1, 21));
    }

    #[test]
    fn yaml_errors_have_location() {
        let at = |line, column| Some(Location { line, column: Some(column) });
        assert_eq!(error_location("a.yaml", "ignored: [DL3003\n"), at(2, 1));
        assert_eq!(error_location("a.yaml", "no-fail: true\nignored: 5\n"), at(2, 10));
        assert_eq!(error_location("a.yaml", "failure-threshold: loud\n"), at(1, 20));
    }

    #[test]
    fn location_is_outside_the_message() {
        let error = parse_file("no-fail: true\nignored: 5\n", Path::new("/x/h.yaml")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "/x/h.yaml:2:10: invalid configuration: ignored: invalid type: integer `5`, expected a sequence"
        );
        let error = parse_file("ignore = [\n", Path::new("/x/b.toml")).unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("/x/b.toml:1:11: invalid configuration: "), "{message}");
        assert!(!message.contains('\n'), "{message}");
    }

    #[test]
    fn hadolint_yaml_keys() {
        let text = "ignored: [DL3008]\nfailure-threshold: error\noverride:\n  error: [DL3003]\n  style: [DL3003, DL3059]\ntrustedRegistries:\n  - ghcr.io\nunknown-key: 1\n";
        let layer = parse_file(text, Path::new(".hadolint.yaml")).unwrap();
        let config = Config::from_layer(layer, ConfigSource::Defaults);
        assert_eq!(
            config.failure_threshold,
            Threshold::Severity(Severity::Error)
        );
        assert_eq!(config.severity_of("DL3008", "", Severity::Info), None);
        // hadolint applies `error` overrides last, so they win.
        assert_eq!(
            config.severity_of("DL3003", "", Severity::Info),
            Some(Severity::Error)
        );
        assert_eq!(
            config.severity_of("DL3059", "", Severity::Info),
            Some(Severity::Style)
        );
        assert_eq!(config.rules.trusted_registries, ["ghcr.io"]);
    }

    #[test]
    fn hadolint_env_and_merge_order() {
        let env = |name: &str| match name {
            "HADOLINT_IGNORE" => Some("DL3000, DL3001".to_string()),
            "HADOLINT_FAILURE_THRESHOLD" => Some("error".to_string()),
            "HADOLINT_NOFAIL" => Some("Yes".to_string()),
            "HADOLINT_OVERRIDE_STYLE" => Some("DL3002".to_string()),
            _ => None,
        };
        let env_layer = hadolint_env(&env);
        let file = parse_file(
            "failure-threshold: warning\nignored: [DL3003]\n",
            Path::new("h.yaml"),
        )
        .unwrap();
        let cli = Layer {
            ignore: vec!["DL3004".into()],
            ..Layer::default()
        };
        let config = Config::from_layer(env_layer.then(file).then(cli), ConfigSource::Defaults);
        assert_eq!(config.ignore, ["DL3000", "DL3001", "DL3003", "DL3004"]);
        assert_eq!(
            config.failure_threshold,
            Threshold::Severity(Severity::Warning)
        );
        assert!(config.no_fail);
        assert_eq!(
            config.severity_of("DL3002", "", Severity::Warning),
            Some(Severity::Style)
        );
    }

    #[test]
    fn thresholds_and_levels() {
        assert_eq!("none".parse::<Threshold>(), Ok(Threshold::Never));
        assert!("loud".parse::<Threshold>().is_err());
        assert!(Threshold::default().fails(Severity::Info));
        assert!(!Threshold::default().fails(Severity::Style));
        assert_eq!("OFF".parse::<Level>(), Ok(Level::Off));
    }
}
