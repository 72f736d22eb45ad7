//! The commands of RUN instructions as the hadolint-compatible rules read them, and
//! helpers for package-manager command lines.
//!
//! hadolint 2.15.1 reads every RUN as bash, whatever `SHELL` is set to, and finds each
//! simple command in it: in `&&` lists, pipelines, subshells, `$( … )`, branches and loops.
//! It names each command the way ShellCheck 0.11 does: assignments before the name are
//! skipped and the wrappers `command`, `builtin`, `busybox`, `run` and `exec` are seen
//! through, while `sudo`, `env`, `sh -c`, `xargs` and absolute paths (`/usr/bin/apt-get`)
//! are not. An exec-form RUN is read as its elements joined with spaces. [`ShellCommand`]
//! follows the same reading, so `# hadolint ignore=` pragmas written for hadolint keep
//! matching.

use ballast_parser::shell::{
    CommandContext, Dialect, Script, SeparatorKind, SimpleCommand, Word, parse_script,
};
use ballast_parser::{Instruction, Span};

use crate::model::{Base, BindingKind, Inst, Model, RunArgs, Typed};
use crate::rules::Focus;

/// One argument of a command: its text after quote removal, and where it is written.
#[derive(Clone, Debug)]
pub(crate) struct Arg {
    /// The word with quotes removed and expansions kept as written.
    pub text: String,
    pub span: Span,
}

/// One simple command of a RUN.
#[derive(Clone, Debug)]
pub(crate) struct ShellCommand {
    /// The command name after the wrappers, as written (`apt-get`, `/usr/bin/pip`).
    pub name: String,
    pub name_span: Span,
    /// The words after the name.
    pub args: Vec<Arg>,
    /// The command from its name to its last word.
    pub span: Span,
    /// Where the command runs in its script.
    pub context: CommandContext,
    /// Whether the command is an element of a pipeline (`|` or `|&`), directly or inside
    /// a compound command.
    pub piped: bool,
}

impl ShellCommand {
    pub fn is(&self, name: &str) -> bool {
        self.name == name
    }

    /// Returns whether any argument equals `text`, wherever it stands.
    pub fn has_arg(&self, text: &str) -> bool {
        self.args.iter().any(|arg| arg.text == text)
    }

    /// Returns whether any argument equals one of `texts`, wherever it stands.
    pub fn has_any_arg(&self, texts: &[&str]) -> bool {
        self.args
            .iter()
            .any(|arg| texts.contains(&arg.text.as_str()))
    }

    /// Returns the option names of the arguments: `--name[=value]` gives `name`, `-abc`
    /// gives `a`, `b` and `c`. `-` and `--` give none.
    pub fn flags(&self) -> Vec<&str> {
        let mut flags = Vec::new();
        for arg in &self.args {
            let text = arg.text.as_str();
            if text == "-" || text == "--" {
                continue;
            }
            if let Some(long) = text.strip_prefix("--") {
                flags.push(long.split_once('=').map_or(long, |(name, _)| name));
            } else if let Some(short) = text.strip_prefix('-') {
                for (index, c) in short.char_indices() {
                    flags.push(&short[index..index + c.len_utf8()]);
                }
            }
        }
        flags
    }

    pub fn has_flag(&self, name: &str) -> bool {
        self.flags().contains(&name)
    }

    pub fn has_any_flag(&self, names: &[&str]) -> bool {
        self.flags().iter().any(|flag| names.contains(flag))
    }

    /// Returns the arguments that do not start with `-`.
    pub fn operands(&self) -> impl Iterator<Item = &Arg> {
        self.args.iter().filter(|arg| !arg.text.starts_with('-'))
    }

    /// Returns the texts of the arguments that do not start with `-`.
    pub fn args_no_flags(&self) -> Vec<&str> {
        self.operands().map(|arg| arg.text.as_str()).collect()
    }

    /// Returns the arguments without the value word of each option in `options` (names
    /// without dashes). A value joined with `=` is part of its option word and not dropped.
    pub fn args_without_values_of(&self, options: &[&str]) -> Vec<&Arg> {
        let mut kept = Vec::new();
        let mut skip_next = false;
        for arg in &self.args {
            if skip_next {
                skip_next = false;
                continue;
            }
            kept.push(arg);
            let text = arg.text.as_str();
            let name = text
                .strip_prefix("--")
                .or_else(|| text.strip_prefix('-'))
                .filter(|_| !text.contains('='));
            if name.is_some_and(|name| options.contains(&name)) {
                skip_next = true;
            }
        }
        kept
    }

    /// Returns whether the command runs in a subshell or a command substitution, where a
    /// change of folder or of the environment does not outlast it.
    pub fn is_isolated(&self) -> bool {
        self.context.in_subshell || self.context.in_substitution
    }
}

/// A RUN instruction, or the RUN trigger of an ONBUILD, with its commands.
pub(crate) struct RunCommands<'m, 'a> {
    pub inst: &'m Inst<'a>,
    /// The RUN itself: the instruction, or the trigger of an ONBUILD.
    pub run_syntax: &'a Instruction,
    pub run: &'m RunArgs<'a>,
    /// Whether the RUN is the trigger of an `ONBUILD`.
    pub onbuild: bool,
    pub commands: CommandList<'m>,
}

/// The commands of one RUN, shared by every rule that reads them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CommandList<'m>(&'m [ShellCommand]);

impl std::ops::Deref for CommandList<'_> {
    type Target = [ShellCommand];

    fn deref(&self) -> &[ShellCommand] {
        self.0
    }
}

impl<'m> IntoIterator for &CommandList<'m> {
    type Item = &'m ShellCommand;
    type IntoIter = std::slice::Iter<'m, ShellCommand>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl RunCommands<'_, '_> {
    pub fn stage(&self) -> Option<usize> {
        self.inst.stage
    }

    /// Returns the commands named `name`.
    pub fn named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s ShellCommand> + 's {
        self.commands.iter().filter(move |command| command.is(name))
    }

    /// Returns the keyword span, where findings on the whole instruction are reported.
    pub fn keyword_span(&self) -> Span {
        self.inst.syntax.keyword_span
    }

    pub fn any(&self, predicate: impl Fn(&ShellCommand) -> bool) -> bool {
        self.commands.iter().any(predicate)
    }

    /// Returns the position of the first command matching `predicate`.
    pub fn position(&self, predicate: impl Fn(&ShellCommand) -> bool) -> Option<usize> {
        self.commands.iter().position(predicate)
    }

    /// Returns the RUN's command text as written, continuation lines joined.
    pub fn text(&self) -> &str {
        &self.run_syntax.rest
    }
}

/// Collects every RUN that `focus` covers with its commands, ONBUILD triggers included, in
/// source order.
pub(crate) fn runs<'m, 'a>(model: &'m Model<'a>, focus: Focus<'_>) -> Vec<RunCommands<'m, 'a>> {
    focus
        .instructions(model)
        .filter_map(|inst| run_view(model.source, inst))
        .collect()
}

/// Builds the view of one instruction, or `None` when it is neither a RUN nor an ONBUILD
/// RUN.
pub(crate) fn run_view<'m, 'a>(source: &str, inst: &'m Inst<'a>) -> Option<RunCommands<'m, 'a>> {
    let (run_syntax, run, onbuild) = match &inst.args {
        Typed::Run(run) => (inst.syntax, run, false),
        Typed::Onbuild(Some((trigger, typed))) => match typed.as_ref() {
            Typed::Run(run) => (*trigger, run, true),
            _ => return None,
        },
        _ => return None,
    };
    // Most package rules read the same commands, so they are reduced once per model.
    let commands = inst.run_commands(|| {
        if run_syntax.is_exec_form() {
            exec_form_commands(inst, run_syntax)
        } else {
            shell_form_commands(source, inst)
        }
    });
    Some(RunCommands {
        inst,
        run_syntax,
        run,
        onbuild,
        commands: CommandList(commands),
    })
}

/// Parses the script and heredoc scripts of a shell-form RUN as bash, as hadolint does to
/// find commands: bash reads every POSIX script the same way and also accepts `[[`,
/// arrays and `<<<`.
fn shell_form_commands(source: &str, inst: &Inst<'_>) -> Vec<ShellCommand> {
    let mut commands = Vec::new();
    for script in inst.run_scripts(source, Dialect::Bash) {
        // hadolint finds no command at all in a script that is not valid bash, such as a
        // PowerShell RUN, so none of its shell rules apply there.
        if script.script.error.is_some() {
            continue;
        }
        for command in &script.script.commands {
            if let Some(reduced) = reduce(command, |span| script.source_span(span)) {
                commands.push(reduced);
            }
        }
    }
    commands
}

/// Parses the elements of an exec-form RUN joined with spaces, as hadolint stores them.
/// A word that is exactly one element points at that element; any other word points at
/// the RUN keyword.
fn exec_form_commands(inst: &Inst<'_>, run_syntax: &Instruction) -> Vec<ShellCommand> {
    let elements = run_syntax.args.words();
    let mut joined = String::new();
    let mut starts = Vec::with_capacity(elements.len());
    for element in elements {
        if !joined.is_empty() {
            joined.push(' ');
        }
        starts.push(joined.len());
        joined.push_str(&element.value);
    }
    let script = parse_script(&joined, Dialect::Bash);
    if script.error.is_some() {
        return Vec::new();
    }

    let keyword_span = inst.syntax.keyword_span;
    let to_source = |span: Span| {
        starts
            .iter()
            .zip(elements)
            .find(|(start, element)| span.start == **start && span.len() == element.value.len())
            .map_or(keyword_span, |(_, element)| element.span)
    };
    script
        .commands
        .iter()
        .filter_map(|command| reduce(command, to_source))
        .collect()
}

/// Reduces the commands of a script parsed on its own, such as a `SHELL` command line, with
/// spans relative to its text.
pub(crate) fn reduce_all(script: &Script) -> Vec<ShellCommand> {
    script
        .commands
        .iter()
        .filter_map(|command| reduce(command, |span| span))
        .collect()
}

/// Reduces a simple command to its effective name and arguments. A command made only of
/// assignments has no name and is dropped.
fn reduce(command: &SimpleCommand, to_source: impl Fn(Span) -> Span) -> Option<ShellCommand> {
    let (name, args) = name_command(&command.words)?;
    // ShellCheck parses `[ … ]` and `[[ … ]]` as conditions, not commands, so hadolint
    // neither counts nor checks them.
    if matches!(name.value.as_str(), "[" | "[[") {
        return None;
    }
    // A name with an expansion (`$CC`, `` `go env GOPATH`/bin/x ``) is unknown until the
    // build runs; hadolint drops such commands too.
    if name.has_expansion {
        return None;
    }
    let last = command.words.last().map_or(name.span, |word| word.span);
    let piped = command.context.pipeline.is_some()
        || command.separator.is_some_and(|separator| {
            matches!(separator.kind, SeparatorKind::Pipe | SeparatorKind::PipeAll)
        });
    Some(ShellCommand {
        name: name.value.clone(),
        name_span: to_source(name.span),
        args: args
            .iter()
            .map(|word| Arg {
                text: word.value.clone(),
                span: to_source(word.span),
            })
            .collect(),
        span: to_source(name.span.cover(last)),
        context: command.context,
        piped,
    })
}

/// Splits a command's words into its effective name and arguments, seeing through one
/// wrapper as ShellCheck 0.11's `getCommandName` does: `command`, `builtin`, `busybox` and
/// `run` when the next word is not an option, and `exec` after its options `-c`, `-l` and
/// `-a NAME`.
fn name_command(words: &[Word]) -> Option<(&Word, &[Word])> {
    let (first, rest) = words.split_first()?;
    let wrapped = match first.value.as_str() {
        "command" | "builtin" | "busybox" | "run" => rest
            .first()
            .is_some_and(|word| !word.value.starts_with('-')),
        "exec" => return Some(exec_target(rest).unwrap_or((first, rest))),
        _ => false,
    };
    if wrapped {
        rest.split_first()
    } else {
        Some((first, rest))
    }
}

/// Returns the command `exec` runs: the first word after the options `-c`, `-l` and
/// `-a NAME`, or `None` when an option is unknown or no command follows.
fn exec_target(words: &[Word]) -> Option<(&Word, &[Word])> {
    let mut index = 0;
    while let Some(word) = words.get(index) {
        let text = word.value.as_str();
        if text == "--" {
            index += 1;
            break;
        }
        let Some(options) = text.strip_prefix('-').filter(|options| !options.is_empty()) else {
            break;
        };
        let mut takes_value = false;
        for (at, option) in options.char_indices() {
            match option {
                'c' | 'l' => {}
                'a' => {
                    // The name is the rest of this word, or the next word.
                    takes_value = at + 1 == options.len();
                    break;
                }
                _ => return None,
            }
        }
        index += if takes_value { 2 } else { 1 };
    }
    let rest = words.get(index..)?;
    rest.split_first()
}

/// Returns whether `command` installs Python packages with pip: `pip`, `pip3` or `pipx`
/// with an `install` argument, or `python… -m pip install`. `pipenv` does not count.
pub(crate) fn is_pip_install(command: &ShellCommand) -> bool {
    let name = command.name.as_str();
    if name.starts_with("pip") && !name.starts_with("pipenv") {
        return command.has_arg("install");
    }
    name.starts_with("python")
        && command.args.windows(3).any(|three| {
            three[0].text == "-m" && three[1].text == "pip" && three[2].text == "install"
        })
}

/// Returns whether a stage's filesystem ends up in an image someone runs: it is the last
/// stage, no later stage uses it (so it is a build target of its own), or a later stage is
/// built `FROM` it. A stage only copied from (`COPY --from`, `RUN --mount=from=`)
/// contributes just the files copied out of it.
pub(crate) fn stage_reaches_image(model: &Model<'_>, stage: Option<usize>) -> bool {
    let Some(current) = stage.and_then(|stage| model.stages.get(stage)) else {
        return false;
    };
    if current.used_by.is_empty() {
        return true;
    }
    current.used_by.iter().any(|&user| {
        let inst = &model.instructions[user];
        matches!(inst.args, Typed::From(_))
            && inst
                .stage
                .is_some_and(|child| model.stages[child].base == Base::Stage(current.index))
    })
}

/// Returns the last path component of `path`.
pub(crate) fn basename(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

/// Returns the variable names referenced in `text` as `$NAME` or `${NAME…}`.
pub(crate) fn referenced_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(offset) = text[at..].find('$') {
        let start = at + offset + 1;
        let braced = bytes.get(start) == Some(&b'{');
        let name_start = if braced { start + 1 } else { start };
        let name_end = text[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(text.len(), |len| name_start + len);
        if name_end > name_start {
            names.push(&text[name_start..name_end]);
        }
        at = name_end.max(start);
    }
    names
}

/// Returns whether an RPM package argument names a version, as hadolint judges it: an
/// `.rpm` file; a word with a variable that `is_known` accepts; or `name-version…`, where
/// every part after the first `-` uses only `[A-Za-z0-9.~^_:+]` and one of them starts
/// with a digit.
pub(crate) fn is_rpm_versioned(package: &str, is_known: impl Fn(&str) -> bool) -> bool {
    if package.ends_with(".rpm") {
        return true;
    }
    if package.contains('$') {
        return referenced_names(package).into_iter().any(is_known);
    }
    let mut parts = package.split('-');
    parts.next();
    let rest: Vec<&str> = parts.collect();
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".~^_:+".contains(c);
    !rest.is_empty()
        && rest.iter().all(|part| part.chars().all(allowed))
        && rest
            .iter()
            .any(|part| part.starts_with(|c: char| c.is_ascii_digit()))
}

/// Returns whether `name` is an ARG declared before instruction `at`, or an ENV visible
/// to it.
pub(crate) fn is_declared_variable(model: &Model<'_>, at: usize, name: &str) -> bool {
    let is_arg = model.bindings.iter().any(|binding| {
        binding.instruction < at && binding.name == name && binding.kind != BindingKind::Env
    });
    is_arg || model.binding_before(at, name).is_some()
}
