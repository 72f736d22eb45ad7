//! The shell scripts of a RUN instruction, with their words positioned in the Dockerfile.
//!
//! A shell-form RUN is one script: its joined command text, followed by the bodies of the
//! heredocs it names (`RUN cat <<EOF > /etc/x`), as BuildKit hands them to the shell. A RUN
//! whose whole command is one heredoc (`RUN <<EOF`) runs the body as the script, unless
//! the body starts with a `#!` line naming another interpreter.

use std::sync::Arc;

use serde::Serialize;

use crate::Span;
use crate::shell::{Dialect, Script, parse_script};
use crate::syntax::{Args, Heredoc, Instruction, Keyword, SourceMap};

/// The origin of a script's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptOrigin {
    /// The shell-form command text, with the bodies of the heredocs it reads.
    ShellForm,
    /// The body of the heredoc at this index of [`Instruction::heredocs`].
    Heredoc(usize),
}

/// One script of a RUN with its parsed commands. Spans inside [`RunScript::script`] are
/// offsets into [`RunScript::text`]; [`RunScript::source_span`] moves them into the file.
#[derive(Clone, Debug, Serialize)]
pub struct RunScript {
    pub origin: ScriptOrigin,
    pub text: String,
    /// Shared, so a cache of parsed scripts can hand the same parse to several lints.
    pub script: Arc<Script>,
    /// The interpreter named by a `#!` line of a heredoc script, when it is not a POSIX
    /// shell. Such a script is not parsed and has no commands.
    pub interpreter: Option<String>,
    #[serde(skip)]
    map: SourceMap,
}

impl RunScript {
    /// Maps a span in [`RunScript::text`] to its span in the Dockerfile.
    pub fn source_span(&self, span: Span) -> Span {
        self.map.span(span.start, span.end)
    }
}

impl Instruction {
    /// Parses the shell scripts this RUN (or ONBUILD RUN) executes in `dialect`. Exec-form
    /// RUNs and other instructions have none.
    pub fn run_scripts(&self, source: &str, dialect: Dialect) -> Vec<RunScript> {
        self.run_scripts_with(source, dialect, &|text, dialect| {
            Arc::new(parse_script(text, dialect))
        })
    }

    /// Like [`Instruction::run_scripts`], with `parse` turning each script's text into its
    /// commands. `parse` must return what [`parse_script`] returns for the same text and
    /// dialect; a cache of earlier parses does.
    pub fn run_scripts_with(
        &self,
        source: &str,
        dialect: Dialect,
        parse: &ParseScript<'_>,
    ) -> Vec<RunScript> {
        let (run, map) = match (&self.keyword, &self.args) {
            (Keyword::Run, _) => (self, &self.line_map),
            (
                Keyword::Onbuild,
                Args::Onbuild {
                    trigger: Some(trigger),
                },
            ) if trigger.keyword == Keyword::Run => (trigger.as_ref(), &self.line_map),
            _ => return Vec::new(),
        };
        if run.is_exec_form() || run.rest.is_empty() {
            return Vec::new();
        }

        // Heredoc bodies belong to the outer instruction, also for an ONBUILD trigger.
        let heredocs = &self.heredocs;
        let is_single_heredoc = heredocs.len() == 1 && heredocs[0].word.span == run.rest_span;
        if is_single_heredoc {
            return vec![heredoc_script(&heredocs[0], dialect, parse)];
        }
        vec![shell_form_script(self, run, map, source, dialect, parse)]
    }
}

/// A function from a script's text and dialect to its parse, as [`parse_script`] returns it.
pub type ParseScript<'p> = dyn Fn(&str, Dialect) -> Arc<Script> + 'p;

fn shell_form_script(
    outer: &Instruction,
    run: &Instruction,
    map: &SourceMap,
    source: &str,
    dialect: Dialect,
    parse: &ParseScript<'_>,
) -> RunScript {
    let rest_start = map.to_line(run.rest_span.start).unwrap_or(0);
    let mut script_map = map.slice(rest_start, rest_start + run.rest.len());
    let mut text = run.rest.clone();

    if let Some(first) = outer.heredocs.first() {
        // The shell reads heredoc bodies after the command line; the newline that ends the
        // instruction's last physical line separates them.
        let line_end = outer
            .physical_lines
            .last()
            .map_or(first.content_span.start, |line| line.end);
        if let Some(newline) = source[line_end..first.content_span.start].find('\n') {
            text.push('\n');
            script_map.append(line_end + newline, 1);
        }
        for heredoc in &outer.heredocs {
            // The terminator line is read with its line break. An unterminated body ends where
            // the instruction ends, so nothing after the instruction becomes part of the script.
            let end = match heredoc.terminator_span {
                Some(terminator) => source[terminator.end..]
                    .find('\n')
                    .map_or(terminator.end, |newline| terminator.end + newline + 1),
                None => heredoc.content_span.end,
            };
            text.push_str(&source[heredoc.content_span.start..end]);
            script_map.append(heredoc.content_span.start, end - heredoc.content_span.start);
        }
    }

    let script = parse(&text, dialect);
    RunScript {
        origin: ScriptOrigin::ShellForm,
        text,
        script,
        interpreter: None,
        map: script_map,
    }
}

fn heredoc_script(heredoc: &Heredoc, dialect: Dialect, parse: &ParseScript<'_>) -> RunScript {
    let text = heredoc.content.clone();
    let map = SourceMap::contiguous(heredoc.content_span.start, text.len());

    let interpreter = text
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("#!"))
        .map(|line| line.trim().to_string())
        .filter(|line| !is_posix_shell(line));
    let script = if interpreter.is_some() {
        Arc::default()
    } else {
        parse(&text, dialect)
    };
    RunScript {
        origin: ScriptOrigin::Heredoc(0),
        text,
        script,
        interpreter,
        map,
    }
}

/// Returns whether a `#!` line names a shell that reads POSIX shell code.
fn is_posix_shell(shebang: &str) -> bool {
    let mut parts = shebang.split_whitespace();
    let program = parts.next().unwrap_or("");
    let program = if program.ends_with("/env") {
        parts.next().unwrap_or("")
    } else {
        program
    };
    let name = program.rsplit('/').next().unwrap_or(program);
    matches!(name, "sh" | "bash" | "dash" | "ash" | "ksh" | "zsh")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn words_in_source(text: &str) -> Vec<Vec<String>> {
        let tree = parse(text);
        let run = tree
            .instructions()
            .find(|i| i.keyword == Keyword::Run)
            .unwrap();
        let scripts = run.run_scripts(text, Dialect::Posix);
        scripts[0]
            .script
            .commands
            .iter()
            .map(|command| {
                command
                    .words
                    .iter()
                    .map(|word| scripts[0].source_span(word.span).text(text).to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn words_map_across_continuation_lines() {
        let text = "FROM a\nRUN apt-get update && \\\n    apt-get install -y \\\n      curl\n";
        assert_eq!(
            words_in_source(text),
            [
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "curl"]
            ]
        );
    }

    #[test]
    fn heredoc_script_words_map_into_the_body() {
        let text = "FROM a\nRUN <<EOF\nset -e\napk add --no-cache git\nEOF\n";
        assert_eq!(
            words_in_source(text),
            [vec!["set", "-e"], vec!["apk", "add", "--no-cache", "git"]]
        );
    }

    #[test]
    fn heredoc_read_by_a_command_is_data() {
        let text = "FROM a\nRUN cat <<EOF > /etc/x && chmod 600 /etc/x\nrm -rf /\nEOF\n";
        assert_eq!(
            words_in_source(text),
            [vec!["cat"], vec!["chmod", "600", "/etc/x"]]
        );
    }

    #[test]
    fn python_heredoc_is_not_parsed() {
        let text = "FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint('hi')\nEOF\n";
        let tree = parse(text);
        let run = tree.instructions().nth(1).unwrap();
        let scripts = run.run_scripts(text, Dialect::Posix);
        assert_eq!(
            scripts[0].interpreter.as_deref(),
            Some("/usr/bin/env python3")
        );
        assert!(scripts[0].script.commands.is_empty());
    }
}
