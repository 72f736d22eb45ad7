//! The bridge to the lint engine: the editor's settings, configuration discovery (the same
//! `.ballast.toml` and `.hadolint.yaml` files as `ballast lint`), ShellCheck, and one cached
//! lint result per document version.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use ballast_analyzer::config::{Config, ConfigLoader, Layer, Level};
use ballast_analyzer::fix::FixMode;
use ballast_analyzer::lint::{add_shellcheck, lint_parsed};
use ballast_analyzer::rules::FileContext;
use ballast_analyzer::{LintResult, shellcheck};
use serde_json::Value;

use crate::documents::Snapshot;

/// Settings from `initializationOptions` and `workspace/didChangeConfiguration`, under a
/// `ballast` key or at the top level. A key that is absent keeps its default.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// When not empty, only these codes or rule names run.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Severity overrides: code or rule name, then `error`, `warning`, `info`, `style` or
    /// `off`.
    pub severity: Vec<(String, Level)>,
    /// Whether ShellCheck runs on RUN instructions when it is installed.
    pub shellcheck: bool,
    /// The ShellCheck program; `None` looks for `shellcheck` on `PATH`.
    pub shellcheck_path: Option<PathBuf>,
    /// Whether image sizes are shown beside instructions when a size report exists.
    pub size_hints: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            select: Vec::new(),
            ignore: Vec::new(),
            severity: Vec::new(),
            shellcheck: true,
            shellcheck_path: None,
            size_hints: true,
        }
    }
}

impl Settings {
    /// Reads settings from JSON. Invalid values are skipped and described in the returned
    /// messages, so one typo does not reset the other settings.
    pub fn from_json(value: &Value) -> (Settings, Vec<String>) {
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        let object = match value.get("ballast") {
            Some(inner) => inner,
            None => value,
        };
        let Some(object) = object.as_object() else {
            return (settings, problems);
        };

        let strings = |key: &str, problems: &mut Vec<String>| -> Vec<String> {
            match object.get(key) {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect(),
                Some(Value::String(text)) => text
                    .split(',')
                    .map(|code| code.trim().to_string())
                    .collect(),
                Some(other) => {
                    problems.push(format!(
                        "ballast.{key}: expected a list of rule codes, got {other}"
                    ));
                    Vec::new()
                }
            }
        };
        settings.select = strings("select", &mut problems);
        settings.ignore = strings("ignore", &mut problems);

        if let Some(Value::Object(overrides)) = object.get("severity") {
            for (code, level) in overrides {
                match level.as_str().map(str::parse::<Level>) {
                    Some(Ok(level)) => settings.severity.push((code.clone(), level)),
                    Some(Err(message)) => {
                        problems.push(format!("ballast.severity.{code}: {message}"))
                    }
                    None => problems.push(format!(
                        "ballast.severity.{code}: expected a string, got {level}"
                    )),
                }
            }
        }
        match object.get("shellcheck") {
            Some(Value::Bool(enabled)) => settings.shellcheck = *enabled,
            Some(Value::String(path)) if !path.is_empty() => {
                settings.shellcheck_path = Some(PathBuf::from(path))
            }
            None | Some(Value::Null) => {}
            Some(other) => problems.push(format!(
                "ballast.shellcheck: expected true, false or a path, got {other}"
            )),
        }
        if let Some(Value::String(path)) = object.get("shellcheckPath")
            && !path.is_empty()
        {
            settings.shellcheck_path = Some(PathBuf::from(path));
        }
        match object.get("sizeHints") {
            Some(Value::Bool(enabled)) => settings.size_hints = *enabled,
            None | Some(Value::Null) => {}
            Some(other) => problems.push(format!(
                "ballast.sizeHints: expected true or false, got {other}"
            )),
        }
        (settings, problems)
    }

    /// Returns the settings as a configuration layer, merged like command-line options.
    fn layer(&self) -> Layer {
        Layer {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            severity: self.severity.clone(),
            ..Layer::default()
        }
    }
}

/// One lint of one document version.
pub struct Outcome {
    pub result: LintResult,
    /// The configuration file that could not be read, with the reason; the lint then used
    /// the defaults.
    pub config_error: Option<String>,
    /// Whether ShellCheck findings are included.
    pub with_shellcheck: bool,
    generation: u64,
}

/// The lint engine with the editor's settings.
pub struct Analysis {
    settings: RwLock<Settings>,
    loader: Mutex<ConfigLoader>,
    /// The configuration and ignore file of each document, by path, read once per
    /// generation instead of after every edit.
    setups: Mutex<HashMap<Option<PathBuf>, Arc<Setup>>>,
    /// Counts changes of settings and configuration files; cached results of an older
    /// generation are stale.
    generation: AtomicU64,
}

/// The configuration and the ignore file that apply to one file.
struct Setup {
    config: Arc<Config>,
    /// `config` with ShellCheck turned off, for the lint that follows each edit.
    without_shellcheck: Config,
    /// The configuration file that could not be read, with the reason.
    config_error: Option<String>,
    file: FileContext,
}

impl Default for Analysis {
    fn default() -> Self {
        let settings = Settings::default();
        let loader = Mutex::new(new_loader(&settings));
        Analysis {
            settings: RwLock::new(settings),
            loader,
            setups: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }
}

impl Analysis {
    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Applies new settings and installs ShellCheck as they ask; returns problems to show.
    pub fn configure(&self, settings: Settings) -> Vec<String> {
        let mut problems = Vec::new();
        let checker = match (&settings.shellcheck, &settings.shellcheck_path) {
            (false, _) => None,
            (true, Some(path)) => match shellcheck::Checker::new(path) {
                Ok(checker) => Some(checker),
                Err(error) => {
                    problems.push(format!("ShellCheck checks are off: {error}"));
                    None
                }
            },
            (true, None) => shellcheck::Checker::discover(),
        };
        tracing::info!(shellcheck = ?checker.as_ref().map(|checker| checker.program().to_path_buf()), "settings applied");
        // ShellCheck's findings are published after the others, so its processes yield the
        // processor to the lint of the next edit.
        shellcheck::install(checker.map(shellcheck::Checker::in_background));
        *self
            .loader
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = new_loader(&settings);
        *self
            .settings
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = settings;
        self.forget_setups();
        self.generation.fetch_add(1, Ordering::SeqCst);
        problems
    }

    /// Forgets the configuration files read so far, after one of them changed.
    pub fn reload(&self) {
        let settings = self.settings();
        *self
            .loader
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = new_loader(&settings);
        self.forget_setups();
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn forget_setups(&self) {
        self.setups
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }

    /// Returns the configuration and the ignore file for the file at `path`.
    fn setup(&self, path: Option<PathBuf>) -> Arc<Setup> {
        let mut setups = self
            .setups
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(setup) = setups.get(&path) {
            return setup.clone();
        }
        let (config, config_error) = self.config_for(path.as_deref());
        let mut without_shellcheck = (*config).clone();
        without_shellcheck
            .ignore
            .push(shellcheck::RULE_NAME.to_string());
        let file = match &path {
            Some(path) => FileContext::for_path(path),
            None => FileContext::default(),
        };
        let setup = Arc::new(Setup {
            config,
            without_shellcheck,
            config_error,
            file,
        });
        setups.insert(path, setup.clone());
        setup
    }

    /// Lints a document version, with ShellCheck or without it (which is faster after an
    /// edit to a RUN). The result is cached in the snapshot. A lint with ShellCheck adds
    /// its findings to the lint without it, so the rules run once per version. When an
    /// edit interrupts ShellCheck (see [`shellcheck::interrupt`]), the result is the lint
    /// without it.
    pub fn lint(&self, snapshot: &Snapshot, with_shellcheck: bool) -> Arc<Outcome> {
        let generation = self.generation.load(Ordering::SeqCst);
        let with_shellcheck = with_shellcheck && shellcheck::installed().is_some();
        if let Some(cached) = snapshot.cached_lint(generation, with_shellcheck) {
            return cached;
        }
        let fast = with_shellcheck.then(|| self.lint(snapshot, false));

        let path = snapshot.uri.to_file_path().map(|path| path.into_owned());
        let setup = self.setup(path);
        let (config, file) = (&setup.config, &setup.file);
        let result = match &fast {
            Some(fast) => {
                let added = add_shellcheck(
                    &snapshot.text,
                    &snapshot.tree,
                    config,
                    file,
                    Some(&snapshot.scripts),
                    &fast.result,
                );
                let Some(added) = added else {
                    // An edit interrupted ShellCheck. Nothing is kept, and a later pass
                    // checks this version again if it is still the latest.
                    return fast.clone();
                };
                added
            }
            None => lint_parsed(
                &snapshot.text,
                &snapshot.tree,
                &snapshot.lines,
                &setup.without_shellcheck,
                file,
                Some(&snapshot.scripts),
            ),
        };
        let outcome = Arc::new(Outcome {
            result,
            config_error: setup.config_error.clone(),
            with_shellcheck,
            generation,
        });
        snapshot.store_lint(outcome.clone());
        outcome
    }

    /// Returns the lint result of a document version when one was computed already.
    pub fn cached(&self, snapshot: &Snapshot) -> Option<Arc<Outcome>> {
        snapshot.cached_lint(self.generation.load(Ordering::SeqCst), false)
    }

    /// Returns the text with every safe fix applied, or `None` when no safe fix applies.
    pub fn fix_all(&self, snapshot: &Snapshot) -> Option<String> {
        let path = snapshot.uri.to_file_path().map(|path| path.into_owned());
        let (config, _) = self.config_for(path.as_deref());
        let file = match &path {
            Some(path) => FileContext::for_path(path),
            None => FileContext::default(),
        };
        let fixed = ballast_analyzer::lint::fix(&snapshot.text, &config, &file, FixMode::Safe);
        (fixed.applied > 0 && fixed.text != snapshot.text).then_some(fixed.text)
    }

    fn config_for(&self, path: Option<&std::path::Path>) -> (Arc<Config>, Option<String>) {
        let mut loader = self
            .loader
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match loader.for_file(path) {
            Ok(config) => (config, None),
            Err(error) => {
                let message = error.to_string();
                tracing::warn!(path = ?path, "{message}; linting with the default configuration");
                (Arc::new(Config::default()), Some(message))
            }
        }
    }
}

fn new_loader(settings: &Settings) -> ConfigLoader {
    ConfigLoader::new(None, settings.layer(), &|name| std::env::var(name).ok())
}

impl Outcome {
    pub fn generation(&self) -> u64 {
        self.generation
    }
}
