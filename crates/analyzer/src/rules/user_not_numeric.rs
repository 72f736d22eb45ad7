//! DL3066: `USER` given by name instead of numeric UID.

use std::collections::HashSet;

use foldhash::fast::RandomState;

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
    /// its UID is known from the file, when that RUN is in the same stage or in a stage
    /// this one is built on: another stage's users are not in this stage's image. For the
    /// same reason, the build arguments that count are the global ones and those of the
    /// stage and the stages it is built on, where hadolint counts every earlier ARG.
    ///
    /// hadolint also reports `USER root`. ballast does not: `root` is UID 0 in every image.
    pub UserNotNumeric {
        code: "DL3066",
        name: "user-not-numeric",
        severity: Info,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        let Typed::User(Some(word)) = &inst.args else {
            continue;
        };
        let user = word.value.split(':').next().unwrap_or("");
        // `root` is UID 0 in every image, so its number is known without /etc/passwd.
        if user == "root" || user.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let chain: Vec<usize> = inst
            .stage
            .map(|stage| model.stage_chain(stage).collect())
            .unwrap_or_default();
        if mentions_any(user, &arg_names(model, &chain, inst.index)) {
            continue;
        }
        if created_with_uid(model, &chain, inst.index, user) {
            continue;
        }
        cx.report(
            word.span,
            format!("USER `{user}` is a name: use its numeric UID so runtimes can check it without the image's /etc/passwd"),
        );
    }
}

/// Returns the names of the ARGs declared before instruction `before`: the global ones and
/// those of the stages in `chain`.
fn arg_names<'m>(model: &'m Model<'_>, chain: &[usize], before: usize) -> HashSet<&'m str, RandomState> {
    let global = model
        .bindings
        .iter()
        .take_while(|binding| binding.kind == BindingKind::MetaArg)
        .filter(|binding| binding.instruction < before);
    let staged = chain
        .iter()
        .flat_map(|&stage| &model.stages[stage].bindings)
        .map(|&binding| &model.bindings[binding])
        .filter(|binding| binding.kind == BindingKind::Arg && binding.instruction < before);
    global.chain(staged).map(|binding| binding.name.as_str()).collect()
}

/// Returns whether a RUN before instruction `before`, in one of the stages of `chain`,
/// creates `user` with a fixed UID.
fn created_with_uid(model: &Model<'_>, chain: &[usize], before: usize, user: &str) -> bool {
    chain.iter().any(|&stage| {
        model.stage_instructions(stage).iter().any(|inst| {
            inst.index < before
                && may_create_user(model, inst)
                && run_view(model.source, inst).is_some_and(|run| {
                    run.commands
                        .iter()
                        .any(|command| user_created_with_uid(command) == Some(user))
                })
        })
    })
}

/// Returns whether `user` contains `$NAME` or `${NAME}` for one of `names`, compared as
/// text, so `$APP_USER` also counts for an ARG named `APP`.
fn mentions_any(user: &str, names: &HashSet<&str, RandomState>) -> bool {
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
/// out. `word` has at most 16 bytes and none of those.
///
/// An occurrence with none of those bytes inside is found as it is. Any other one spans a
/// run of them, so the bytes on either side of each run, up to the word's length without
/// those bytes, are searched too. Runs are rare next to plain text, and looking only there
/// keeps this pass over every RUN of the file fast.
fn contains_joined(text: &[u8], word: &[u8]) -> bool {
    const MAX_WORD: usize = 16;
    debug_assert!(!word.is_empty() && word.len() <= MAX_WORD && !word.iter().any(|&b| is_left_out(b)));
    if memchr::memmem::find(text, word).is_some() {
        return true;
    }
    let reach = word.len() - 1;
    let mut at = 0;
    while let Some(offset) = next_left_out(&text[at..]) {
        let start = at + offset;
        let mut end = start;
        while end < text.len() && is_left_out(text[end]) {
            end += 1;
        }
        // Up to `reach` kept bytes before the run and after it, in order.
        let mut window = [0u8; 2 * MAX_WORD];
        let mut before = [0u8; MAX_WORD];
        let mut count = 0;
        let mut index = start;
        while index > 0 && count < reach {
            index -= 1;
            if !is_left_out(text[index]) {
                before[count] = text[index];
                count += 1;
            }
        }
        let mut length = 0;
        for &byte in before[..count].iter().rev() {
            window[length] = byte;
            length += 1;
        }
        let mut after = 0;
        let mut index = end;
        while index < text.len() && after < reach {
            if !is_left_out(text[index]) {
                window[length] = text[index];
                length += 1;
                after += 1;
            }
            index += 1;
        }
        if window[..length].windows(word.len()).any(|candidate| candidate == word) {
            return true;
        }
        at = end;
    }
    false
}

/// Returns whether [`contains_joined`] leaves `byte` out.
fn is_left_out(byte: u8) -> bool {
    matches!(byte, b'"' | b'\'' | b'\\' | b'\n' | b'\r')
}

/// Returns the offset of the first byte in `text` that [`contains_joined`] leaves out.
fn next_left_out(text: &[u8]) -> Option<usize> {
    let quote_or_backslash = memchr::memchr3(b'"', b'\'', b'\\', text);
    let line_break = memchr::memchr2(b'\n', b'\r', &text[..quote_or_backslash.unwrap_or(text.len())]);
    line_break.or(quote_or_backslash)
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
        assert!(contains_joined(b"u\"s'e'r\\\n\\\nadd", b"useradd"));
        assert!(!contains_joined(b"u\"s'e'r\\\n  \\\nadd", b"useradd"));
        assert!(!contains_joined(b"user \\\nadd", b"useradd"));
        assert!(contains_joined(b"add\"\"user", b"adduser"));
        assert!(contains_joined(b"x'a'\"d\"'d'u's'e'r'", b"adduser"));
        assert!(!contains_joined(b"x'a'\"d\"'d'u's'e'", b"adduser"));
    }

    /// The search around runs of left-out bytes finds what a scan of the text without
    /// them finds, for every text of up to six bytes over a small alphabet.
    #[test]
    fn joined_search_matches_scan() {
        let alphabet = [b'a', b'd', b'u', b'"', b'\\', b'\n'];
        let word = b"adu";
        crate::test_words::every_word(&alphabet, 6, |text| {
            let joined: Vec<u8> = text
                .iter()
                .copied()
                .filter(|&byte| !super::is_left_out(byte))
                .collect();
            let expected = joined.windows(word.len()).any(|candidate| candidate == word);
            assert_eq!(
                contains_joined(text, word),
                expected,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        });
    }
}
