//! InvalidDefinitionDescription: a comment above a stage or ARG that is not its
//! description.

use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM … AS name` or an `ARG` with comments directly above it whose last
    /// line does not start with the stage name or one of the ARG's names, as BuildKit's
    /// check of the same name does. BuildKit reads such a comment as the description that
    /// `docker buildx build --call=outline` and `--call=targets` print.
    ///
    /// The check is experimental in BuildKit and off by default, in ballast too. Turn it
    /// on with `# check=experimental=InvalidDefinitionDescription` (or
    /// `experimental=all`) as the file's parser directive, or in a `# check=` comment
    /// directly above one instruction. `check=skip=` does not turn it off.
    ///
    /// As in BuildKit, a blank line does not separate a comment from the instruction
    /// below it; only a bare `#` line or another instruction does.
    ///
    /// ## Why is this bad
    /// A comment that is not written as a description shows up as one in the build
    /// outline anyway, or a description is silently missing.
    ///
    /// ## Example
    /// ```dockerfile
    /// # check=experimental=InvalidDefinitionDescription
    /// # compiles the server
    /// FROM golang:1.22 AS build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # check=experimental=InvalidDefinitionDescription
    /// # build compiles the server
    /// FROM golang:1.22 AS build
    /// ```
    pub InvalidDefinitionDescription {
        code: "InvalidDefinitionDescription",
        name: "invalid-definition-description",
        severity: Warning,
        check: check,
    }
}

const CODE: &str = "InvalidDefinitionDescription";

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let file_enabled = cx
        .tree
        .directive("check")
        .is_some_and(|directive| enables(&directive.value));
    for inst in &model.instructions {
        let comments = &inst.syntax.prev_comments;
        let Some(last) = comments.last() else {
            continue;
        };
        let inline_enabled = comments
            .iter()
            .find_map(|comment| comment.trim().strip_prefix("check="))
            .is_some_and(enables);
        if !file_enabled && !inline_enabled {
            continue;
        }

        let (keyword, names): (&str, Vec<String>) = match &inst.args {
            Typed::From(from) => match from.name {
                Some(name) => ("FROM", vec![name.value.to_lowercase()]),
                None => continue,
            },
            Typed::Arg(decls) => ("ARG", decls.iter().map(|d| d.name.to_string()).collect()),
            _ => continue,
        };
        let first_word = last.split(' ').next().unwrap_or("");
        if names.iter().any(|name| name == first_word) {
            continue;
        }
        let shown = match names.as_slice() {
            [one] => one.as_str(),
            _ => "<arg_key>",
        };
        cx.report(
            inst.syntax.keyword_span,
            format!("the comment above this {keyword} does not start with the name it describes: write its last line as `# {shown} <description>`"),
        );
    }
}

/// Returns whether a `check=` value (BuildKit's lint options) enables this check through
/// `experimental=all` or `experimental=…,InvalidDefinitionDescription,…`.
fn enables(value: &str) -> bool {
    let value = value.split([' ', '\t']).next().unwrap_or("");
    value.splitn(3, ';').any(|option| {
        let Some((key, names)) = option.split_once('=') else {
            return false;
        };
        key.trim() == "experimental"
            && (names.trim() == "all" || names.split(',').any(|name| name.trim() == CODE))
    })
}
