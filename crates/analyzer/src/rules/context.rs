//! The view a rule gets of one file while it checks it, and the sink for its findings.

use std::path::{Path, PathBuf};

use ballast_parser::{Dockerfile, LineIndex, Span};

use crate::attribution::evidence::ImageEvidence;
use crate::config::RuleSettings;
use crate::diagnostic::Diagnostic;
use crate::model::{Inst, Model};
use crate::pragma::Pragmas;
use crate::rules::RuleMeta;

/// Facts about the Dockerfile that are not in its text.
#[derive(Clone, Debug, Default)]
pub struct FileContext {
    /// The Dockerfile's path; `None` for standard input without `--stdin-filename`.
    pub path: Option<PathBuf>,
    /// The text of the `.dockerignore` that applies to the build context, when there is one.
    pub dockerignore: Option<String>,
}

impl FileContext {
    /// Reads the ignore file BuildKit would use for a Dockerfile at `path` when the build
    /// context is the Dockerfile's folder: `<Dockerfile>.dockerignore` if present, else
    /// `.dockerignore` in the folder. An unreadable ignore file counts as absent.
    pub fn for_path(path: &Path) -> FileContext {
        let folder = path.parent().unwrap_or(Path::new(""));
        FileContext::with_context(path, folder)
    }

    /// Reads the ignore file BuildKit would use for a Dockerfile at `path` built with the
    /// context folder `context`: `<Dockerfile>.dockerignore` beside the Dockerfile if
    /// present, else `.dockerignore` at the root of the context. An unreadable ignore file
    /// counts as absent.
    pub fn with_context(path: &Path, context: &Path) -> FileContext {
        let mut specific = path.as_os_str().to_owned();
        specific.push(".dockerignore");
        let dockerignore = std::fs::read_to_string(PathBuf::from(specific))
            .or_else(|_| std::fs::read_to_string(context.join(".dockerignore")))
            .ok();
        FileContext {
            path: Some(path.to_path_buf()),
            dockerignore,
        }
    }
}

/// The view a rule gets of one file, and the sink for its findings.
pub struct Context<'a> {
    pub source: &'a str,
    pub tree: &'a Dockerfile,
    pub model: &'a Model<'a>,
    pub lines: &'a LineIndex,
    pub settings: &'a RuleSettings,
    pub file: &'a FileContext,
    pub pragmas: &'a Pragmas,
    /// The facts of the built image that the image rules (BL3###) read. It is `None` when
    /// only the Dockerfile is linted, so those rules report nothing.
    pub evidence: Option<&'a ImageEvidence>,
    pub(crate) meta: &'static RuleMeta,
    pub(crate) diagnostics: &'a mut Vec<Diagnostic>,
    pub(crate) focus: Focus<'a>,
}

/// The instructions a rule checks in one run: every one, or, for a rule whose scope is
/// [`Scope::Stage`](super::Scope::Stage) after an edit, those of the stages whose findings
/// the previous lint cannot give.
#[derive(Clone, Copy, Debug)]
pub struct Focus<'a> {
    /// Per stage, whether it is checked; `None` checks every stage.
    stages: Option<&'a [bool]>,
    /// Whether the instructions before the first `FROM` are checked.
    prelude: bool,
}

impl<'a> Focus<'a> {
    /// Checks every instruction.
    pub const ALL: Focus<'static> = Focus {
        stages: None,
        prelude: true,
    };

    pub(crate) fn stages(stages: &'a [bool], prelude: bool) -> Focus<'a> {
        Focus {
            stages: Some(stages),
            prelude,
        }
    }

    /// Returns whether the rule checks `inst`.
    pub fn covers(self, inst: &Inst<'_>) -> bool {
        self.covers_stage(inst.stage)
    }

    /// Returns the instructions of `model` that the rule checks, in source order.
    pub fn instructions<'m, 'i>(self, model: &'m Model<'i>) -> impl Iterator<Item = &'m Inst<'i>> {
        let all = model.instructions.len();
        // The instructions of the stages checked, found through the stages' ranges, so that
        // a run after an edit does not visit every instruction of a large file. Nothing is
        // collected, because every rule with a stage scope calls this in every lint.
        let focused = self.stages.is_some();
        let whole = (!focused).then_some(0..all);
        let first_from = model.stages.first().map_or(all, |stage| stage.instructions.start);
        let prelude = (focused && self.prelude).then_some(0..first_from);
        let stages = model
            .stages
            .iter()
            .filter(move |stage| focused && self.covers_stage(Some(stage.index)))
            .map(|stage| stage.instructions.clone());
        whole
            .into_iter()
            .chain(prelude)
            .chain(stages)
            .flat_map(move |range| &model.instructions[range.start.min(all)..range.end.min(all)])
    }

    /// Returns whether the rule checks the stage with this index, or with `None` the
    /// instructions before the first `FROM`.
    pub fn covers_stage(self, stage: Option<usize>) -> bool {
        match (self.stages, stage) {
            (None, _) => true,
            (Some(_), None) => self.prelude,
            (Some(checked), Some(index)) => checked.get(index).copied().unwrap_or(true),
        }
    }
}

impl<'a> Context<'a> {
    /// Reports a finding of the running rule at `span`, with the rule's default severity.
    /// The returned diagnostic takes labels and a fix.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics.push(Diagnostic {
            code: std::borrow::Cow::Borrowed(self.meta.code),
            name: std::borrow::Cow::Borrowed(self.meta.name),
            severity: self.meta.severity,
            message: shorten_quotes(message.into()),
            span,
            labels: Vec::new(),
            fix: None,
        });
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    /// Returns the source text of `span`.
    pub fn text(&self, span: Span) -> &str {
        self.source.get(span.start..span.end).unwrap_or("")
    }

    /// Returns the 1-based line number of `offset`, for messages that point at another line.
    pub fn line_number(&self, offset: usize) -> u32 {
        self.lines.line_of(offset) + 1
    }

    /// Returns the rule that is running.
    pub fn rule(&self) -> &'static RuleMeta {
        self.meta
    }

    /// Returns the instructions and stages this run checks. A rule whose scope is
    /// [`Scope::Stage`](super::Scope::Stage) skips the others; every rule may still read
    /// them.
    pub fn focus(&self) -> Focus<'a> {
        self.focus
    }
}

/// The maximum length, in characters, of a text between backticks that a message quotes
/// in full.
const QUOTE_LIMIT: usize = 80;

/// Shortens each text between backticks in `message` that is longer than
/// [`QUOTE_LIMIT`] characters to its start and end around an ellipsis. Messages quote
/// the file's own words, and a 2,000-character package name quoted twice would otherwise
/// make a message longer than the line it points at.
fn shorten_quotes(message: String) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    // With an odd number of backticks the last part has no closing one and is not a quote.
    let quoted = |index: usize| index % 2 == 1 && index + 1 < parts.len() + parts.len() % 2;
    let too_long = (0..parts.len())
        .any(|index| quoted(index) && parts[index].chars().count() > QUOTE_LIMIT);
    if !too_long {
        return message;
    }

    let mut shortened = String::with_capacity(message.len().min(1024));
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            shortened.push('`');
        }
        let count = part.chars().count();
        if quoted(index) && count > QUOTE_LIMIT {
            let head: String = part.chars().take(QUOTE_LIMIT / 2).collect();
            let tail: String = part.chars().skip(count - QUOTE_LIMIT / 4).collect();
            shortened.push_str(&head);
            shortened.push('…');
            shortened.push_str(&tail);
        } else {
            shortened.push_str(part);
        }
    }
    shortened
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quotes_are_shortened() {
        let name = "x".repeat(2_000);
        let message = format!("pin the version of `{name}` (`{name}=<version>`) so rebuilds install it");
        let short = shorten_quotes(message);
        assert!(short.len() < 200, "{short}");
        assert!(short.starts_with(&format!("pin the version of `{}…{}`", "x".repeat(40), "x".repeat(20))));
        assert!(short.ends_with("=<version>`) so rebuilds install it"), "{short}");
    }

    #[test]
    fn short_quotes_stay() {
        let message = "use `COPY --chown` instead of `chown -R` in a RUN".to_string();
        assert_eq!(shorten_quotes(message.clone()), message);
        let unclosed = format!("a `{}", "y".repeat(100));
        assert_eq!(shorten_quotes(unclosed.clone()), unclosed);
    }
}
