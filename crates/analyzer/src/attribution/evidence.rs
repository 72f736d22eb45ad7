//! Image evidence for the rules that need a built image (BL3###).
//!
//! [`crate::lint::lint_with_evidence`] puts an [`ImageEvidence`] in each rule's
//! [`crate::rules::Context`], and the BL3 rules read it from there. Their findings go through
//! the same pragmas, configuration and ordering as every other finding. Without evidence, as in
//! `ballast lint`, the BL3 rules report nothing.

use std::path::PathBuf;
use std::sync::Mutex;

use ballast_parser::{Keyword, Span};

use super::probe::ProbedFile;
use super::{Attribution, StepRole};
use crate::diagnostic::Diagnostic;
use crate::image::entry::EntryKind;
use crate::image::{Analysis, WastedFile};
use crate::model::{CommandForm, Model, Typed};

/// What the BL3 rules may read about the built image.
pub struct ImageEvidence {
    pub analysis: Analysis,
    pub attribution: Attribution,
    /// Contents read from the image for the paths that [`wanted_paths`] named.
    pub files: Vec<ProbedFile>,
    /// The build context folder, when known.
    pub context: Option<PathBuf>,
    /// Bytes measured by each finding, by [`FindingKey`]. A rule may report several findings
    /// on one line, so the message is part of the key.
    measured: Mutex<Vec<(FindingKey, u64)>>,
}

impl ImageEvidence {
    pub fn new(
        analysis: Analysis,
        attribution: Attribution,
        files: Vec<ProbedFile>,
        context: Option<PathBuf>,
    ) -> ImageEvidence {
        ImageEvidence {
            analysis,
            attribution,
            files,
            context,
            measured: Mutex::new(Vec::new()),
        }
    }

    /// Records the bytes a finding measured, for the report's `bytes` field.
    pub fn record_bytes(&self, diagnostic: &Diagnostic, bytes: u64) {
        if let Ok(mut measured) = self.measured.lock() {
            measured.push((key_of(diagnostic), bytes));
        }
    }

    /// Returns the bytes recorded for a finding.
    pub fn bytes_of(&self, diagnostic: &Diagnostic) -> Option<u64> {
        let key = key_of(diagnostic);
        let measured = self.measured.lock().ok()?;
        measured
            .iter()
            .find(|(recorded, _)| *recorded == key)
            .map(|(_, bytes)| *bytes)
    }

    /// Returns the layers above the base image, the part this Dockerfile wrote.
    pub fn base_layers(&self) -> usize {
        self.attribution.base_layers
    }

    /// Returns the model index of the instruction that made `layer`: for base-image layers,
    /// the `FROM` line.
    pub fn instruction_of_layer(&self, layer: usize) -> Option<usize> {
        self.attribution.instruction_of_layer(layer)
    }

    /// Returns whether `layer` was made by a base image entry.
    pub fn is_base_layer(&self, layer: usize) -> bool {
        self.attribution
            .step_of_layer(layer)
            .is_some_and(|step| step.role == StepRole::Base)
    }

    /// Returns the content read for the visible file at `path` (normalized, no leading `/`).
    /// The analysis must be made with [`crate::image::AnalyzeOptions::hash_all_files`], or a
    /// visible file of a layer read through a memory map may have no hash and so no content.
    pub fn visible_content(&self, path: &str) -> Option<&ProbedFile> {
        let node = self.analysis.tree.get(path)?;
        let hash = node.hash?;
        self.files
            .iter()
            .find(|file| file.path == path && file.hash == hash)
    }

    /// Returns every content read at `path`, whatever its layer.
    pub fn contents_at<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a ProbedFile> + 'a {
        self.files.iter().filter(move |file| file.path == path)
    }

    /// Follows symlinks and hardlinks in the final tree from `path` to a regular file.
    /// Returns `None` when a link leads nowhere or loops.
    pub fn resolve(&self, path: &str) -> Option<String> {
        let mut current = path.trim_start_matches('/').to_owned();
        for _ in 0..32 {
            let node = self.analysis.tree.get(&current)?;
            match (node.kind, &node.link) {
                (EntryKind::File, _) => return Some(current),
                (EntryKind::Symlink, Some(target)) => {
                    current = if target.starts_with('/') {
                        normalize(target)
                    } else {
                        let parent = crate::image::entry::parent(&current);
                        normalize(&format!("{parent}/{target}"))
                    };
                }
                (EntryKind::Hardlink, Some(target)) => current = normalize(target),
                _ => return None,
            }
        }
        None
    }

    /// Returns the instruction a finding about `layer` is reported on: the instruction that
    /// made the layer, or the built stage's `FROM` line when the history could not be aligned.
    pub fn anchor(&self, model: &Model<'_>, layer: usize) -> Option<usize> {
        if self.attribution.is_available() {
            return self.instruction_of_layer(layer);
        }
        model
            .stages
            .get(self.attribution.stage)
            .map(|stage| stage.from)
    }

    /// Returns the `FROM` line of the stage the built stage ultimately starts from.
    pub fn root_from(&self, model: &Model<'_>) -> Option<usize> {
        root_from(model, self.attribution.stage)
    }

    /// Returns the command a container of the built image runs, see [`run_command`].
    pub fn run_command(&self, model: &Model<'_>) -> Option<RunCommand> {
        run_command(&self.analysis, model, self.attribution.stage)
    }

    /// Returns the program the container runs: the model index of the instruction that set it
    /// (see [`RunCommand::instruction`]), the program as written, and its path in the final
    /// tree after following links. The path is `None` when the program is not in the image.
    pub fn entrypoint_program(&self, model: &Model<'_>) -> Option<(usize, String, Option<String>)> {
        let command = self.run_command(model)?;
        let resolved = command
            .candidates()
            .iter()
            .find_map(|candidate| self.resolve(candidate));
        Some((command.instruction, command.words[0].clone(), resolved))
    }

    /// Every stored file with its layer: the visible ones and the hidden ones, with the
    /// layer that hid each hidden one.
    pub fn stored_files(&self) -> Vec<StoredFile<'_>> {
        let mut files: Vec<StoredFile<'_>> = self
            .analysis
            .tree
            .nodes()
            .filter(|(_, node)| node.kind == EntryKind::File)
            .map(|(path, node)| StoredFile {
                path,
                bytes: node.size,
                layer: node.layer,
                hidden: None,
            })
            .collect();
        files.extend(self.analysis.tree.wasted().iter().map(|wasted| StoredFile {
            path: &wasted.path,
            bytes: wasted.bytes,
            layer: wasted.stored_in,
            hidden: Some(wasted),
        }));
        files
    }
}

/// The identity of one finding: its code, the start of its primary span and its message.
type FindingKey = (String, usize, String);

fn key_of(diagnostic: &Diagnostic) -> FindingKey {
    (
        diagnostic.code.to_string(),
        diagnostic.span.start,
        diagnostic.message.clone(),
    )
}

/// A file stored in some layer.
pub struct StoredFile<'a> {
    /// Normalized, without a leading `/`.
    pub path: &'a str,
    pub bytes: u64,
    pub layer: usize,
    /// How it was hidden, when a later layer hid it.
    pub hidden: Option<&'a WastedFile>,
}

/// Returns the span of an instruction's first line, where findings about it are reported.
pub fn first_line_span(model: &Model<'_>, instruction: usize) -> Span {
    let syntax = model.instructions[instruction].syntax;
    match syntax.physical_lines.first() {
        Some(line) => Span::new(syntax.keyword_span.start.min(line.start), line.end),
        None => syntax.keyword_span,
    }
}

/// Formats a byte count for messages: `3,145,728 bytes (3.0 MiB)`.
pub fn format_bytes(bytes: u64) -> String {
    let digits = bytes.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let units = [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    match units.iter().find(|(_, size)| bytes >= *size) {
        Some((unit, size)) => format!(
            "{grouped} bytes ({:.1} {unit})",
            bytes as f64 / *size as f64
        ),
        None => format!("{grouped} bytes"),
    }
}

/// Resolves `.` and `..` components of a path inside the image (never above the root).
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            name => parts.push(name),
        }
    }
    parts.join("/")
}

/// The command a container of the built image runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunCommand {
    /// The model index of the instruction that set the program: the last `ENTRYPOINT` (or,
    /// without an entrypoint, the last `CMD`) of the stage chain, or the chain's first `FROM`
    /// line when the base image set it.
    pub instruction: usize,
    /// The program and its arguments, never empty.
    pub words: Vec<String>,
    /// The folders searched for a program named without a `/`, without a leading `/`.
    pub search_path: Vec<String>,
}

impl RunCommand {
    /// Returns the image paths the program may be at, in search order.
    pub fn candidates(&self) -> Vec<String> {
        let program = &self.words[0];
        if program.contains('/') {
            return vec![normalize(program)];
        }
        self.search_path
            .iter()
            .map(|folder| normalize(&format!("{folder}/{program}")))
            .collect()
    }
}

/// Returns the `FROM` line of the stage that `stage` ultimately starts from.
pub fn root_from(model: &Model<'_>, stage: usize) -> Option<usize> {
    let mut current = stage;
    while let crate::model::Base::Stage(parent) = model.stages.get(current)?.base {
        if parent >= current {
            break;
        }
        current = parent;
    }
    Some(model.stages[current].from)
}

/// Returns the command a container of the built image runs. The image config's `Entrypoint`
/// followed by its `Cmd` decides, because it includes what the base image set. The Dockerfile's
/// last `ENTRYPOINT`, else its last `CMD`, is used only when the config has no `config`
/// object. `None` when neither sets a command.
pub fn run_command(analysis: &Analysis, model: &Model<'_>, stage: usize) -> Option<RunCommand> {
    let (entrypoint, cmd) = dockerfile_commands(model, stage);
    let Some(runtime) = &analysis.runtime else {
        let (instruction, words) = entrypoint.or(cmd).filter(|(_, words)| !words.is_empty())?;
        return Some(RunCommand {
            instruction,
            words,
            search_path: search_path(None),
        });
    };

    let config_entrypoint = runtime.entrypoint.clone().unwrap_or_default();
    let mut words = config_entrypoint.clone();
    words.extend(runtime.cmd.clone().unwrap_or_default());
    if words.is_empty() {
        return None;
    }
    let set_by = if config_entrypoint.is_empty() {
        cmd
    } else {
        entrypoint
    };
    let instruction = match set_by {
        Some((index, _)) => index,
        None => root_from(model, stage)?,
    };
    Some(RunCommand {
        instruction,
        words,
        search_path: search_path(runtime.env.as_deref()),
    })
}

/// Returns the folders of `PATH` in the config's environment, or [`DEFAULT_PATH`] when it
/// sets none.
fn search_path(env: Option<&[String]>) -> Vec<String> {
    let path = env
        .unwrap_or_default()
        .iter()
        .rev()
        .find_map(|entry| entry.strip_prefix("PATH="));
    match path {
        Some(path) => path
            .split(':')
            .filter(|folder| !folder.is_empty())
            .map(|folder| folder.trim_start_matches('/').to_owned())
            .collect(),
        None => DEFAULT_PATH
            .iter()
            .map(|folder| (*folder).to_owned())
            .collect(),
    }
}

/// An `ENTRYPOINT` or `CMD` instruction: its model index and its words.
type CommandInstruction = (usize, Vec<String>);

/// Returns the last `ENTRYPOINT` and the last `CMD` of the stage chain. A shell-form command
/// runs the stage's shell.
fn dockerfile_commands(
    model: &Model<'_>,
    stage: usize,
) -> (Option<CommandInstruction>, Option<CommandInstruction>) {
    let mut chain = vec![stage];
    let mut current = stage;
    while let crate::model::Base::Stage(parent) = model.stages[current].base {
        if parent >= current {
            break;
        }
        chain.push(parent);
        current = parent;
    }
    let instructions = chain
        .iter()
        .rev()
        .flat_map(|&index| model.stage_instructions(index).iter());
    let mut entrypoint = None;
    let mut cmd = None;
    for inst in instructions {
        let words = |form: &CommandForm<'_>| -> Vec<String> {
            match form {
                CommandForm::Exec(words) => words.iter().map(|word| word.value.clone()).collect(),
                CommandForm::Shell(word) => {
                    let mut shell = model.shell_of(inst).to_vec();
                    shell.push(word.value.clone());
                    shell
                }
                CommandForm::None => Vec::new(),
            }
        };
        match (&inst.args, inst.keyword()) {
            (Typed::Entrypoint(form), Keyword::Entrypoint) => {
                entrypoint = Some((inst.index, words(form)))
            }
            (Typed::Cmd(form), Keyword::Cmd) => cmd = Some((inst.index, words(form))),
            _ => {}
        }
    }
    (entrypoint, cmd)
}

/// The folders the runtime searches for a program named without a `/` (the `PATH` that
/// Docker sets when the image sets none).
pub const DEFAULT_PATH: [&str; 6] = [
    "usr/local/sbin",
    "usr/local/bin",
    "usr/sbin",
    "usr/bin",
    "sbin",
    "bin",
];

/// Returns the image paths whose contents the BL3 rules read: the entrypoint program (and
/// what its links lead to), and files whose names suggest a credential that only the content
/// confirms (`.npmrc`, `*.pem`).
pub fn wanted_paths(analysis: &Analysis, model: &Model<'_>, stage: usize) -> Vec<String> {
    let mut wanted = Vec::new();
    if let Some(command) = run_command(analysis, model, stage) {
        for candidate in command.candidates() {
            let mut current = candidate;
            for _ in 0..32 {
                let Some(node) = analysis.tree.get(&current) else {
                    break;
                };
                wanted.push(current.clone());
                let Some(target) = &node.link else {
                    break;
                };
                current = if node.kind == EntryKind::Symlink && !target.starts_with('/') {
                    normalize(&format!(
                        "{}/{target}",
                        crate::image::entry::parent(&current)
                    ))
                } else {
                    normalize(target)
                };
            }
        }
    }
    let mut names: Vec<String> = analysis
        .tree
        .nodes()
        .map(|(path, _)| path.to_owned())
        .chain(
            analysis
                .tree
                .wasted()
                .iter()
                .map(|file| file.path.to_string()),
        )
        .filter(|path| {
            let name = crate::image::entry::file_name(path);
            name == ".npmrc" || name.ends_with(".pem")
        })
        .collect();
    wanted.append(&mut names);
    wanted.sort();
    wanted.dedup();
    wanted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_grouped_with_a_unit() {
        assert_eq!(format_bytes(3_145_728), "3,145,728 bytes (3.0 MiB)");
        assert_eq!(format_bytes(999), "999 bytes");
        assert_eq!(format_bytes(1_048_585), "1,048,585 bytes (1.0 MiB)");
    }

    #[test]
    fn search_path_follows_config_env() {
        let env = vec![
            "HOME=/root".to_owned(),
            "PATH=/opt/tools::/usr/bin".to_owned(),
        ];
        assert_eq!(search_path(Some(&env)), ["opt/tools", "usr/bin"]);
        assert_eq!(search_path(None), DEFAULT_PATH);
        let command = RunCommand {
            instruction: 0,
            words: vec!["app".to_owned()],
            search_path: search_path(Some(&env)),
        };
        assert_eq!(command.candidates(), ["opt/tools/app", "usr/bin/app"]);
    }

    #[test]
    fn normalize_paths_inside_root() {
        assert_eq!(normalize("bin/../usr/bin/./sh"), "usr/bin/sh");
        assert_eq!(normalize("/../../etc"), "etc");
    }
}
