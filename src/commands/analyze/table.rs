//! The terminal form of the report: a per-layer table, the largest wasted files with the
//! layers that stored and hid them, duplicates, and the largest files.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};

use ballast_analyzer::image::report::LayerReport;
use ballast_analyzer::image::{HideReason, Report};

use crate::output::escape_line;

const BAR_WIDTH: usize = 20;
const INSTRUCTION_WIDTH: usize = 60;
/// The narrowest bar column kept when the terminal is too narrow for the full one.
const MIN_BAR_WIDTH: usize = 6;
/// The narrowest instruction column kept before the bar column is left out.
const MIN_INSTRUCTION_WIDTH: usize = 20;
/// The columns of a layer row other than the bar and the instruction.
const LAYER_ROW_COLUMNS: usize = 33;
/// The indent of the lines below a file: the width of `"  {bytes:>10}  "`.
const DETAIL_INDENT: usize = 14;

/// Returns `text` with control characters, line feeds and tabs escaped. Names, paths and
/// history come from the image, which anyone can write, so every one of them goes through
/// here before it reaches the terminal.
fn clean(text: &str) -> Cow<'_, str> {
    let line = escape_line(text);
    if line.contains('\t') {
        Cow::Owned(line.replace('\t', "\\t"))
    } else {
        line
    }
}

/// Returns the number of terminal columns `text` takes.
fn columns(text: &str) -> usize {
    console::measure_text_width(text)
}

fn char_columns(ch: char) -> usize {
    columns(ch.encode_utf8(&mut [0; 4]))
}

/// Returns the width the report must fit in: the terminal's when standard output is one,
/// else `COLUMNS` when it is set, else none (lines are as long as their text).
fn report_width() -> Option<usize> {
    let terminal = std::io::stdout().is_terminal();
    let measured = terminal.then(|| console::Term::stdout().size_checked()).flatten();
    if let Some((_, width)) = measured {
        return Some(usize::from(width));
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .filter(|&width| width > 0)
}

/// Returns `text` cut to `width` columns at its end, the cut marked with "…".
fn cut_end(text: &str, width: usize) -> String {
    if columns(text) <= width {
        return text.to_owned();
    }
    let mut prefix = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let ch_columns = char_columns(ch);
        if used + ch_columns + 1 > width {
            break;
        }
        used += ch_columns;
        prefix.push(ch);
    }
    format!("{prefix}…")
}

/// Returns `text` cut to `width` columns at its start, the cut marked with "…". A path keeps
/// its end this way, which names the file.
fn cut_start(text: &str, width: usize) -> String {
    if columns(text) <= width {
        return text.to_owned();
    }
    let mut reversed = Vec::new();
    let mut used = 0;
    for ch in text.chars().rev() {
        let ch_columns = char_columns(ch);
        if used + ch_columns + 1 > width {
            break;
        }
        used += ch_columns;
        reversed.push(ch);
    }
    let suffix: String = reversed.into_iter().rev().collect();
    format!("…{suffix}")
}

/// Splits `text` into lines of at most `width` columns at spaces. A word wider than a line
/// is split where the line ends.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split(' ') {
        let word_columns = columns(word);
        if used > 0 && used + 1 + word_columns <= width {
            line.push(' ');
            line.push_str(word);
            used += 1 + word_columns;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        for ch in word.chars() {
            let ch_columns = char_columns(ch);
            if used > 0 && used + ch_columns > width {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(ch);
            used += ch_columns;
        }
    }
    if used > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Writes `text` after `first`, wrapped to `width` columns when there is one, the later
/// lines indented by `indent` columns.
fn write_wrapped(
    out: &mut impl Write,
    first: &str,
    text: &str,
    indent: usize,
    width: Option<usize>,
) -> io::Result<()> {
    let fits = width.is_none_or(|width| columns(first) + columns(text) <= width);
    if fits {
        return writeln!(out, "{first}{text}");
    }
    let width = width.unwrap_or_default();
    let room = width.saturating_sub(indent).max(MIN_INSTRUCTION_WIDTH);
    let mut lines = wrap(text, room).into_iter();
    let head = lines.next().unwrap_or_default();
    if columns(first) + columns(&head) <= width {
        writeln!(out, "{first}{head}")?;
    } else {
        writeln!(out, "{}", first.trim_end())?;
        writeln!(out, "{:indent$}{head}", "")?;
    }
    for line in lines {
        writeln!(out, "{:indent$}{line}", "")?;
    }
    Ok(())
}

/// Formats a byte count with binary units (`1.5 MiB`).
/// Writes `number` with the singular or plural noun that fits it.
fn counted(number: u64, singular: &str, plural: &str) -> String {
    format!("{number} {}", if number == 1 { singular } else { plural })
}

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
    cut_end(&single_line, width)
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

/// Writes the report, fitted to the terminal's width when standard output is a terminal or
/// `COLUMNS` is set.
pub fn write_report(out: &mut impl Write, report: &Report, colour: bool) -> io::Result<()> {
    write_report_in(out, report, colour, report_width())
}

/// Writes the report with no line wider than `width` columns when there is a width. Below
/// 34 columns, the fixed parts of some lines exceed it.
fn write_report_in(
    out: &mut impl Write,
    report: &Report,
    colour: bool,
    width: Option<usize>,
) -> io::Result<()> {
    write_header(out, report, colour, width)?;
    write_layers(out, report, colour, width)?;
    write_totals(out, report, colour, width)?;
    write_wasted(out, report, colour, width)?;
    write_duplicates(out, report, colour, width)?;
    write_largest(out, report, colour, width)?;
    write_digests(out, report, colour, width)?;
    for warning in &report.warnings {
        write_wrapped(out, "warning: ", &clean(warning), 2, width)?;
    }
    for layer in &report.layers {
        for warning in &layer.warnings {
            let first = format!("warning: layer {}: ", layer.index);
            write_wrapped(out, &first, &clean(warning), 2, width)?;
        }
    }
    Ok(())
}

/// Writes the outcome of `--verify-digests`; nothing when it was not requested.
fn write_digests(
    out: &mut impl Write,
    report: &Report,
    colour: bool,
    width: Option<usize>,
) -> io::Result<()> {
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
        write_wrapped(out, "  ", &clean(&mismatch.message), 4, width)?;
    }
    for unchecked in &check.unchecked {
        write_wrapped(out, "  ", &clean(unchecked), 4, width)?;
    }
    Ok(())
}

fn write_header(
    out: &mut impl Write,
    report: &Report,
    colour: bool,
    width: Option<usize>,
) -> io::Result<()> {
    let source = &report.source;
    let name = source.reference.as_deref().unwrap_or("(untagged)");
    // Names and paths are cut at their start, because their end distinguishes images.
    // Digests are cut at their end, as short image ids are.
    let fit_end = |text: &str, used: usize| match width {
        Some(width) => cut_start(text, width.saturating_sub(used)),
        None => text.to_owned(),
    };
    writeln!(out, "{} {}", bold("Image", colour), fit_end(&clean(name), 6))?;
    writeln!(out, "  source   {}", fit_end(&clean(&source.description), 11))?;
    if let Some(digest) = &source.config_digest {
        let digest = clean(digest);
        let digest = width.map_or_else(
            || digest.to_string(),
            |width| cut_end(&digest, width.saturating_sub(11)),
        );
        writeln!(out, "  config   {digest}")?;
    }
    if let (Some(os), Some(architecture)) = (&source.os, &source.architecture) {
        writeln!(out, "  platform {os}/{architecture}")?;
    }
    writeln!(out)
}

/// Returns the widths of the bar and instruction columns of the layer table. A narrow
/// terminal shortens the bar first, then the instructions, then loses the bar column.
fn layer_columns(report: &Report, width: Option<usize>) -> (usize, usize) {
    let Some(width) = width else {
        return (BAR_WIDTH, INSTRUCTION_WIDTH);
    };
    let longest = report
        .layers
        .iter()
        .map(|layer| columns(&shorten(&instruction(layer), INSTRUCTION_WIDTH)))
        .chain(["instruction".len()])
        .max()
        .unwrap_or(0);
    let room = width.saturating_sub(LAYER_ROW_COLUMNS);
    if room >= longest + MIN_BAR_WIDTH {
        ((room - longest).min(BAR_WIDTH), INSTRUCTION_WIDTH)
    } else if room >= MIN_INSTRUCTION_WIDTH + MIN_BAR_WIDTH {
        (MIN_BAR_WIDTH, room - MIN_BAR_WIDTH)
    } else {
        // Without the bar, its column and the two spaces after it are left out.
        let room = width.saturating_sub(LAYER_ROW_COLUMNS - 2);
        (0, room.max(1))
    }
}

fn write_layers(
    out: &mut impl Write,
    report: &Report,
    colour: bool,
    width: Option<usize>,
) -> io::Result<()> {
    let (bar_width, instruction_width) = layer_columns(report, width);
    writeln!(out, "{}", bold("Layers", colour))?;
    // On a narrow terminal the column title is cut like the instructions below it.
    let title = cut_end("instruction", instruction_width);
    if bar_width == 0 {
        writeln!(out, "  {:>3}  {:>10}  {:>10}  {title}", "#", "size", "wasted")?;
    } else {
        writeln!(
            out,
            "  {:>3}  {:>10}  {:<bar_width$}  {:>10}  {title}",
            "#", "size", "", "wasted"
        )?;
    }
    let largest = report
        .layers
        .iter()
        .map(|layer| layer.stored_bytes)
        .max()
        .unwrap_or(0)
        .max(1);
    for layer in &report.layers {
        let filled =
            ((layer.stored_bytes as f64 / largest as f64) * bar_width as f64).round() as usize;
        let bar = if bar_width == 0 {
            String::new()
        } else {
            format!(
                "{}{}  ",
                "█".repeat(filled),
                " ".repeat(bar_width - filled.min(bar_width))
            )
        };
        let size = if layer.readable {
            human_bytes(layer.stored_bytes)
        } else {
            "unreadable".to_owned()
        };
        writeln!(
            out,
            "  {:>3}  {:>10}  {bar}{:>10}  {}",
            layer.index,
            size,
            human_bytes(layer.hidden_later_bytes),
            shorten(&instruction(layer), instruction_width)
        )?;
    }
    writeln!(out)
}

fn write_totals(
    out: &mut impl Write,
    report: &Report,
    colour: bool,
    width: Option<usize>,
) -> io::Result<()> {
    let totals = &report.totals;
    let base = &report.base;
    let dive = &report.dive;
    writeln!(out, "{}", bold("Totals", colour))?;
    let lines = [
        format!(
            "stored {} in {} ({} as blobs), final filesystem {}",
            human_bytes(totals.stored_bytes),
            counted(totals.layers as u64, "layer", "layers"),
            human_bytes(totals.blob_bytes),
            human_bytes(totals.final_bytes)
        ),
        format!(
            "wasted {} ({}), efficiency {:.2} %",
            human_bytes(totals.wasted_bytes),
            counted(totals.wasted_bytes, "byte", "bytes"),
            totals.efficiency * 100.0
        ),
        format!(
            "above the base ({} base layer{}): stored {}, wasted {} ({:.2} %)",
            base.layers,
            if base.layers == 1 { "" } else { "s" },
            human_bytes(base.stored_bytes),
            human_bytes(base.wasted_bytes),
            base.wasted_ratio * 100.0
        ),
        format!(
            "dive-compatible: efficiency {:.4} %, wasted {}, user wasted {:.4} %",
            dive.efficiency * 100.0,
            counted(dive.wasted_bytes, "byte", "bytes"),
            dive.user_wasted_ratio * 100.0
        ),
    ];
    for line in lines {
        write_wrapped(out, "  ", &line, 4, width)?;
    }
    writeln!(out)
}

/// Returns `layer N (instruction)` with the instruction cut to `limit` columns.
fn layer_label(report: &Report, index: usize, limit: usize) -> String {
    let text = report
        .layers
        .get(index)
        .map(instruction)
        .unwrap_or_default();
    format!("layer {index} ({})", shorten(&text, limit))
}

fn write_wasted(
    out: &mut impl Write,
    report: &Report,
    colour: bool,
    width: Option<usize>,
) -> io::Result<()> {
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
        let path = clean(&file.path);
        let path = width.map_or_else(
            || path.to_string(),
            |width| cut_start(&path, width.saturating_sub(DETAIL_INDENT)),
        );
        writeln!(out, "  {:>10}  {path}", human_bytes(file.bytes))?;
        let line = format!(
            "added in {}, {detail} in {}",
            layer_label(report, file.stored_in, 40),
            layer_label(report, file.hidden_by, 40)
        );
        let Some(width) = width.filter(|&width| DETAIL_INDENT + columns(&line) > width) else {
            writeln!(out, "{:DETAIL_INDENT$}{line}", "")?;
            continue;
        };
        // Too wide: the layer that stored the file and the one that hid it get a line each,
        // with instructions cut to fit and the rest wrapped.
        let room = width.saturating_sub(DETAIL_INDENT);
        let stored_in = format!("layer {} ()", file.stored_in);
        let limit = room.saturating_sub("added in ,".len() + columns(&stored_in)).clamp(12, 40);
        let stored = format!("added in {},", layer_label(report, file.stored_in, limit));
        let hidden_by = format!("{detail} in layer {} ()", file.hidden_by);
        let limit = room.saturating_sub(columns(&hidden_by)).clamp(12, 40);
        let hidden = format!("{detail} in {}", layer_label(report, file.hidden_by, limit));
        for part in [stored, hidden] {
            for line in wrap(&part, room.max(MIN_INSTRUCTION_WIDTH)) {
                writeln!(out, "{:DETAIL_INDENT$}{line}", "")?;
            }
        }
    }
    if report.wasted.files > report.wasted.top_files.len() {
        writeln!(
            out,
            "  … and {} more files",
            report.wasted.files - report.wasted.top_files.len()
        )?;
    }
    if let Some(advice) = metadata_advice(report) {
        write_wrapped(out, "  ", advice, 4, width)?;
    }
    writeln!(out)
}

/// Returns advice for the metadata-only copies among the largest wasted files: the mode and
/// owner can be set where the file is added, while a new modification time or hard link
/// always copies the file again.
fn metadata_advice(report: &Report) -> Option<&'static str> {
    let mut mode_or_owner = false;
    for file in &report.wasted.top_files {
        if let Some(change) = file.changed {
            mode_or_owner |= change.mode || change.owner;
        }
    }
    mode_or_owner.then_some(
        "A copy made only to change the mode or owner is avoided by setting them where the \
         file is added (`COPY --chmod=…`, `COPY --chown=…`) or in the RUN that creates it; \
         `ballast build` names the Dockerfile lines.",
    )
}

fn write_duplicates(
    out: &mut impl Write,
    report: &Report,
    colour: bool,
    width: Option<usize>,
) -> io::Result<()> {
    if report.duplicates.top_groups.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{} {} in {}",
        bold("Duplicate content:", colour),
        human_bytes(report.duplicates.wasted_bytes),
        counted(report.duplicates.groups as u64, "group", "groups")
    )?;
    for group in &report.duplicates.top_groups {
        let head = format!(
            "  {:>10}  {} copies of {}:",
            human_bytes(group.wasted_bytes),
            group.paths.len(),
            human_bytes(group.bytes_each),
        );
        let paths = clean(&group.paths.join(", ")).into_owned();
        let Some(width) = width.filter(|&width| columns(&head) + 1 + columns(&paths) > width)
        else {
            writeln!(out, "{head} {paths}")?;
            continue;
        };
        // Too wide: one path a line, each cut at its start to fit.
        writeln!(out, "{head}")?;
        let room = width.saturating_sub(DETAIL_INDENT);
        for path in &group.paths {
            writeln!(out, "{:DETAIL_INDENT$}{}", "", cut_start(&clean(path), room))?;
        }
    }
    writeln!(out)
}

fn write_largest(
    out: &mut impl Write,
    report: &Report,
    colour: bool,
    width: Option<usize>,
) -> io::Result<()> {
    if report.largest_files.is_empty() {
        return Ok(());
    }
    writeln!(out, "{}", bold("Largest files", colour))?;
    for file in &report.largest_files {
        let layer = format!("  (layer {})", file.layer);
        let path = clean(&file.path);
        let path = width.map_or_else(
            || path.to_string(),
            |width| cut_start(&path, width.saturating_sub(DETAIL_INDENT + layer.len())),
        );
        writeln!(out, "  {:>10}  {path}{layer}", human_bytes(file.bytes))?;
    }
    Ok(())
}
