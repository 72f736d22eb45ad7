//! The terminal form of the report: a per-layer table, the largest wasted files with the
//! layers that stored and hid them, duplicates, and the largest files.

use std::io::{self, Write};

use ballast_analyzer::image::report::LayerReport;
use ballast_analyzer::image::{HideReason, Report};

// Names, paths and history come from the image, which anyone can write, so every one of
// them goes through `clean` before it reaches the terminal.
use crate::output::escape_controls as clean;

const BAR_WIDTH: usize = 20;
const INSTRUCTION_WIDTH: usize = 60;

/// Formats a byte count with binary units (`1.5 MiB`).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn shorten(text: &str, width: usize) -> String {
    let single_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if single_line.chars().count() <= width {
        return single_line;
    }
    let kept: String = single_line.chars().take(width - 1).collect();
    format!("{kept}…")
}

fn instruction(layer: &LayerReport) -> String {
    layer
        .history
        .as_ref()
        .and_then(|entry| entry.instruction.as_deref())
        .map_or_else(|| "(no history entry)".to_owned(), |text| clean(text).into_owned())
}

fn bold(text: &str, colour: bool) -> String {
    if colour {
        format!("\x1b[1m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

fn reason_text(reason: HideReason) -> &'static str {
    match reason {
        HideReason::Deleted => "deleted",
        HideReason::OpaqueFolder => "hidden by an opaque folder",
        HideReason::Overwritten => "overwritten",
        HideReason::MetadataOnly => "copied again for a metadata change",
        HideReason::TypeChanged => "replaced by another file type",
    }
}

pub fn write_report(out: &mut impl Write, report: &Report, colour: bool) -> io::Result<()> {
    write_header(out, report, colour)?;
    write_layers(out, report, colour)?;
    write_totals(out, report, colour)?;
    write_wasted(out, report, colour)?;
    write_duplicates(out, report, colour)?;
    write_largest(out, report, colour)?;
    write_digests(out, report, colour)?;
    for warning in &report.warnings {
        writeln!(out, "warning: {}", clean(warning))?;
    }
    for layer in &report.layers {
        for warning in &layer.warnings {
            writeln!(out, "warning: layer {}: {}", layer.index, clean(warning))?;
        }
    }
    Ok(())
}

/// Writes the outcome of `--verify-digests`; nothing when it was not requested.
fn write_digests(out: &mut impl Write, report: &Report, colour: bool) -> io::Result<()> {
    let Some(check) = &report.digests else {
        return Ok(());
    };
    writeln!(out)?;
    writeln!(out, "{}", bold("Digests", colour))?;
    writeln!(
        out,
        "  {} compared, {} do not match",
        check.compared,
        check.mismatches.len()
    )?;
    for mismatch in &check.mismatches {
        writeln!(out, "  {}", clean(&mismatch.message))?;
    }
    for unchecked in &check.unchecked {
        writeln!(out, "  {}", clean(unchecked))?;
    }
    Ok(())
}

fn write_header(out: &mut impl Write, report: &Report, colour: bool) -> io::Result<()> {
    let source = &report.source;
    let name = source.reference.as_deref().unwrap_or("(untagged)");
    writeln!(out, "{} {}", bold("Image", colour), clean(name))?;
    writeln!(out, "  source   {}", clean(&source.description))?;
    if let Some(digest) = &source.config_digest {
        writeln!(out, "  config   {digest}")?;
    }
    if let (Some(os), Some(architecture)) = (&source.os, &source.architecture) {
        writeln!(out, "  platform {os}/{architecture}")?;
    }
    writeln!(out)
}

fn write_layers(out: &mut impl Write, report: &Report, colour: bool) -> io::Result<()> {
    writeln!(out, "{}", bold("Layers", colour))?;
    writeln!(
        out,
        "  {:>3}  {:>10}  {:<BAR_WIDTH$}  {:>10}  instruction",
        "#", "size", "", "wasted"
    )?;
    let largest = report
        .layers
        .iter()
        .map(|layer| layer.stored_bytes)
        .max()
        .unwrap_or(0)
        .max(1);
    for layer in &report.layers {
        let filled =
            ((layer.stored_bytes as f64 / largest as f64) * BAR_WIDTH as f64).round() as usize;
        let bar = format!(
            "{}{}",
            "█".repeat(filled),
            " ".repeat(BAR_WIDTH - filled.min(BAR_WIDTH))
        );
        let size = if layer.readable {
            human_bytes(layer.stored_bytes)
        } else {
            "unreadable".to_owned()
        };
        writeln!(
            out,
            "  {:>3}  {:>10}  {bar}  {:>10}  {}",
            layer.index,
            size,
            human_bytes(layer.hidden_later_bytes),
            shorten(&instruction(layer), INSTRUCTION_WIDTH)
        )?;
    }
    writeln!(out)
}

fn write_totals(out: &mut impl Write, report: &Report, colour: bool) -> io::Result<()> {
    let totals = &report.totals;
    let base = &report.base;
    let dive = &report.dive;
    writeln!(out, "{}", bold("Totals", colour))?;
    writeln!(
        out,
        "  stored {} in {} layers ({} as blobs), final filesystem {}",
        human_bytes(totals.stored_bytes),
        totals.layers,
        human_bytes(totals.blob_bytes),
        human_bytes(totals.final_bytes)
    )?;
    writeln!(
        out,
        "  wasted {} ({} bytes), efficiency {:.2} %",
        human_bytes(totals.wasted_bytes),
        totals.wasted_bytes,
        totals.efficiency * 100.0
    )?;
    writeln!(
        out,
        "  above the base ({} base layer{}): stored {}, wasted {} ({:.2} %)",
        base.layers,
        if base.layers == 1 { "" } else { "s" },
        human_bytes(base.stored_bytes),
        human_bytes(base.wasted_bytes),
        base.wasted_ratio * 100.0
    )?;
    writeln!(
        out,
        "  dive-compatible: efficiency {:.4} %, wasted {} bytes, user wasted {:.4} %",
        dive.efficiency * 100.0,
        dive.wasted_bytes,
        dive.user_wasted_ratio * 100.0
    )?;
    writeln!(out)
}

fn layer_label(report: &Report, index: usize) -> String {
    let text = report
        .layers
        .get(index)
        .map(instruction)
        .unwrap_or_default();
    format!("layer {index} ({})", shorten(&text, 40))
}

fn write_wasted(out: &mut impl Write, report: &Report, colour: bool) -> io::Result<()> {
    if report.wasted.top_files.is_empty() {
        return Ok(());
    }
    writeln!(out, "{}", bold("Wasted files (largest first)", colour))?;
    for file in &report.wasted.top_files {
        let mut detail = reason_text(file.reason).to_owned();
        if let Some(change) = file.changed {
            let mut changed = Vec::new();
            if change.mode {
                changed.push("mode");
            }
            if change.owner {
                changed.push("owner");
            }
            if change.mtime {
                changed.push("mtime");
            }
            if change.links {
                changed.push("link count");
            }
            if !changed.is_empty() {
                detail = format!("{detail}: {}", changed.join(", "));
            }
        }
        writeln!(out, "  {:>10}  {}", human_bytes(file.bytes), clean(&file.path))?;
        writeln!(
            out,
            "              added in {}, {detail} in {}",
            layer_label(report, file.stored_in),
            layer_label(report, file.hidden_by)
        )?;
    }
    if report.wasted.files > report.wasted.top_files.len() {
        writeln!(
            out,
            "  … and {} more files",
            report.wasted.files - report.wasted.top_files.len()
        )?;
    }
    writeln!(out)
}

fn write_duplicates(out: &mut impl Write, report: &Report, colour: bool) -> io::Result<()> {
    if report.duplicates.top_groups.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{} {} in {} groups",
        bold("Duplicate content:", colour),
        human_bytes(report.duplicates.wasted_bytes),
        report.duplicates.groups
    )?;
    for group in &report.duplicates.top_groups {
        writeln!(
            out,
            "  {:>10}  {} copies of {}: {}",
            human_bytes(group.wasted_bytes),
            group.paths.len(),
            human_bytes(group.bytes_each),
            clean(&group.paths.join(", "))
        )?;
    }
    writeln!(out)
}

fn write_largest(out: &mut impl Write, report: &Report, colour: bool) -> io::Result<()> {
    if report.largest_files.is_empty() {
        return Ok(());
    }
    writeln!(out, "{}", bold("Largest files", colour))?;
    for file in &report.largest_files {
        writeln!(
            out,
            "  {:>10}  {}  (layer {})",
            human_bytes(file.bytes),
            clean(&file.path),
            file.layer
        )?;
    }
    Ok(())
}
