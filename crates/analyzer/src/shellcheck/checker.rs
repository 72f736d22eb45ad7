//! Running the `shellcheck` program on one script, with a process-wide cache of results.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use serde::Deserialize;
use wait_timeout::ChildExt;

use super::Dialect;
use super::script::{Prepared, range_of};
use crate::diagnostic::Severity;

/// Codes never reported, as in hadolint 2.15: SC1090 and SC1091 (a sourced file cannot be
/// followed, and a RUN's sourced files are in the image, not on this machine) and SC2187
/// (ash scripts are checked as dash).
pub const EXCLUDED_CODES: [u32; 3] = [1090, 1091, 2187];

/// The maximum number of results kept in the cache. A language server lints a file again
/// on every edit, so old scripts are dropped, oldest first.
const CACHE_CAPACITY: usize = 4096;

/// One ShellCheck finding, positioned in the script it was reported on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The number after `SC`: 2086 for SC2086.
    pub code: u32,
    pub severity: Severity,
    pub message: String,
    /// The byte range in the script text.
    pub range: Range<usize>,
    /// ShellCheck's suggested edits, in the script text; empty when it suggests none.
    pub replacements: Vec<Replacement>,
}

/// One edit of a ShellCheck fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    /// The byte range in the script text; empty for an insertion.
    pub range: Range<usize>,
    pub text: String,
}

/// The failure to run ShellCheck or to read its output.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("{}: cannot run ShellCheck: {cause}; install it or pass its path with --shellcheck", program.display())]
    Spawn {
        program: PathBuf,
        cause: std::io::Error,
    },
    #[error("{}: ShellCheck failed with {status}: {stderr}", program.display())]
    Failed {
        program: PathBuf,
        status: String,
        stderr: String,
    },
    #[error("{}: invalid ShellCheck output ({cause}); ballast reads ShellCheck 0.7 or later", program.display())]
    Output {
        program: PathBuf,
        cause: serde_json::Error,
    },
    #[error("{}: not a ShellCheck program: `--version` printed no ShellCheck version", program.display())]
    NotShellCheck { program: PathBuf },
    #[error("{}: ShellCheck timed out after {} seconds and was stopped; the SC findings of the script are missing", program.display(), timeout.as_secs())]
    TimedOut { program: PathBuf, timeout: Duration },
}

/// How long one ShellCheck process may run by default. ShellCheck took well under a second
/// on each RUN script of the corpus, but deeply nested input such as thousands of `(` makes
/// it run for minutes, and a linter or an editor must not wait that long.
const TIMEOUT: Duration = Duration::from_secs(20);

/// A `shellcheck` program. Results are cached for the whole process by program, dialect
/// and text, so every `Checker` of the same program shares them.
#[derive(Clone, Debug)]
pub struct Checker {
    program: PathBuf,
    version: String,
    timeout: Duration,
    /// Whether ShellCheck runs at a lower scheduling priority than this process.
    background: bool,
}

/// The niceness of ShellCheck processes started by a background checker. Ten is what the
/// `nice` command uses when given no value.
#[cfg(unix)]
const BACKGROUND_NICENESS: libc::c_int = 10;

type CacheKey = (PathBuf, Dialect, String);
type CacheEntry = Arc<Vec<Finding>>;

#[derive(Default)]
struct Cache {
    entries: HashMap<CacheKey, CacheEntry>,
    order: VecDeque<CacheKey>,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Mutex::default);

impl Checker {
    /// Checks that `program` (a path, or a name looked up on `PATH`) runs and is ShellCheck.
    pub fn new(program: impl AsRef<Path>) -> Result<Checker, CheckError> {
        let requested = program.as_ref();
        let program = if requested.components().count() == 1 {
            find_on_path(requested).unwrap_or_else(|| requested.to_path_buf())
        } else {
            requested.to_path_buf()
        };
        let output = Command::new(&program)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .map_err(|cause| CheckError::Spawn {
                program: program.clone(),
                cause,
            })?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let version = stdout
            .lines()
            .find_map(|line| line.strip_prefix("version:"))
            .map(|version| version.trim().to_string())
            .filter(|_| stdout.contains("ShellCheck"))
            .ok_or_else(|| CheckError::NotShellCheck {
                program: program.clone(),
            })?;
        Ok(Checker {
            program,
            version,
            timeout: TIMEOUT,
            background: false,
        })
    }

    /// Sets how long one ShellCheck process may run before it is stopped.
    pub fn with_timeout(mut self, timeout: Duration) -> Checker {
        self.timeout = timeout;
        self
    }

    /// Runs ShellCheck at a lower scheduling priority (niceness 10 on Unix). A language
    /// server uses it so that ShellCheck, whose findings follow the others, does not slow
    /// the lint of the next edit on a busy machine.
    pub fn in_background(mut self) -> Checker {
        self.background = true;
        self
    }

    /// Finds `shellcheck` on `PATH`; `None` when it is not there or does not run.
    pub fn discover() -> Option<Checker> {
        let program = find_on_path(Path::new("shellcheck"))?;
        Checker::new(program).ok()
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The version ShellCheck printed, such as `0.9.0`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Checks `script` as `dialect` code, with the names in `declared` treated as set (the
    /// ARG and ENV names in scope). Finding ranges are byte ranges in `script`.
    pub fn check(
        &self,
        script: &str,
        dialect: Dialect,
        declared: &[String],
    ) -> Result<Arc<Vec<Finding>>, CheckError> {
        let prepared = Prepared::new(script, declared);
        let key = (self.program.clone(), dialect, prepared.text.clone());
        if let Some(found) = cache_get(&key) {
            return Ok(found);
        }

        let comments = self.run(&prepared.text, dialect)?;
        let findings: Vec<Finding> = comments
            .into_iter()
            .filter_map(|comment| comment.into_finding(script, &prepared))
            .collect();
        let findings = Arc::new(findings);
        cache_put(key, Arc::clone(&findings));
        Ok(findings)
    }

    fn run(&self, text: &str, dialect: Dialect) -> Result<Vec<Comment>, CheckError> {
        let excluded = EXCLUDED_CODES
            .iter()
            .map(|code| format!("SC{code}"))
            .collect::<Vec<_>>()
            .join(",");
        // `--norc` and the removed `SHELLCHECK_OPTS` keep the output a function of the
        // text alone, which the cache relies on.
        let mut command = Command::new(&self.program);
        command
            .args(["--norc", "--format=json1", "--severity=style"])
            .arg(format!("--shell={}", dialect.as_str()))
            .arg(format!("--exclude={excluded}"))
            .arg("-")
            .env_remove("SHELLCHECK_OPTS")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|cause| CheckError::Spawn {
                program: self.program.clone(),
                cause,
            })?;
        // The priority is lowered from here rather than in the child before exec, because
        // a `pre_exec` hook makes the standard library fork the whole process instead of
        // using posix_spawn, and the copied page tables slowed this process down. The child
        // reads its script from standard input, written only below, so it has not started
        // checking by then. A failure leaves the priority as it was, so it is ignored.
        #[cfg(unix)]
        if self.background {
            // SAFETY: setpriority only changes the scheduling priority of the child.
            unsafe {
                libc::setpriority(libc::PRIO_PROCESS, child.id(), BACKGROUND_NICENESS);
            }
        }

        // The input and the two outputs go through their own threads so that no pipe can
        // block ShellCheck, and the wait below can give up on it.
        let mut stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let (status, stdout, stderr) = std::thread::scope(|scope| {
            scope.spawn(move || {
                if let Some(stdin) = stdin.as_mut() {
                    // A write error shows up as ShellCheck's exit status or output.
                    let _ = stdin.write_all(text.as_bytes());
                }
            });
            let stdout = scope.spawn(move || read_pipe(stdout));
            let stderr = scope.spawn(move || read_pipe(stderr));
            let status = match child.wait_timeout(self.timeout) {
                Ok(Some(status)) => Ok(Some(status)),
                Ok(None) => {
                    // Killing closes the pipes, which ends the reader threads.
                    let _ = child.kill();
                    let _ = child.wait();
                    Ok(None)
                }
                Err(cause) => Err(cause),
            };
            (
                status,
                stdout.join().unwrap_or_default(),
                stderr.join().unwrap_or_default(),
            )
        });
        let status = status.map_err(|cause| CheckError::Spawn {
            program: self.program.clone(),
            cause,
        })?;
        let Some(status) = status else {
            return Err(CheckError::TimedOut {
                program: self.program.clone(),
                timeout: self.timeout,
            });
        };
        let output = std::process::Output {
            status,
            stdout,
            stderr,
        };

        // ShellCheck exits with 0 without findings and 1 with some; other codes are errors.
        if !matches!(output.status.code(), Some(0 | 1)) {
            return Err(CheckError::Failed {
                program: self.program.clone(),
                status: output.status.to_string(),
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
            });
        }
        let parsed: Json1 =
            serde_json::from_slice(&output.stdout).map_err(|cause| CheckError::Output {
                program: self.program.clone(),
                cause,
            })?;
        Ok(parsed.comments)
    }
}

/// Reads a child's output pipe to its end. A read error ends the output early, which
/// shows up as invalid JSON or a missing message.
fn read_pipe(pipe: Option<impl std::io::Read>) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Some(mut pipe) = pipe {
        let _ = pipe.read_to_end(&mut bytes);
    }
    bytes
}

fn cache_get(key: &CacheKey) -> Option<CacheEntry> {
    let cache = CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache.entries.get(key).cloned()
}

fn cache_put(key: CacheKey, findings: CacheEntry) {
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if cache.entries.insert(key.clone(), findings).is_some() {
        return;
    }
    cache.order.push_back(key);
    while cache.order.len() > CACHE_CAPACITY {
        if let Some(oldest) = cache.order.pop_front() {
            cache.entries.remove(&oldest);
        }
    }
}

fn find_on_path(name: &Path) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|folder| folder.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// ShellCheck's `--format=json1` output.
#[derive(Deserialize)]
struct Json1 {
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Comment {
    line: usize,
    end_line: usize,
    column: usize,
    end_column: usize,
    level: String,
    code: u32,
    message: String,
    fix: Option<CommentFix>,
}

#[derive(Deserialize)]
struct CommentFix {
    replacements: Vec<CommentReplacement>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommentReplacement {
    line: usize,
    end_line: usize,
    column: usize,
    end_column: usize,
    replacement: String,
}

impl Comment {
    /// Converts the comment to a finding in `script`; `None` for a comment on the inserted
    /// declaration line.
    fn into_finding(self, script: &str, prepared: &Prepared) -> Option<Finding> {
        let line = prepared.script_line(self.line)?;
        // Only a range that starts in the leading comments could end on the declaration
        // line; it then ends where it starts.
        let end_line = prepared.script_line(self.end_line).unwrap_or(line);
        let range = range_of(script, (line, self.column), (end_line, self.end_column));

        // A fix that touches the declaration line is dropped, not applied in part.
        let replacements = self
            .fix
            .map(|fix| {
                fix.replacements
                    .into_iter()
                    .map(|replacement| {
                        let line = prepared.script_line(replacement.line)?;
                        let end_line = prepared.script_line(replacement.end_line)?;
                        Some(Replacement {
                            range: range_of(
                                script,
                                (line, replacement.column),
                                (end_line, replacement.end_column),
                            ),
                            text: replacement.replacement,
                        })
                    })
                    .collect::<Option<Vec<_>>>()
                    .unwrap_or_default()
            })
            .unwrap_or_default();

        Some(Finding {
            code: self.code,
            severity: severity_of(&self.level),
            message: self.message,
            range,
            replacements,
        })
    }
}

/// Maps ShellCheck's level to a severity; the four levels have the same names.
fn severity_of(level: &str) -> Severity {
    level.parse().unwrap_or(Severity::Info)
}
