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
/// Each lint starts a generation with [`LintMemo::start_lint`]. A stage's findings that
/// the current and the previous generation did not use are dropped. Scripts are dropped
/// in sweeps instead ([`LintMemo::sweep_if_large`]). Finding the texts of every RUN of
/// the file took 3% of an edit's instructions in the 500-line benchmark. So a sweep runs
/// only when the memo contains twice the scripts, or twice the script text, that it kept
/// at the sweep before. Either way the memo keeps a few versions of the file however long
/// the editing session lasts, and a few copies of a RUN however large it is.
#[derive(Debug, Default)]
pub struct LintMemo {
    scripts: Mutex<Scripts>,
    stages: Mutex<StageGenerations>,
}

#[derive(Debug, Default)]
struct Scripts {
    /// Indexed by dialect: 0 for POSIX sh, 1 for bash.
    parsed: [FastMap<String, Arc<Script>>; 2],
    /// The bytes of script text parsed, the sum of the keys' lengths. A parse takes memory
    /// in proportion to its text.
    bytes: usize,
    /// How many parses, and how many bytes of text, the memo may contain before the next
    /// sweep; 0 before the first lint.
    limit: usize,
    byte_limit: usize,
}

/// The parses a sweep keeps beyond twice the number the file uses, so that a small file
/// is not swept after every edit.
const SWEEP_SLACK: usize = 32;

/// The script text a sweep keeps beyond twice what the file uses, for the same reason.
const SWEEP_SLACK_BYTES: usize = 64 * 1024;

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
    /// Starts a new generation: the stage findings the lint before the previous one used
    /// and no lint since has used are dropped.
    pub fn start_lint(&self) {
        // A generation has about as many entries as the one before, so the new map starts
        // at that size instead of growing through every power of two.
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

    /// Drops the parses of texts that are no longer scripts of the file, when the memo
    /// contains more parses or more text than its limits. `texts` passes each script text of
    /// the file to its argument. After a sweep the limits are twice the number of parses
    /// kept, plus [`SWEEP_SLACK`], and twice their text, plus [`SWEEP_SLACK_BYTES`]. The
    /// first call only sets them, since the first lint parsed nothing but the file's scripts.
    pub(crate) fn sweep_if_large(&self, texts: impl FnOnce(&mut dyn FnMut(&str))) {
        let mut scripts = self.lock();
        let count = scripts.parsed.iter().map(FastMap::len).sum::<usize>();
        if scripts.limit == 0 {
            scripts.limit = 2 * count + SWEEP_SLACK;
            scripts.byte_limit = 2 * scripts.bytes + SWEEP_SLACK_BYTES;
            return;
        }
        if count <= scripts.limit && scripts.bytes <= scripts.byte_limit {
            return;
        }
        let mut old = std::mem::take(&mut scripts.parsed);
        let parsed = &mut scripts.parsed;
        texts(&mut |text| {
            for (kept, old) in parsed.iter_mut().zip(&mut old) {
                if let Some((text, script)) = old.remove_entry(text) {
                    kept.insert(text, script);
                }
            }
        });
        let kept_count = parsed.iter().map(FastMap::len).sum::<usize>();
        let kept_bytes: usize = parsed.iter().flat_map(FastMap::keys).map(String::len).sum();
        scripts.limit = 2 * kept_count + SWEEP_SLACK;
        scripts.bytes = kept_bytes;
        scripts.byte_limit = 2 * kept_bytes + SWEEP_SLACK_BYTES;
        // The parses of old texts are freed after the lock is released.
        drop(scripts);
        drop(old);
    }

    fn parse_in(&self, text: &str, dialect: Dialect) -> Arc<Script> {
        let slot = dialect_slot(dialect);
        if let Some(script) = self.lock().parsed[slot].get(text) {
            return script.clone();
        }
        // Parsing happens outside the lock, so a concurrent lint of the same file is not
        // blocked by it; two lints that miss at once parse the same text twice.
        let script = Arc::new(parse_script(text, dialect));
        let mut scripts = self.lock();
        if scripts.parsed[slot].insert(text.to_string(), script.clone()).is_none() {
            scripts.bytes += text.len();
        }
        script
    }

    /// Returns how many parsed scripts the memo holds.
    pub fn len(&self) -> usize {
        self.lock().parsed.iter().map(FastMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Scripts> {
        // Every update is a single insert, remove or swap, so a panic elsewhere while the
        // lock was held leaves consistent maps.
        self.scripts
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
    fn sweep_keeps_only_the_texts_of_the_file() {
        let memo = LintMemo::default();
        memo.parse("echo kept", Dialect::Posix);
        memo.parse("[[ -n bash ]]", Dialect::Bash);
        let file = |keep: &mut dyn FnMut(&str)| {
            keep("echo kept");
            keep("[[ -n bash ]]");
        };
        // The first call sets the limit to 2 * 2 + SWEEP_SLACK for the 2 parses.
        memo.sweep_if_large(file);
        for number in 0..2 * 2 + SWEEP_SLACK - 2 {
            memo.parse(&format!("echo {number}"), Dialect::Posix);
        }
        let count = memo.len();
        memo.sweep_if_large(file);
        assert_eq!(memo.len(), count, "swept before the limit was passed");
        let kept = memo.parse("echo kept", Dialect::Posix);
        memo.parse("echo one more", Dialect::Posix);
        memo.sweep_if_large(file);
        assert_eq!(memo.len(), 2);
        assert!(Arc::ptr_eq(&kept, &memo.parse("echo kept", Dialect::Posix)));
    }

    #[test]
    fn sweep_runs_when_the_text_doubles() {
        let memo = LintMemo::default();
        let large = |number: usize| format!("echo {number} {}", "x".repeat(40 * 1024));
        memo.parse(&large(0), Dialect::Posix);
        let file = |keep: &mut dyn FnMut(&str)| keep(&large(0));
        memo.sweep_if_large(file);
        // Three large texts pass the byte limit long before the count limit.
        for number in 1..=3 {
            memo.parse(&large(number), Dialect::Posix);
        }
        memo.sweep_if_large(file);
        assert_eq!(memo.len(), 1);
    }
}
