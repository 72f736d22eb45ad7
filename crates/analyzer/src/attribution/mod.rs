//! Attribution: ties the history entries of a built image to the Dockerfile instructions that
//! made them, so each layer gets a line range, and turns image facts into findings on those
//! lines.
//!
//! The alignment walks the built stage's instructions backwards against the history entries
//! backwards. Each instruction yields exactly one history entry with the classic builder,
//! BuildKit and buildah, except `FROM` (none) and `ONBUILD` under BuildKit (none). The entries
//! left below the stage's own ones belong to its base: an earlier stage of the same Dockerfile
//! (aligned the same way, after the `ONBUILD` triggers it left) or an image, whose entries and
//! any triggers it carries are tied to the `FROM` line. A history whose count of entries that
//! make a layer differs from the layer count, or an entry whose instruction differs from the
//! instruction it lines up with, stops the alignment: a guess would tie bytes to wrong lines.

mod costs;
pub mod elf;
pub mod evidence;
mod matching;
pub mod probe;

use ballast_parser::Keyword;
use serde::{Deserialize, Serialize};

use crate::image::history::{HistoryEntry, count};
use crate::model::{Base, Model, Typed};

pub use costs::{InstructionCost, instruction_costs};
pub use matching::{EntryMatch, match_entry};

/// How one history entry was tied to the Dockerfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepRole {
    /// An entry of the base image, tied to the `FROM` line of the first stage of the chain.
    Base,
    /// An entry left by an `ONBUILD` trigger of an earlier stage, tied to the `FROM` line that
    /// ran it.
    OnbuildTrigger,
    /// An entry made by one instruction.
    Instruction,
    /// The single layer of a squashed build, tied to the whole stage.
    Stage,
    /// An entry the builder added itself (BuildKit's exporter does this when it finds more
    /// layers than entries).
    Builder,
}

/// One history entry and the Dockerfile lines it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The index in the config's history.
    pub history: usize,
    /// The layer the entry made; `None` for entries with `empty_layer`.
    pub layer: Option<usize>,
    pub role: StepRole,
    /// The instruction's index in the model (the `FROM` line for base and trigger entries).
    pub instruction: Option<usize>,
    /// The stage the instruction belongs to.
    pub stage: Option<usize>,
    /// 1-based first and last line of the instruction (of the stage, for a squashed build).
    pub lines: Option<(u32, u32)>,
    /// The entry's `created_by`, normalized to the instruction it records.
    pub text: String,
}

/// The outcome of the alignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum AttributionStatus {
    /// Every entry is tied to an instruction or to the base.
    Aligned,
    /// The build was squashed into one layer, tied to the whole stage.
    Squashed,
    /// The history cannot be aligned; `reason` says where it stopped.
    Unavailable { reason: String },
}

/// The history of a built image tied to the Dockerfile's lines.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attribution {
    #[serde(flatten)]
    pub status: AttributionStatus,
    /// The stage that was built.
    pub stage: usize,
    /// One step per history entry, in history order; empty when unavailable.
    pub steps: Vec<Step>,
    /// Layers below the first layer of this Dockerfile's own instructions: the base image
    /// with the layers of any `ONBUILD` triggers it carries.
    pub base_layers: usize,
}

impl Attribution {
    /// Returns the step that made `layer`.
    pub fn step_of_layer(&self, layer: usize) -> Option<&Step> {
        self.steps.iter().find(|step| step.layer == Some(layer))
    }

    /// Returns the 1-based line range of the instruction that made `layer`.
    pub fn lines_of_layer(&self, layer: usize) -> Option<(u32, u32)> {
        self.step_of_layer(layer).and_then(|step| step.lines)
    }

    /// Returns the model index of the instruction that made `layer`.
    pub fn instruction_of_layer(&self, layer: usize) -> Option<usize> {
        self.step_of_layer(layer).and_then(|step| step.instruction)
    }

    pub fn is_available(&self) -> bool {
        !matches!(self.status, AttributionStatus::Unavailable { .. })
    }
}

/// The comment BuildKit's exporter writes on history entries it invents.
const EXPORTER_COMMENT: &str = "buildkit.exporter.image.v0";

/// Aligns `history` (paired with the image's `layer_count` layers) with the instructions of
/// `stage` and the stages it is built on.
pub fn attribute(
    model: &Model<'_>,
    stage: usize,
    history: &[HistoryEntry],
    layer_count: usize,
) -> Attribution {
    let unavailable = |reason: String| Attribution {
        status: AttributionStatus::Unavailable { reason },
        stage,
        steps: Vec::new(),
        base_layers: 0,
    };
    if stage >= model.stages.len() {
        return unavailable(format!("the Dockerfile has no stage {stage}"));
    }
    if history.is_empty() {
        return unavailable("the image config has no history".to_owned());
    }
    let non_empty = history.iter().filter(|entry| !entry.empty_layer).count();
    if non_empty != layer_count {
        return unavailable(format!(
            "the history has {} that make a layer but the image has {}",
            count(non_empty, "entry", "entries"),
            count(layer_count, "layer", "layers")
        ));
    }

    let layers = layer_indexes(history);
    let mut steps: Vec<Option<Step>> = vec![None; history.len()];
    let mut end = history.len();

    // Entries BuildKit's exporter appended sit at the very end.
    while end > 0 && history[end - 1].comment.as_deref() == Some(EXPORTER_COMMENT) {
        end -= 1;
        steps[end] = Some(make_step(history, &layers, end, StepRole::Builder, None));
    }

    let mut current = stage;
    let mut own_start = end;
    loop {
        end = match align_stage(model, current, history, &layers, end, &mut steps) {
            Ok(start) => start,
            Err(reason) => return unavailable(reason),
        };
        if current == stage {
            own_start = end;
        }
        let Base::Stage(parent) = model.stages[current].base else {
            break;
        };
        if parent >= current {
            break;
        }
        let from = model.stages[current].from;
        end = match align_triggers(model, parent, from, history, &layers, end, &mut steps) {
            Ok(start) => start,
            Err(reason) => return unavailable(reason),
        };
        current = parent;
    }

    let root_from = model.stages[current].from;
    for index in 0..end {
        let mut step = make_step(history, &layers, index, StepRole::Base, None);
        tie(&mut step, model, root_from);
        steps[index] = Some(step);
    }

    let steps: Vec<Step> = steps.into_iter().flatten().collect();
    let base_layers = history[..end]
        .iter()
        .filter(|entry| !entry.empty_layer)
        .count();
    let mut attribution = Attribution {
        status: AttributionStatus::Aligned,
        stage,
        steps,
        base_layers,
    };
    detect_squash(model, &mut attribution, own_start);
    attribution
}

/// The layer index of each history entry, counting entries without `empty_layer`.
fn layer_indexes(history: &[HistoryEntry]) -> Vec<Option<usize>> {
    let mut next = 0;
    history
        .iter()
        .map(|entry| {
            if entry.empty_layer {
                None
            } else {
                next += 1;
                Some(next - 1)
            }
        })
        .collect()
}

fn make_step(
    history: &[HistoryEntry],
    layers: &[Option<usize>],
    index: usize,
    role: StepRole,
    instruction: Option<usize>,
) -> Step {
    let entry = &history[index];
    Step {
        history: index,
        layer: layers[index],
        role,
        instruction,
        stage: None,
        lines: None,
        text: entry_text(entry),
    }
}

fn entry_text(entry: &HistoryEntry) -> String {
    entry
        .instruction
        .clone()
        .or_else(|| entry.created_by.clone())
        .unwrap_or_default()
}

/// Ties a step to instruction `index` of the model: its stage and line range.
fn tie(step: &mut Step, model: &Model<'_>, index: usize) {
    let inst = &model.instructions[index];
    step.instruction = Some(index);
    step.stage = inst.stage;
    step.lines = Some((inst.syntax.start_line, inst.syntax.end_line));
}

/// Aligns the instructions of `stage` (without `FROM`) backwards with the entries before
/// `end`. Returns the index of the stage's first entry.
fn align_stage(
    model: &Model<'_>,
    stage: usize,
    history: &[HistoryEntry],
    layers: &[Option<usize>],
    mut end: usize,
    steps: &mut [Option<Step>],
) -> Result<usize, String> {
    let instructions = model.stage_instructions(stage);
    for inst in instructions.iter().rev() {
        if inst.keyword() == Keyword::From {
            continue;
        }
        let line = inst.syntax.start_line;
        let Some(index) = end.checked_sub(1) else {
            return Err(format!(
                "the history has no entry left for line {line} `{}`; the image was not built from this Dockerfile or stage",
                first_line(&inst.syntax.line)
            ));
        };
        let entry = &history[index];
        let text = entry_text(entry);
        match match_entry(&text, inst) {
            EntryMatch::Yes => {}
            // BuildKit records no entry for an `ONBUILD` instruction.
            EntryMatch::No if inst.keyword() == Keyword::Onbuild => continue,
            EntryMatch::No => {
                return Err(format!(
                    "history entry {index} `{}` does not match line {line} `{}`; attribution stops here rather than guess",
                    first_line(&text),
                    first_line(&inst.syntax.line)
                ));
            }
        }
        let mut step = make_step(history, layers, index, StepRole::Instruction, None);
        tie(&mut step, model, inst.index);
        steps[index] = Some(step);
        end = index;
    }
    Ok(end)
}

/// Aligns the entries that the `ONBUILD` triggers of `parent` left when stage `from` started
/// from it. Returns the index of the first trigger entry.
fn align_triggers(
    model: &Model<'_>,
    parent: usize,
    from: usize,
    history: &[HistoryEntry],
    layers: &[Option<usize>],
    mut end: usize,
    steps: &mut [Option<Step>],
) -> Result<usize, String> {
    let triggers: Vec<&ballast_parser::Instruction> = model
        .stage_instructions(parent)
        .iter()
        .filter_map(|inst| match &inst.args {
            Typed::Onbuild(Some((trigger, _))) => Some(*trigger),
            _ => None,
        })
        .collect();
    for trigger in triggers.iter().rev() {
        let Some(index) = end.checked_sub(1) else {
            return Err(format!(
                "the history has no entry left for the ONBUILD trigger `{}`",
                first_line(&trigger.line)
            ));
        };
        let text = entry_text(&history[index]);
        if !matching::matches_instruction(&text, trigger) {
            return Err(format!(
                "history entry {index} `{}` does not match the ONBUILD trigger `{}`; attribution stops here rather than guess",
                first_line(&text),
                first_line(&trigger.line)
            ));
        }
        let mut step = make_step(history, layers, index, StepRole::OnbuildTrigger, None);
        tie(&mut step, model, from);
        steps[index] = Some(step);
        end = index;
    }
    Ok(end)
}

/// Marks a squashed build: every own entry of the stage is empty except the last one, which
/// made a layer although it is a metadata instruction, or although an earlier COPY or ADD
/// made no layer. The one layer is then tied to the whole stage.
fn detect_squash(model: &Model<'_>, attribution: &mut Attribution, own_start: usize) {
    let own: Vec<&Step> = attribution
        .steps
        .iter()
        .filter(|step| step.history >= own_start && step.role == StepRole::Instruction)
        .collect();
    let Some(last) = own.last() else {
        return;
    };
    if last.layer.is_none() || own[..own.len() - 1].iter().any(|step| step.layer.is_some()) {
        return;
    }
    let keyword_of = |step: &Step| {
        step.instruction
            .map(|index| model.instructions[index].keyword())
    };
    let writes = |keyword: Option<Keyword>| {
        matches!(
            keyword,
            Some(Keyword::Run | Keyword::Copy | Keyword::Add | Keyword::Workdir)
        )
    };
    let metadata_last = !writes(keyword_of(last));
    let empty_copy = own[..own.len() - 1]
        .iter()
        .any(|step| matches!(keyword_of(step), Some(Keyword::Copy | Keyword::Add)));
    if !metadata_last && !empty_copy {
        return;
    }

    let stage = &model.stages[attribution.stage];
    let first_line = model.instructions[stage.from].syntax.start_line;
    let last_line = model
        .stage_instructions(attribution.stage)
        .last()
        .map_or(first_line, |inst| inst.syntax.end_line);
    let last_history = last.history;
    for step in &mut attribution.steps {
        if step.history == last_history {
            step.role = StepRole::Stage;
            step.lines = Some((first_line, last_line));
        }
    }
    attribution.status = AttributionStatus::Squashed;
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or("");
    match line.char_indices().nth(80) {
        Some((at, _)) => &line[..at],
        None => line,
    }
}

#[cfg(test)]
mod tests;
