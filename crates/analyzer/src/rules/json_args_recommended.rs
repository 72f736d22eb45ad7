//! JSONArgsRecommended: `CMD` or `ENTRYPOINT` in shell form.

use crate::diagnostic::{Edit, Fix};
use crate::model::{CommandForm, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `CMD` or `ENTRYPOINT` in shell form when no `SHELL` instruction is in
    /// effect, as BuildKit's check of the same name does. A `SHELL` earlier in the stage,
    /// or in a stage it is built on, turns the check off, since choosing a shell shows
    /// that shell form is meant.
    ///
    /// BuildKit also counts a `SHELL` set in the base image's configuration. ballast
    /// works offline and cannot see it, so it may report a command that BuildKit accepts
    /// when the base image sets a shell.
    ///
    /// ## Why is this bad
    /// In shell form the container's main process is `/bin/sh -c`, not the program. The
    /// shell does not forward `SIGTERM`, so `docker stop` waits for its timeout and then
    /// kills the program without letting it shut down cleanly.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// CMD python app.py
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// CMD ["python", "app.py"]
    /// ```
    ///
    /// ## Fix
    /// Rewrites a command of plain words as a JSON array. The fix is unsafe: without a
    /// shell, nothing expands variables or globs and the program runs as PID 1. It is
    /// offered only when the command contains no character that the shell would
    /// interpret.
    ///
    /// ## Overlapping rules
    /// DL3025, hadolint's check, reports the same shell-form `CMD` and `ENTRYPOINT`, and
    /// `HEALTHCHECK CMD` too, whether or not a `SHELL` is set. On `CMD ['x']`, BL1003
    /// also reports the single quotes. To keep one rule of the pair, turn the other off:
    /// `--ignore DL3025`, `ignore = ["DL3025"]` in `.ballast.toml`, or `ignored: [DL3025]`
    /// in `.hadolint.yaml`. A Dockerfile can also skip this check with BuildKit's directive
    /// `# check=skip=JSONArgsRecommended` at its top.
    pub JsonArgsRecommended {
        code: "JSONArgsRecommended",
        name: "json-args-recommended",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let (keyword, command) = match &inst.args {
            Typed::Cmd(command) => ("CMD", command),
            Typed::Entrypoint(command) => ("ENTRYPOINT", command),
            _ => continue,
        };
        let CommandForm::Shell(word) = command else {
            continue;
        };
        if inst.stage.is_none() || inst.shell != 0 {
            continue;
        }
        let diagnostic = cx.report(
            inst.syntax.keyword_span,
            format!(
                "shell-form {keyword} runs the program under a shell that does not pass on signals such as `SIGTERM`: use the JSON array form"
            ),
        );
        if let Some(array) = exec_form(&word.value) {
            diagnostic.fix(Fix::unsafe_(
                "Write the command as a JSON array",
                vec![Edit::replace(word.span, array)],
            ));
        }
    }
}

/// Returns the JSON array for a command made of plain words, or `None` when the shell would
/// interpret some character of it.
fn exec_form(command: &str) -> Option<String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c);
    let words: Vec<&str> = command.split_whitespace().collect();
    if words.is_empty() || !words.iter().all(|word| word.chars().all(plain)) {
        return None;
    }
    let quoted: Vec<String> = words.iter().map(|word| format!("\"{word}\"")).collect();
    Some(format!("[{}]", quoted.join(", ")))
}
