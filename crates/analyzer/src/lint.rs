//! Linting one file: parse, build the model, run the rules, then apply pragmas and the
//! configuration.

use std::collections::HashMap;

use ballast_parser::{Dockerfile, LineIndex, Span, parse};

use crate::attribution::evidence::ImageEvidence;
use crate::config::{Config, Level};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{FixMode, apply_fixes};
use crate::model::{Model, ScriptMemo};
use crate::pragma::Pragmas;
use crate::rules::{BUILDKIT_CHECKS, Context, FileContext, RULES, Rule};

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
    lint_tree(source, &tree, &lines, &model, config, file, rules, evidence)
}

/// Lints `source` with every registered rule, given its syntax tree and line index, as an
/// editor keeps them for an open file. RUN scripts are parsed through `memo` when there is
/// one, so an edit parses again only the scripts it changed. The result is the same as
/// [`lint`] returns for `source`.
pub fn lint_parsed(
    source: &str,
    tree: &Dockerfile,
    lines: &LineIndex,
    config: &Config,
    file: &FileContext,
    memo: Option<&ScriptMemo>,
) -> LintResult {
    if let Some(memo) = memo {
        memo.start_lint();
    }
    let model = Model::with_memo(source, tree, memo);
    lint_tree(source, tree, lines, &model, config, file, RULES, None)
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
) -> LintResult {
    let pragmas = if config.disable_ignore_pragma {
        Pragmas::default()
    } else {
        Pragmas::parse(&tree, source)
    };

    let mut diagnostics = Vec::new();
    for &rule in rules {
        let meta = rule.meta();
        let level = config.level_of(meta.code, meta.name);
        if level == Some(Level::Off) || (level.is_none() && OFF_BY_DEFAULT.contains(&meta.code)) {
            continue;
        }

        let first_new = diagnostics.len();
        let mut cx = Context {
            source,
            tree: &tree,
            model: &model,
            lines: &lines,
            settings: &config.rules,
            file,
            pragmas: &pragmas,
            evidence,
            meta,
            diagnostics: &mut diagnostics,
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
            for diagnostic in &mut diagnostics[first_new..] {
                diagnostic.severity = severity;
            }
        }
    }
    crate::shellcheck::add_installed(source, &model, config, file.path.as_deref(), &mut diagnostics);
    let diagnostics = finish(diagnostics, &model, &pragmas);
    let error_regions = error_regions(tree, lines, &model, &|offset| {
        instruction_at(&model, offset)
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
/// done.
pub fn add_shellcheck(
    source: &str,
    tree: &Dockerfile,
    config: &Config,
    file: &FileContext,
    memo: Option<&ScriptMemo>,
    fast: &LintResult,
) -> LintResult {
    let model = Model::with_memo(source, tree, memo);
    let pragmas = if config.disable_ignore_pragma {
        Pragmas::default()
    } else {
        Pragmas::parse(tree, source)
    };
    let mut diagnostics = fast.diagnostics.clone();
    crate::shellcheck::add_installed(source, &model, config, file.path.as_deref(), &mut diagnostics);
    LintResult {
        diagnostics: finish(diagnostics, &model, &pragmas),
        error_regions: fast.error_regions.clone(),
    }
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
    diagnostics.retain(|diagnostic| {
        diagnostic.code == SYNTAX_ERROR_CODE
            || !pragmas.suppresses(
                &diagnostic.code,
                &diagnostic.name,
                instruction_at(model, diagnostic.span.start),
                &stage_of,
            )
    });
    diagnostics.sort_by(|a, b| {
        (a.span.start, &a.code, a.span.end).cmp(&(b.span.start, &b.code, b.span.end))
    });
    diagnostics.dedup();
    diagnostics
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
