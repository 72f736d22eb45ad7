//! The semantic model of one Dockerfile: stages and their graph, each instruction's typed
//! arguments, ARG and ENV scopes with BuildKit's rules, and the effective SHELL.
//!
//! The model borrows the syntax tree and is built in one pass. No instruction stores a
//! copy of its environment, so memory stays linear in the file size. A lookup finds the
//! declarations of a name in a stage through a hash map and picks the one in effect by a
//! binary search, then follows the stage's base stages, so its cost does not grow with
//! the number of other variables.

mod image_ref;
mod scope;
pub(crate) mod lint_memo;
mod stage_graph;
mod typed;

use std::cell::Cell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use ballast_parser::run_script::RunScript;
use ballast_parser::shell::Dialect;

use ballast_parser::{Dockerfile, Instruction, Keyword, Span, Word};

use crate::FastMap;
use crate::rules::packages::ShellCommand;

pub use image_ref::{DOCKER_HUB, ImageRef, ImageRefError};
pub use scope::{Binding, BindingKind, Expanded, PREDEFINED_ARGS, expand};
pub use lint_memo::LintMemo;
pub use typed::{
    ArgDecl, CommandForm, CopyArgs, FromArgs, HealthcheckArgs, Mount, MountKind, MountOption,
    RunArgs, Typed, inner_span, unquote,
};

/// The shell BuildKit uses for shell-form commands on Linux when no `SHELL` is set.
pub const DEFAULT_SHELL: [&str; 2] = ["/bin/sh", "-c"];

/// The analysed view of one Dockerfile.
#[derive(Debug)]
pub struct Model<'a> {
    pub source: &'a str,
    pub tree: &'a Dockerfile,
    /// Every top-level instruction in source order; ONBUILD triggers are inside theirs.
    pub instructions: Vec<Inst<'a>>,
    pub stages: Vec<Stage<'a>>,
    /// Every ARG and ENV declaration in source order.
    pub bindings: Vec<Binding>,
    /// The distinct shells in use; index 0 is [`DEFAULT_SHELL`].
    pub shells: Vec<Vec<String>>,
    /// Parsed scripts kept from earlier lints of the file, when the caller keeps them.
    memo: Option<&'a LintMemo>,
    /// Indexes in `bindings` of the meta ARGs, by name, in source order.
    meta_args: FastMap<String, Vec<usize>>,
    /// For each stage, indexes in `bindings` of its ARGs and ENVs, by name, in source order.
    stage_scopes: Vec<FastMap<String, Vec<usize>>>,
    /// The latest stage of each name, in lower case.
    stage_names: FastMap<String, usize>,
    /// The values given with `--build-arg`, by name. They replace the default of every ARG
    /// of that name, global or in a stage.
    build_args: HashMap<String, String>,
}

thread_local! {
    static BINDING_PROBES: Cell<u64> = const { Cell::new(0) };
}

/// Returns how many declarations the variable lookups of models on this thread have
/// compared so far, a measure of their work that tests use to check that it grows
/// linearly with the file. Counted only in builds with debug assertions; 0 otherwise.
pub fn binding_probes() -> u64 {
    BINDING_PROBES.with(Cell::get)
}

fn count_probe() {
    if cfg!(debug_assertions) {
        BINDING_PROBES.with(|probes| probes.set(probes.get() + 1));
    }
}

/// One instruction with its place in the model.
#[derive(Clone, Debug)]
pub struct Inst<'a> {
    pub syntax: &'a Instruction,
    /// The index in [`Model::instructions`].
    pub index: usize,
    /// The stage the instruction belongs to; `None` before the first `FROM`.
    pub stage: Option<usize>,
    pub args: Typed<'a>,
    /// The shell in effect for this instruction, an index into [`Model::shells`].
    pub shell: usize,
    /// The RUN scripts, parsed on first use: many rules read them, and parsing shell code
    /// is a large part of linting.
    scripts: ScriptCache,
    memo: Option<&'a LintMemo>,
}

/// Parsed RUN scripts of one instruction, one slot per shell dialect, and the commands
/// the package rules read from them.
#[derive(Clone, Debug, Default)]
struct ScriptCache {
    posix: OnceLock<Vec<RunScript>>,
    bash: OnceLock<Vec<RunScript>>,
    commands: OnceLock<Vec<ShellCommand>>,
}

impl Inst<'_> {
    pub fn keyword(&self) -> Keyword {
        self.syntax.keyword
    }

    /// The shell scripts this RUN (or ONBUILD RUN) executes, parsed in `dialect`; see
    /// [`Instruction::run_scripts`]. `source` is the Dockerfile text the model was built from.
    pub fn run_scripts(&self, source: &str, dialect: Dialect) -> &[RunScript] {
        let slot = match dialect {
            Dialect::Posix => &self.scripts.posix,
            Dialect::Bash => &self.scripts.bash,
        };
        slot.get_or_init(|| match self.memo {
            Some(memo) => self
                .syntax
                .run_scripts_with(source, dialect, &|text, dialect| memo.parse(text, dialect)),
            None => self.syntax.run_scripts(source, dialect),
        })
    }

    /// Marks this RUN's scripts as still in use in the lint memo when no rule parsed them
    /// in this lint, because their stage's findings came from the memo. Otherwise the memo
    /// drops them. Then the next edit that adds a line moves every later stage and parses
    /// all their scripts again.
    /// Passes the text of each script of this RUN (or ONBUILD RUN) to `keep`.
    pub(crate) fn script_texts(&self, source: &str, keep: &mut dyn FnMut(&str)) {
        // The texts come from the code that parses them, so they are the memo's keys. The
        // parse function only passes them on; what it returns is dropped.
        let keep = std::cell::RefCell::new(keep);
        self.syntax.run_scripts_with(source, Dialect::Posix, &|text, _| {
            (keep.borrow_mut())(text);
            Arc::default()
        });
    }

    /// Returns the commands of this RUN as the package rules read them, computed by
    /// `compute` on first use.
    pub(crate) fn run_commands(
        &self,
        compute: impl FnOnce() -> Vec<ShellCommand>,
    ) -> &[ShellCommand] {
        self.scripts.commands.get_or_init(compute)
    }

    pub fn span(&self) -> Span {
        self.syntax.span
    }
}

/// One build stage: a `FROM` line and the instructions up to the next one.
#[derive(Clone, Debug)]
pub struct Stage<'a> {
    /// The position among the stages, as `COPY --from=0` counts them.
    pub index: usize,
    /// The name after `AS`, in lower case as BuildKit stores it.
    pub name: Option<String>,
    pub name_word: Option<&'a Word>,
    /// The index of the `FROM` instruction in [`Model::instructions`].
    pub from: usize,
    /// The instructions of the stage, `FROM` included.
    pub instructions: Range<usize>,
    pub base: Base,
    /// The `FROM` image word after expanding the global build arguments.
    pub base_text: String,
    pub platform: Option<String>,
    /// Indexes in [`Model::bindings`] of the ARGs and ENVs declared in this stage.
    pub bindings: Vec<usize>,
    /// Instructions of later stages that use this stage: `FROM`, `COPY --from`,
    /// `RUN --mount=from=`.
    pub used_by: Vec<usize>,
}

/// The base a stage is built on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// `FROM scratch`: an empty filesystem with no shell.
    Scratch,
    /// An earlier stage, by its index.
    Stage(usize),
    Image(ImageRef),
    /// A reference that is not a valid image name after expansion.
    Invalid(ImageRefError),
    /// A reference that uses build arguments with no default value, so it is known only
    /// at build time.
    Unresolved,
}

impl<'a> Model<'a> {
    /// Builds the model of a parsed Dockerfile.
    pub fn new(source: &'a str, tree: &'a Dockerfile) -> Model<'a> {
        Model::with_memo(source, tree, None)
    }

    /// Builds the model of a parsed Dockerfile whose RUN scripts are parsed through `memo`,
    /// which keeps them for the next version of the file.
    pub fn with_memo(
        source: &'a str,
        tree: &'a Dockerfile,
        memo: Option<&'a LintMemo>,
    ) -> Model<'a> {
        Model::with_build_args(source, tree, memo, HashMap::new())
    }

    /// Builds the model of a parsed Dockerfile for a build given these `--build-arg` values.
    /// Each ARG that one of them names takes that value instead of its default, so
    /// `FROM ${BASE}` resolves to the stage the builder used. A value for a name that no ARG
    /// declares changes nothing, as in BuildKit.
    pub fn with_build_args(
        source: &'a str,
        tree: &'a Dockerfile,
        memo: Option<&'a LintMemo>,
        build_args: HashMap<String, String>,
    ) -> Model<'a> {
        let mut model = Model {
            source,
            tree,
            instructions: Vec::with_capacity(tree.instructions().count()),
            stages: Vec::new(),
            bindings: Vec::new(),
            shells: vec![DEFAULT_SHELL.iter().map(|part| part.to_string()).collect()],
            memo,
            meta_args: FastMap::default(),
            stage_scopes: Vec::new(),
            stage_names: FastMap::default(),
            build_args,
        };
        for instruction in tree.instructions() {
            model.add(instruction);
        }
        if let Some(last) = model.stages.last_mut() {
            last.instructions.end = model.instructions.len();
        }
        model
    }

    fn add(&mut self, instruction: &'a Instruction) {
        let index = self.instructions.len();
        let args = Typed::of(instruction);
        if let Typed::From(from) = &args {
            self.start_stage(index, from);
        }
        let stage = self.stages.len().checked_sub(1);
        let shell = match (&args, stage) {
            (Typed::Shell(words), Some(_)) if instruction.is_exec_form() => {
                self.shells
                    .push(words.iter().map(|word| word.value.clone()).collect());
                self.shells.len() - 1
            }
            (_, Some(stage)) => self.current_shell(stage),
            (_, None) => 0,
        };
        self.instructions.push(Inst {
            syntax: instruction,
            index,
            stage,
            args,
            shell,
            scripts: ScriptCache::default(),
            memo: self.memo,
        });

        self.declare(index);
        self.link_stage_uses(index);
    }

    fn current_shell(&self, stage: usize) -> usize {
        // Instructions are added in order, so the stage's latest one is the last one.
        let own = self
            .instructions
            .last()
            .filter(|inst| inst.stage == Some(stage));
        match (own, &self.stages[stage].base) {
            (Some(inst), _) => inst.shell,
            (None, Base::Stage(parent)) => self.stage_shell(*parent),
            (None, _) => 0,
        }
    }

    fn start_stage(&mut self, index: usize, from: &FromArgs<'a>) {
        if let Some(previous) = self.stages.last_mut() {
            previous.instructions.end = index;
        }
        let name = from
            .name
            .map(|word| unquote(&word.value).to_ascii_lowercase());
        let image_text = from.image.map_or(String::new(), |word| word.value.clone());
        let expanded = expand(&image_text, self.tree.escape, &|name| {
            self.global_value(index, name)
        });
        let base = self.resolve_base(&expanded);
        let platform = from.platform.and_then(|flag| flag.value.clone());
        let stage = self.stages.len();
        if let Some(name) = &name {
            self.stage_names.insert(name.clone(), stage);
        }
        self.stage_scopes.push(FastMap::default());
        self.stages.push(Stage {
            index: self.stages.len(),
            name,
            name_word: from.name,
            from: index,
            instructions: index..index + 1,
            base,
            base_text: expanded.value,
            platform,
            bindings: Vec::new(),
            used_by: Vec::new(),
        });
    }

    fn resolve_base(&self, expanded: &Expanded) -> Base {
        let text = expanded.value.as_str();
        if !expanded.unresolved.is_empty() {
            return Base::Unresolved;
        }
        if text.eq_ignore_ascii_case("scratch") {
            return Base::Scratch;
        }
        if let Some(stage) = self.stage_named(text) {
            return Base::Stage(stage);
        }
        match ImageRef::parse(text) {
            Ok(image) => Base::Image(image),
            Err(error) => Base::Invalid(error),
        }
    }

    /// Returns the value of a global (meta) ARG visible at instruction `at`.
    fn global_value(&self, at: usize, name: &str) -> Option<&str> {
        self.latest_before(self.meta_args.get(name), Some(at))
            .and_then(|binding| binding.value.as_deref())
    }

    /// Returns the last of `declarations` (indexes in `bindings`, in source order) made
    /// before instruction `before`, or the last of all when `before` is `None`.
    fn latest_before(
        &self,
        declarations: Option<&Vec<usize>>,
        before: Option<usize>,
    ) -> Option<&Binding> {
        count_probe();
        let declarations = declarations?;
        let last = &self.bindings[*declarations.last()?];
        let Some(at) = before else {
            return Some(last);
        };
        // While the model is built, and for lookups after a name's last declaration, the
        // last declaration is the one in effect.
        if last.instruction < at {
            return Some(last);
        }
        let count = declarations.partition_point(|&binding| {
            count_probe();
            self.bindings[binding].instruction < at
        });
        let found = *declarations[..count].last()?;
        Some(&self.bindings[found])
    }

    /// Records the ARG and ENV declarations of instruction `index`.
    fn declare(&mut self, index: usize) {
        let inst = &self.instructions[index];
        let stage = inst.stage;
        let mut new_bindings = Vec::new();
        match &inst.args {
            Typed::Arg(decls) => {
                for decl in decls {
                    let build_arg = self.build_args.get(decl.name);
                    let value = match (build_arg, decl.default, stage) {
                        (Some(build_arg), _, _) => Some(build_arg.clone()),
                        (None, Some(default), _) => {
                            let lookup = |name: &str| match stage {
                                Some(_) => self.value_before(index, name),
                                None => self.global_value(index, name),
                            };
                            Some(expand(default, self.tree.escape, &lookup).value)
                        }
                        // An in-stage `ARG name` takes the value of the global ARG of the
                        // same name, when there is one.
                        (None, None, Some(_)) => {
                            self.global_value(index, decl.name).map(str::to_string)
                        }
                        (None, None, None) => None,
                    };
                    let kind = if stage.is_some() {
                        BindingKind::Arg
                    } else {
                        BindingKind::MetaArg
                    };
                    new_bindings.push(Binding {
                        name: decl.name.to_string(),
                        value,
                        kind,
                        instruction: index,
                        span: decl.word.span,
                    });
                }
            }
            Typed::Env(pairs) if stage.is_some() => {
                for pair in pairs.iter() {
                    let lookup = |name: &str| self.value_before(index, name);
                    let key = expand(&pair.key.value, self.tree.escape, &lookup).value;
                    let value = expand(&pair.value.value, self.tree.escape, &lookup).value;
                    new_bindings.push(Binding {
                        name: key,
                        value: Some(value),
                        kind: BindingKind::Env,
                        instruction: index,
                        span: pair.key.span.cover(pair.value.span),
                    });
                }
            }
            _ => {}
        }

        for binding in new_bindings {
            let index = self.bindings.len();
            let scope = match stage {
                Some(stage) => {
                    self.stages[stage].bindings.push(index);
                    &mut self.stage_scopes[stage]
                }
                None => &mut self.meta_args,
            };
            scope.entry(binding.name.clone()).or_default().push(index);
            self.bindings.push(binding);
        }
    }

    /// Records which earlier stages instruction `index` uses.
    fn link_stage_uses(&mut self, index: usize) {
        let inst = &self.instructions[index];
        let Some(current) = inst.stage else { return };
        let mut used = Vec::new();
        match &inst.args {
            Typed::From(_) => {
                if let Base::Stage(parent) = self.stages[current].base {
                    used.push(parent);
                }
            }
            Typed::Copy(copy) => {
                if let Some(stage) = copy
                    .from
                    .and_then(|flag| flag.value.as_deref())
                    .and_then(|v| self.stage_ref(v))
                {
                    used.push(stage);
                }
            }
            Typed::Run(run) => {
                for mount in &run.mounts {
                    if let Some(stage) = mount
                        .from
                        .as_deref()
                        .and_then(|value| self.stage_ref(value))
                    {
                        used.push(stage);
                    }
                }
            }
            _ => {}
        }
        for stage in used {
            if stage < current {
                self.stages[stage].used_by.push(index);
            }
        }
    }

    /// Returns the stage named `name` (case-insensitive, as BuildKit compares them) that is
    /// defined so far.
    pub fn stage_named(&self, name: &str) -> Option<usize> {
        if name.bytes().any(|byte| byte.is_ascii_uppercase()) {
            return self.stage_names.get(&name.to_ascii_lowercase()).copied();
        }
        self.stage_names.get(name).copied()
    }

    /// Returns the stage a `COPY --from` or mount `from=` value refers to: a stage name or a
    /// stage index. `None` means an image.
    pub fn stage_ref(&self, value: &str) -> Option<usize> {
        if let Some(stage) = self.stage_named(value) {
            return Some(stage);
        }
        value
            .parse::<usize>()
            .ok()
            .filter(|&index| index < self.stages.len())
    }

    /// Returns the value of variable `name` in effect at instruction `at`: ENV and ARG of its stage
    /// declared before it, then of the stages it is built on.
    pub fn value_before(&self, at: usize, name: &str) -> Option<&str> {
        self.binding_before(at, name)
            .and_then(|binding| binding.value.as_deref())
    }

    /// Returns the declaration of `name` visible to instruction `at`, if any.
    pub fn binding_before(&self, at: usize, name: &str) -> Option<&Binding> {
        let inst = self.instructions.get(at)?;
        match inst.stage {
            Some(stage) => self.binding_in_stage(stage, name, Some(at)),
            None => self.latest_before(self.meta_args.get(name), Some(at)),
        }
    }

    fn binding_in_stage(
        &self,
        stage: usize,
        name: &str,
        before: Option<usize>,
    ) -> Option<&Binding> {
        let mut stage = stage;
        let mut before = before;
        loop {
            let found = self.latest_before(self.stage_scopes[stage].get(name), before);
            if found.is_some() {
                return found;
            }
            match self.stages[stage].base {
                Base::Stage(parent) if parent < stage => {
                    stage = parent;
                    before = None;
                }
                _ => return None,
            }
        }
    }

    /// Returns the shell in effect at the end of `stage`.
    pub fn stage_shell(&self, stage: usize) -> usize {
        let range = self.stages[stage].instructions.clone();
        let end = range.end.min(self.instructions.len());
        match self.instructions[range.start..end].last() {
            Some(inst) => inst.shell,
            None => 0,
        }
    }

    /// Returns the shell (`["/bin/sh", "-c"]` unless a `SHELL` changed it) for instruction `inst`.
    pub fn shell_of(&self, inst: &Inst<'_>) -> &[String] {
        &self.shells[inst.shell]
    }

    /// Returns the instructions of `stage`, `FROM` first.
    pub fn stage_instructions(&self, stage: usize) -> &[Inst<'a>] {
        let range = self.stages[stage].instructions.clone();
        &self.instructions[range.start..range.end.min(self.instructions.len())]
    }

    /// Returns the stage that `docker build` builds without `--target`: the last one.
    pub fn final_stage(&self) -> Option<&Stage<'a>> {
        self.stages.last()
    }

    /// Returns whether `stage` is built on `scratch`, directly or through earlier stages.
    pub fn is_scratch_based(&self, stage: usize) -> bool {
        match self.stages[stage].base {
            Base::Scratch => true,
            Base::Stage(parent) if parent < stage => self.is_scratch_based(parent),
            _ => false,
        }
    }

    /// Returns `stage` and the stages it is built on through `FROM <stage>`, nearest first.
    pub fn stage_chain(&self, stage: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(stage), move |&index| match self.stages[index].base {
            Base::Stage(parent) if parent < index => Some(parent),
            _ => None,
        })
    }

    /// Returns the image a stage is ultimately built on, following `FROM <stage>` links.
    pub fn base_image(&self, stage: usize) -> &Base {
        match &self.stages[stage].base {
            Base::Stage(parent) if *parent < stage => self.base_image(*parent),
            base => base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_model(text: &str, check: impl FnOnce(&Model<'_>)) {
        let tree = ballast_parser::parse(text);
        let model = Model::new(text, &tree);
        check(&model);
    }

    #[test]
    fn stages_link_and_normalize() {
        let text =
            "FROM python:3.12 AS Build\nRUN make\nFROM build\nFROM scratch\nCOPY --from=0 /a /a\n";
        with_model(text, |model| {
            assert_eq!(model.stages.len(), 3);
            assert_eq!(model.stages[0].name.as_deref(), Some("build"));
            let Base::Image(image) = &model.stages[0].base else {
                panic!("expected an image")
            };
            assert_eq!(image.to_string(), "docker.io/library/python:3.12");
            assert_eq!(model.stages[1].base, Base::Stage(0));
            assert_eq!(model.stages[2].base, Base::Scratch);
            assert_eq!(model.stages[0].used_by, vec![2, 4]);
            assert_eq!(model.stage_instructions(0).len(), 2);
        });
    }

    #[test]
    fn meta_args_expand_in_from() {
        let text = "ARG TAG=3.12\nARG REG\nFROM python:${TAG}\nFROM $REG/app\n";
        with_model(text, |model| {
            assert_eq!(model.stages[0].base_text, "python:3.12");
            assert_eq!(model.stages[1].base, Base::Unresolved);
        });
    }

    #[test]
    fn arg_and_env_scopes() {
        let text = "ARG V=1\nFROM a AS one\nARG V\nENV E=$V-x\nRUN echo\nFROM one\nRUN echo\nFROM b\nRUN echo\n";
        with_model(text, |model| {
            assert_eq!(model.value_before(3, "V"), Some("1"));
            assert_eq!(model.value_before(4, "E"), Some("1-x"));
            assert_eq!(model.value_before(3, "E"), None);
            // A stage built on `one` inherits its variables, and an unrelated stage does not.
            assert_eq!(model.value_before(6, "E"), Some("1-x"));
            assert_eq!(model.value_before(8, "E"), None);
            assert_eq!(model.value_before(8, "V"), None);
        });
    }

    #[test]
    fn shell_is_tracked_per_stage() {
        let text =
            "FROM a AS one\nSHELL [\"/bin/bash\", \"-c\"]\nRUN x\nFROM one\nRUN y\nFROM b\nRUN z\n";
        with_model(text, |model| {
            assert_eq!(model.shell_of(&model.instructions[2]), ["/bin/bash", "-c"]);
            assert_eq!(model.shell_of(&model.instructions[4]), ["/bin/bash", "-c"]);
            assert_eq!(model.shell_of(&model.instructions[6]), ["/bin/sh", "-c"]);
        });
    }
}
