//! Image sizes from the last `ballast build` of a Dockerfile: inlay hints with each
//! instruction's layer size and wasted bytes, the build's image findings (`BL3…`) as
//! diagnostics, and the "Build and measure" code lens.
//!
//! A report describes the file as it was built. An instruction counts as unchanged when
//! its first line is the same as in the report, at the same place or elsewhere in the file.
//! Hints are shown only for unchanged instructions, and findings on changed ones are marked
//! stale.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use ballast_analyzer::Severity;
use ballast_analyzer::attribution::InstructionCost;
use ballast_analyzer::build::{BuildReport, load_report, report_path};
use ballast_parser::{Instruction, Keyword, Span};
use tower_lsp_server::ls_types::{
    CodeLens, Command, Diagnostic, DiagnosticSeverity, InlayHint, InlayHintLabel, InlayHintTooltip,
    NumberOrString, Position,
};

use crate::capabilities::ClientFeatures;
use crate::diagnostics::SOURCE;
use crate::documents::Snapshot;

/// The command behind the code lens: builds the Dockerfile with `ballast build`.
pub const BUILD_COMMAND: &str = "ballast.buildAndMeasure";

/// Reports read from the cache folder, reread when the file changes.
#[derive(Default)]
pub struct Reports {
    loaded: Mutex<HashMap<PathBuf, (SystemTime, Arc<BuildReport>)>>,
    /// The report path of each Dockerfile. Finding it resolves the Dockerfile's path on
    /// disk, several system calls that each lint after an edit would repeat.
    paths: Mutex<HashMap<PathBuf, PathBuf>>,
}

impl Reports {
    /// Returns the last build report of the document's file, when there is one.
    pub fn for_snapshot(&self, snapshot: &Snapshot) -> Option<Arc<BuildReport>> {
        let dockerfile = snapshot.uri.to_file_path()?.into_owned();
        let path = self
            .paths
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(dockerfile.clone())
            .or_insert_with(|| report_path(&dockerfile))
            .clone();
        let modified = std::fs::metadata(&path)
            .and_then(|meta| meta.modified())
            .ok()?;
        let mut loaded = self
            .loaded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((seen, report)) = loaded.get(&dockerfile)
            && *seen == modified
        {
            return Some(report.clone());
        }
        match load_report(&dockerfile) {
            Ok(report) => {
                let report = Arc::new(report);
                loaded.insert(dockerfile, (modified, report.clone()));
                Some(report)
            }
            Err(error) => {
                tracing::warn!(
                    uri = snapshot.uri.as_str(),
                    "build report not read: {error}"
                );
                None
            }
        }
    }
}

/// Finds an instruction of the report in the current text, when it is unchanged.
fn locate<'a>(
    cost: &InstructionCost,
    instructions: &[&'a Instruction],
    text: &str,
) -> Option<&'a Instruction> {
    let first_line = |instruction: &Instruction| {
        instruction
            .physical_lines
            .first()
            .map_or("", |line| line.text(text))
            .trim()
            .to_string()
    };
    let wanted = cost.text.trim();
    if let Some(instruction) = instructions.get(cost.instruction)
        && first_line(instruction) == wanted
    {
        return Some(instruction);
    }
    instructions
        .iter()
        .filter(|instruction| first_line(instruction) == wanted)
        .min_by_key(|instruction| (instruction.start_line as i64 - cost.start_line as i64).abs())
        .copied()
}

/// Formats a byte count with decimal units, as image tools print sizes.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Returns one hint after each unchanged instruction that made layers: its size, and the
/// bytes a later layer wasted.
pub fn inlay_hints(
    snapshot: &Snapshot,
    features: &ClientFeatures,
    report: &BuildReport,
    range: Span,
) -> Vec<InlayHint> {
    let positions = snapshot.positions(features.encoding);
    let instructions: Vec<&Instruction> = snapshot.tree.instructions().collect();
    report
        .instructions
        .iter()
        .filter(|cost| !cost.layers.is_empty())
        .filter_map(|cost| {
            let instruction = locate(cost, &instructions, &snapshot.text)?;
            let end = instruction.line_span().end;
            if end < range.start || end > range.end {
                return None;
            }
            let mut label = human_bytes(cost.stored_bytes);
            if cost.wasted_bytes > 0 {
                label.push_str(&format!(" · {} wasted", human_bytes(cost.wasted_bytes)));
            }
            let tooltip = format!(
                "{} layer(s): {} stored, {} wasted by later layers, {} of lower layers hidden, {} as blobs",
                cost.layers.len(),
                human_bytes(cost.stored_bytes),
                human_bytes(cost.wasted_bytes),
                human_bytes(cost.hid_lower_bytes),
                human_bytes(cost.blob_bytes)
            );
            Some(InlayHint {
                position: positions.position(end),
                label: InlayHintLabel::String(label),
                kind: None,
                text_edits: None,
                tooltip: Some(InlayHintTooltip::String(tooltip)),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
        })
        .collect()
}

/// Describes the layers of the unchanged instruction at `offset`, for hover.
pub fn hover_text(snapshot: &Snapshot, report: &BuildReport, offset: usize) -> Option<String> {
    let instructions: Vec<&Instruction> = snapshot.tree.instructions().collect();
    let instruction = instructions
        .iter()
        .find(|instruction| instruction.span.contains(offset))?;
    let cost = report.instructions.iter().find(|cost| {
        locate(cost, &instructions, &snapshot.text)
            .is_some_and(|found| std::ptr::eq(found, *instruction))
    })?;
    Some(format!(
        "**Last build**: {} layer(s), {} stored, {} wasted by later layers, {} of lower layers hidden",
        cost.layers.len(),
        human_bytes(cost.stored_bytes),
        human_bytes(cost.wasted_bytes),
        human_bytes(cost.hid_lower_bytes)
    ))
}

/// Returns the image findings of the build (`BL3…`). A finding on an instruction that changed
/// since the build is kept at its old line, marked stale, with the severity of a hint.
pub fn findings(
    snapshot: &Snapshot,
    features: &ClientFeatures,
    report: &BuildReport,
) -> Vec<Diagnostic> {
    let positions = snapshot.positions(features.encoding);
    let instructions: Vec<&Instruction> = snapshot.tree.instructions().collect();
    report
        .findings
        .iter()
        .filter(|finding| finding.code.starts_with("BL3"))
        .map(|finding| {
            let cost = report
                .instructions
                .iter()
                .find(|cost| cost.start_line <= finding.line && finding.line <= cost.end_line);
            let moved = cost.and_then(|cost| {
                let instruction = locate(cost, &instructions, &snapshot.text)?;
                Some(instruction.start_line as i64 - cost.start_line as i64)
            });
            let shift = moved.unwrap_or(0);
            let line = (finding.line as i64 - 1 + shift).max(0) as u32;
            let end_line = (finding.end_line as i64 - 1 + shift).max(line as i64) as u32;
            let start =
                character_position(snapshot, line, finding.column.saturating_sub(1), &positions);
            let end = character_position(
                snapshot,
                end_line,
                finding.end_column.saturating_sub(1),
                &positions,
            );
            let stale = moved.is_none();
            let message = if stale {
                format!(
                    "{} (measured by the last build; this instruction changed since)",
                    finding.message
                )
            } else {
                finding.message.clone()
            };
            Diagnostic {
                range: tower_lsp_server::ls_types::Range::new(start, end),
                severity: Some(if stale {
                    DiagnosticSeverity::HINT
                } else {
                    severity(finding.severity)
                }),
                code: Some(NumberOrString::String(finding.code.clone())),
                source: Some(SOURCE.to_string()),
                message,
                ..Diagnostic::default()
            }
        })
        .collect()
}

/// Returns the protocol position of a line's column counted in characters, both from 0.
fn character_position(
    snapshot: &Snapshot,
    line: u32,
    column: u32,
    positions: &crate::encoding::Positions,
) -> Position {
    let Some(span) = snapshot.lines.line_span(line) else {
        return positions.position(snapshot.text.len());
    };
    let text = span.text(&snapshot.text);
    let offset = text
        .char_indices()
        .nth(column as usize)
        .map_or(text.trim_end_matches(['\n', '\r']).len(), |(at, _)| at);
    positions.position(span.start + offset)
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Style => DiagnosticSeverity::HINT,
    }
}

/// "Build and measure" on the first FROM of a document that is a file on disk.
pub fn code_lenses(snapshot: &Snapshot, features: &ClientFeatures) -> Vec<CodeLens> {
    if snapshot.uri.to_file_path().is_none() {
        return Vec::new();
    }
    let Some(from) = snapshot
        .tree
        .instructions()
        .find(|instruction| instruction.keyword == Keyword::From)
    else {
        return Vec::new();
    };
    let range = snapshot
        .positions(features.encoding)
        .range(from.keyword_span);
    let argument = serde_json::Value::String(snapshot.uri.as_str().to_string());
    vec![CodeLens {
        range,
        command: Some(Command::new(
            "Build and measure".to_string(),
            BUILD_COMMAND.to_string(),
            Some(vec![argument]),
        )),
        data: None,
    }]
}
