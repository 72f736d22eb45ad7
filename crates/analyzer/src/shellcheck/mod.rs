//! ShellCheck on the shell code of RUN instructions.
//!
//! A front end installs a [`Checker`]: the CLI does when `shellcheck` is on `PATH` or given
//! with `--shellcheck`. From then on [`crate::lint::lint`] runs it on every shell-form RUN and
//! heredoc script, in the dialect of the stage's `SHELL`. Each finding becomes a diagnostic
//! with code `SC####` at its own line and column in the Dockerfile. hadolint
//! 2.15 reports at most one ShellCheck finding per RUN, at the RUN's first column; ballast
//! reports them all where they are.
//!
//! Scripts run in parallel, one `shellcheck` process each. Results are cached for the whole
//! process by script text and dialect. A language server that lints a file again after an
//! edit therefore runs ShellCheck only on the RUNs that changed.

mod checker;
mod script;

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use ballast_parser::run_script::{RunScript, ScriptOrigin};
use ballast_parser::shell::Dialect as ParseDialect;
use ballast_parser::{Dockerfile, Keyword, NodeKind, Span};
use rayon::prelude::*;

pub use checker::{CheckError, Checker, EXCLUDED_CODES, Finding, Replacement};

use crate::config::{Config, Level};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{Base, Inst, Model};

/// The rule name of every ShellCheck finding, so `--ignore shellcheck` turns them all off.
pub const RULE_NAME: &str = "shellcheck";

/// Variables set in every RUN without an ARG: BuildKit's predefined proxy build arguments.
const PROXY_ARGS: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// A shell language ShellCheck reads, the value of its `--shell` option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    Sh,
    Bash,
    /// dash, and also busybox's and Alpine's ash, which read the same language.
    Dash,
    Ksh,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Sh => "sh",
            Dialect::Bash => "bash",
            Dialect::Dash => "dash",
            Dialect::Ksh => "ksh",
        }
    }

    /// Returns the dialect of a shell command line, such as a `SHELL` instruction's words
    /// or the words of a `#!` line, or `Err` with the program's name when ShellCheck cannot
    /// read its language (`pwsh`, `cmd`, `zsh`, `fish`, …). `/usr/bin/env NAME` and
    /// `busybox NAME` name the shell in their next word.
    pub fn of_command(words: &[String]) -> Result<Dialect, String> {
        let mut words = words.iter().map(String::as_str);
        let mut name = program_name(words.next().unwrap_or(""));
        if matches!(name, "env" | "busybox") {
            let wrapper = name;
            name = words
                .find(|word| !word.starts_with('-'))
                .map_or(wrapper, program_name);
            if wrapper == "busybox" && name == "sh" {
                name = "ash";
            }
        }
        match name {
            "sh" => Ok(Dialect::Sh),
            "bash" => Ok(Dialect::Bash),
            "dash" | "ash" => Ok(Dialect::Dash),
            "ksh" | "ksh93" | "mksh" | "pdksh" | "oksh" => Ok(Dialect::Ksh),
            _ => Err(name.to_string()),
        }
    }
}

/// Returns a program's file name without folders and without a Windows `.exe` suffix.
fn program_name(word: &str) -> &str {
    let name = word.rsplit(['/', '\\']).next().unwrap_or(word);
    name.strip_suffix(".exe").unwrap_or(name)
}

/// Returns the ShellCheck wiki page of a code such as `SC2086`.
pub fn wiki_url(code: &str) -> String {
    format!("https://www.shellcheck.net/wiki/{code}")
}

/// The scripts ShellCheck could not check since the last [`take_notes`], by cause.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notes {
    /// Shells whose RUNs were not checked because ShellCheck cannot read their language.
    pub skipped_shells: BTreeSet<String>,
    /// Distinct failures to run ShellCheck, with the scripts they left unchecked.
    pub errors: BTreeSet<String>,
}

impl Notes {
    fn merge(&mut self, other: Notes) {
        self.skipped_shells.extend(other.skipped_shells);
        self.errors.extend(other.errors);
    }
}

struct Installed {
    checker: Checker,
    notes: Mutex<Notes>,
}

static INSTALLED: RwLock<Option<Arc<Installed>>> = RwLock::new(None);

/// Counts calls to [`interrupt`].
static INTERRUPTS: AtomicU64 = AtomicU64::new(0);

/// Makes the runs of [`crate::lint::add_shellcheck`] that have started give up: they start
/// no more ShellCheck processes and return `None`. A language server calls it on each edit,
/// so that the first pass over a large file, which starts one process per RUN, does not
/// compete for the processor with the lints of the edits that follow.
pub fn interrupt() {
    INTERRUPTS.fetch_add(1, Ordering::SeqCst);
}

/// Makes [`crate::lint::lint`] run `checker` on RUN instructions, or stops it with `None`.
/// Nothing runs ShellCheck until a front end installs a checker.
pub fn install(checker: Option<Checker>) {
    let installed = checker.map(|checker| {
        Arc::new(Installed {
            checker,
            notes: Mutex::default(),
        })
    });
    *INSTALLED
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = installed;
}

/// Returns the installed checker, if any.
pub fn installed() -> Option<Checker> {
    current().map(|installed| installed.checker.clone())
}

/// Returns and clears the notes of the installed checker's runs.
pub fn take_notes() -> Notes {
    current()
        .map(|installed| {
            std::mem::take(
                &mut *installed
                    .notes
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            )
        })
        .unwrap_or_default()
}

fn current() -> Option<Arc<Installed>> {
    INSTALLED
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

/// Adds the findings of the installed checker, if any, to `diagnostics`. The lint engine
/// calls it; pragmas and the configuration's ignore list apply afterwards, as for rules.
pub(crate) fn add_installed(
    source: &str,
    model: &Model<'_>,
    config: &Config,
    path: Option<&std::path::Path>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    add_installed_unless_interrupted(source, model, config, path, None, diagnostics);
}

/// Adds the findings of the installed ShellCheck to `diagnostics`, like [`add_installed`].
/// With `since`, a value of [`interrupts`], gives up when [`interrupt`] is called again and
/// returns `false`, and `diagnostics` then contains only some of the findings.
pub(crate) fn add_installed_unless_interrupted(
    source: &str,
    model: &Model<'_>,
    config: &Config,
    path: Option<&std::path::Path>,
    since: Option<u64>,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let Some(installed) = current() else {
        return true;
    };
    let mut notes = Notes::default();
    let found = check_file(&installed.checker, source, model, config, path, since, &mut notes);
    let complete = found.is_some();
    diagnostics.extend(found.unwrap_or_default());
    installed
        .notes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .merge(notes);
    complete
}

/// Returns how many times [`interrupt`] was called, for
/// [`add_installed_unless_interrupted`].
pub(crate) fn interrupts() -> u64 {
    INTERRUPTS.load(Ordering::SeqCst)
}

/// One script to check.
struct Job {
    script: RunScript,
    dialect: Dialect,
    declared: Arc<Vec<String>>,
}

/// Runs `checker` on every shell-form RUN and heredoc script of `model` and returns the
/// findings as diagnostics, with the configuration's severity overrides and `off` levels
/// applied. Shells it cannot check are added to `notes`.
pub fn check_model(
    checker: &Checker,
    source: &str,
    model: &Model<'_>,
    config: &Config,
    notes: &mut Notes,
) -> Vec<Diagnostic> {
    check_file(checker, source, model, config, None, None, notes).unwrap_or_default()
}

/// Runs ShellCheck as [`check_model`] does; `path` names the file in the note of a script that
/// timed out. With `since`, returns `None` once [`interrupt`] has been called after
/// [`interrupts`] returned `since`.
fn check_file(
    checker: &Checker,
    source: &str,
    model: &Model<'_>,
    config: &Config,
    path: Option<&std::path::Path>,
    since: Option<u64>,
    notes: &mut Notes,
) -> Option<Vec<Diagnostic>> {
    if is_turned_off(config) {
        return Some(Vec::new());
    }

    let jobs = collect_jobs(source, model, notes);
    let interrupted = || since.is_some_and(|since| interrupts() != since);
    let results: Vec<(usize, Result<Arc<Vec<Finding>>, CheckError>)> = jobs
        .par_iter()
        .enumerate()
        .filter_map(|(index, job)| {
            if interrupted() {
                return None;
            }
            let result = checker.check(&job.script.text, job.dialect, &job.declared);
            Some((index, result))
        })
        .collect();
    if results.len() < jobs.len() {
        return None;
    }

    let mut diagnostics = Vec::new();
    for (index, result) in results {
        let job = &jobs[index];
        match result {
            Ok(findings) => {
                for finding in findings.iter() {
                    if let Some(diagnostic) = to_diagnostic(finding, &job.script, config) {
                        diagnostics.push(diagnostic);
                    }
                }
            }
            Err(error @ CheckError::TimedOut { .. }) => {
                let start = job.script.source_span(Span::empty(0)).start;
                let before = source.get(..start).unwrap_or(source);
                let line = before.matches('\n').count() + 1;
                let file = path.map_or_else(|| "<stdin>".into(), |path| path.display().to_string());
                notes.errors.insert(format!("{file}:{line}: {error}"));
            }
            Err(error) => {
                notes.errors.insert(error.to_string());
            }
        }
    }
    Some(diagnostics)
}

/// Returns whether the configuration leaves no ShellCheck code to report: it ignores
/// `shellcheck`, or `select` names neither `shellcheck` nor any `SC` code.
fn is_turned_off(config: &Config) -> bool {
    let names_shellcheck =
        |entry: &String| entry == RULE_NAME || entry.to_ascii_uppercase().starts_with("SC");
    config.ignore.iter().any(|entry| entry == RULE_NAME)
        || (!config.select.is_empty() && !config.select.iter().any(names_shellcheck))
}

fn collect_jobs(source: &str, model: &Model<'_>, notes: &mut Notes) -> Vec<Job> {
    let pragmas = shell_pragmas(model.tree);
    let mut jobs = Vec::new();
    for inst in &model.instructions {
        if !matches!(inst.keyword(), Keyword::Run | Keyword::Onbuild) {
            continue;
        }
        let shell = effective_shell(model, inst, &pragmas);
        let parse_dialect = ParseDialect::from_shell(shell.first().map_or("", String::as_str));
        let scripts = inst.run_scripts(source, parse_dialect);
        if scripts.is_empty() {
            continue;
        }

        // Only the names a script mentions are declared, so a job keeps a few names instead
        // of every ARG and ENV in scope, which grows with the square of the file.
        let declared = {
            let mentioned: HashSet<&str> = scripts
                .iter()
                .flat_map(|script| script::identifiers_in(&script.text))
                .collect();
            Arc::new(names_in_scope(model, inst, &mentioned))
        };
        for script in scripts {
            // A heredoc with a `#!` line runs as its own program.
            let shebang = match script.origin {
                ScriptOrigin::Heredoc(_) => shebang_words(&script.text),
                ScriptOrigin::ShellForm => None,
            };
            if script.interpreter.is_some() {
                // Python, Perl and the like: not shell code.
                continue;
            }
            let dialect = match Dialect::of_command(shebang.as_deref().unwrap_or(&shell)) {
                Ok(dialect) => dialect,
                Err(name) => {
                    notes.skipped_shells.insert(name);
                    continue;
                }
            };
            jobs.push(Job {
                script: script.clone(),
                dialect,
                declared: Arc::clone(&declared),
            });
        }
    }
    jobs
}

/// The shell BuildKit uses for shell-form commands on Windows when no `SHELL` is set.
const WINDOWS_DEFAULT_SHELL: [&str; 3] = ["cmd", "/S", "/C"];

/// A `# hadolint shell=NAME` (or `# ballast shell=NAME`) comment: the shell ShellCheck
/// assumes for the RUNs after it, as in hadolint.
struct ShellPragma {
    /// The index of the instruction after the comment.
    next_instruction: usize,
    name: String,
}

fn shell_pragmas(tree: &Dockerfile) -> Vec<ShellPragma> {
    let mut pragmas = Vec::new();
    let mut instruction_index = 0;
    for node in &tree.nodes {
        match &node.kind {
            NodeKind::Comment(comment) => {
                if let Some(name) = parse_shell_pragma(&comment.text) {
                    pragmas.push(ShellPragma {
                        next_instruction: instruction_index,
                        name,
                    });
                }
            }
            NodeKind::Instruction(_) => instruction_index += 1,
            _ => {}
        }
    }
    pragmas
}

/// Reads `hadolint shell=NAME` or `ballast shell=NAME` from a comment's text.
fn parse_shell_pragma(text: &str) -> Option<String> {
    let rest = text
        .strip_prefix("hadolint")
        .or_else(|| text.strip_prefix("ballast"))?;
    let rest = rest.strip_prefix([' ', '\t'])?.trim_start();
    let rest = rest.strip_prefix("shell")?.trim_start();
    let name = rest.strip_prefix('=')?.split_whitespace().next()?;
    Some(name.to_string())
}

/// Returns the shell of a RUN. The latest of a `SHELL` instruction of its stage and a shell
/// pragma in its stage wins; a pragma before the first `FROM` applies to stages without
/// either. Otherwise it is the stage's shell, or `cmd /S /C` for a stage built on a Windows
/// image, as BuildKit does on Windows.
fn effective_shell(model: &Model<'_>, inst: &Inst<'_>, pragmas: &[ShellPragma]) -> Vec<String> {
    let stage_start = inst.stage.map_or(0, |stage| model.stages[stage].from);
    let first_from = model.stages.first().map_or(usize::MAX, |stage| stage.from);
    let latest_pragma = |range: std::ops::Range<usize>| {
        pragmas
            .iter()
            .rev()
            .find(|pragma| range.contains(&pragma.next_instruction))
            .map(|pragma| (pragma.next_instruction, pragma.name.clone()))
    };
    let latest_shell = model.instructions[stage_start..=inst.index]
        .iter()
        .rev()
        .find(|other| other.keyword() == Keyword::Shell)
        .map(|other| other.index);
    // A pragma right above `FROM` belongs to that stage.
    let in_stage = latest_pragma(stage_start..inst.index + 1);
    match (in_stage, latest_shell) {
        (Some((at, name)), Some(shell)) if at > shell => return vec![name],
        (Some((_, name)), None) => return vec![name],
        (_, Some(_)) => return model.shell_of(inst).to_vec(),
        (None, None) => {}
    }
    // A pragma before the first `FROM` (or right above it) sets the default of every stage.
    let global = latest_pragma(0..first_from.saturating_add(1));
    if let (0, Some((_, name))) = (inst.shell, global) {
        return vec![name];
    }

    let windows = inst.shell == 0
        && inst
            .stage
            .is_some_and(|stage| is_windows_stage(model, stage));
    if windows {
        WINDOWS_DEFAULT_SHELL
            .iter()
            .map(|word| word.to_string())
            .collect()
    } else {
        model.shell_of(inst).to_vec()
    }
}

/// Returns whether a stage is built for Windows: `--platform=windows/…`, a base image in
/// Microsoft's Windows repositories (`mcr.microsoft.com/windows/servercore`, the older
/// `microsoft/nanoserver`, …), or a tag naming one (`python:3.12-windowsservercore`).
///
/// NOTE: the model has no image metadata, so a Windows image under another name is linted
/// as Linux shell code.
fn is_windows_stage(model: &Model<'_>, stage: usize) -> bool {
    let mut current = stage;
    loop {
        let platform = model.stages[current].platform.as_deref().unwrap_or("");
        if platform.to_ascii_lowercase().starts_with("windows") {
            return true;
        }
        match &model.stages[current].base {
            Base::Stage(parent) if *parent < current => current = *parent,
            Base::Image(image) => {
                let path = image.repository_path();
                let tag = image.tag.as_deref().unwrap_or("");
                return path.starts_with("mcr.microsoft.com/windows")
                    || path.contains("microsoft/windowsservercore")
                    || path.contains("microsoft/nanoserver")
                    || tag.contains("windowsservercore")
                    || tag.contains("nanoserver");
            }
            _ => return false,
        }
    }
}

fn shebang_words(text: &str) -> Option<Vec<String>> {
    let line = text.lines().next()?.strip_prefix("#!")?;
    Some(line.split_whitespace().map(str::to_string).collect())
}

/// Returns the ARG and ENV names set in a RUN: those of its stage declared before it, those
/// of the stages it is built on, and the predefined proxy arguments. Sorted, so equal
/// scopes give equal cache keys.
fn names_in_scope(model: &Model<'_>, inst: &Inst<'_>, mentioned: &HashSet<&str>) -> Vec<String> {
    let mut names: BTreeSet<String> = PROXY_ARGS
        .iter()
        .filter(|name| mentioned.contains(*name))
        .map(|name| name.to_string())
        .collect();
    let mut stage = inst.stage;
    let mut before = Some(inst.index);
    while let Some(index) = stage {
        let current = &model.stages[index];
        for &binding in &current.bindings {
            let binding = &model.bindings[binding];
            if before.is_none_or(|at| binding.instruction < at)
                && mentioned.contains(binding.name.as_str())
            {
                names.insert(binding.name.clone());
            }
        }
        stage = match current.base {
            Base::Stage(parent) if parent < index => Some(parent),
            _ => None,
        };
        before = None;
    }
    names.into_iter().collect()
}

fn to_diagnostic(finding: &Finding, script: &RunScript, config: &Config) -> Option<Diagnostic> {
    let code = format!("SC{}", finding.code);
    let severity = match config.level_of(&code, RULE_NAME) {
        Some(Level::Off) => return None,
        Some(Level::Severity(severity)) => severity,
        None => finding.severity,
    };
    let span = script.source_span(Span::new(finding.range.start, finding.range.end));
    let message = format!("{} ({})", finding.message, wiki_url(&code));
    Some(Diagnostic {
        code: code.into(),
        name: std::borrow::Cow::Borrowed(RULE_NAME),
        severity,
        message,
        span,
        labels: Vec::new(),
        fix: fix_of(finding, script),
    })
}

/// Converts ShellCheck's suggested edits into a fix. It is unsafe: quoting a word changes
/// what the shell does with it, which the author may rely on. An edit whose text in the
/// script is not one piece in the Dockerfile (it spans a line continuation) drops the fix.
fn fix_of(finding: &Finding, script: &RunScript) -> Option<Fix> {
    if finding.replacements.is_empty() {
        return None;
    }
    let mut edits = Vec::new();
    for replacement in &finding.replacements {
        let range = &replacement.range;
        let span = script.source_span(Span::new(range.start, range.end));
        if span.len() != range.len() {
            return None;
        }
        edits.push(Edit::replace(span, replacement.text.clone()));
    }
    edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
    let overlapping = edits
        .windows(2)
        .any(|pair| pair[0].span.end > pair[1].span.start);
    if overlapping {
        return None;
    }
    Some(Fix::unsafe_("Apply ShellCheck's suggestion", edits))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|word| word.to_string()).collect()
    }

    #[test]
    fn dialect_of_shell_commands() {
        let cases: [(&[&str], Result<Dialect, &str>); 9] = [
            (&["/bin/sh", "-c"], Ok(Dialect::Sh)),
            (&["/bin/bash", "-o", "pipefail", "-c"], Ok(Dialect::Bash)),
            (&["/usr/bin/env", "bash", "-c"], Ok(Dialect::Bash)),
            (&["/bin/busybox", "sh", "-c"], Ok(Dialect::Dash)),
            (&["/bin/ash", "-c"], Ok(Dialect::Dash)),
            (&["/bin/mksh", "-c"], Ok(Dialect::Ksh)),
            (&["pwsh", "-Command"], Err("pwsh")),
            (&["cmd.exe", "/S", "/C"], Err("cmd")),
            (&["C:\\Windows\\powershell.exe"], Err("powershell")),
        ];
        for (command, expected) in cases {
            let expected = expected.map_err(str::to_string);
            assert_eq!(
                Dialect::of_command(&words(command)),
                expected,
                "{command:?}"
            );
        }
    }
}
