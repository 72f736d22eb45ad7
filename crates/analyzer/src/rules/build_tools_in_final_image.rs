//! BuildToolsInFinalImage: compilers, headers and build tools in the final image.

use std::collections::BTreeMap;

use crate::attribution::evidence::{first_line_span, format_bytes};
use crate::image::entry::{EntryKind, file_name};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports, in a built image, compilers, C headers and build tools left in the final
    /// filesystem (gcc, clang, make, the Go and Rust toolchains, `/usr/include`), with their
    /// size, on the instruction that stored them.
    ///
    /// ## Why is this bad
    /// A program needs its toolchain to be built, not to run. The toolchain is often the
    /// largest part of the image and gives an attacker a compiler.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y gcc make && make -C /src
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12 AS build
    /// RUN apt-get update && apt-get install -y gcc make && make -C /src
    /// FROM debian:12-slim
    /// COPY --from=build /src/app /usr/local/bin/app
    /// ```
    ///
    /// ## Fix
    /// Build in an earlier stage and copy only the result into the final stage.
    pub BuildToolsInFinalImage {
        code: "BL3008",
        name: "build-tools-in-final-image",
        severity: Info,
        check: check,
    }
}

/// Returns the tool a path belongs to.
pub(crate) fn build_tool(path: &str) -> Option<&'static str> {
    const PREFIXES: [(&str, &str); 8] = [
        ("usr/include/", "C headers"),
        ("usr/lib/gcc/", "gcc"),
        ("usr/libexec/gcc/", "gcc"),
        ("usr/lib/llvm-", "clang/LLVM"),
        ("usr/local/go/", "the Go toolchain"),
        ("usr/lib/go-", "the Go toolchain"),
        ("root/.rustup/", "the Rust toolchain"),
        ("usr/local/rustup/", "the Rust toolchain"),
    ];
    if let Some((_, tool)) = PREFIXES.iter().find(|(prefix, _)| path.starts_with(prefix)) {
        return Some(tool);
    }
    let in_bin = ["usr/bin/", "usr/local/bin/", "bin/"].iter().any(|folder| {
        path.strip_prefix(folder)
            .is_some_and(|rest| !rest.contains('/'))
    });
    if !in_bin {
        return None;
    }
    let name = file_name(path);
    let is = |stem: &str| name == stem || name.starts_with(&format!("{stem}-"));
    if is("gcc") || is("g++") || is("cc1") || name.starts_with("x86_64-linux-gnu-gcc") {
        return Some("gcc");
    }
    if is("clang") || is("clang++") {
        return Some("clang/LLVM");
    }
    if name == "make" || name == "cmake" {
        return Some("make");
    }
    if name == "rustc" || name == "cargo" {
        return Some("the Rust toolchain");
    }
    None
}

fn check(cx: &mut Context<'_>) {
    let Some(evidence) = cx.evidence else {
        return;
    };
    let model = cx.model;
    let mut found: BTreeMap<(usize, &'static str), u64> = BTreeMap::new();
    for (path, node) in evidence.analysis.tree.nodes() {
        if node.kind != EntryKind::File {
            continue;
        }
        let Some(tool) = build_tool(path) else {
            continue;
        };
        let Some(instruction) = evidence.anchor(model, node.layer) else {
            continue;
        };
        *found.entry((instruction, tool)).or_insert(0) += node.size;
    }
    for ((instruction, tool), bytes) in found {
        if bytes == 0 {
            continue;
        }
        let span = first_line_span(model, instruction);
        let diagnostic = cx.report(
            span,
            format!(
                "{tool} stays in the final image ({}); build in an earlier stage and copy only the result",
                format_bytes(bytes)
            ),
        );
        evidence.record_bytes(diagnostic, bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::build_tool;

    #[test]
    fn tool_paths() {
        assert_eq!(build_tool("usr/bin/gcc-12"), Some("gcc"));
        assert_eq!(build_tool("usr/include/stdio.h"), Some("C headers"));
        assert_eq!(build_tool("usr/bin/make"), Some("make"));
        assert_eq!(build_tool("usr/bin/gzip"), None);
        assert_eq!(build_tool("usr/share/doc/gcc/README"), None);
    }
}
