//! DL3066: `USER` given by name instead of numeric UID.

use crate::model::{BindingKind, Typed};
use crate::rules::Context;
use crate::rules::packages::{ShellCommand, runs};

declare_rule! {
    /// ## What it does
    /// Reports a `USER` whose user part (before any `:`) is not a number and does not come
    /// from a build argument declared earlier.
    ///
    /// ## Why is this bad
    /// A container runtime can only verify a numeric UID without reading the image's
    /// `/etc/passwd`: Kubernetes' `runAsNonRoot`, for one, refuses a named user it cannot
    /// resolve. A number also stays the same when the base image renumbers its users.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// USER nobody
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// USER 65534
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint 2.15.1 also reports a named user whose UID the same file fixes with
    /// `useradd -u` or `adduser -u` in an earlier RUN. ballast accepts that user, since
    /// its UID is known from the file.
    pub UserNotNumeric {
        code: "DL3066",
        name: "user-not-numeric",
        severity: Info,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let runs = runs(model);
    for inst in &model.instructions {
        let Typed::User(Some(word)) = &inst.args else {
            continue;
        };
        let user = word.value.split(':').next().unwrap_or("");
        if user.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let from_arg = model.bindings.iter().any(|binding| {
            binding.instruction < inst.index
                && matches!(binding.kind, BindingKind::Arg | BindingKind::MetaArg)
                && (user.contains(&format!("${{{}}}", binding.name))
                    || user.contains(&format!("${}", binding.name)))
        });
        if from_arg {
            continue;
        }
        let created_with_uid = runs
            .iter()
            .filter(|run| run.inst.index < inst.index)
            .flat_map(|run| &run.commands)
            .any(|command| creates_user_with_uid(command, user));
        if created_with_uid {
            continue;
        }
        cx.report(
            word.span,
            format!("USER `{user}` is a name: use its numeric UID so runtimes can check it without the image's /etc/passwd"),
        );
    }
}

/// Whether `command` is `useradd` or `adduser` creating `user` with a fixed UID.
fn creates_user_with_uid(command: &ShellCommand, user: &str) -> bool {
    if !(command.is("useradd") || command.is("adduser")) {
        return false;
    }
    command.has_any_flag(&["u", "uid"]) && command.args.last().is_some_and(|last| last.text == user)
}
