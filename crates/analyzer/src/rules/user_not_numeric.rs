//! DL3066: `USER` given by name instead of numeric UID.

use std::collections::{HashMap, HashSet};

use crate::model::{BindingKind, Inst, Model, Typed};
use crate::rules::Context;
use crate::rules::packages::{ShellCommand, run_view};

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
    let created = users_created_with_uid(model);
    // The names of the ARGs declared before the instruction being checked; bindings are
    // in source order, so one pass over them serves every USER.
    let mut arg_names: HashSet<&str> = HashSet::new();
    let mut next_binding = 0;
    for inst in &model.instructions {
        while let Some(binding) = model.bindings.get(next_binding)
            && binding.instruction < inst.index
        {
            if matches!(binding.kind, BindingKind::Arg | BindingKind::MetaArg) {
                arg_names.insert(binding.name.as_str());
            }
            next_binding += 1;
        }

        let Typed::User(Some(word)) = &inst.args else {
            continue;
        };
        let user = word.value.split(':').next().unwrap_or("");
        if user.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if mentions_any(user, &arg_names) {
            continue;
        }
        let created_with_uid = created
            .get(user)
            .is_some_and(|&first| first < inst.index);
        if created_with_uid {
            continue;
        }
        cx.report(
            word.span,
            format!("USER `{user}` is a name: use its numeric UID so runtimes can check it without the image's /etc/passwd"),
        );
    }
}

/// Returns whether `user` contains `$NAME` or `${NAME}` for one of `names`, compared as
/// text, so `$APP_USER` also counts for an ARG named `APP`.
fn mentions_any(user: &str, names: &HashSet<&str>) -> bool {
    for (dollar, _) in user.match_indices('$') {
        let after = &user[dollar + 1..];
        let mut prefixes = std::iter::once("").chain(
            after
                .char_indices()
                .map(|(index, c)| &after[..index + c.len_utf8()]),
        );
        if prefixes.any(|prefix| names.contains(prefix)) {
            return true;
        }
        if let Some(braced) = after.strip_prefix('{') {
            let closed = braced
                .match_indices('}')
                .any(|(close, _)| names.contains(&braced[..close]));
            if closed {
                return true;
            }
        }
    }
    false
}

/// Returns, for each user name that a RUN creates with a fixed UID, the index of the first
/// such RUN.
fn users_created_with_uid<'m>(model: &'m Model<'_>) -> HashMap<&'m str, usize> {
    let mut created = HashMap::new();
    for inst in &model.instructions {
        if !may_create_user(model, inst) {
            continue;
        }
        let Some(run) = run_view(model.source, inst) else {
            continue;
        };
        for command in &run.commands {
            if let Some(user) = user_created_with_uid(command) {
                created.entry(user).or_insert(inst.index);
            }
        }
    }
    created
}

/// Returns whether a RUN (or an ONBUILD RUN) may create a user: its text mentions
/// `useradd` or `adduser` once quotes, backslashes and line breaks are left out. Leaving
/// them out also finds a name that quoting or a continuation splits. This check costs
/// less than reducing the RUN's commands, and most RUNs create no user.
fn may_create_user(model: &Model<'_>, inst: &Inst<'_>) -> bool {
    if !matches!(inst.args, Typed::Run(_) | Typed::Onbuild(_)) {
        return false;
    }
    let text = inst.span().text(model.source).as_bytes();
    contains_joined(text, b"useradd") || contains_joined(text, b"adduser")
}

/// Returns whether `text` contains `word` once quotes, backslashes and line breaks are left
/// out. Restarting at a mismatch is exact because neither word this is used for has a
/// proper prefix that is also a suffix.
fn contains_joined(text: &[u8], word: &[u8]) -> bool {
    let mut matched = 0;
    for &byte in text {
        if matches!(byte, b'"' | b'\'' | b'\\' | b'\n' | b'\r') {
            continue;
        }
        if byte == word[matched] {
            matched += 1;
        } else {
            matched = usize::from(byte == word[0]);
        }
        if matched == word.len() {
            return true;
        }
    }
    false
}

/// Returns the user that `command` creates with a fixed UID when it is `useradd` or
/// `adduser` with `-u` or `--uid`: its last argument.
fn user_created_with_uid(command: &ShellCommand) -> Option<&str> {
    if !(command.is("useradd") || command.is("adduser")) {
        return None;
    }
    if !command.has_any_flag(&["u", "uid"]) {
        return None;
    }
    command.args.last().map(|last| last.text.as_str())
}

#[cfg(test)]
mod tests {
    use super::contains_joined;

    #[test]
    fn joined_words_are_found() {
        assert!(contains_joined(b"RUN useradd -u 1000 app", b"useradd"));
        assert!(contains_joined(b"RUN \"user\"add -u 1000 app", b"useradd"));
        assert!(contains_joined(b"RUN user\\\nadd -u 1000 app", b"useradd"));
        assert!(contains_joined(b"RUN addadduser -u 1000 app", b"adduser"));
        assert!(contains_joined(b"RUN uuseradd", b"useradd"));
        assert!(!contains_joined(b"RUN user add", b"useradd"));
        assert!(!contains_joined(b"RUN adduse", b"adduser"));
        assert!(!contains_joined(b"", b"useradd"));
    }
}
