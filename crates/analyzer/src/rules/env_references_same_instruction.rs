//! DL3044: an `ENV` value that uses a variable set by the same `ENV`.

use std::collections::HashSet;

use ballast_parser::KeyValue;
use foldhash::fast::RandomState;

use crate::model::{Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports an `ENV` value that references a variable defined by another pair of the
    /// same `ENV` instruction, when no earlier ARG or ENV defines that variable.
    ///
    /// ## Why is this bad
    /// Docker expands every value of one `ENV` with the variables as they were before the
    /// instruction. In `ENV A=/opt B=$A/bin`, `B` becomes `/bin`, not `/opt/bin`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV APP_HOME=/opt/app APP_BIN=$APP_HOME/bin
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV APP_HOME=/opt/app
    /// ENV APP_BIN=$APP_HOME/bin
    /// ```
    pub EnvReferencesSameInstruction {
        code: "DL3044",
        name: "env-references-same-instruction",
        severity: Error,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    // The names declared by earlier instructions. Few values use a name their own ENV
    // sets, so the set is filled, in source order, only when one does.
    let mut declared: HashSet<&str, RandomState> = HashSet::default();
    let mut next_binding = 0;
    for inst in &model.instructions {
        let Typed::Env(pairs) = &inst.args else {
            continue;
        };
        if pairs.len() < 2 {
            continue;
        }
        for (index, pair) in pairs.iter().enumerate() {
            let name = unquote(&pair.key.value);
            if name.is_empty() {
                continue;
            }
            let user = pairs
                .iter()
                .enumerate()
                .find(|(other, other_pair)| *other != index && references(other_pair, &name));
            let Some((_, user)) = user else {
                continue;
            };
            while let Some(binding) = model.bindings.get(next_binding)
                && binding.instruction < inst.index
            {
                declared.insert(binding.name.as_str());
                next_binding += 1;
            }
            if declared.contains(&*name) {
                continue;
            }
            cx.report(
                user.value.span,
                format!(
                    "`{name}` is set by this same ENV, so this value sees it as it was before the instruction (unset); move it to a separate ENV"
                ),
            );
        }
    }
}

/// Whether the value of `pair` contains `${name}` or `$name` not followed by a name
/// character.
fn references(pair: &KeyValue, name: &str) -> bool {
    let value = &pair.value.value;
    if value.contains(&format!("${{{name}}}")) {
        return true;
    }
    let plain = format!("${name}");
    value.match_indices(&plain).any(|(at, _)| {
        value[at + plain.len()..]
            .chars()
            .next()
            .is_none_or(|next| !(next.is_ascii_alphanumeric() || next == '_'))
    })
}
