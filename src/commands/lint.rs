//! `ballast lint`: find Dockerfiles, lint them, print the findings, apply fixes.

use std::collections::HashSet;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::bail;
use ballast_analyzer::config::{Config, ConfigLoader, ConfigSource, Layer, Level, Threshold};
use ballast_analyzer::fix::FixMode;
use ballast_analyzer::lint::{self, LintResult};
use ballast_analyzer::rules::{self, FileContext};
use ballast_analyzer::shellcheck;
use ballast_analyzer::{Diagnostic, Severity};
use clap::Args;

use crate::commands::rules::ignore_broken_pipe;
use crate::output::{self, FileReport, Format, RenderOptions};

const EXIT_STATUS: &str = "\
Exit status:
  0  no finding at or above the failure threshold (or --no-fail); with --diff, no file would change
  1  a finding at or above the failure threshold; with --diff, a file would change
  2  a usage error, or a file or configuration that could not be read (the other files are still linted)";

#[derive(Args)]
#[command(after_help = EXIT_STATUS)]
pub struct LintArgs {
    /// Dockerfiles or folders to lint. Folders are searched recursively for `Dockerfile`,
    /// `Containerfile`, `*Dockerfile` and `Dockerfile.*` (or `-*`, `_*`), skipping what
    /// `.gitignore` excludes. `-` reads standard input. Without a path, the current folder is searched.
    pub paths: Vec<PathBuf>,

    /// The file name to report for standard input; `.ballast.toml` and `.dockerignore`
    /// are looked up from it.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// The build context folder. `.dockerignore` is read from its root (after
    /// `<Dockerfile>.dockerignore` beside the Dockerfile); without this option the context
    /// is each Dockerfile's own folder.
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,

    /// The output format.
    // NOTE: hadolint's `format`/`formats` keys and `HADOLINT_FORMAT` are read into the
    // configuration but do not choose the format; only this flag does.
    #[arg(short, long, value_enum, default_value_t = Format::Tty)]
    pub format: Format,

    /// A configuration file (`.ballast.toml` or `.hadolint.yaml`) to use instead of the
    /// one found by walking up from each Dockerfile.
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Apply safe fixes in place (to standard output for `-`), then report what is left.
    #[arg(long)]
    pub fix: bool,

    /// Apply unsafe fixes too. Implies `--fix`.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them. Prints no findings.
    #[arg(long)]
    pub diff: bool,

    /// The minimum severity of a finding that makes the exit status 1: error, warning, info,
    /// style, or none [default: info].
    #[arg(short = 't', long, value_name = "LEVEL", value_parser = parse_threshold)]
    pub failure_threshold: Option<Threshold>,

    /// Exit with status 0 even when there are findings.
    #[arg(long)]
    pub no_fail: bool,

    #[command(flatten)]
    pub rules: RuleFlags,

    /// Report CODE as an error (hadolint's flag; same as `--severity CODE=error`).
    #[arg(long, value_name = "CODE")]
    pub error: Vec<String>,

    /// Report CODE as a warning.
    #[arg(long, value_name = "CODE")]
    pub warning: Vec<String>,

    /// Report CODE as info.
    #[arg(long, value_name = "CODE")]
    pub info: Vec<String>,

    /// Report CODE as style.
    #[arg(long, value_name = "CODE")]
    pub style: Vec<String>,

    /// A registry base images may come from; repeat for several. Without any, every
    /// registry is trusted.
    #[arg(long, value_name = "REGISTRY")]
    pub trusted_registry: Vec<String>,

    /// Ignore `# ballast ignore=`, `# hadolint ignore=` and `# check=skip=` comments.
    #[arg(long)]
    pub disable_ignore_pragma: bool,

    /// Never colour the output. Colour is also off when standard output is not a
    /// terminal or `NO_COLOR` is set.
    #[arg(long)]
    pub no_color: bool,

    /// The ShellCheck program to run on RUN instructions: a path, or a name looked up on
    /// `PATH`. Without this option, `shellcheck` runs when it is on `PATH`.
    #[arg(long, value_name = "PATH", conflicts_with = "no_shellcheck")]
    pub shellcheck: Option<PathBuf>,

    /// Do not run ShellCheck on RUN instructions.
    #[arg(long)]
    pub no_shellcheck: bool,

    /// Print to standard error what was not checked and why, such as ShellCheck checks
    /// skipped because `shellcheck` is not installed.
    #[arg(short = 'V', long)]
    pub verbose: bool,
}

fn parse_threshold(text: &str) -> Result<Threshold, String> {
    text.parse()
}

pub(crate) fn parse_severity_override(text: &str) -> Result<(String, Level), String> {
    let Some((code, level)) = text.split_once('=') else {
        return Err(format!(
            "invalid severity override `{text}`: expected CODE=LEVEL, such as DL3059=style"
        ));
    };
    Ok((code.trim().to_string(), level.parse()?))
}

/// One input to lint.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    File(PathBuf),
    Stdin,
}

/// Lints every target and returns the exit status.
pub fn run(args: LintArgs) -> anyhow::Result<ExitCode> {
    if args
        .paths
        .iter()
        .filter(|path| path.as_os_str() == "-")
        .count()
        > 1
    {
        bail!("`-` (standard input) may be given only once");
    }
    if args.stdin_filename.is_some() && !args.paths.iter().any(|path| path.as_os_str() == "-") {
        bail!("--stdin-filename names standard input: add `-` to the paths");
    }

    if let Some(context) = &args.context
        && !context.is_dir()
    {
        bail!(
            "--context {}: not a folder; give the build context folder, as passed to `docker build`",
            context.display()
        );
    }

    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (targets, mut had_error) = discover(&paths);
    let mut loader = ConfigLoader::new(args.config.clone(), cli_layer(&args), &|name| {
        std::env::var(name).ok()
    });
    let fix_mode = (args.fix || args.unsafe_fixes || args.diff).then_some(if args.unsafe_fixes {
        FixMode::All
    } else {
        FixMode::Safe
    });
    install_shellcheck(&args)?;

    let mut warned = HashSet::new();
    let jobs: Vec<Job> = targets
        .iter()
        .map(|target| prepare(target, &args, &mut loader, &mut warned))
        .collect();
    let context = args.context.as_deref();
    let outcomes = map_in_parallel(&jobs, |job| lint_job(job, fix_mode, context));

    let mut reports = Vec::new();
    let mut failing = false;
    let mut changed = false;
    let mut stdout = std::io::stdout().lock();
    for (job, outcome) in jobs.iter().zip(outcomes) {
        let written = outcome.and_then(|linted| {
            if let Some(fixed) = &linted.fixed {
                write_fixed(job, fixed, args.diff, &mut stdout)?;
            }
            Ok(linted)
        });
        match written {
            Ok(linted) => {
                failing |= linted.failing;
                changed |= linted.changed;
                reports.push(linted.report);
            }
            Err(message) => {
                eprintln!("ballast: {}", output::escape_line(&message));
                had_error = true;
            }
        }
    }
    print_shellcheck_notes();

    // "No problems found in 0 files" would read as a pass after the errors above it.
    let nothing_read = reports.is_empty() && had_error && args.format == Format::Tty;
    if !args.diff && !nothing_read {
        let color = !args.no_color
            && std::env::var_os("NO_COLOR").is_none()
            && std::io::stdout().is_terminal();
        // With `--fix` on standard input the fixed text goes to standard output, so the
        // findings go to standard error.
        let fixed_stdin = fix_mode.is_some() && targets.contains(&Target::Stdin);
        let written = if fixed_stdin {
            output::render(
                args.format,
                &reports,
                RenderOptions { color: false },
                &mut std::io::stderr().lock(),
            )
        } else {
            output::render(args.format, &reports, RenderOptions { color }, &mut stdout)
        };
        ignore_broken_pipe(written.and_then(|()| stdout.flush()))?;
    }

    let status = if had_error {
        2
    } else if args.diff {
        u8::from(changed)
    } else {
        u8::from(failing)
    };
    Ok(ExitCode::from(status))
}

/// One target with what linting it needs, read on the main thread because standard
/// input and the configuration cache are not shared between threads.
struct Job {
    target: Target,
    /// The name findings are reported under.
    name: String,
    /// The path `.ballast.toml` and `.dockerignore` are looked up from.
    path: Option<PathBuf>,
    /// The source of standard input; files are read by the thread that lints them.
    stdin: Option<Result<String, String>>,
    config: Result<Arc<Config>, String>,
}

/// The result of linting one target.
struct Linted {
    report: FileReport,
    /// A finding reaches the failure threshold of the file's configuration.
    failing: bool,
    /// A fix changed the text.
    changed: bool,
    /// With `--fix` or `--diff`: the original and the fixed text, written after linting so
    /// the output keeps the order of the targets.
    fixed: Option<(String, String)>,
}

fn prepare(
    target: &Target,
    args: &LintArgs,
    loader: &mut ConfigLoader,
    warned: &mut HashSet<ConfigSource>,
) -> Job {
    let (name, path, stdin) = match target {
        Target::Stdin => {
            let source =
                read_stdin().map_err(|error| format!("-: cannot read standard input: {error}"));
            let name = args
                .stdin_filename
                .as_ref()
                .map_or("-".to_string(), |path| display(path));
            (name, args.stdin_filename.clone(), Some(source))
        }
        Target::File(path) => (display(path), Some(path.clone()), None),
    };
    let config = loader.for_file(path.as_deref()).map_err(|error| {
        format!("{error}; fix the file or pass another with --config (while linting {name})")
    });
    if let Ok(config) = &config {
        warn_unknown_codes(config, warned);
    }
    Job {
        target: target.clone(),
        name,
        path,
        stdin,
        config,
    }
}

/// Lints one target. `context` is the build context folder from `--context`, if given.
fn lint_job(
    job: &Job,
    fix_mode: Option<FixMode>,
    context: Option<&Path>,
) -> Result<Linted, String> {
    let source = match (&job.target, &job.stdin) {
        (_, Some(stdin)) => stdin.clone()?,
        (Target::File(path), None) => read_file(path)
            .map_err(|error| format!("{}: cannot read the file: {error}", job.name))?,
        (Target::Stdin, None) => return Err("-: standard input was not read".to_string()),
    };
    let config = job.config.clone()?;
    let file = match (job.path.as_deref(), context) {
        (Some(path), Some(context)) => FileContext::with_context(path, context),
        (Some(path), None) => FileContext::for_path(path),
        // Standard input without a file name: only the context's own ignore file applies.
        (None, Some(context)) => FileContext {
            path: None,
            dockerignore: std::fs::read_to_string(context.join(".dockerignore")).ok(),
        },
        (None, None) => FileContext::default(),
    };

    // After fixing, the findings refer to the fixed text.
    let (result, text, fixed) = match fix_mode {
        None => (lint::lint(&source, &config, &file), source, None),
        Some(mode) => {
            let outcome = lint::fix(&source, &config, &file, mode);
            let text = outcome.text.clone();
            (outcome.result, text, Some((source, outcome.text)))
        }
    };
    let LintResult { diagnostics, .. } = result;
    let failing = !config.no_fail
        && diagnostics
            .iter()
            .any(|d: &Diagnostic| config.failure_threshold.fails(d.severity));
    let changed = fixed
        .as_ref()
        .is_some_and(|(source, fixed)| source != fixed);
    Ok(Linted {
        report: FileReport::new(job.name.clone(), text, diagnostics),
        failing,
        changed,
        fixed,
    })
}

/// Warns once per configuration source about codes that name no rule, because such an
/// entry ignores or changes nothing.
fn warn_unknown_codes(config: &Config, warned: &mut HashSet<ConfigSource>) {
    if !warned.insert(config.source.clone()) {
        return;
    }
    let source = match &config.source {
        ConfigSource::Ballast(path) | ConfigSource::Hadolint(path) => display(path),
        ConfigSource::Defaults => "the command line or HADOLINT_* variables".to_string(),
    };
    for code in config.named_codes() {
        let is_rule_name = rules::find(code).is_some_and(|rule| rule.meta().name == code)
            || code == ballast_analyzer::shellcheck::RULE_NAME;
        if !rules::is_known_code(code) && !is_rule_name {
            eprintln!(
                "ballast: warning: {}: `{}` is not a known rule code or name, so it has no effect",
                output::escape_line(&source),
                output::escape_line(code)
            );
        }
    }
}

/// Writes the fixed text: as a diff with `--diff`, to standard output for standard
/// input, or back to the file.
fn write_fixed(
    job: &Job,
    (source, fixed): &(String, String),
    diff: bool,
    stdout: &mut dyn Write,
) -> Result<(), String> {
    let name = &job.name;
    let write_error =
        |error: std::io::Error| format!("{name}: cannot write the fixed text: {error}");
    if diff {
        if fixed != source {
            let text = similar::TextDiff::from_lines(source, fixed)
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string();
            ignore_broken_pipe(stdout.write_all(text.as_bytes())).map_err(write_error)?;
        }
        return Ok(());
    }
    match &job.target {
        Target::Stdin => {
            ignore_broken_pipe(stdout.write_all(fixed.as_bytes())).map_err(write_error)
        }
        Target::File(path) if fixed != source => std::fs::write(path, fixed).map_err(write_error),
        Target::File(_) => Ok(()),
    }
}

/// Runs `work` on every item, on as many threads as there are cores, and returns the
/// results in the order of the items.
fn map_in_parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(work).collect();
    }

    let next = AtomicUsize::new(0);
    let worker = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                return done;
            };
            done.push((index, work(item)));
        }
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                // The main thread's stack size, so deep inputs behave as without threads.
                std::thread::Builder::new()
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, worker)
            })
            .collect();
        let mut results = Vec::with_capacity(items.len());
        for spawned in workers {
            match spawned {
                Ok(handle) => results.extend(
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                ),
                // Without another thread, this one does the work the others left.
                Err(_) => results.extend(worker()),
            }
        }
        results
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// Installs the ShellCheck program that linting runs on RUN instructions, if any.
fn install_shellcheck(args: &LintArgs) -> anyhow::Result<()> {
    let checker = if args.no_shellcheck {
        None
    } else if let Some(program) = &args.shellcheck {
        Some(shellcheck::Checker::new(program)?)
    } else {
        let found = shellcheck::Checker::discover();
        if found.is_none() && args.verbose {
            eprintln!(
                "ballast: `shellcheck` is not on PATH, so the ShellCheck (SC) checks were skipped; \
                 install it or pass its path with --shellcheck"
            );
        }
        found
    };
    shellcheck::install(checker);
    Ok(())
}

/// Prints, once for the whole run, which scripts ShellCheck could not check.
fn print_shellcheck_notes() {
    let notes = shellcheck::take_notes();
    for error in &notes.errors {
        eprintln!("ballast: {}", output::escape_line(error));
    }
    if !notes.skipped_shells.is_empty() {
        let shells: Vec<&str> = notes.skipped_shells.iter().map(String::as_str).collect();
        eprintln!(
            "ballast: ShellCheck skipped the RUN instructions run by {}: it reads only sh, bash, \
             dash and ksh",
            output::escape_controls(&shells.join(", "))
        );
    }
}

/// The flags that choose rules and their severities, shared by `lint` and `build`.
#[derive(Args)]
pub struct RuleFlags {
    /// Run only these codes or rule names; repeat the flag or separate them with commas.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Codes or rule names to ignore; repeat the flag or separate them with commas.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Change a code's severity: `DL3059=style`, or `DL3059=off` to turn it off.
    #[arg(long, value_name = "CODE=LEVEL", value_parser = parse_severity_override)]
    pub severity: Vec<(String, Level)>,
}

/// Returns the codes of `--select` or `--ignore` without surrounding spaces or empty entries.
pub(crate) fn rule_codes(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|code| code.trim().to_string())
        .filter(|code| !code.is_empty())
        .collect()
}

fn cli_layer(args: &LintArgs) -> Layer {
    let mut severity = args.rules.severity.clone();
    let hadolint_flags = [
        (&args.style, Severity::Style),
        (&args.info, Severity::Info),
        (&args.warning, Severity::Warning),
        (&args.error, Severity::Error),
    ];
    for (codes, level) in hadolint_flags {
        severity.extend(
            codes
                .iter()
                .map(|code| (code.clone(), Level::Severity(level))),
        );
    }
    Layer {
        select: rule_codes(&args.rules.select),
        ignore: rule_codes(&args.rules.ignore),
        severity,
        failure_threshold: args.failure_threshold,
        trusted_registries: args.trusted_registry.clone(),
        disable_ignore_pragma: args.disable_ignore_pragma.then_some(true),
        no_fail: args.no_fail.then_some(true),
        no_color: args.no_color.then_some(true),
        ..Layer::default()
    }
}

/// Expands the paths into targets. Returns whether a path could not be used; its error
/// has been printed.
fn discover(paths: &[PathBuf]) -> (Vec<Target>, bool) {
    let mut targets = Vec::new();
    let mut had_error = false;
    for path in paths {
        if path.as_os_str() == "-" {
            targets.push(Target::Stdin);
        } else if path.is_dir() {
            match find_dockerfiles(path, &mut had_error) {
                Ok(found) if found.is_empty() => eprintln!(
                    "ballast: warning: {}: no Dockerfiles found; ballast looks for files named Dockerfile or Containerfile, with a prefix (`api.Dockerfile`) or a suffix (`Dockerfile.dev`)",
                    output::escape_line(&display(path))
                ),
                Ok(found) => targets.extend(found.into_iter().map(Target::File)),
                Err(error) => {
                    let message = format!("{}: cannot search the folder: {error}", display(path));
                    eprintln!("ballast: {}", output::escape_line(&message));
                    had_error = true;
                }
            }
        } else if path.exists() {
            targets.push(Target::File(path.clone()));
        } else {
            eprintln!(
                "ballast: {}: no such file or folder; check the path",
                output::escape_line(&display(path))
            );
            had_error = true;
        }
    }
    (targets, had_error)
}

/// Finds the Dockerfiles under `folder`, sorted, honouring `.gitignore`, `.ignore` and
/// git's exclude files even outside a git repository. Hidden folders such as
/// `.devcontainer` are searched; `.git` is not. An entry that cannot be read is reported
/// and sets `had_error`, and the search goes on.
fn find_dockerfiles(folder: &Path, had_error: &mut bool) -> Result<Vec<PathBuf>, ignore::Error> {
    let mut found = Vec::new();
    let walker = ignore::WalkBuilder::new(folder)
        .hidden(false)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let message = format!("{error}; the Dockerfiles there were not linted");
                eprintln!("ballast: {}", output::escape_line(&message));
                *had_error = true;
                continue;
            }
        };
        let is_file = entry
            .file_type()
            .is_some_and(|kind| kind.is_file() || kind.is_symlink());
        if is_file && is_dockerfile_name(&entry.file_name().to_string_lossy()) {
            found.push(entry.into_path());
        }
    }
    found.sort();
    if found.is_empty() && !folder.exists() {
        return Err(ignore::Error::Io(std::io::Error::from(
            std::io::ErrorKind::NotFound,
        )));
    }
    Ok(found)
}

/// Returns whether a file name is one `ballast lint` looks for in folders: `Dockerfile`
/// or `Containerfile`, alone, after any prefix (`api.Dockerfile`, `web__Dockerfile`), or
/// before a suffix that starts with `.`, `-` or `_` (`Dockerfile.dev`, `Dockerfile-ci`).
/// Ignore files (`Dockerfile.dockerignore`) are not Dockerfiles.
pub fn is_dockerfile_name(name: &str) -> bool {
    if name.ends_with(".dockerignore") {
        return false;
    }
    ["Dockerfile", "Containerfile"].iter().any(|base| {
        name.ends_with(base)
            || name
                .strip_prefix(base)
                .is_some_and(|rest| rest.len() > 1 && rest.starts_with(['.', '-', '_']))
    })
}

/// Returns the path as the user typed it, without a leading `./`.
fn display(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

/// Reads a file. Invalid UTF-8 is replaced rather than rejected, so a stray byte in a
/// comment does not hide the rest of the file.
fn read_file(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    Ok(into_text(bytes))
}

fn read_stdin() -> std::io::Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes)?;
    Ok(into_text(bytes))
}

fn into_text(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        let found = [
            "Dockerfile",
            "Containerfile",
            "api.Dockerfile",
            "Dockerfile.dev",
            "Dockerfile-ci",
            "x.Containerfile",
            "3.12__alpine__Dockerfile",
        ];
        for name in found {
            assert!(is_dockerfile_name(name), "{name}");
        }
        let skipped = [
            "dockerfile",
            "Dockerfile.dockerignore",
            "a.Dockerfile.dockerignore",
            "Dockerfile.",
            "Dockerfiles",
        ];
        for name in skipped {
            assert!(!is_dockerfile_name(name), "{name}");
        }
    }
}
