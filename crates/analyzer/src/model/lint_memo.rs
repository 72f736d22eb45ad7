//! The state one lint of a file keeps for the next. After an edit, only the RUN scripts
//! whose text changed are parsed again, and the rules whose findings stay within a stage
//! check again only the stages that changed.

use crate::FastMap;
use std::sync::{Arc, Mutex};

use ballast_parser::shell::{Dialect, Script, parse_script, same_in_both_dialects};

use crate::diagnostic::Diagnostic;

/// The scripts parsed by the latest lints of one file, by dialect and text, and the
/// findings of each stage, by the stage's fingerprint.
///
/// Each lint starts a generation with [`LintMemo::start_lint`]. A script or a stage's
/// findings that the current and the previous generation did not use are dropped, so the
/// memo keeps about two versions of the file however long the editing session lasts.
#[derive(Debug, Default)]
pub struct LintMemo {
    generations: Mutex<Generations>,
    stages: Mutex<StageGenerations>,
}

#[derive(Debug, Default)]
struct Generations {
    /// Indexed by dialect: 0 for POSIX sh, 1 for bash.
    current: [FastMap<String, Arc<Script>>; 2],
    previous: [FastMap<String, Arc<Script>>; 2],
}

/// The findings of a stage, with spans relative to the stage's start.
pub(crate) type StageFindings = Arc<Vec<Diagnostic>>;

#[derive(Debug, Default)]
struct StageGenerations {
    current: FastMap<u64, StageFindings>,
    previous: FastMap<u64, StageFindings>,
    /// How many stages the latest lint checked, and how many the file has.
    checked: (usize, usize),
}

impl LintMemo {
    /// Starts a new generation: the scripts the lint before the previous one used and no
    /// lint since has used are dropped.
    pub fn start_lint(&self) {
        // A generation has about as many entries as the one before, so the new maps
        // start at that size instead of growing through every power of two.
        let mut generations = self.lock();
        let generations = &mut *generations;
        for (current, previous) in generations.current.iter_mut().zip(&mut generations.previous) {
            let next = FastMap::with_capacity_and_hasher(current.len(), Default::default());
            *previous = std::mem::replace(current, next);
        }
        let mut stages = self.lock_stages();
        let next = FastMap::with_capacity_and_hasher(stages.current.len(), Default::default());
        stages.previous = std::mem::replace(&mut stages.current, next);
    }

    /// Returns the findings kept for the stage with this fingerprint.
    pub(crate) fn stage_findings(&self, fingerprint: u64) -> Option<StageFindings> {
        let mut stages = self.lock_stages();
        if let Some(findings) = stages.current.get(&fingerprint) {
            return Some(findings.clone());
        }
        let findings = stages.previous.remove(&fingerprint)?;
        stages.current.insert(fingerprint, findings.clone());
        Some(findings)
    }

    /// Returns how many stages the latest lint checked with the rules whose scope is
    /// [`Scope::Stage`](crate::rules::Scope::Stage), and how many stages the file has.
    /// The text before the first `FROM` counts as one more stage.
    pub fn stages_checked(&self) -> (usize, usize) {
        self.lock_stages().checked
    }

    pub(crate) fn record_checked(&self, checked: usize, total: usize) {
        self.lock_stages().checked = (checked, total);
    }

    /// Keeps the findings of the stage with this fingerprint for the next lint.
    pub(crate) fn keep_stage_findings(&self, fingerprint: u64, findings: StageFindings) {
        self.lock_stages().current.insert(fingerprint, findings);
    }

    fn lock_stages(&self) -> std::sync::MutexGuard<'_, StageGenerations> {
        // As for the scripts, every update is a single insert, remove or swap.
        self.stages
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Returns the parse of `text` in `dialect`, the same value [`parse_script`] returns.
    ///
    /// Rules ask for both dialects of a RUN in a POSIX sh stage, and a RUN being typed
    /// changes at every keystroke. A script that [`same_in_both_dialects`] accepts and that
    /// parses without errors as bash is that same script in POSIX sh, so it is parsed once.
    pub fn parse(&self, text: &str, dialect: Dialect) -> Arc<Script> {
        if dialect == Dialect::Posix && same_in_both_dialects(text) {
            let bash = self.parse_in(text, Dialect::Bash);
            if !bash.recovered && bash.error.is_none() {
                return bash;
            }
        }
        self.parse_in(text, dialect)
    }

    /// Keeps the parses of `text`, in either dialect, for the next lint without parsing
    /// it: the text is still a script of the file, though no rule asked for it in this lint.
    pub fn keep(&self, text: &str) {
        let mut generations = self.lock();
        let generations = &mut *generations;
        for (current, previous) in generations.current.iter_mut().zip(&mut generations.previous) {
            if current.contains_key(text) {
                continue;
            }
            if let Some((text, script)) = previous.remove_entry(text) {
                current.insert(text, script);
            }
        }
    }

    fn parse_in(&self, text: &str, dialect: Dialect) -> Arc<Script> {
        let slot = dialect_slot(dialect);
        {
            let mut generations = self.lock();
            if let Some(script) = generations.current[slot].get(text) {
                return script.clone();
            }
            if let Some((text, script)) = generations.previous[slot].remove_entry(text) {
                generations.current[slot].insert(text, script.clone());
                return script;
            }
        }
        // Parsing happens outside the lock, so a concurrent lint of the same file is not
        // blocked by it; two lints that miss at once parse the same text twice.
        let script = Arc::new(parse_script(text, dialect));
        self.lock().current[slot].insert(text.to_string(), script.clone());
        script
    }

    /// Returns how many parsed scripts the memo holds.
    pub fn len(&self) -> usize {
        let generations = self.lock();
        generations.current.iter().map(FastMap::len).sum::<usize>()
            + generations.previous.iter().map(FastMap::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        // Every update is a single insert, remove or swap, so a panic elsewhere while the
        // lock was held leaves consistent maps.
        self.generations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn dialect_slot(dialect: Dialect) -> usize {
    match dialect {
        Dialect::Posix => 0,
        Dialect::Bash => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_matches_parse_script() {
        let memo = LintMemo::default();
        let text = "apt-get update && apt-get install -y curl | tee log";
        for dialect in [Dialect::Posix, Dialect::Bash] {
            assert_eq!(*memo.parse(text, dialect), parse_script(text, dialect));
        }
    }

    #[test]
    fn repeated_parse_is_shared() {
        let memo = LintMemo::default();
        let first = memo.parse("echo a", Dialect::Posix);
        let second = memo.parse("echo a", Dialect::Posix);
        assert!(Arc::ptr_eq(&first, &second));
        // A script that both dialects read alike is parsed once, and one that uses bash's
        // syntax once per dialect.
        let bash = memo.parse("echo a", Dialect::Bash);
        assert!(Arc::ptr_eq(&first, &bash));
        let posix = memo.parse("[[ -n a ]]", Dialect::Posix);
        let bash = memo.parse("[[ -n a ]]", Dialect::Bash);
        assert!(!Arc::ptr_eq(&posix, &bash));
    }

    #[test]
    fn kept_scripts_outlive_unused_lints() {
        let memo = LintMemo::default();
        let script = memo.parse("echo kept", Dialect::Posix);
        memo.parse("[[ -n bash ]]", Dialect::Bash);
        for _ in 0..3 {
            memo.start_lint();
            memo.keep("echo kept");
            memo.keep("[[ -n bash ]]");
        }
        assert_eq!(memo.len(), 2);
        assert!(Arc::ptr_eq(&script, &memo.parse("echo kept", Dialect::Posix)));
        memo.start_lint();
        memo.start_lint();
        assert!(memo.is_empty());
    }

    #[test]
    fn unused_scripts_are_dropped_after_two_lints() {
        let memo = LintMemo::default();
        memo.parse("echo old", Dialect::Posix);
        memo.start_lint();
        let kept = memo.parse("echo kept", Dialect::Posix);
        assert_eq!(memo.len(), 2);
        memo.start_lint();
        assert!(Arc::ptr_eq(&kept, &memo.parse("echo kept", Dialect::Posix)));
        assert_eq!(memo.len(), 1);
    }
}
