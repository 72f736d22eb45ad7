//! The size of each instruction: the layer it made and the bytes of that layer that a later
//! layer hid.

use serde::{Deserialize, Serialize};

use super::{Attribution, StepRole};
use crate::image::Report;
use crate::model::Model;

/// One Dockerfile instruction of the built stage chain with what its layers cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstructionCost {
    /// The instruction's index in the model.
    pub instruction: usize,
    pub stage: Option<usize>,
    /// 1-based first and last line.
    pub start_line: u32,
    pub end_line: u32,
    /// The instruction's first line as written.
    pub text: String,
    /// The layers the instruction made: one for most instructions, several for the `FROM`
    /// line (the base image's layers), none for metadata instructions.
    pub layers: Vec<usize>,
    /// Σ regular file bytes stored in those layers.
    pub stored_bytes: u64,
    /// The part of `stored_bytes` that a later layer deleted or replaced.
    pub wasted_bytes: u64,
    /// Bytes of lower layers that these layers hid.
    pub hid_lower_bytes: u64,
    /// Σ blob bytes as stored in the source (compressed for gzip and zstd layers).
    pub blob_bytes: u64,
}

/// Returns one cost line per instruction that has a history entry, in Dockerfile order.
/// Empty when the attribution is unavailable.
pub fn instruction_costs(
    model: &Model<'_>,
    attribution: &Attribution,
    report: &Report,
) -> Vec<InstructionCost> {
    let mut costs: Vec<InstructionCost> = Vec::new();
    for step in &attribution.steps {
        let Some(index) = step.instruction else {
            continue;
        };
        let position = match costs.iter().position(|cost| cost.instruction == index) {
            Some(position) => position,
            None => {
                let inst = &model.instructions[index];
                let (start_line, end_line) = match step.role {
                    StepRole::Stage => step
                        .lines
                        .unwrap_or((inst.syntax.start_line, inst.syntax.end_line)),
                    _ => (inst.syntax.start_line, inst.syntax.end_line),
                };
                costs.push(InstructionCost {
                    instruction: index,
                    stage: inst.stage,
                    start_line,
                    end_line,
                    text: inst
                        .syntax
                        .line
                        .lines()
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_owned(),
                    layers: Vec::new(),
                    stored_bytes: 0,
                    wasted_bytes: 0,
                    hid_lower_bytes: 0,
                    blob_bytes: 0,
                });
                costs.len() - 1
            }
        };
        let Some(layer) = step.layer else {
            continue;
        };
        let cost = &mut costs[position];
        cost.layers.push(layer);
        if let Some(layer_report) = report.layers.get(layer) {
            cost.stored_bytes += layer_report.stored_bytes;
            cost.wasted_bytes += layer_report.hidden_later_bytes;
            cost.hid_lower_bytes += layer_report.hid_lower_bytes;
            cost.blob_bytes += layer_report.blob_bytes;
        }
    }
    costs.sort_by_key(|cost| cost.instruction);
    costs
}
