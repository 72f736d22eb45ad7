//! ContextFileNotIgnored: build-context folders that `.dockerignore` would keep out.

use std::collections::BTreeMap;

use ballast_parser::Keyword;

use crate::attribution::evidence::{first_line_span, format_bytes};
use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports, in a built image, files that a `COPY` or `ADD` from the build context brought
    /// in from folders a container does not need: `.git`, `node_modules` and test data
    /// (`test`, `tests`, `testdata`, `__tests__`), with their size, when they take at least
    /// 64 KiB together.
    ///
    /// ## Why is this bad
    /// These folders are often the largest part of a source tree. They make every build send
    /// and store them, and `.git` can hold credentials and the project's whole history.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY . /src
    /// ```
    ///
    /// Use instead: keep `COPY . /src` and add a `.dockerignore` beside the Dockerfile:
    /// ```text
    /// .git
    /// node_modules
    /// test
    /// ```
    ///
    /// ## Fix
    /// List the folders in `.dockerignore`, or copy only the paths the image needs.
    pub ContextFileNotIgnored {
        code: "BL3009",
        name: "context-file-not-ignored",
        severity: Warning,
        check: check,
    }
}

/// Below this many bytes a folder is not worth a finding.
const MIN_BYTES: u64 = 64 * 1024;

/// Returns the folder of the build context a path lies in, when it is one `.dockerignore`
/// usually lists.
pub(crate) fn ignorable_folder(path: &str) -> Option<&'static str> {
    const FOLDERS: [&str; 6] = [
        ".git",
        "node_modules",
        "test",
        "tests",
        "testdata",
        "__tests__",
    ];
    let mut segments = path.split('/');
    segments.next_back();
    segments.find_map(|segment| FOLDERS.iter().find(|folder| **folder == segment).copied())
}

fn check(cx: &mut Context<'_>) {
    let Some(evidence) = cx.evidence else {
        return;
    };
    let model = cx.model;
    let mut found: BTreeMap<(usize, &'static str), u64> = BTreeMap::new();
    for file in evidence.stored_files() {
        let Some(folder) = ignorable_folder(file.path) else {
            continue;
        };
        let Some(instruction) = evidence.instruction_of_layer(file.layer) else {
            continue;
        };
        let inst = &model.instructions[instruction];
        let from_context = match (&inst.args, inst.keyword()) {
            (Typed::Copy(copy), Keyword::Copy) | (Typed::Add(copy), Keyword::Add) => {
                copy.from.is_none()
            }
            _ => false,
        };
        if !from_context {
            continue;
        }
        *found.entry((instruction, folder)).or_insert(0) += file.bytes;
    }
    for ((instruction, folder), bytes) in found {
        if bytes < MIN_BYTES {
            continue;
        }
        let span = first_line_span(model, instruction);
        let diagnostic = cx.report(
            span,
            format!(
                "this copies {} from {folder}/ folders of the build context; list {folder} in .dockerignore",
                format_bytes(bytes)
            ),
        );
        evidence.record_bytes(diagnostic, bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::ignorable_folder;

    #[test]
    fn folders() {
        assert_eq!(
            ignorable_folder("src/.git/objects/pack/p.pack"),
            Some(".git")
        );
        assert_eq!(
            ignorable_folder("app/node_modules/x/index.js"),
            Some("node_modules")
        );
        assert_eq!(ignorable_folder("app/test"), None);
        assert_eq!(ignorable_folder("app/src/main.rs"), None);
    }
}
