//! DL3049: a stage without a label that the label schema requires.

use std::collections::BTreeSet;

use crate::model::{Base, Typed};
use crate::rules::Context;
use crate::rules::label_schema::label_pairs;

declare_rule! {
    /// ## What it does
    /// Reports, at its `FROM` line, a stage that never sets a label the label schema lists
    /// (`label-schema` in `.ballast.toml` or `.hadolint.yaml`). One finding per missing
    /// label and stage.
    ///
    /// A stage has the label when one of its `LABEL` instructions sets it or when it is built
    /// `FROM` an earlier stage that has it. As in hadolint, a stage is not reported when a
    /// later `COPY --from=<name>` copies from it, because only files leave it, or when a
    /// stage built `FROM` it sets the label.
    ///
    /// ## Why is this bad
    /// Registries, scanners and deployment tools rely on the labels a team agreed on, such
    /// as the source repository or the license. An image without them cannot be traced.
    ///
    /// ## Example
    /// With `org.opencontainers.image.source` in the label schema:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// CMD ["sh"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source=https://github.com/example/app
    /// CMD ["sh"]
    /// ```
    pub LabelMissing {
        code: "DL3049",
        name: "label-missing",
        severity: Info,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let required: Vec<String> = cx.settings.label_schema.keys().cloned().collect();
    if required.is_empty() {
        return;
    }

    // Labels each stage sets itself, and the stages a later `COPY --from` names.
    let mut own_labels: Vec<BTreeSet<String>> = vec![BTreeSet::new(); model.stages.len()];
    let mut copied_from: BTreeSet<usize> = BTreeSet::new();
    for inst in &model.instructions {
        let Some(stage) = inst.stage else { continue };
        for label in label_pairs(&inst.args) {
            own_labels[stage].insert(label.key);
        }
        if let Typed::Copy(copy) = &inst.args
            && let Some(from) = copy.from.and_then(|flag| flag.value.as_deref())
            && let Some(source) = model.stage_named(from)
        {
            copied_from.insert(source);
        }
    }

    for key in &required {
        // Stages are in source order and a stage can only be built on an earlier one, so
        // one pass gives each stage what it inherits.
        let mut has_label = vec![false; model.stages.len()];
        for (index, stage) in model.stages.iter().enumerate() {
            let inherited = match stage.base {
                Base::Stage(parent) => has_label.get(parent).copied().unwrap_or(false),
                _ => false,
            };
            has_label[index] = inherited || own_labels[index].contains(key);
        }
        for (index, stage) in model.stages.iter().enumerate() {
            let child_sets_it = model.stages.iter().any(|child| {
                child.base == Base::Stage(index) && own_labels[child.index].contains(key)
            });
            if has_label[index] || copied_from.contains(&index) || child_sets_it {
                continue;
            }
            let from = &model.instructions[stage.from];
            cx.report(
                from.syntax.keyword_span,
                format!(
                    "this stage does not set the label `{key}`, which the label schema requires"
                ),
            );
        }
    }
}
