//! BL1001: a `# comment` written after an instruction's arguments.

use ballast_parser::{Instruction, Keyword, Span};

use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::{CommandForm, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `#` written after an instruction's arguments as if it started a comment.
    ///
    /// ## Why is this bad
    /// A Dockerfile comment is a whole line that starts with `#`. After an instruction,
    /// `#` and the words that follow are arguments, and what they do depends on the
    /// instruction:
    ///
    /// - `FROM` gets too many arguments and the build fails;
    /// - `EXPOSE` fails on the port `#`;
    /// - `WORKDIR` creates and enters a folder whose name contains `#`;
    /// - `ENV key value` stores the comment in the value, and `ENV key=value # …` fails;
    /// - `CMD` and `ENTRYPOINT` in JSON form are no longer valid JSON, so Docker runs the
    ///   whole text, brackets included, with `/bin/sh -c`;
    /// - `ADD` and `COPY` gain the sources `#` and the words after it, and the last word
    ///   of the comment becomes the destination;
    /// - `RUN` hands the comment to the shell, which ignores it up to the end of the
    ///   logical line. Before a continuation line, that swallows every line after it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim  # the official image
    /// WORKDIR /app  # everything lives here
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # the official image
    /// FROM python:3.12-slim
    /// # everything lives here
    /// WORKDIR /app
    /// ```
    ///
    /// ## Fix
    /// Moves the comment to its own line above the instruction. The fix is safe, except on
    /// a shell-form command where the comment swallowed continuation lines: moving it
    /// makes those lines run, which is what the author meant but changes the build.
    pub TrailingComment {
        code: "BL1001",
        name: "trailing-comment",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let escape = cx.tree.escape;
    for inst in cx.focus().instructions(model) {
        let instruction = inst.syntax;
        let Some(comment) = find_trailing_comment(instruction, cx.source, escape) else {
            continue;
        };
        let Some(consequence) = consequence(inst.keyword(), &inst.args, &comment) else {
            continue;
        };

        let message = format!(
            "`#` after {} arguments is not a comment: {}",
            instruction.keyword.as_str(),
            consequence.text
        );
        let fix = move_above_fix(cx.source, instruction, &comment, consequence.safe_fix);
        let diagnostic = cx.report(comment.span, message);
        if consequence.fails_build {
            diagnostic.severity = Severity::Error;
        }
        if let Some(fix) = fix {
            diagnostic.fix(fix);
        }
    }
}

/// A `#` found after an instruction's arguments.
struct CommentSite {
    /// From `#` to the end of its physical line, without a continuation marker.
    span: Span,
    /// The text of `span`, trimmed.
    text: String,
    /// Whether more physical lines of the instruction follow the comment's line.
    continues: bool,
}

/// The effect of a trailing comment on one instruction.
struct Consequence {
    text: String,
    fails_build: bool,
    safe_fix: bool,
}

/// Finds the first `#` that starts a word of the logical line after the keyword, outside
/// quotes. Heredoc bodies are not part of the logical line, so they are never searched.
fn find_trailing_comment(
    instruction: &Instruction,
    source: &str,
    escape: char,
) -> Option<CommentSite> {
    let line = &instruction.line;
    let keyword_end = instruction
        .line_map
        .to_line(instruction.keyword_span.end.checked_sub(1)?)?
        + 1;
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    let mut escaped = false;
    let mut found = None;
    for (offset, c) in line
        .char_indices()
        .skip_while(|&(offset, _)| offset < keyword_end)
    {
        if escaped {
            escaped = false;
            previous = c;
            continue;
        }
        match (quote, c) {
            (_, c) if c == escape && quote != Some('\'') => escaped = true,
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), c) if c == open => quote = None,
            (None, '#') if previous.is_whitespace() => {
                found = Some(offset);
                break;
            }
            _ => {}
        }
        previous = c;
    }
    let start = instruction.line_map.to_source(found?);

    let physical = instruction
        .physical_lines
        .iter()
        .position(|span| span.start <= start && start < span.end)?;
    let line_span = instruction.physical_lines[physical];
    let continues = physical + 1 < instruction.physical_lines.len();
    let mut end = line_span.end;
    let text = source.get(start..end)?;
    if continues {
        // The continuation marker at the end of the line is not part of the comment.
        let trimmed = text.trim_end();
        let without_marker = trimmed.strip_suffix(escape).unwrap_or(trimmed);
        end = start + without_marker.len();
    }
    let text = source.get(start..end)?.trim_end().to_string();
    Some(CommentSite {
        span: Span::new(start, start + text.len()),
        text,
        continues,
    })
}

fn consequence(keyword: Keyword, args: &Typed<'_>, comment: &CommentSite) -> Option<Consequence> {
    let fails = |text: String| Consequence {
        text,
        fails_build: true,
        safe_fix: true,
    };
    let wrong = |text: String| Consequence {
        text,
        fails_build: false,
        safe_fix: true,
    };
    let quoted = &comment.text;
    match (keyword, args) {
        (Keyword::From, _) => Some(fails(format!(
            "FROM takes an image and an optional `AS name`, so `{quoted}` gives it too many arguments and the build fails; Dockerfile comments must be on their own line"
        ))),
        (Keyword::Expose, _) => Some(fails(format!(
            "EXPOSE reads `#` as a port and the build fails; put `{quoted}` on its own line"
        ))),
        (Keyword::Workdir, Typed::Workdir(Some(path))) => Some(wrong(format!(
            "the working directory becomes `{}`, a path that contains the comment",
            path.value
        ))),
        (Keyword::Env | Keyword::Label, Typed::Env(pairs) | Typed::Label(pairs)) => {
            if pairs.iter().any(|pair| pair.legacy) {
                Some(wrong(format!(
                    "the legacy `{} key value` form stores `{quoted}` in the value",
                    keyword.as_str()
                )))
            } else {
                Some(fails(format!(
                    "`#` is not a `key=value` pair, so the build fails; put `{quoted}` on its own line"
                )))
            }
        }
        (Keyword::Cmd | Keyword::Entrypoint, Typed::Cmd(form) | Typed::Entrypoint(form)) => {
            command_consequence(keyword, *form, comment)
        }
        (Keyword::Healthcheck, Typed::Healthcheck(health)) => {
            command_consequence(keyword, health.command, comment)
        }
        (Keyword::Run, _) if comment.continues => Some(Consequence {
            text: format!(
                "the shell reads `{quoted}` and every continuation line after it as one comment, so those commands never run"
            ),
            fails_build: false,
            safe_fix: false,
        }),
        (Keyword::Run, _) => None,
        (Keyword::Add | Keyword::Copy, _) => Some(wrong(format!(
            "{} copies `#` and the words after it as more sources, and the last word of `{quoted}` becomes the destination",
            keyword.as_str()
        ))),
        (Keyword::Volume, _) => Some(wrong(format!(
            "VOLUME declares `#` and each word of `{quoted}` as more volumes"
        ))),
        (Keyword::User, _) => Some(wrong(format!(
            "the user becomes a name that contains `{quoted}`, which does not exist when the container starts"
        ))),
        (Keyword::Arg, _) => Some(wrong(format!(
            "ARG reads `#` and the words of `{quoted}` as more build-argument names"
        ))),
        (Keyword::Stopsignal, _) => Some(fails(format!(
            "the stop signal becomes a text that contains `{quoted}`, which is not a signal"
        ))),
        (Keyword::Shell, _) => Some(fails(format!(
            "SHELL must be a JSON array, and `{quoted}` after it makes the line invalid"
        ))),
        (Keyword::Maintainer, _) => Some(wrong(format!(
            "the author field stores `{quoted}` as part of the name"
        ))),
        _ => None,
    }
}

fn command_consequence(
    keyword: Keyword,
    form: CommandForm<'_>,
    comment: &CommentSite,
) -> Option<Consequence> {
    let quoted = &comment.text;
    let CommandForm::Shell(word) = form else {
        return None;
    };
    if word.value.trim_start().starts_with('[') {
        return Some(Consequence {
            text: format!(
                "the JSON array followed by `{quoted}` is not valid JSON, so Docker runs the whole line with `/bin/sh -c` and the shell tries to run the brackets as a command"
            ),
            fails_build: false,
            safe_fix: true,
        });
    }
    if comment.continues {
        return Some(Consequence {
            text: format!(
                "the shell reads `{quoted}` and every continuation line after it as one comment, so those words never reach {}",
                keyword.as_str()
            ),
            fails_build: false,
            safe_fix: false,
        });
    }
    None
}

/// Moves the comment to its own line above the instruction, with the instruction's
/// indentation. `None` inside ONBUILD, where the instruction line is shared.
fn move_above_fix(
    source: &str,
    instruction: &Instruction,
    comment: &CommentSite,
    safe: bool,
) -> Option<Fix> {
    if instruction.keyword == Keyword::Onbuild {
        return None;
    }
    // On the first line the new comment goes after a byte order mark, which must stay the
    // first bytes of the file and is not indentation.
    let indentation_end = instruction.keyword_span.start;
    let text_start = if source.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let line_start = source
        .get(..indentation_end)?
        .rfind('\n')
        .map_or(text_start, |newline| newline + 1);
    let indentation = source.get(line_start..indentation_end)?;
    if !indentation.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }

    // Remove the whitespace before `#` too. A continuation marker after the comment
    // stays, with the space before it.
    let before = source.get(..comment.span.start)?;
    let removal_start = before.trim_end_matches([' ', '\t']).len();
    let removal_end = if comment.continues {
        comment.span.end
    } else {
        instruction
            .physical_lines
            .iter()
            .find(|span| span.contains(comment.span.start))?
            .end
    };

    // The new line ends like the line it is taken from, so CRLF files stay CRLF.
    let line_end = source.get(line_start..)?.find('\n').map(|at| line_start + at);
    let newline = match line_end {
        Some(at) if at > 0 && source.as_bytes()[at - 1] == b'\r' => "\r\n",
        _ => "\n",
    };
    let edits = vec![
        Edit::insert(line_start, format!("{indentation}{}{newline}", comment.text)),
        Edit::delete(Span::new(removal_start, removal_end)),
    ];
    let title = "Move the comment to its own line above the instruction";
    let fix = if safe {
        Fix::safe(title, edits)
    } else {
        Fix::unsafe_(title, edits)
    };
    // A comment after FROM's arguments is a syntax error that the move removes.
    Some(if instruction.keyword == Keyword::From {
        fix.repairing()
    } else {
        fix
    })
}
