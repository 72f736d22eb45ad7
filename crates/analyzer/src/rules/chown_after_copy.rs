//! BL2011: a `chown` or `chmod` in a RUN on files an earlier COPY or ADD of the stage added.

use ballast_parser::shell::Dialect;

use crate::model::{Inst, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that runs `chown` or `chmod` on a path that an earlier `COPY` or
    /// `ADD` of the same stage added, or on a path inside it.
    ///
    /// ## Why is this bad
    /// A layer stores whole files. Changing only the owner or the mode of a copied file
    /// makes the storage driver copy the file up into the `RUN`'s layer, so the image
    /// stores every affected file twice: once from the `COPY` and once from the `RUN`.
    /// A `chown -R` over an application folder doubles its size in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY app/ /srv/app/
    /// RUN chown -R 1000:1000 /srv/app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY --chown=1000:1000 app/ /srv/app/
    /// ```
    ///
    /// `COPY --chmod` sets the mode the same way. `ballast build` measures the bytes
    /// stored twice (BL3002) once the image is built.
    ///
    /// ## Overlapping rules
    /// BL3002 reports the same `RUN` from the built image, with the bytes it stores again,
    /// so `ballast build` shows both findings, while `ballast lint`, which has no image,
    /// shows only BL2011. BL3002 judges the layer's files, so it also finds metadata
    /// changes that a script or another command makes. To see only one of the two, turn the
    /// other off, for example with `ignore = ["BL2011"]` in `.ballast.toml` or
    /// `ignored: [BL2011]` in `.hadolint.yaml`. `ballast build` reads the same
    /// configuration as `ballast lint` and has no `--ignore` option.
    pub ChownAfterCopy {
        code: "BL2011",
        name: "chown-after-copy",
        severity: Warning,
        scope: StageLines,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for run in cx.focus().instructions(model) {
        if !matches!(run.args, Typed::Run(_)) {
            continue;
        }
        let shell = model.shell_of(run);
        let dialect = Dialect::from_shell(shell.first().map_or("", String::as_str));
        for script in run.run_scripts(cx.source, dialect) {
            for command in &script.script.commands {
                let Some(name) = command.name() else { continue };
                let program = name.value.rsplit('/').next().unwrap_or(&name.value);
                let flag = match program {
                    "chown" => "--chown",
                    "chmod" => "--chmod",
                    _ => continue,
                };
                let mut operands = command
                    .args()
                    .iter()
                    .filter(|word| !word.value.starts_with('-'));
                let Some(setting) = operands.next() else { continue };
                let copy = operands.find_map(|target| {
                    let target = target.value.trim_end_matches('/');
                    let stage = run.stage.map_or(&[][..], |stage| model.stage_instructions(stage));
                    copied_before(stage, run.index, target)
                });
                let Some(copy) = copy else { continue };

                let copy_line = cx.line_number(copy.span().start);
                let copy_keyword = copy.syntax.keyword.as_str();
                // `COPY --chmod` takes an octal mode, so a symbolic one is left for the
                // user to translate.
                let value = if flag == "--chmod" && !setting.value.bytes().all(|b| b.is_ascii_digit()) {
                    "MODE"
                } else {
                    setting.value.as_str()
                };
                let message = format!(
                    "`{program}` rewrites files that line {copy_line} added with {copy_keyword} into this layer, so the image stores them twice; set it while copying with `{copy_keyword} {flag}={value}`"
                );
                let diagnostic = cx.report(run.syntax.keyword_span, message);
                diagnostic.label(copy.syntax.keyword_span, "the files are added here".to_string());
                break;
            }
        }
    }
}

/// Returns the last COPY or ADD before instruction `before` among `stage` whose absolute
/// destination is `target` or a folder containing it.
fn copied_before<'m, 'a>(stage: &'m [Inst<'a>], before: usize, target: &str) -> Option<&'m Inst<'a>> {
    if !target.starts_with('/') || target.contains('$') {
        return None;
    }
    stage
        .iter()
        .filter(|inst| inst.index < before)
        .rev()
        .find(|inst| {
            let destination = match &inst.args {
                Typed::Copy(copy) | Typed::Add(copy) => copy.destination,
                _ => return false,
            };
            let Some(destination) = destination else { return false };
            let destination = destination.value.trim_end_matches('/');
            !destination.is_empty()
                && (target == destination
                    || target
                        .strip_prefix(destination)
                        .is_some_and(|rest| rest.starts_with('/')))
        })
}
