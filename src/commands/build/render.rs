//! The human forms of the build report: the terminal table and the Markdown summary.

use std::io::{self, Write};

use ballast_analyzer::attribution::evidence::format_bytes;
use ballast_analyzer::build::BuildReport;
use ballast_analyzer::image::Report;

use crate::commands::analyze::gate::Verdict;
use crate::output::{escape_controls, escape_line};

/// Writes each instruction with its layer size and wasted bytes.
pub fn write_tty(
    out: &mut dyn Write,
    report: &BuildReport,
    image: Option<&Report>,
    color: bool,
) -> io::Result<()> {
    let image_id = report.build.image_id.as_deref().unwrap_or("(no image)");
    writeln!(
        out,
        "{} built with {}: {image_id}",
        escape_line(&report.dockerfile.display().to_string()),
        report.build.builder.name()
    )?;
    if image.is_none() {
        writeln!(out)?;
        return Ok(());
    }
    if report.instructions.is_empty() {
        writeln!(
            out,
            "(the layers could not be tied to lines; see the warnings)"
        )?;
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:>9}  {:>12}  {:>12}  instruction",
        "lines", "size", "wasted"
    )?;
    for cost in &report.instructions {
        let lines = if cost.start_line == cost.end_line {
            cost.start_line.to_string()
        } else {
            format!("{}-{}", cost.start_line, cost.end_line)
        };
        let size = if cost.layers.is_empty() {
            "-".to_owned()
        } else {
            short(cost.stored_bytes)
        };
        let wasted = if cost.wasted_bytes == 0 {
            String::new()
        } else if color {
            format!("\x1b[33m{:>12}\x1b[0m", short(cost.wasted_bytes))
        } else {
            short(cost.wasted_bytes)
        };
        let text: String = escape_controls(&cost.text).chars().take(70).collect();
        writeln!(out, "{lines:>9}  {size:>12}  {wasted:>12}  {text}")?;
    }
    writeln!(out)
}

/// Writes the image size, the reclaimable bytes and the largest savings.
pub fn write_totals(
    out: &mut dyn Write,
    report: &BuildReport,
    image: Option<&Report>,
) -> io::Result<()> {
    let Some(image) = image else {
        return Ok(());
    };
    writeln!(out)?;
    writeln!(
        out,
        "image size      {}",
        format_bytes(image.totals.tar_bytes)
    )?;
    writeln!(
        out,
        "file bytes      {}",
        format_bytes(image.totals.final_bytes)
    )?;
    writeln!(
        out,
        "reclaimable     {}",
        format_bytes(image.totals.wasted_bytes)
    )?;
    let mut savings: Vec<_> = report
        .findings
        .iter()
        // BL3006 measures the program whose interpreter is missing: the program stays, so
        // its size is evidence, not a saving.
        .filter(|finding| finding.code != "BL3006")
        .filter_map(|finding| finding.bytes.map(|bytes| (bytes, finding)))
        .collect();
    savings.sort_by(|a, b| b.0.cmp(&a.0));
    if !savings.is_empty() {
        writeln!(out, "top savings:")?;
        for (bytes, finding) in savings.iter().take(5) {
            writeln!(
                out,
                "  {:>12}  line {} {}",
                short(*bytes),
                finding.line,
                finding.code
            )?;
        }
    }
    Ok(())
}

/// Writes a Markdown summary for a pull-request comment.
pub fn write_markdown(
    out: &mut dyn Write,
    report: &BuildReport,
    image: Option<&Report>,
    verdict: Option<&Verdict>,
) -> io::Result<()> {
    let name = report.dockerfile.file_name().map_or_else(
        || "Dockerfile".to_owned(),
        |name| name.to_string_lossy().into_owned(),
    );
    writeln!(out, "### ballast build: `{}`", escape_line(&name))?;
    writeln!(out)?;
    if !report.build.succeeded {
        writeln!(
            out,
            "The build failed with exit status {}.",
            report
                .build
                .exit_code
                .map_or("(signal)".to_owned(), |code| code.to_string())
        )?;
        writeln!(out)?;
    }
    if let Some(image) = image {
        writeln!(
            out,
            "Image size **{}**, reclaimable **{}**.",
            format_bytes(image.totals.tar_bytes),
            format_bytes(image.totals.wasted_bytes)
        )?;
        writeln!(out)?;
    }
    if !report.instructions.is_empty() {
        writeln!(out, "| lines | size | wasted | instruction |")?;
        writeln!(out, "|---:|---:|---:|---|")?;
        for cost in &report.instructions {
            let text = escape_controls(&cost.text).replace('|', "\\|").replace('`', "'");
            writeln!(
                out,
                "| {}-{} | {} | {} | `{}` |",
                cost.start_line,
                cost.end_line,
                short(cost.stored_bytes),
                short(cost.wasted_bytes),
                text.chars().take(80).collect::<String>()
            )?;
        }
        writeln!(out)?;
    }
    if report.findings.is_empty() {
        writeln!(out, "No findings.")?;
    } else {
        writeln!(out, "| line | code | severity | finding |")?;
        writeln!(out, "|---:|---|---|---|")?;
        for finding in &report.findings {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                finding.line,
                finding.code,
                finding.severity,
                escape_controls(&finding.message).replace('|', "\\|")
            )?;
        }
    }
    if let Some(verdict) = verdict {
        writeln!(out)?;
        let word = if verdict.passed { "passed" } else { "failed" };
        writeln!(out, "CI gate **{word}**.")?;
    }
    Ok(())
}

/// A byte count in the largest binary unit that keeps it at or above 1.
fn short(bytes: u64) -> String {
    let units = [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    match units.iter().find(|(_, size)| bytes >= *size) {
        Some((unit, size)) => format!("{:.1} {unit}", bytes as f64 / *size as f64),
        None => format!("{bytes} B"),
    }
}
