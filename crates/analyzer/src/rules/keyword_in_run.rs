//! BL1004: a Dockerfile instruction keyword used as a command inside a RUN script.

use ballast_parser::shell::Dialect;

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a command in a `RUN` script whose name is an instruction keyword written in
    /// capitals, such as `&& RUN make install` or `; COPY a b`.
    ///
    /// ## Why is this bad
    /// Inside `RUN`, everything up to the end of the logical line is shell code, so a
    /// keyword after `&&` or on a continuation line does not start a new instruction.
    /// The shell looks for a program named `RUN`, fails with `command not found`, and the
    /// build stops. It usually means a missing line break or a `RUN` left over from
    /// merging two instructions.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN ./configure --prefix=/usr/local \
    ///  && RUN make install
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN ./configure --prefix=/usr/local \
    ///  && make install
    /// ```
    pub KeywordInRun {
        code: "BL1004",
        name: "keyword-in-run",
        severity: Error,
        scope: Stage,
        check: check,
    }
}

/// Keywords reported when used as a command name. Only the upper-case spelling counts:
/// `env`, `user` or `expose` in lower case may be real programs.
const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        if !matches!(inst.args, Typed::Run(_)) {
            continue;
        }
        let shell = model.shell_of(inst);
        let dialect = Dialect::from_shell(shell.first().map_or("", String::as_str));
        for script in inst.run_scripts(cx.source, dialect) {
            for command in &script.script.commands {
                let Some(name) = command.name() else { continue };
                if name.quoted || !KEYWORDS.contains(&name.value.as_str()) {
                    continue;
                }
                let keyword = &name.value;
                let message = format!(
                    "`{keyword}` is run as a shell command inside this RUN, and no program of that name exists: an instruction cannot start inside another one's shell code; remove `{keyword}` or start a new instruction line"
                );
                cx.report(script.source_span(name.span), message);
            }
        }
    }
}
