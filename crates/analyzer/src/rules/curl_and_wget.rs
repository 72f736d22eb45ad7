//! DL4001: both `curl` and `wget` in one stage.

use crate::rules::Context;
use crate::rules::packages::run_view;

declare_rule! {
    /// ## What it does
    /// Reports the `RUN`s that use `curl` or `wget` once a stage has used both.
    ///
    /// ## Why is this bad
    /// Both tools download files. Installing both makes the image larger for no gain, and
    /// two tools mean two sets of options for retries, TLS and proxies to get right.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN curl -fsSLO https://example.com/a.tar.gz
    /// RUN wget -q https://example.com/b.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN curl -fsSLO https://example.com/a.tar.gz
    /// RUN curl -fsSLO https://example.com/b.tar.gz
    /// ```
    ///
    /// The `RUN` that uses the second tool and every later `RUN` using either are
    /// reported. `ONBUILD RUN` triggers are judged among themselves.
    pub CurlAndWget {
        code: "DL4001",
        name: "curl-and-wget",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let focus = cx.focus();
    // Seen (curl, wget) per stage for RUN, and over the file for ONBUILD RUN.
    let mut stage_seen = (None, (false, false));
    let mut onbuild_seen = (false, false);
    // Every ONBUILD RUN is read, because they count over the whole file. A RUN is read
    // only in the stages in focus, and findings are reported only there.
    let views = model.instructions.iter().filter_map(|inst| {
        let onbuild = matches!(inst.args, crate::model::Typed::Onbuild(_));
        (onbuild || focus.covers(inst))
            .then(|| run_view(model.source, inst))
            .flatten()
    });
    for run in views {
        let uses_curl = run.any(|command| command.is("curl"));
        let uses_wget = run.any(|command| command.is("wget"));
        let seen = if run.onbuild {
            &mut onbuild_seen
        } else {
            if stage_seen.0 != Some(run.inst.stage) {
                stage_seen = (Some(run.inst.stage), (false, false));
            }
            &mut stage_seen.1
        };
        seen.0 |= uses_curl;
        seen.1 |= uses_wget;
        if seen.0 && seen.1 && (uses_curl || uses_wget) && focus.covers(run.inst) {
            cx.report(
                run.keyword_span(),
                "this stage uses both curl and wget: pick one download tool",
            );
        }
    }
}
