//! InvalidDefaultArgInFrom: a `FROM` whose ARG defaults give no valid image name.

use ballast_parser::expand::{Options, expand_word, references};

use crate::model::{ImageRef, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Expands each `FROM` image name that uses variables with the defaults of the
    /// `ARG`s before the first `FROM`, as if no `--build-arg` were given, and reports it
    /// when the result is empty or not a valid image reference (`alpine:` with an empty
    /// tag, upper-case letters, …), as BuildKit's check of the same name does. A name
    /// without variables is left to the syntax checks.
    ///
    /// ## Why is this bad
    /// A build without `--build-arg` fails, or pulls an image nobody meant. The default
    /// should give a working build.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG TAG
    /// FROM alpine:${TAG}
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ARG TAG=3.20
    /// FROM alpine:${TAG}
    /// ```
    pub InvalidDefaultArgInFrom {
        code: "InvalidDefaultArgInFrom",
        name: "invalid-default-arg-in-from",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in &model.instructions {
        let Typed::From(from) = &inst.args else {
            continue;
        };
        let Some(image) = from.image else { continue };
        if references(&image.value, model.tree.escape).is_empty() {
            continue;
        }
        let env = super::undefined_arg_in_from::global_env(model, inst.index);
        let valid = match expand_word(&image.value, &env, &Options::new(model.tree.escape)) {
            Ok(expansion) => is_valid_base(model, &expansion.value),
            Err(_) => false,
        };
        if valid {
            continue;
        }
        cx.report(
            image.span,
            format!(
                "with the ARG defaults, `{}` expands to an empty or invalid image name: give the ARGs defaults that name a valid image",
                image.value
            ),
        );
    }
}

fn is_valid_base(model: &crate::model::Model<'_>, name: &str) -> bool {
    !name.is_empty()
        && (name.eq_ignore_ascii_case("scratch")
            || model.stage_named(name).is_some()
            || ImageRef::parse(name).is_ok())
}
