//! The shell commands of RUN instructions as hadolint's rules see them, for the rules
//! DL3032 to DL4006.
//!
//! hadolint 2.15.1 reads every RUN as bash, whatever `SHELL` is set to, and finds each simple
//! command in it: in `&&` lists, pipelines, subshells, `$( … )`, branches and loops.
//! Leading `VAR=x` assignments and the `command` and `exec` wrappers are looked through,
//! while `sudo`, `env`, absolute paths and `sh -c` are not. An exec-form RUN is read as
//! its elements joined with spaces.

use ballast_parser::shell::{Dialect, Script, SeparatorKind, SimpleCommand, parse_script};
use ballast_parser::{Instruction, Span};

use crate::model::{Inst, Model, RunArgs, Typed};

/// One simple command of a RUN, reduced to the text hadolint compares.
#[derive(Clone, Debug)]
pub(crate) struct ShellCommand {
    pub name: String,
    /// The words after the name, quotes removed and expansions kept as written.
    pub args: Vec<String>,
    /// The command in the Dockerfile, or the RUN keyword for exec form.
    pub span: Span,
    /// Whether the command is an element of a pipeline (`|` or `|&`), directly or inside
    /// a compound command.
    pub piped: bool,
}

impl ShellCommand {
    pub fn is(&self, name: &str) -> bool {
        self.name == name
    }

    /// Whether any argument equals one of `values`, at any position.
    pub fn has_any_arg(&self, values: &[&str]) -> bool {
        self.args.iter().any(|arg| values.contains(&arg.as_str()))
    }

    /// Returns the flag names of the arguments: `--name=value` gives `name`, `-abc` gives `a`,
    /// `b` and `c`, and a bare `-` or `--` gives none.
    pub fn flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        for arg in &self.args {
            if arg == "-" || arg == "--" {
                continue;
            }
            if let Some(long) = arg.strip_prefix("--") {
                let name = long.split_once('=').map_or(long, |(name, _)| name);
                flags.push(name.to_string());
            } else if let Some(short) = arg.strip_prefix('-') {
                flags.extend(short.chars().map(String::from));
            }
        }
        flags
    }

    pub fn has_any_flag(&self, names: &[&str]) -> bool {
        self.flags()
            .iter()
            .any(|flag| names.contains(&flag.as_str()))
    }

    /// Returns the arguments that do not start with `-`.
    pub fn args_no_flags(&self) -> Vec<&str> {
        self.args
            .iter()
            .map(String::as_str)
            .filter(|arg| !arg.starts_with('-'))
            .collect()
    }
}

/// A RUN instruction, or the RUN trigger of an ONBUILD, with its commands.
pub(crate) struct RunView<'m, 'a> {
    pub inst: &'m Inst<'a>,
    /// The RUN itself: the instruction, or the trigger of an ONBUILD.
    pub run_syntax: &'a Instruction,
    pub run: &'m RunArgs<'a>,
    pub onbuild: bool,
    pub commands: Vec<ShellCommand>,
}

impl RunView<'_, '_> {
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

/// Collects every RUN of the file in source order, ONBUILD RUN triggers included.
pub(crate) fn runs<'m, 'a>(model: &'m Model<'a>) -> Vec<RunView<'m, 'a>> {
    model
        .instructions
        .iter()
        .filter_map(|inst| run_view(model.source, inst))
        .collect()
}

/// Builds the RUN view of one instruction, or `None` when it is not a RUN or ONBUILD RUN.
pub(crate) fn run_view<'m, 'a>(source: &str, inst: &'m Inst<'a>) -> Option<RunView<'m, 'a>> {
    let (run_syntax, run, onbuild) = match &inst.args {
        Typed::Run(run) => (inst.syntax, run, false),
        Typed::Onbuild(Some((trigger, typed))) => match typed.as_ref() {
            Typed::Run(run) => (*trigger, run, true),
            _ => return None,
        },
        _ => return None,
    };
    let commands = commands_of(source, inst, run_syntax);
    Some(RunView {
        inst,
        run_syntax,
        run,
        onbuild,
        commands,
    })
}

fn commands_of(source: &str, inst: &Inst<'_>, run_syntax: &Instruction) -> Vec<ShellCommand> {
    if run_syntax.is_exec_form() {
        let joined: Vec<&str> = run_syntax
            .args
            .words()
            .iter()
            .map(|word| word.value.as_str())
            .collect();
        let script = parse_script(&joined.join(" "), Dialect::Bash);
        if script.error.is_some() {
            return Vec::new();
        }
        let span = inst.syntax.keyword_span;
        return script
            .commands
            .iter()
            .filter_map(|command| reduce(command, |_| span))
            .collect();
    }

    let mut commands = Vec::new();
    for script in inst.syntax.run_scripts(source, Dialect::Bash) {
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

/// Reduces the commands of a script parsed on its own, such as a `SHELL` command line, with
/// spans relative to its text.
pub(crate) fn reduce_all(script: &Script) -> Vec<ShellCommand> {
    script
        .commands
        .iter()
        .filter_map(|command| reduce(command, |span| span))
        .collect()
}

/// Reduces a simple command to its name and arguments, looking through `command` and
/// `exec`. A command made only of assignments has no name and is dropped.
fn reduce(command: &SimpleCommand, to_source: impl Fn(Span) -> Span) -> Option<ShellCommand> {
    let mut words = command.words.iter().peekable();
    let mut name = words.next()?;
    while matches!(name.value.as_str(), "command" | "exec") {
        while words.peek().is_some_and(|word| word.value.starts_with('-')) {
            words.next();
        }
        match words.next() {
            Some(next) => name = next,
            None => break,
        }
    }
    let args: Vec<String> = words.map(|word| word.value.clone()).collect();
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
        args,
        span: to_source(name.span.cover(last)),
        piped,
    })
}

/// Whether `command` installs Python packages with pip: `pip`, `pip3` or `pipx` with an
/// `install` argument, or `python… -m pip install`. `pipenv` does not count.
pub(crate) fn is_pip_install(command: &ShellCommand) -> bool {
    let name = command.name.as_str();
    if name.starts_with("pip") && !name.starts_with("pipenv") {
        return command.has_any_arg(&["install"]);
    }
    name.starts_with("python")
        && command
            .args
            .windows(3)
            .any(|three| three[0] == "-m" && three[1] == "pip" && three[2] == "install")
}

/// Whether the RUN's stage is the last one or is the base of a later `FROM`, so what
/// its layers keep reaches an image that is shipped.
pub(crate) fn stage_reaches_image(model: &Model<'_>, stage: Option<usize>) -> bool {
    let Some(stage) = stage else { return false };
    if stage + 1 == model.stages.len() {
        return true;
    }
    model.stages[stage]
        .used_by
        .iter()
        .any(|&user| matches!(model.instructions[user].args, Typed::From(_)))
}

/// The variable names referenced in `text` as `$NAME` or `${NAME…}`.
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

/// Whether an RPM package argument names a version, as hadolint judges it: an `.rpm`
/// file; a word with a variable that `is_known` accepts; or `name-version…`, where every
/// part after the first `-` uses only `[A-Za-z0-9.~^_:+]` and one of them starts with a
/// digit.
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

/// Whether `name` is an ARG declared before instruction `at`, or an ENV visible to it.
pub(crate) fn is_declared_variable(model: &Model<'_>, at: usize, name: &str) -> bool {
    let is_arg = model.bindings.iter().any(|binding| {
        binding.instruction < at
            && binding.name == name
            && binding.kind != crate::model::BindingKind::Env
    });
    is_arg || model.binding_before(at, name).is_some()
}
