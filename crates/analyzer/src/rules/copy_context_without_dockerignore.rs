//! BL2010: `COPY . …` of the whole build context with no `.dockerignore`.

use crate::model::{Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` from the build context whose source is the whole context
    /// (`.` or `./`) when neither `.dockerignore` beside the Dockerfile nor
    /// `<Dockerfile>.dockerignore` exists. Input from standard input without a file name is
    /// not checked, because its folder is unknown.
    ///
    /// ## Why is this bad
    /// Without an ignore file the whole folder goes into the layer: the `.git` history,
    /// local `node_modules` or virtual environments, build output, and files with secrets
    /// such as `.env`. The image grows, and any change to any file breaks the layer cache
    /// of this instruction and of every one after it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// ```
    ///
    /// Add a `.dockerignore` beside the Dockerfile, for example:
    /// ```text
    /// .git
    /// node_modules
    /// .env
    /// ```
    pub CopyContextWithoutDockerignore {
        code: "BL2010",
        name: "copy-context-without-dockerignore",
        severity: Warning,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    if cx.file.path.is_none() || cx.file.dockerignore.is_some() {
        return;
    }
    let model = cx.model;
    for inst in &model.instructions {
        let copy = match &inst.args {
            Typed::Copy(copy) | Typed::Add(copy) => copy,
            _ => continue,
        };
        if copy.from.is_some() {
            continue;
        }
        let Some(whole) = copy
            .sources
            .iter()
            .find(|word| matches!(unquote(&word.value).as_str(), "." | "./" | "./."))
        else {
            continue;
        };
        cx.report(
            whole.span,
            "this copies the whole build context and there is no `.dockerignore` beside the Dockerfile, so everything in the folder goes into the layer, `.git` and `.env` files included: add a `.dockerignore` that excludes what the image does not need",
        );
    }
}
