//! `ballast analyze SOURCE`: read a built image and account for every byte, as a table or as
//! JSON, optionally as a CI gate.
//!
//! Exit codes: 0 when the analysis succeeded (and the gate passed, when one is on), 1 when the
//! gate failed, 2 on errors, including an image with unreadable layers and, with
//! `--verify-digests`, a layer whose digest does not match.

pub(crate) mod gate;
mod progress;
mod table;

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use ballast_analyzer::image::{self, AnalyzeOptions, ImageSource, PlatformSpec};
use clap::{Args, ValueEnum};

use crate::commands::rules::ignore_broken_pipe;
use crate::output::escape_line;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A per-layer table, the largest wasted files and the largest files.
    Tty,
    /// The report as JSON (schema in docs/image-report.md).
    Json,
}

#[derive(Args)]
pub struct AnalyzeArgs {
    /// The image: a reference or id for the engine behind DOCKER_HOST, a `docker save` tar
    /// (`PATH` or `PATH:REF`), `docker-archive:PATH[:REF]`, `oci:PATH[:REF]`,
    /// `oci-archive:PATH[:REF]`, or `-` for a tar on standard input.
    pub source: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Tty)]
    pub format: OutputFormat,

    /// Platform to pick from a multi-platform image, as OS/ARCH[/VARIANT] [default: the host's].
    #[arg(long)]
    pub platform: Option<String>,

    /// Number of bottom layers that belong to the base image [default: 1, dive's convention].
    #[arg(long, value_name = "N")]
    pub base_layers: Option<usize>,

    /// Number of entries in each top list (wasted files, largest files, duplicates).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// Evaluate the gate and exit with 1 when it fails. Without threshold options and without
    /// a .dive-ci file, the gate is --min-efficiency 0.9 --max-wasted-percent 10. A threshold
    /// option or --ci-config turns the gate on without --ci.
    #[arg(long)]
    pub ci: bool,

    /// Fail the gate when the total size of the image's uncompressed layer tars, tar headers
    /// included, exceeds SIZE (bytes, or with a unit: 20MB = 20,000,000 bytes, 20MiB =
    /// 20,971,520 bytes).
    #[arg(long, value_name = "SIZE", value_parser = gate::parse_size)]
    pub max_image_size: Option<u64>,

    /// Fail the gate when the bytes wasted above the base exceed SIZE (bytes, or with a unit:
    /// 20MB = 20,000,000 bytes, 20MiB = 20,971,520 bytes).
    #[arg(long, value_name = "SIZE", value_parser = gate::parse_size)]
    pub max_wasted_bytes: Option<u64>,

    /// Fail the gate when the bytes wasted above the base exceed PERCENT of the bytes stored
    /// above the base (0 to 100).
    #[arg(long, value_name = "PERCENT")]
    pub max_wasted_percent: Option<f64>,

    /// Fail the gate when the image's efficiency (final bytes / stored bytes) is below RATIO
    /// (0 to 1).
    #[arg(long, value_name = "RATIO")]
    pub min_efficiency: Option<f64>,

    /// A dive CI file (YAML with `rules:` lowestEfficiency, highestWastedBytes,
    /// highestUserWastedPercent), judged on the dive-compatible figures [default: ./.dive-ci
    /// when it exists].
    #[arg(long, value_name = "PATH")]
    pub ci_config: Option<PathBuf>,

    /// Do not show a progress bar, even on a terminal.
    #[arg(long)]
    pub no_progress: bool,

    /// Compute each layer's sha256 and compare it with the config's rootfs.diff_ids, and each
    /// blob's with the digest that names it. A mismatch is reported and gives exit status 2.
    #[arg(long)]
    pub verify_digests: bool,
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let platform = args
        .platform
        .as_deref()
        .map(PlatformSpec::parse)
        .transpose()?;
    let gate = gate::Gate::from_args(&args)?;
    let options = AnalyzeOptions {
        platform,
        base_layers: args.base_layers,
        top: args.top,
        verify_digests: args.verify_digests,
        hash_all_files: false,
    };
    if args.source.trim().is_empty() {
        anyhow::bail!(
            "SOURCE is empty; pass an image name, a `docker save` archive or an OCI layout"
        );
    }
    let source = ImageSource::parse(&args.source);

    let show_progress = !args.no_progress && std::io::stderr().is_terminal();
    let progress = progress::BarProgress::new(show_progress);
    let analysis = image::analyze(&source, &options, &progress).with_context(|| {
        let mut context = format!("cannot analyze {}", source.describe());
        if let Some(engine) = ImageSource::engine_alternative(&args.source) {
            context.push_str(&format!(
                " (`{}` is read as a path because a file or folder of that name exists; for \
                 the engine's image, write `{engine}`)",
                args.source
            ));
        }
        context
    })?;
    progress.finish();
    let report = &analysis.report;

    let verdict = gate.as_ref().map(|gate| gate.evaluate(report));
    // A reader that stops early (`| head`) is not an error: the exit code still reports the
    // analysis and the gate.
    ignore_broken_pipe(write_report(report, verdict.as_ref(), args.format))?;

    // An error can quote names from the image or from the command line.
    for error in &report.errors {
        eprintln!("ballast: {}", escape_line(error));
    }
    let mismatches = report
        .digests
        .as_ref()
        .map_or(&[][..], |check| check.mismatches.as_slice());
    for mismatch in mismatches {
        eprintln!("ballast: {}", escape_line(&mismatch.message));
    }
    if !report.complete {
        eprintln!(
            "ballast: the analysis covers only the readable layers; its figures are incomplete"
        );
        return Ok(ExitCode::from(2));
    }
    if !mismatches.is_empty() {
        let compared = report.digests.as_ref().map_or(0, |check| check.compared);
        eprintln!(
            "ballast: layer digests do not match ({} of {compared}); the archive is corrupt or was modified after it was written",
            mismatches.len()
        );
        return Ok(ExitCode::from(2));
    }
    match verdict {
        Some(verdict) if !verdict.passed => Ok(ExitCode::from(1)),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// Writes the report to standard output in one buffered pass.
fn write_report(
    report: &image::Report,
    verdict: Option<&gate::Verdict>,
    format: OutputFormat,
) -> std::io::Result<()> {
    let mut stdout = BufWriter::new(std::io::stdout().lock());
    match format {
        OutputFormat::Json => {
            let mut value = serde_json::to_value(report)?;
            if let (Some(verdict), Some(object)) = (verdict, value.as_object_mut()) {
                object.insert("gate".to_owned(), serde_json::to_value(verdict)?);
            }
            serde_json::to_writer_pretty(&mut stdout, &value)?;
            writeln!(stdout)?;
        }
        OutputFormat::Tty => {
            let colour =
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            table::write_report(&mut stdout, report, colour)?;
            if let Some(verdict) = verdict {
                gate::write_verdict(&mut stdout, verdict, colour)?;
            }
        }
    }
    stdout.flush()
}
