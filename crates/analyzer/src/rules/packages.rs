//! The commands of RUN instructions as the hadolint-compatible rules read them, and
//! helpers for package-manager command lines.
//!
//! hadolint 2.15.1 finds commands with ShellCheck's parser and names each one the way
//! ShellCheck does: assignments before the name are skipped and the wrappers `command`,
//! `exec`, `builtin` and `busybox` are seen through, while `sudo`, `env`, `sh -c`, `xargs`
//! and absolute paths (`/usr/bin/apt-get`) are not. [`ShellCommand`] follows the same
//! naming, so `# hadolint ignore=` pragmas written for hadolint keep matching.

use ballast_parser::Span;
use ballast_parser::shell::{CommandContext, Dialect, SimpleCommand};

use crate::model::{Base, Inst, Model, RunArgs, Typed};

/// One argument of a command: its text after quote removal, and where it is written.
#[derive(Clone, Debug)]
pub struct Arg {
    pub text: String,
    pub span: Span,
}

/// One simple command of a RUN.
#[derive(Clone, Debug)]
pub struct ShellCommand {
    /// The command name after the wrappers, as written (`apt-get`, `/usr/bin/pip`).
    pub name: String,
    pub name_span: Span,
    /// The words after the name.
    pub args: Vec<Arg>,
    /// Where the command runs in its script; the default for exec form.
    pub context: CommandContext,
}

impl ShellCommand {
    pub fn is(&self, name: &str) -> bool {
        self.name == name
    }

    /// Whether any argument equals `text`, wherever it stands.
    pub fn has_arg(&self, text: &str) -> bool {
        self.args.iter().any(|arg| arg.text == text)
    }

    pub fn has_any_arg(&self, texts: &[&str]) -> bool {
        self.args
            .iter()
            .any(|arg| texts.contains(&arg.text.as_str()))
    }

    /// The option names of the arguments: `--name[=value]` gives `name`, `-abc` gives `a`,
    /// `b` and `c`. `-` and `--` give none.
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
                for (index, _) in short.char_indices() {
                    let end = short[index..]
                        .chars()
                        .next()
                        .map_or(index, |c| index + c.len_utf8());
                    flags.push(&short[index..end]);
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

    /// The arguments that do not start with `-`.
    pub fn operands(&self) -> impl Iterator<Item = &Arg> {
        self.args.iter().filter(|arg| !arg.text.starts_with('-'))
    }

    /// The arguments without the value word of each option in `options` (names without
    /// dashes). A value joined with `=` is part of its option word and not dropped.
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

    /// Whether the command runs in a subshell or a command substitution, where a change of
    /// directory or of the environment does not outlast it.
    pub fn is_isolated(&self) -> bool {
        self.context.in_subshell || self.context.in_substitution
    }
}

/// The commands of one RUN instruction, or of the RUN trigger of an ONBUILD.
pub struct RunCommands<'m, 'a> {
    pub inst: &'m Inst<'a>,
    pub run: &'m RunArgs<'a>,
    /// Whether the RUN is the trigger of an `ONBUILD`.
    pub onbuild: bool,
    pub commands: Vec<ShellCommand>,
}

impl RunCommands<'_, '_> {
    pub fn stage(&self) -> Option<usize> {
        self.inst.stage
    }

    /// The commands named `name`.
    pub fn named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s ShellCommand> + 's {
        self.commands.iter().filter(move |command| command.is(name))
    }
}

/// Every RUN of the file with its commands, ONBUILD triggers included, in source order.
///
/// Shell-form scripts and heredoc scripts are parsed as bash whatever the stage's `SHELL`,
/// as hadolint does to find commands: bash reads every POSIX script the same way and also
/// accepts `[[`, arrays and `<<<`. An exec-form RUN is one command whose words are the
/// array's elements.
pub fn runs<'m, 'a>(model: &'m Model<'a>) -> Vec<RunCommands<'m, 'a>> {
    let mut runs = Vec::new();
    for inst in &model.instructions {
        let (run, onbuild, syntax) = match &inst.args {
            Typed::Run(run) => (run, false, inst.syntax),
            Typed::Onbuild(Some((trigger, typed))) => match typed.as_ref() {
                Typed::Run(run) => (run, true, *trigger),
                _ => continue,
            },
            _ => continue,
        };
        let commands = if syntax.is_exec_form() {
            exec_form_command(syntax.args.words()).into_iter().collect()
        } else {
            shell_commands(model.source, inst)
        };
        runs.push(RunCommands {
            inst,
            run,
            onbuild,
            commands,
        });
    }
    runs
}

fn shell_commands(source: &str, inst: &Inst<'_>) -> Vec<ShellCommand> {
    let mut commands = Vec::new();
    for script in inst.syntax.run_scripts(source, Dialect::Bash) {
        for command in &script.script.commands {
            let Some(named) = name_command(command) else {
                continue;
            };
            let (name, args) = named;
            commands.push(ShellCommand {
                name: name.value.clone(),
                name_span: script.source_span(name.span),
                args: args
                    .iter()
                    .map(|word| Arg {
                        text: word.value.clone(),
                        span: script.source_span(word.span),
                    })
                    .collect(),
                context: command.context,
            });
        }
    }
    commands
}

type Word = ballast_parser::shell::Word;

/// Splits a command into its effective name and arguments, seeing through the wrappers
/// that ShellCheck 0.11 sees through.
fn name_command(command: &SimpleCommand) -> Option<(&Word, &[Word])> {
    let mut words = command.words.as_slice();
    loop {
        let (first, rest) = words.split_first()?;
        let next = rest.first();
        let unwrap = match first.value.as_str() {
            "command" | "builtin" | "busybox" | "exec" => {
                next.is_some_and(|word| !word.value.starts_with('-'))
            }
            _ => false,
        };
        if !unwrap {
            return Some((first, rest));
        }
        words = rest;
    }
}

fn exec_form_command(words: &[ballast_parser::Word]) -> Option<ShellCommand> {
    let (first, rest) = words.split_first()?;
    Some(ShellCommand {
        name: first.value.clone(),
        name_span: first.span,
        args: rest
            .iter()
            .map(|word| Arg {
                text: word.value.clone(),
                span: word.span,
            })
            .collect(),
        context: CommandContext::default(),
    })
}

/// Whether a stage's filesystem ends up in an image someone runs: it is the last stage,
/// no later stage uses it (so it is a build target of its own), or a later stage is built
/// `FROM` it. A stage only copied from (`COPY --from`, `RUN --mount=from=`) contributes
/// just the files copied out of it.
pub fn stage_reaches_image(model: &Model<'_>, stage: usize) -> bool {
    let Some(current) = model.stages.get(stage) else {
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
                .is_some_and(|child| model.stages[child].base == Base::Stage(stage))
    })
}

/// The last path component of `path`.
pub fn basename(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}
