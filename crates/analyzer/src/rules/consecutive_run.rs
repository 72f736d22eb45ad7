//! DL3059: consecutive single-command `RUN` instructions.

use ballast_parser::{Instruction, Keyword, NodeKind, Span};

use crate::diagnostic::{Edit, Fix};
use crate::rules::Context;
use crate::rules::packages::run_view;

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that directly follows another `RUN` with the same flags when both
    /// run at most one command.
    ///
    /// ## Why is this bad
    /// Each `RUN` makes a layer. Two short commands in a row are usually one step and
    /// fit in one layer, which also lets a later cleanup in the same `RUN` shrink it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache git
    /// RUN git --version
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache git && git --version
    /// ```
    ///
    /// Comments between the two instructions do not separate them. After a finding the
    /// next `RUN` is compared with the same earlier one, so a run of short `RUN`s is
    /// reported from the second on.
    ///
    /// ## Fix
    /// Joins the `RUN` to the one before it: `&& \` ends the earlier line and the later
    /// command becomes its continuation line. Comment lines between them stay where they
    /// are (BuildKit skips comment lines inside a continuation) and blank lines between
    /// them are removed. The fix is unsafe: both commands then run in one shell, so a `cd`,
    /// `export` or variable set by the first one changes what the second one does. No fix
    /// is offered when either `RUN` is in exec form, has a heredoc, or when the earlier
    /// one contains a `#`, which could start a shell comment that would swallow the join.
    pub ConsecutiveRun {
        code: "DL3059",
        name: "consecutive-run",
        severity: Info,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    // The flags of the last RUN that was not reported, when it ran at most one command.
    let mut previous: Option<(Vec<&str>, bool)> = None;
    // The RUN right before the current instruction, which a fix joins the current one to.
    let mut last_run: Option<&Instruction> = None;
    // Every FROM resets both, so checking whole stages in focus is enough.
    for inst in cx.focus().instructions(model) {
        let before = last_run.take();
        if inst.keyword() != Keyword::Run {
            previous = None;
            continue;
        }
        last_run = Some(inst.syntax);
        let Some(run) = run_view(model.source, inst) else {
            previous = None;
            continue;
        };
        let flags: Vec<&str> = inst
            .syntax
            .flags
            .iter()
            .map(|flag| flag.text.as_str())
            .collect();
        let short = run.commands.len() <= 1;
        if let Some((previous_flags, previous_short)) = &previous
            && *previous_short
            && short
            && *previous_flags == flags
        {
            let fix = before.and_then(|earlier| join_fix(cx, earlier, inst.syntax));
            let diagnostic = cx.report(
                inst.syntax.keyword_span,
                "this RUN and the previous one each run a single command: join them with `&&` to save a layer",
            );
            if let Some(fix) = fix {
                diagnostic.fix(fix);
            }
            continue;
        }
        previous = Some((flags, short));
    }
}

/// Builds the edits that join `later` to `earlier` as a continuation line.
fn join_fix(cx: &Context<'_>, earlier: &Instruction, later: &Instruction) -> Option<Fix> {
    let plain = |run: &Instruction| !run.is_exec_form() && run.heredocs.is_empty() && !run.rest.is_empty();
    if !plain(earlier) || !plain(later) || !can_join(&earlier.rest, &later.rest) {
        return None;
    }
    let earlier_end = earlier.physical_lines.last()?.end;

    let marker = format!(" && {}", cx.tree.escape);
    let mut edits = vec![
        Edit::replace(Span::empty(earlier_end), marker),
        Edit::replace(Span::new(later.keyword_span.start, later.rest_span.start), "    "),
    ];
    let between = Span::new(earlier.span.end, later.span.start);
    for node in &cx.tree.nodes {
        let inside = between.start <= node.span.start && node.span.end <= between.end;
        if inside && matches!(node.kind, NodeKind::Blank) {
            edits.push(Edit::replace(node.span, ""));
        }
    }
    edits.sort_by_key(|edit| edit.span.start);
    Some(Fix::unsafe_("Join this RUN to the previous one with `&&`", edits))
}

/// Returns whether `earlier && later` is still one valid command list. It is not when the
/// earlier script ends in an operator or an opening keyword (`cmd &`, `cmd;`, `then`), or
/// when the later one starts with an operator. A `#` in the earlier script could start a
/// comment that would swallow the appended `&&`, so it also prevents the join.
pub(crate) fn can_join(earlier: &str, later: &str) -> bool {
    let earlier = earlier.trim_end();
    let later = later.trim_start();
    if earlier.is_empty() || later.is_empty() || earlier.contains('#') {
        return false;
    }
    // A later script that ends in `&` would send the earlier commands to the background too.
    if earlier.ends_with(['&', '|', ';', '(', '{', '\\', '!'])
        || later.starts_with(['&', '|', ';', ')', '}'])
        || (later.ends_with('&') && !later.ends_with("&&"))
    {
        return false;
    }
    let last_word = earlier
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or_default();
    !matches!(last_word, "then" | "do" | "else" | "elif" | "if" | "while" | "until" | "in" | "case")
}

#[cfg(test)]
mod tests {
    use super::can_join;

    #[test]
    fn join_needs_two_complete_command_lists() {
        assert!(can_join("apt-get update", "apt-get install -y git"));
        assert!(can_join("make ) ", "make install"));
        assert!(!can_join("sleep 1 &", "echo two"));
        assert!(!can_join("echo one;", "echo two"));
        assert!(!can_join("echo one ||", "echo two"));
        assert!(!can_join("echo one # note", "echo two"));
        assert!(!can_join("echo one", "&& echo two"));
        assert!(!can_join("echo one", "sleep 1 &"));
        assert!(!can_join("if true; then", "echo two; fi"));
    }
}
