//! Linting one file: parse, build the model, run the rules, then apply pragmas and the
//! configuration.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

use xxhash_rust::xxh3::Xxh3Default;
use std::sync::Arc;

use ballast_parser::{Dockerfile, LineIndex, Span, parse};

use crate::attribution::evidence::ImageEvidence;
use crate::config::{Config, Level};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::lint_memo::StageFindings;
use crate::fix::{FixMode, apply_fixes};
use crate::model::{LintMemo, Model};
use crate::pragma::Pragmas;
use crate::rules::{BUILDKIT_CHECKS, Context, FileContext, Focus, RULES, Rule, Scope};

/// The code of syntax errors, hadolint's pseudo-rule for parse errors.
pub const SYNTAX_ERROR_CODE: &str = "DL1000";

/// Codes that run only when the configuration sets a severity for them, as in hadolint,
/// whose default severity for them is `ignore`.
const OFF_BY_DEFAULT: &[&str] = &["DL1001", "DL3057"];

/// The findings for one file.
#[derive(Clone, Debug, Default)]
pub struct LintResult {
    /// Sorted by position, then code.
    pub diagnostics: Vec<Diagnostic>,
    /// The ranges that contain a syntax error: the whole instruction, or the whole line
    /// outside instructions. Fixes never edit them.
    pub error_regions: Vec<Span>,
}

/// Lints `source` with every registered rule.
pub fn lint(source: &str, config: &Config, file: &FileContext) -> LintResult {
    lint_with(source, config, file, RULES)
}

/// Lints `source` with the given rules only.
pub fn lint_with(
    source: &str,
    config: &Config,
    file: &FileContext,
    rules: &[&dyn Rule],
) -> LintResult {
    lint_rules(source, config, file, rules, None, HashMap::new())
}

/// Lints `source` with every registered rule, the image rules (BL3###) reading `evidence`.
/// Their findings go through the same pragmas, configuration and ordering as every other
/// finding. `build_args` are the `--build-arg` values of the build that made the image, by
/// name (see [`Model::with_build_args`]).
pub fn lint_with_evidence(
    source: &str,
    config: &Config,
    file: &FileContext,
    evidence: &ImageEvidence,
    build_args: HashMap<String, String>,
) -> LintResult {
    lint_rules(source, config, file, RULES, Some(evidence), build_args)
}

/// Lints `source` with every registered rule, each `ARG` named in `build_args` taking that
/// value instead of its default, as `docker build --build-arg` gives it.
pub fn lint_with_build_args(
    source: &str,
    config: &Config,
    file: &FileContext,
    build_args: HashMap<String, String>,
) -> LintResult {
    lint_rules(source, config, file, RULES, None, build_args)
}

fn lint_rules(
    source: &str,
    config: &Config,
    file: &FileContext,
    rules: &[&dyn Rule],
    evidence: Option<&ImageEvidence>,
    build_args: HashMap<String, String>,
) -> LintResult {
    let tree = parse(source);
    let lines = LineIndex::new(source);
    let model = Model::with_build_args(source, &tree, None, build_args);
    lint_tree(source, &tree, &lines, &model, config, file, rules, evidence, None)
}

/// Lints `source` with every registered rule, given its syntax tree and line index, as an
/// editor keeps them for an open file. With a `memo` kept from the lints of the file's
/// earlier versions, an edit parses again only the RUN scripts it changed, and the rules
/// whose scope is [`Scope::Stage`] check again only the stages it changed. The result is
/// the same as [`lint`] returns for `source`.
pub fn lint_parsed(
    source: &str,
    tree: &Dockerfile,
    lines: &LineIndex,
    config: &Config,
    file: &FileContext,
    memo: Option<&LintMemo>,
) -> LintResult {
    if let Some(memo) = memo {
        memo.start_lint();
    }
    let model = Model::with_memo(source, tree, memo);
    let result = lint_tree(source, tree, lines, &model, config, file, RULES, None, memo);
    if let Some(memo) = memo {
        memo.sweep_if_large(|keep| {
            for inst in &model.instructions {
                inst.script_texts(source, keep);
            }
        });
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn lint_tree(
    source: &str,
    tree: &Dockerfile,
    lines: &LineIndex,
    model: &Model<'_>,
    config: &Config,
    file: &FileContext,
    rules: &[&dyn Rule],
    evidence: Option<&ImageEvidence>,
    memo: Option<&LintMemo>,
) -> LintResult {
    let plan = memo.map(|memo| StagePlan::new(source, tree, lines, model, config, file, memo));
    let pragmas = if config.disable_ignore_pragma {
        Pragmas::default()
    } else {
        Pragmas::parse(tree, source)
    };

    let mut diagnostics = Vec::new();
    // The findings of the rules whose scope is a stage, by kind of scope, when the plan
    // reuses them.
    let mut staged: [Vec<Diagnostic>; 2] = Default::default();
    for &rule in rules {
        let meta = rule.meta();
        let level = config.level_of(meta.code, meta.name);
        if level == Some(Level::Off) || (level.is_none() && OFF_BY_DEFAULT.contains(&meta.code)) {
            continue;
        }

        let kind = plan.as_ref().and(StagePlan::kind(rule.scope()));
        let (sink, focus) = match (kind, &plan) {
            (Some(kind), Some(plan)) => (&mut staged[kind], plan.focus(kind)),
            _ => (&mut diagnostics, Focus::ALL),
        };
        let first_new = sink.len();
        let mut cx = Context {
            source,
            tree,
            model,
            lines,
            settings: &config.rules,
            file,
            pragmas: &pragmas,
            evidence,
            meta,
            diagnostics: &mut *sink,
            focus,
        };
        rule.check(&mut cx);

        let severity = match level {
            Some(Level::Severity(severity)) => Some(severity),
            _ if pragmas.check_error && BUILDKIT_CHECKS.contains(&meta.code) => {
                Some(Severity::Error)
            }
            _ => None,
        };
        if let Some(severity) = severity {
            for diagnostic in &mut sink[first_new..] {
                diagnostic.severity = severity;
            }
        }
    }
    if let (Some(plan), Some(memo)) = (&plan, memo) {
        for (kind, fresh) in staged.into_iter().enumerate() {
            match plan.merge(kind, fresh, memo) {
                Some(merged) => diagnostics.extend(merged),
                None => {
                    // A rule reported in a stage it was not asked to check, so its scope is
                    // wrong. The whole file is checked again without reuse.
                    debug_assert!(false, "a rule with stage scope reported outside its focus");
                    return lint_tree(source, tree, lines, model, config, file, rules, evidence, None);
                }
            }
        }
    }
    crate::shellcheck::add_installed(source, model, config, file.path.as_deref(), &mut diagnostics);
    let diagnostics = finish(diagnostics, model, &pragmas);
    let error_regions = error_regions(tree, lines, model, &|offset| {
        instruction_at(model, offset)
    });
    LintResult {
        diagnostics,
        error_regions,
    }
}

/// Adds the findings of the installed ShellCheck to `fast`, the result of [`lint_parsed`]
/// for the same text and tree with ShellCheck off and otherwise the same configuration.
/// Returns what [`lint_parsed`] returns with ShellCheck on, without running the rules
/// again: after an edit, an editor shows `fast` first and this list when ShellCheck is
/// done. Returns `None` when [`crate::shellcheck::interrupt`] is called before ShellCheck
/// has checked every script.
pub fn add_shellcheck(
    source: &str,
    tree: &Dockerfile,
    config: &Config,
    file: &FileContext,
    memo: Option<&LintMemo>,
    fast: &LintResult,
) -> Option<LintResult> {
    let since = crate::shellcheck::interrupts();
    let model = Model::with_memo(source, tree, memo);
    let pragmas = if config.disable_ignore_pragma {
        Pragmas::default()
    } else {
        Pragmas::parse(tree, source)
    };
    let mut diagnostics = fast.diagnostics.clone();
    let path = file.path.as_deref();
    let complete = crate::shellcheck::add_installed_unless_interrupted(
        source,
        &model,
        config,
        path,
        Some(since),
        &mut diagnostics,
    );
    complete.then(|| LintResult {
        diagnostics: finish(diagnostics, &model, &pragmas),
        error_regions: fast.error_regions.clone(),
    })
}

/// The plan of a lint with a [`LintMemo`]: the stages that the rules whose scope is a stage
/// ([`Scope::Stage`] and [`Scope::StageLines`]) check, and the stages whose findings come
/// from the memo.
///
/// The file is cut into slots: slot 0 is the text before the first `FROM`, and slot `i + 1`
/// is stage `i`, from its `FROM` to the next one. Each slot has a fingerprint per kind of
/// scope: a hash of everything the findings of that kind may depend on. The memo keeps the
/// findings of each slot and kind under that fingerprint, with spans relative to the slot's
/// start.
struct StagePlan {
    /// The byte range of each slot.
    ranges: Vec<(usize, usize)>,
    /// Indexed by [`StagePlan::kind`].
    kinds: [Slots; 2],
}

/// The slots of one kind of scope.
struct Slots {
    fingerprints: Vec<u64>,
    /// Whether the rules check the slot in this lint: the memo has no findings for it.
    checked: Vec<bool>,
    cached: Vec<Option<StageFindings>>,
}

impl Slots {
    fn new(fingerprints: Vec<u64>, memo: &LintMemo) -> Slots {
        let cached: Vec<Option<StageFindings>> = fingerprints
            .iter()
            .map(|&fingerprint| memo.stage_findings(fingerprint))
            .collect();
        Slots {
            fingerprints,
            checked: cached.iter().map(Option::is_none).collect(),
            cached,
        }
    }
}

impl StagePlan {
    fn new(
        source: &str,
        tree: &Dockerfile,
        lines: &LineIndex,
        model: &Model<'_>,
        config: &Config,
        file: &FileContext,
        memo: &LintMemo,
    ) -> StagePlan {
        let stage_start =
            |index: usize| model.instructions[model.stages[index].from].syntax.span.start;
        let first_from = if model.stages.is_empty() {
            source.len()
        } else {
            stage_start(0)
        };

        let mut file_hasher = Xxh3Default::new();
        // Formatting into the hasher avoids building the text.
        let _ = write!(HashWriter(&mut file_hasher), "{config:?}");
        file.path.hash(&mut file_hasher);
        file.dockerignore.hash(&mut file_hasher);
        (tree.escape, tree.bom, model.stages.len()).hash(&mut file_hasher);
        source[..first_from].hash(&mut file_hasher);
        for inst in &model.instructions {
            if inst.keyword() == ballast_parser::Keyword::Onbuild {
                source[inst.span().start..inst.span().end].hash(&mut file_hasher);
            }
        }
        let file_fingerprint = file_hasher.finish();

        let slots = model.stages.len() + 1;
        let mut ranges = Vec::with_capacity(slots);
        let mut fingerprints = Vec::with_capacity(slots);
        ranges.push((0, first_from));
        fingerprints.push(file_fingerprint);
        for (index, stage) in model.stages.iter().enumerate() {
            let start = stage_start(index);
            let end = if index + 1 < model.stages.len() {
                stage_start(index + 1)
            } else {
                source.len()
            };
            let mut hasher = Xxh3Default::new();
            file_fingerprint.hash(&mut hasher);
            index.hash(&mut hasher);
            crate::rules::packages::stage_reaches_image(model, Some(index)).hash(&mut hasher);
            stage.used_by.len().hash(&mut hasher);
            if let crate::model::Base::Stage(parent) = stage.base
                && parent < index
            {
                fingerprints[parent + 1].hash(&mut hasher);
            }
            source[start..end].hash(&mut hasher);
            ranges.push((start, end));
            fingerprints.push(hasher.finish());
        }

        let with_lines = fingerprints
            .iter()
            .zip(&ranges)
            .map(|(fingerprint, &(start, _))| {
                let mut hasher = Xxh3Default::new();
                (fingerprint, "line", lines.line_of(start)).hash(&mut hasher);
                hasher.finish()
            })
            .collect();
        let kinds = [Slots::new(fingerprints, memo), Slots::new(with_lines, memo)];
        let checked = kinds[0].checked.iter().filter(|&&checked| checked).count();
        memo.record_checked(checked, ranges.len());
        StagePlan { ranges, kinds }
    }

    /// Returns the index in [`StagePlan::kinds`] of a scope, or `None` for [`Scope::File`].
    fn kind(scope: Scope) -> Option<usize> {
        match scope {
            Scope::File => None,
            Scope::Stage => Some(0),
            Scope::StageLines => Some(1),
        }
    }

    /// Returns the instructions that the rules of this kind check.
    fn focus(&self, kind: usize) -> Focus<'_> {
        let checked = &self.kinds[kind].checked;
        Focus::stages(&checked[1..], checked[0])
    }

    /// Returns the slot that contains `offset`.
    fn slot_of(&self, offset: usize) -> usize {
        self.ranges
            .partition_point(|&(start, _)| start <= offset)
            .saturating_sub(1)
    }

    /// Returns the findings of the rules of this kind for the whole file: `fresh`, found in
    /// the checked slots, and the memo's findings of the other slots, moved to where their
    /// slot is now. Keeps the findings of each checked slot in the memo. Returns `None` when
    /// a finding lies in a slot that was not checked.
    fn merge(&self, kind: usize, fresh: Vec<Diagnostic>, memo: &LintMemo) -> Option<Vec<Diagnostic>> {
        let slots = &self.kinds[kind];
        let mut by_slot: Vec<Vec<Diagnostic>> = vec![Vec::new(); self.ranges.len()];
        for diagnostic in fresh {
            let slot = self.slot_of(diagnostic.span.start);
            if !slots.checked[slot] {
                return None;
            }
            by_slot[slot].push(diagnostic);
        }

        let mut merged = Vec::new();
        for (slot, found) in by_slot.into_iter().enumerate() {
            let (start, end) = self.ranges[slot];
            match &slots.cached[slot] {
                Some(cached) => merged.extend(cached.iter().map(|finding| moved(finding, 0, start))),
                None => {
                    // A finding that points outside its slot would move wrongly when only
                    // that slot moves, so such a slot is not kept and is checked next time.
                    if found.iter().all(|finding| within(finding, start, end)) {
                        let relative = found.iter().map(|finding| moved(finding, start, 0)).collect();
                        memo.keep_stage_findings(slots.fingerprints[slot], Arc::new(relative));
                    }
                    merged.extend(found);
                }
            }
        }
        Some(merged)
    }
}

/// Feeds formatted text to a hasher.
struct HashWriter<'h, H>(&'h mut H);

impl<H: Hasher> std::fmt::Write for HashWriter<'_, H> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.0.write(text.as_bytes());
        Ok(())
    }
}

/// Returns whether every span of `diagnostic`, including those of its labels and its fix,
/// lies in `start..=end`.
fn within(diagnostic: &Diagnostic, start: usize, end: usize) -> bool {
    let inside = |span: Span| start <= span.start && span.end <= end;
    inside(diagnostic.span)
        && diagnostic.labels.iter().all(|label| inside(label.span))
        && diagnostic
            .fix
            .iter()
            .flat_map(|fix| &fix.edits)
            .all(|edit| inside(edit.span))
}

/// Returns `diagnostic` with every span moved from a slot that starts at `from` to one that
/// starts at `to`. Every span starts at or after `from`.
fn moved(diagnostic: &Diagnostic, from: usize, to: usize) -> Diagnostic {
    let shift = |span: Span| Span::new(span.start - from + to, span.end - from + to);
    let mut moved = diagnostic.clone();
    moved.span = shift(moved.span);
    for label in &mut moved.labels {
        label.span = shift(label.span);
    }
    if let Some(fix) = &mut moved.fix {
        for edit in &mut fix.edits {
            edit.span = shift(edit.span);
        }
    }
    moved
}

/// Returns the index of the instruction that contains `offset`.
fn instruction_at(model: &Model<'_>, offset: usize) -> Option<usize> {
    let index = model
        .instructions
        .partition_point(|inst| inst.syntax.span.start <= offset)
        .checked_sub(1)?;
    model.instructions[index]
        .syntax
        .span
        .contains(offset)
        .then_some(index)
}

/// Drops the findings that pragmas suppress, then sorts by position and code and removes
/// duplicates. Syntax errors cannot be silenced inline, as in hadolint.
fn finish(mut diagnostics: Vec<Diagnostic>, model: &Model<'_>, pragmas: &Pragmas) -> Vec<Diagnostic> {
    let stage_of = |index: usize| model.instructions.get(index).and_then(|inst| inst.stage);
    // Most files have no pragma, and then nothing is silenced.
    let silenced = !pragmas.list.is_empty();
    diagnostics.retain(|diagnostic| {
        !silenced
            || diagnostic.code == SYNTAX_ERROR_CODE
            || !pragmas.suppresses(
                &diagnostic.code,
                &diagnostic.name,
                instruction_at(model, diagnostic.span.start),
                &stage_of,
            )
    });
    // Sorting positions and moving each finding once costs less than moving the findings
    // themselves about while sorting. The sort is stable, as is the order it gives.
    fn key(diagnostic: &Diagnostic) -> (usize, &str, usize) {
        (diagnostic.span.start, &diagnostic.code, diagnostic.span.end)
    }
    let mut order: Vec<usize> = (0..diagnostics.len()).collect();
    order.sort_by(|&a, &b| key(&diagnostics[a]).cmp(&key(&diagnostics[b])));
    let mut slots: Vec<Option<Diagnostic>> = diagnostics.into_iter().map(Some).collect();
    let mut sorted: Vec<Diagnostic> = order.iter().filter_map(|&index| slots[index].take()).collect();
    sorted.dedup();
    sorted
}

fn error_regions(
    tree: &Dockerfile,
    lines: &LineIndex,
    model: &Model<'_>,
    instruction_at: &dyn Fn(usize) -> Option<usize>,
) -> Vec<Span> {
    tree.errors
        .iter()
        .map(|error| match instruction_at(error.span.start) {
            Some(index) => model.instructions[index].syntax.span,
            None => lines
                .line_span(lines.line_of(error.span.start))
                .unwrap_or(error.span)
                .cover(error.span),
        })
        .collect()
}

/// The outcome of fixing one file.
#[derive(Clone, Debug)]
pub struct FixedFile {
    /// The text with the fixes applied.
    pub text: String,
    /// How many fixes were applied, over all passes.
    pub applied: usize,
    /// The findings of the fixed text.
    pub result: LintResult,
}

/// Applies fixes and lints again until no fix applies, so a fix that makes another one
/// possible is applied too. Stops after a fixed number of passes in case two rules keep
/// undoing each other.
pub fn fix(source: &str, config: &Config, file: &FileContext, mode: FixMode) -> FixedFile {
    const MAX_PASSES: usize = 10;
    let mut text = source.to_string();
    let mut applied = 0;
    let mut result = lint(&text, config, file);
    for _ in 0..MAX_PASSES {
        let outcome = apply_fixes(&text, &result.diagnostics, &result.error_regions, mode);
        if outcome.applied == 0 {
            break;
        }
        applied += outcome.applied;
        text = outcome.text;
        result = lint(&text, config, file);
    }
    FixedFile {
        text,
        applied,
        result,
    }
}
