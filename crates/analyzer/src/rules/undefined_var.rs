//! UndefinedVar: a variable that no ARG or ENV defines, in an instruction that expands it.

use std::collections::BTreeSet;

use ballast_parser::Span;
use ballast_parser::expand::{Options, expand_word};

use crate::model::{Base, BindingKind, Inst, Model, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `$name` that BuildKit looks up and does not find while it expands the
    /// arguments of `ENV`, `LABEL`, `ADD`, `COPY` (sources, destination, `--chown`,
    /// `--chmod`, `--checksum` and unquoted heredoc bodies), `WORKDIR`, `USER`, `VOLUME`,
    /// `STOPSIGNAL`, the `RUN --mount` options other than `from`, and in-stage `ARG`
    /// defaults, as BuildKit's check of the same name does. A name that an `ARG` of the
    /// stage, or of a stage it is built on, declares before the instruction is not
    /// reported, even without a value. `${name:-default}` still counts as a lookup of
    /// `name`, as in BuildKit. The text of `RUN`, `CMD` and `ENTRYPOINT` is left to the
    /// shell and not checked; `FROM` lines are checked by `UndefinedArgInFrom`.
    ///
    /// BuildKit also knows the `ENV` of the base image. ballast works offline and cannot
    /// read it, so it skips a few names that official language images set (`JAVA_HOME`,
    /// `GOPATH`, …) when the stage is built on an image, and may report a name that the
    /// base image defines. `PATH` always counts as defined, since BuildKit gives every
    /// stage a default `PATH`.
    ///
    /// ## Why is this bad
    /// An undefined variable expands to an empty string without any error, so
    /// `COPY app $APP_DIR/` copies to `/` and `ENV PATH=$TOOLS/bin:$PATH` adds `/bin`. A
    /// misspelt name or a predefined argument such as `TARGETARCH` used without
    /// `ARG TARGETARCH` is the usual cause.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY app-$TARGETARCH /usr/local/bin/app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG TARGETARCH
    /// COPY app-$TARGETARCH /usr/local/bin/app
    /// ```
    pub UndefinedVar {
        code: "UndefinedVar",
        name: "undefined-var",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

/// The `PATH` BuildKit sets in a Linux stage whose image has none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Variables that official images on Docker Hub commonly set with `ENV`, which BuildKit
/// would find in the base image's configuration.
const COMMON_IMAGE_ENV: &[&str] = &[
    "JAVA_HOME",
    "JAVA_VERSION",
    "GOPATH",
    "GOLANG_VERSION",
    "GOTOOLCHAIN",
    "NODE_VERSION",
    "YARN_VERSION",
    "PYTHON_VERSION",
    "PYTHON_SHA256",
    "LANG",
    "RUBY_VERSION",
    "GEM_HOME",
    "BUNDLE_APP_CONFIG",
    "RUSTUP_HOME",
    "CARGO_HOME",
    "RUST_VERSION",
    "PHP_VERSION",
    "PHP_INI_DIR",
    "NGINX_VERSION",
    "MAVEN_HOME",
    "MAVEN_CONFIG",
    "GRADLE_HOME",
    "DOTNET_VERSION",
    "ASPNET_VERSION",
];

/// One piece of text that BuildKit expands, with where its characters are in the source.
struct Expandable<'t> {
    text: &'t str,
    /// The source offset of `text[0]`, when the text is written contiguously and
    /// unchanged in the source; otherwise the span to report on.
    origin: Origin,
    options: Options,
}

#[derive(Clone, Copy)]
enum Origin {
    At(usize),
    Whole(Span),
}

/// The number of undefined-variable findings per stage that get a "did you mean"
/// suggestion.
const MAX_SUGGESTIONS: usize = 50;

/// The number of names a suggestion compares at most, those of the nearest stages first.
const MAX_CANDIDATES: usize = 1000;

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    // A suggestion compares the name with the names visible to the instruction. A budget
    // per stage and a bound on the names keep the time linear in the file's length, however
    // many variables it leaves undefined. They also make the findings of a stage depend
    // only on the stage and the stages it is built on.
    let mut suggestions_left = 0;
    let mut current_stage = None;
    for inst in cx.focus().instructions(model) {
        if inst.stage.is_none() {
            continue;
        }
        if inst.stage != current_stage {
            current_stage = inst.stage;
            suggestions_left = MAX_SUGGESTIONS;
        }
        let mut reported = BTreeSet::new();
        for piece in expandables(model, inst) {
            let env = stage_env(model, inst.index);
            let Ok(expansion) = expand_word(piece.text, &env, &piece.options) else {
                continue;
            };
            for lookup in expansion.lookups {
                if lookup.found || !is_undefined(model, inst, &lookup.name) {
                    continue;
                }
                if !reported.insert(lookup.name.clone()) {
                    continue;
                }
                let span = match piece.origin {
                    Origin::At(start) => lookup.span.shift(start),
                    Origin::Whole(span) => span,
                };
                let mut candidate = None;
                if suggestions_left > 0 {
                    suggestions_left -= 1;
                    candidate = suggest(&lookup.name, visible_names(model, inst));
                }
                let remedy = match candidate {
                    Some(candidate) => format!("did you mean `${candidate}`?"),
                    None => "declare it with ARG or ENV before this instruction".to_string(),
                };
                let message = format!(
                    "`${}` is undefined here, so it expands to an empty string: {remedy}",
                    lookup.name
                );
                cx.report(span, message);
            }
        }
    }
}

/// Whether a name that expansion did not find should be reported.
fn is_undefined(model: &Model<'_>, inst: &Inst<'_>, name: &str) -> bool {
    if name.starts_with("BUILDKIT_SBOM_SCAN_") {
        return false;
    }
    if model
        .binding_before(inst.index, name)
        .is_some_and(|binding| binding.kind == BindingKind::Arg)
    {
        return false;
    }
    let on_image = inst
        .stage
        .is_some_and(|stage| matches!(model.base_image(stage), Base::Image(_)));
    !(on_image && COMMON_IMAGE_ENV.contains(&name))
}

/// Lists the texts of one instruction that BuildKit expands, with the options it uses.
fn expandables<'t>(model: &Model<'_>, inst: &'t Inst<'_>) -> Vec<Expandable<'t>> {
    let options = Options::new(model.tree.escape);
    let word = |word: &'t ballast_parser::Word| Expandable {
        text: &word.value,
        origin: origin_of(&word.value, word.span),
        options,
    };
    let mut pieces = Vec::new();
    match &inst.args {
        Typed::Env(pairs) | Typed::Label(pairs) => {
            for pair in pairs.iter() {
                pieces.push(word(&pair.key));
                pieces.push(word(&pair.value));
            }
        }
        Typed::Arg(decls) => {
            for decl in decls {
                let Some(default) = decl.default else {
                    continue;
                };
                let offset = decl.word.value.len() - default.len();
                let origin = match origin_of(&decl.word.value, decl.word.span) {
                    Origin::At(start) => Origin::At(start + offset),
                    whole => whole,
                };
                pieces.push(Expandable {
                    text: default,
                    origin,
                    options,
                });
            }
        }
        Typed::Copy(copy) | Typed::Add(copy) => {
            for source in copy.sources.iter().filter(|w| !copy.is_heredoc_source(w)) {
                pieces.push(word(source));
            }
            pieces.extend(copy.destination.map(word));
            for heredoc in copy.heredocs.iter().filter(|heredoc| heredoc.expand) {
                pieces.push(Expandable {
                    text: &heredoc.content,
                    origin: Origin::At(heredoc.content_span.start),
                    options: Options {
                        escape: '\\',
                        keep_quotes: true,
                        case_insensitive_keys: false,
                    },
                });
            }
            for name in ["chown", "chmod", "checksum"] {
                if let Some(flag) = inst.syntax.flag(name) {
                    pieces.extend(flag_value(flag, options));
                }
            }
        }
        Typed::Workdir(Some(value)) | Typed::User(Some(value)) | Typed::Stopsignal(Some(value)) => {
            pieces.push(word(value))
        }
        Typed::Volume(words) => pieces.extend(words.iter().map(word)),
        Typed::Run(run) => {
            for mount in &run.mounts {
                pieces.extend(mount_values(mount.flag, options));
            }
        }
        _ => {}
    }
    pieces
}

fn origin_of(text: &str, span: Span) -> Origin {
    if span.end - span.start == text.len() {
        Origin::At(span.start)
    } else {
        Origin::Whole(span)
    }
}

fn flag_value(flag: &ballast_parser::Flag, options: Options) -> Option<Expandable<'_>> {
    let value = flag.value.as_deref()?;
    let origin = match flag.value_span {
        Some(span) => origin_of(value, span),
        None => Origin::Whole(flag.span),
    };
    Some(Expandable {
        text: value,
        origin,
        options,
    })
}

/// Lists the options of a `--mount` flag except `from`, which BuildKit does not expand.
fn mount_values(flag: &ballast_parser::Flag, options: Options) -> Vec<Expandable<'_>> {
    let Some(value) = flag.value.as_deref() else {
        return Vec::new();
    };
    let base = match flag.value_span {
        Some(span) => origin_of(value, span),
        None => Origin::Whole(flag.span),
    };
    let mut pieces = Vec::new();
    let mut offset = 0;
    for field in value.split(',') {
        let start = offset;
        offset += field.len() + 1;
        let Some((key, text)) = field.split_once('=') else {
            continue;
        };
        if key.trim().eq_ignore_ascii_case("from") {
            continue;
        }
        let origin = match base {
            Origin::At(at) => Origin::At(at + start + key.len() + 1),
            whole => whole,
        };
        pieces.push(Expandable {
            text,
            origin,
            options,
        });
    }
    pieces
}

/// Returns the variables that have a value for instruction `at`: the ARGs and ENVs of its stage
/// chain declared before it, and the default `PATH`.
pub(super) fn stage_env<'m>(
    model: &'m Model<'_>,
    at: usize,
) -> impl Fn(&str) -> Option<String> + 'm {
    move |name: &str| match model.binding_before(at, name) {
        Some(binding) => binding.value.clone(),
        None if name == "PATH" => Some(DEFAULT_PATH.to_string()),
        None => None,
    }
}

/// Lists the names that have a value for `inst`, for suggestions: up to [`MAX_CANDIDATES`]
/// of the names that its stage and the stages it is built on declare, nearest first.
fn visible_names<'m>(model: &'m Model<'_>, inst: &Inst<'_>) -> Vec<&'m str> {
    let declared = inst
        .stage
        .into_iter()
        .flat_map(|stage| model.stage_chain(stage))
        .flat_map(|index| model.stages[index].bindings.iter().rev())
        .map(|&binding| &model.bindings[binding]);
    let mut names: Vec<&str> = declared
        .filter(|binding| binding.kind != BindingKind::MetaArg)
        .map(|binding| binding.name.as_str())
        .take(MAX_CANDIDATES)
        .filter(|name| {
            model
                .binding_before(inst.index, name)
                .is_some_and(|binding| binding.value.is_some())
        })
        .collect();
    names.push("PATH");
    names.sort_unstable();
    names.dedup();
    names
}

/// Returns the candidate closest to `name` by edit distance, when it is close enough to be a
/// likely misspelling: at most one edit for names of up to four characters, two for
/// longer ones.
///
/// NOTE: BuildKit's own suggestion search may pick a different candidate or use another
/// threshold.
pub(super) fn suggest<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = if name.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion_picks_close_names() {
        assert_eq!(suggest("VERSOIN", ["VERSION", "PATH"]), Some("VERSION"));
        assert_eq!(suggest("FOO", ["BAR"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
