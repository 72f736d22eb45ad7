//! `ballast build [OPTIONS] [CONTEXT] [-- BUILDER ARGS…]`: build the image with the user's
//! builder, lint the Dockerfile, analyze what was built, and tie every layer to its line.
//!
//! Exit codes: the builder's exit status when the build failed; otherwise 0, or 1 when the
//! `--ci` gate fails or a finding reaches the failure threshold, and 2 on errors.

mod gate;
mod render;

use std::ffi::OsString;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use ballast_analyzer::Diagnostic;
use ballast_analyzer::attribution::evidence::{ImageEvidence, wanted_paths};
use ballast_analyzer::attribution::{self, probe};
use ballast_analyzer::build::{
    self, BuildInfo, BuildOutcome, BuildReport, BuildRequest, BuilderKind, REPORT_SCHEMA_VERSION,
    ReportFinding, ReportLabel,
};
use ballast_analyzer::config::{ConfigLoader, Layer};
use ballast_analyzer::image::{self, AnalyzeOptions, NoProgress};
use ballast_analyzer::lint;
use ballast_analyzer::model::Model;
use ballast_analyzer::rules::FileContext;
use clap::{Args, ValueEnum};

use crate::commands::analyze::gate as analyze_gate;
use crate::commands::lint::{RuleFlags, rule_codes};
use crate::commands::rules::ignore_broken_pipe;
use crate::output::{self, FileReport, Format, RenderOptions};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuildFormat {
    /// Each instruction with its layer size and wasted bytes, then the findings and totals.
    Tty,
    /// The build report as JSON (schema in docs/build-report.md).
    Json,
    /// A Markdown summary for a pull-request comment.
    Markdown,
    /// The findings as SARIF 2.1.0.
    Sarif,
    /// The findings as Checkstyle XML.
    Checkstyle,
    /// The findings as GitLab Code Quality JSON.
    Gitlab,
    /// The findings as Code Climate engine issues.
    Codeclimate,
    /// The findings as `FILE:LINE:COLUMN: CODE SEVERITY: MESSAGE` lines.
    Gnu,
    /// The findings as GitHub Actions workflow commands.
    Github,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuilderChoice {
    Docker,
    Buildx,
    Podman,
    Buildah,
}

#[derive(Args)]
pub struct BuildArgs {
    /// The build context folder.
    #[arg(default_value = ".")]
    pub context: PathBuf,

    /// The Dockerfile [default: CONTEXT/Dockerfile].
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Name and tag the image (NAME[:TAG]); repeat for several.
    #[arg(short = 't', long = "tag", value_name = "NAME")]
    pub tags: Vec<String>,

    /// The stage to build [default: the last one].
    #[arg(long, value_name = "STAGE")]
    pub target: Option<String>,

    /// A build argument, NAME=VALUE; repeat for several.
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,

    /// The platform to build for, as OS/ARCH[/VARIANT].
    #[arg(long)]
    pub platform: Option<String>,

    /// The network mode of RUN instructions (`none` keeps the build offline).
    #[arg(long)]
    pub network: Option<String>,

    /// Do not use the builder's cache.
    #[arg(long)]
    pub no_cache: bool,

    /// The builder [default: the first that works of docker, buildx, podman, buildah].
    #[arg(long, value_enum)]
    pub builder: Option<BuilderChoice>,

    /// Output format. The formats of `ballast lint` (sarif, checkstyle, gitlab, codeclimate,
    /// gnu, github) write the findings to standard output and the size report to standard
    /// error.
    #[arg(long, value_enum, default_value_t = BuildFormat::Tty)]
    pub format: BuildFormat,

    /// Also write the JSON report to FILE. The report is always written to the cache folder
    /// (see docs/build-report.md).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Evaluate the gate and exit with 1 when it fails. Without threshold options and without
    /// a .dive-ci file, the gate is --min-efficiency 0.9 --max-wasted-percent 10.
    #[arg(long)]
    pub ci: bool,

    /// Fail the gate when the total size of the image's uncompressed layer tars, tar headers
    /// included, exceeds SIZE (bytes, or with a unit: 20MB = 20,000,000 bytes, 20MiB =
    /// 20,971,520 bytes).
    #[arg(long, value_name = "SIZE", value_parser = analyze_gate::parse_size)]
    pub max_image_size: Option<u64>,

    /// Fail the gate when the bytes wasted above the base image exceed SIZE.
    #[arg(long, value_name = "SIZE", value_parser = analyze_gate::parse_size)]
    pub max_wasted_bytes: Option<u64>,

    /// Fail the gate when the bytes wasted above the base exceed PERCENT of the bytes stored
    /// above the base (0 to 100).
    #[arg(long, value_name = "PERCENT")]
    pub max_wasted_percent: Option<f64>,

    /// Fail the gate when the image's efficiency (final bytes / stored bytes) is below RATIO.
    #[arg(long, value_name = "RATIO")]
    pub min_efficiency: Option<f64>,

    /// A dive CI file (YAML with `rules:` lowestEfficiency, highestWastedBytes,
    /// highestUserWastedPercent), judged on the dive-compatible figures [default: ./.dive-ci
    /// when it exists and the gate is on].
    #[arg(long, value_name = "PATH")]
    pub ci_config: Option<PathBuf>,

    /// Print every line of the builder's output instead of the one-line progress display.
    #[arg(long)]
    pub no_progress: bool,

    /// A lint configuration file (`.ballast.toml` or `.hadolint.yaml`) to use instead of the
    /// one found by walking up from the Dockerfile.
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub rules: RuleFlags,

    /// Arguments passed to the builder unchanged.
    #[arg(last = true, value_name = "BUILDER ARGS")]
    pub builder_args: Vec<OsString>,
}

/// How many of the builder's last lines a failed build prints.
const FAILURE_LINES: usize = 20;

pub fn run(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let dockerfile = args
        .file
        .clone()
        .unwrap_or_else(|| args.context.join("Dockerfile"));
    let source = std::fs::read(&dockerfile)
        .with_context(|| format!("{}: cannot read the Dockerfile", dockerfile.display()))?;
    let source = String::from_utf8_lossy(&source).into_owned();
    let gate = gate::from_args(&args)?;

    let builder = match args.builder {
        Some(choice) => to_kind(choice),
        None => BuilderKind::first_available().context(
            "no builder works here: docker (with a running engine), docker buildx, podman and buildah were tried; start an engine or install one",
        )?,
    };
    let request = BuildRequest {
        builder,
        context: args.context.clone(),
        dockerfile: args.file.clone(),
        tags: args.tags.clone(),
        target: args.target.clone(),
        build_args: args.build_args.clone(),
        platform: args.platform.clone(),
        network: args.network.clone(),
        no_cache: args.no_cache,
        extra_args: args.builder_args.clone(),
    };

    // The configuration is read before the build, so that a mistake in it does not wait for
    // the build to be reported.
    let cli_layer = Layer {
        select: rule_codes(&args.rules.select),
        ignore: rule_codes(&args.rules.ignore),
        severity: args.rules.severity.clone(),
        ..Layer::default()
    };
    let mut loader = ConfigLoader::new(args.config.clone(), cli_layer, &|name| {
        std::env::var(name).ok()
    });
    let config = loader
        .for_file(Some(&dockerfile))
        .map_err(|error| anyhow::anyhow!("{error}"))?;

    let compact_progress = !args.no_progress && std::io::stderr().is_terminal();
    let outcome = run_builder(&request, compact_progress)?;
    let file = FileContext::with_context(&dockerfile, &args.context);
    let tree = ballast_parser::parse(&source);
    // The ARG values the builder used, so the stages and lines below are the ones it built.
    let build_args = request.build_arg_values(&|name| std::env::var(name).ok());
    let model = Model::with_build_args(&source, &tree, None, build_args.clone());
    let stage = match &args.target {
        Some(target) => Some(
            model
                .stage_ref(target)
                .with_context(|| format!("{}: no stage named `{target}`", dockerfile.display()))?,
        ),
        None => model.stages.len().checked_sub(1),
    };

    let mut warnings = Vec::new();
    let mut report = BuildReport {
        schema_version: REPORT_SCHEMA_VERSION,
        dockerfile: dockerfile
            .canonicalize()
            .unwrap_or_else(|_| dockerfile.clone()),
        context: args
            .context
            .canonicalize()
            .unwrap_or_else(|_| args.context.clone()),
        build: BuildInfo {
            builder,
            command: std::iter::once(builder.program().to_owned())
                .chain(
                    request
                        .arguments(Path::new("IIDFILE"))
                        .iter()
                        .map(|word| word.to_string_lossy().into_owned()),
                )
                .collect(),
            exit_code: outcome.exit_code,
            succeeded: outcome.succeeded(),
            image_id: outcome.image_id.clone(),
            log: outcome.log.clone(),
        },
        stage,
        attribution: None,
        instructions: Vec::new(),
        findings: Vec::new(),
        image: None,
        warnings: Vec::new(),
    };

    let needed = match (&args.target, stage) {
        (Some(_), Some(stage)) => Some(model.stages_needed_by(stage)),
        _ => None,
    };
    let in_scope = |diagnostic: &Diagnostic| -> bool {
        in_lint_scope(&model, needed.as_deref(), diagnostic)
    };

    let mut image_report = None;
    let diagnostics = match (&outcome.image_id, stage) {
        (Some(image_id), Some(stage)) if outcome.succeeded() => {
            match analyze_built(&request, image_id, &model, stage, &mut warnings) {
                Ok(evidence) => {
                    let mut result = lint::lint_with_evidence(
                        &source,
                        &config,
                        &file,
                        &evidence,
                        build_args.clone(),
                    );
                    result.diagnostics.retain(in_scope);
                    report.instructions = attribution::instruction_costs(
                        &model,
                        &evidence.attribution,
                        &evidence.analysis.report,
                    );
                    report.attribution = Some(evidence.attribution.clone());
                    report.image = Some(serde_json::to_value(&evidence.analysis.report)?);
                    image_report = Some(evidence.analysis.report.clone());
                    report.findings = findings(&source, &result.diagnostics, Some(&evidence));
                    result.diagnostics
                }
                Err(error) => {
                    warnings.push(format!("{error:#}"));
                    let mut result =
                        lint::lint_with_build_args(&source, &config, &file, build_args.clone());
                    result.diagnostics.retain(in_scope);
                    report.findings = findings(&source, &result.diagnostics, None);
                    result.diagnostics
                }
            }
        }
        _ => {
            let mut result =
                lint::lint_with_build_args(&source, &config, &file, build_args.clone());
            result.diagnostics.retain(in_scope);
            report.findings = findings(&source, &result.diagnostics, None);
            result.diagnostics
        }
    };
    report.warnings = warnings;

    write_reports(&report, &dockerfile, args.report.as_deref())?;

    if !outcome.succeeded() {
        eprintln!(
            "ballast: the build failed ({}){}",
            match outcome.exit_code {
                Some(code) => format!("exit status {code}"),
                None => "ended by a signal".to_owned(),
            },
            if compact_progress { "; its last lines:" } else { "" }
        );
        // Without the compact display every line has already been printed.
        if compact_progress {
            for line in outcome.last_lines(FAILURE_LINES) {
                eprintln!("  {}", output::escape_controls(line));
            }
        }
    }
    // Warnings quote the image id, file names and the errors of the engine.
    for warning in &report.warnings {
        eprintln!("ballast: {}", output::escape_line(warning));
    }

    let verdict = match (&gate, image_report.as_ref()) {
        (Some(gate), Some(image)) => Some(gate.evaluate(image)),
        _ => None,
    };
    let name = display(&dockerfile);
    // A reader that stops early (`| head`) is not an error: the exit code still reports the
    // build, the findings and the gate.
    let written = (|| -> std::io::Result<()> {
        let mut stdout = BufWriter::new(std::io::stdout().lock());
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        match args.format {
            BuildFormat::Tty => {
                render::write_tty(&mut stdout, &report, image_report.as_ref(), color)?;
                let file_report = FileReport::new(name, source.clone(), diagnostics.clone());
                output::render(
                    Format::Tty,
                    &[file_report],
                    RenderOptions { color },
                    &mut stdout,
                )?;
                render::write_totals(&mut stdout, &report, image_report.as_ref())?;
                if let Some(verdict) = &verdict {
                    analyze_gate::write_verdict(&mut stdout, verdict, color)?;
                }
            }
            BuildFormat::Json => {
                let mut value = serde_json::to_value(&report)?;
                if let (Some(verdict), Some(object)) = (&verdict, value.as_object_mut()) {
                    object.insert("gate".to_owned(), serde_json::to_value(verdict)?);
                }
                serde_json::to_writer_pretty(&mut stdout, &value)?;
                writeln!(stdout)?;
            }
            BuildFormat::Markdown => render::write_markdown(
                &mut stdout,
                &report,
                image_report.as_ref(),
                verdict.as_ref(),
            )?,
            other => {
                let file_report = FileReport::new(name, source.clone(), diagnostics.clone());
                output::render(
                    lint_format(other),
                    &[file_report],
                    RenderOptions { color: false },
                    &mut stdout,
                )?;
                // The lint formats hold findings only, so the size report goes beside them on
                // standard error, where it does not mix with the machine-readable output.
                let mut stderr = std::io::stderr().lock();
                let color =
                    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                render::write_tty(&mut stderr, &report, image_report.as_ref(), color)?;
                render::write_totals(&mut stderr, &report, image_report.as_ref())?;
                if let Some(verdict) = &verdict {
                    analyze_gate::write_verdict(&mut stderr, verdict, color)?;
                }
            }
        }
        stdout.flush()
    })();
    ignore_broken_pipe(written)?;

    if !outcome.succeeded() {
        let code = outcome.exit_code.unwrap_or(1).clamp(1, 255);
        return Ok(ExitCode::from(code as u8));
    }
    let failing_findings = !config.no_fail
        && diagnostics
            .iter()
            .any(|diagnostic| config.failure_threshold.fails(diagnostic.severity));
    let gate_failed = verdict.as_ref().is_some_and(|verdict| !verdict.passed);
    if gate_failed || (args.ci && failing_findings) {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Returns whether a finding belongs to the stages a `--target` build needs (`needed`, from
/// [`Model::stages_needed_by`]). Without a target every finding does. Findings before the
/// first `FROM` apply to every stage. Syntax errors stay wherever they are, because the
/// builder parses the whole file and rejects it for an error in any stage.
fn in_lint_scope(model: &Model<'_>, needed: Option<&[bool]>, diagnostic: &Diagnostic) -> bool {
    let Some(needed) = needed else {
        return true;
    };
    if diagnostic.code == SYNTAX_ERROR_CODE {
        return true;
    }
    model
        .stage_at(diagnostic.span.start)
        .is_none_or(|stage| needed[stage])
}

/// The code of the rule that reports lines the builder rejects.
const SYNTAX_ERROR_CODE: &str = "DL1000";

fn to_kind(choice: BuilderChoice) -> BuilderKind {
    match choice {
        BuilderChoice::Docker => BuilderKind::Docker,
        BuilderChoice::Buildx => BuilderKind::Buildx,
        BuilderChoice::Podman => BuilderKind::Podman,
        BuilderChoice::Buildah => BuilderKind::Buildah,
    }
}

fn lint_format(format: BuildFormat) -> Format {
    match format {
        BuildFormat::Sarif => Format::Sarif,
        BuildFormat::Checkstyle => Format::Checkstyle,
        BuildFormat::Gitlab => Format::Gitlab,
        BuildFormat::Codeclimate => Format::Codeclimate,
        BuildFormat::Gnu => Format::Gnu,
        BuildFormat::Github => Format::Github,
        BuildFormat::Tty | BuildFormat::Json | BuildFormat::Markdown => Format::Json,
    }
}

/// Runs the builder. On a terminal each line replaces the previous one (the full log is kept
/// for the report); otherwise every line goes to standard error as it arrives.
fn run_builder(request: &BuildRequest, compact: bool) -> anyhow::Result<BuildOutcome> {
    let mut stderr = std::io::stderr();
    let width = terminal_width();
    let mut on_line = |line: &str| {
        if compact {
            // The line must not move the cursor, or the next one would not replace it.
            let shown: String = output::escape_controls(line)
                .chars()
                .take(width.saturating_sub(1))
                .collect();
            let _ = write!(stderr, "\r\x1b[2K{shown}");
        } else {
            let _ = writeln!(stderr, "{line}");
        }
        let _ = stderr.flush();
    };
    let outcome = build::run(request, &mut on_line)?;
    if compact {
        let _ = write!(stderr, "\r\x1b[2K");
    }
    Ok(outcome)
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(100)
}

/// Reads the built image, aligns its history and reads the files the image rules need.
fn analyze_built(
    request: &BuildRequest,
    image_id: &str,
    model: &Model<'_>,
    stage: usize,
    warnings: &mut Vec<String>,
) -> anyhow::Result<ImageEvidence> {
    // `ImageEvidence::visible_content` finds the files that `probe::probe_stream` reads below
    // by the tree's hashes, so every file needs one.
    let options = AnalyzeOptions {
        hash_all_files: true,
        ..AnalyzeOptions::default()
    };
    let mut analysis = read_image(request, image_id, |stream, name| {
        image::analyze_stream(stream, name, &options, &NoProgress)
    })
    .with_context(|| format!("cannot analyze the built image {image_id}"))?;
    let attribution = attribution::attribute(
        model,
        stage,
        &analysis.report.history,
        analysis.report.layers.len(),
    );
    match &attribution.status {
        attribution::AttributionStatus::Unavailable { reason } => {
            warnings.push(format!("layers are not tied to lines: {reason}"));
        }
        _ => {
            analysis
                .report
                .set_base_layers(&analysis.tree, attribution.base_layers, "attribution")
        }
    }
    let wanted = wanted_paths(&analysis, model, stage);
    let files = if wanted.is_empty() {
        Vec::new()
    } else {
        match read_image(request, image_id, |stream, name| {
            probe::probe_stream(stream, name, &wanted)
        }) {
            Ok(files) => files,
            Err(error) => {
                warnings.push(format!(
                    "cannot read file contents from the image, so the entrypoint and credential checks are incomplete: {error:#}"
                ));
                Vec::new()
            }
        }
    };
    Ok(ImageEvidence::new(
        analysis,
        attribution,
        files,
        Some(request.context.clone()),
    ))
}

/// Streams the built image into `read`: from the engine for docker and buildx, from the
/// builder's export command (`podman save`, `buildah push`) on a pipe for the others, so
/// ballast keeps no copy of the image on disk.
fn read_image<T>(
    request: &BuildRequest,
    image_id: &str,
    read: impl FnOnce(&mut dyn Read, &str) -> Result<T, image::ImageError>,
) -> anyhow::Result<T> {
    let Some(export) = build::ImageExport::start(request, image_id) else {
        let engine = image::engine::Engine::from_env()?;
        let mut stream = engine.export(image_id)?;
        let name = image::ImageSource::Engine {
            reference: image_id.to_owned(),
        }
        .describe();
        return Ok(read(&mut stream, &name)?);
    };
    let mut export = export?;
    let name = format!("{image_id} (exported by {})", request.builder.program());
    let result = read(&mut export, &name);
    if let Err(message) = export.finish() {
        match result {
            Ok(_) => bail!("{message}"),
            Err(error) => bail!("{message}; reading its output failed too: {error}"),
        }
    }
    Ok(result?)
}

/// Converts diagnostics into report findings, with the bytes the image rules measured.
fn findings(
    source: &str,
    diagnostics: &[Diagnostic],
    evidence: Option<&ImageEvidence>,
) -> Vec<ReportFinding> {
    let file = FileReport::new(String::new(), source.to_owned(), Vec::new());
    diagnostics
        .iter()
        .map(|diagnostic| {
            let (start, end) = file.range(diagnostic.span);
            ReportFinding {
                code: diagnostic.code.to_string(),
                name: diagnostic.name.to_string(),
                severity: diagnostic.severity,
                message: diagnostic.message.clone(),
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                bytes: evidence.and_then(|evidence| evidence.bytes_of(diagnostic)),
                labels: diagnostic
                    .labels
                    .iter()
                    .map(|label| ReportLabel {
                        line: file.position(label.span.start).line,
                        message: label.message.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Writes the report to the cache folder, and to `extra` when given.
fn write_reports(
    report: &BuildReport,
    dockerfile: &Path,
    extra: Option<&Path>,
) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(report)?;
    let cached = build::report_path(dockerfile);
    let written = cached
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&cached, &text));
    if let Err(error) = written {
        let message = format!(
            "{}: cannot write the build report: {error}; the language server will not show sizes",
            cached.display()
        );
        eprintln!("ballast: {}", output::escape_line(&message));
    }
    if let Some(path) = extra {
        std::fs::write(path, &text)
            .with_context(|| format!("{}: cannot write the build report", path.display()))?;
    }
    Ok(())
}

fn display(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_string()
}
