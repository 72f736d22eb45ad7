//! BL1003: an exec-form array written with single quotes.

use ballast_parser::{Instruction, Word};

use crate::diagnostic::{Edit, Fix};
use crate::model::{CommandForm, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports `RUN`, `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD` arguments that look like
    /// an exec-form array but use single quotes: `CMD ['/app', '--serve']`.
    ///
    /// ## Why is this bad
    /// Exec form must be a JSON array, and JSON strings use double quotes. Docker does not
    /// reject the line: it treats it as shell form and runs
    /// `/bin/sh -c "['/app', '--serve']"`, so the shell looks for a command named
    /// `[/app,`, which fails when the container starts or the step runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// CMD ['/usr/local/bin/app', '--serve']
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// CMD ["/usr/local/bin/app", "--serve"]
    /// ```
    ///
    /// ## Fix
    /// Replaces the single quotes with double quotes. The fix is safe when no element
    /// contains a double quote or a backslash, which JSON would read differently.
    ///
    /// ## Overlapping rules
    /// A `CMD` or `ENTRYPOINT` with single quotes is shell form as well, so DL3025
    /// (hadolint's check) and `JSONArgsRecommended` (BuildKit's check) report the same
    /// line: `CMD ['x']` gets three findings. BL1003 names the cause, and its fix writes
    /// the exec form that clears all three. DL3025 and `JSONArgsRecommended` also overlap
    /// on every other shell-form command. To keep one of those two, turn the other off:
    /// `--ignore DL3025`, `ignore = ["DL3025"]` in `.ballast.toml`, or `ignored: [DL3025]`
    /// in `.hadolint.yaml`.
    pub ExecFormSingleQuotes {
        code: "BL1003",
        name: "exec-form-single-quotes",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let form = match &inst.args {
            Typed::Run(run) => run.command,
            Typed::Cmd(form) | Typed::Entrypoint(form) => *form,
            Typed::Healthcheck(health) => health.command,
            _ => continue,
        };
        let CommandForm::Shell(word) = form else {
            continue;
        };
        let Some(elements) = single_quoted_array(&word.value) else {
            continue;
        };
        report(cx, inst.syntax, word, &elements);
    }
}

fn report(cx: &mut Context<'_>, instruction: &Instruction, word: &Word, elements: &[&str]) {
    let keyword = instruction.keyword.as_str();
    let message = format!(
        "{keyword} arguments in single quotes are not a JSON array, so Docker runs them as a shell command with `/bin/sh -c`, brackets included; exec form needs double quotes"
    );
    let plain = elements
        .iter()
        .all(|element| !element.contains(['"', '\\']));
    let single_line = !cx.text(word.span).contains('\n');
    let diagnostic = cx.report(word.span, message);
    if !plain || !single_line {
        return;
    }
    let array = elements
        .iter()
        .map(|element| format!("\"{element}\""))
        .collect::<Vec<_>>()
        .join(", ");
    diagnostic.fix(Fix::safe(
        "Write the array with double quotes",
        vec![Edit::replace(word.span, format!("[{array}]"))],
    ));
}

/// Splits `['a', 'b']` into its elements; `None` when the text is not a bracketed list of
/// single-quoted strings.
fn single_quoted_array(text: &str) -> Option<Vec<&str>> {
    let inner = text.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    let mut elements = Vec::new();
    let mut rest = inner;
    while !rest.is_empty() {
        let after_quote = rest.strip_prefix('\'')?;
        let close = after_quote.find('\'')?;
        elements.push(&after_quote[..close]);
        rest = after_quote[close + 1..].trim_start();
        if let Some(after_comma) = rest.strip_prefix(',') {
            rest = after_comma.trim_start();
            if rest.is_empty() {
                return None;
            }
        } else if !rest.is_empty() {
            return None;
        }
    }
    (!elements.is_empty()).then_some(elements)
}
