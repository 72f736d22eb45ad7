//! The binaries that the compiler commands of a stage build, and how they are linked, as
//! far as the Dockerfile text shows.
//!
//! Go, Rust (`cargo`) and C/C++ compilers are recognized. Each build's linkage is judged
//! from its flags, its environment and the stage's base image; when these leave it open the
//! linkage is `None` and no rule claims anything about the binary.

use std::collections::HashMap;

use ballast_parser::Span;
use ballast_parser::shell::{Dialect, SimpleCommand, Word};

use crate::model::{Base, CopyArgs, Inst, Model, Typed, expand, unquote};

/// The compiler family of a build command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Toolchain {
    Go,
    Rust,
    C,
}

impl Toolchain {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Toolchain::Go => "Go",
            Toolchain::Rust => "Rust",
            Toolchain::C => "C",
        }
    }
}

/// The way a built binary loads its libraries at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Linkage {
    /// Needs no ELF interpreter and no shared libraries.
    Static,
    /// Needs the ELF interpreter (`/lib64/ld-linux-x86-64.so.2` or `/lib/ld-musl-*.so.1`)
    /// and the C library of the image it was built in.
    Dynamic,
}

/// One compiler command of a `RUN` and what it produces.
#[derive(Clone, Debug)]
pub(crate) struct BuildOutput {
    pub toolchain: Toolchain,
    /// `None` when the flags and the environment leave the linkage open.
    pub linkage: Option<Linkage>,
    /// Why the linkage is what it is, for messages: "`CGO_ENABLED=0`".
    pub reason: String,
    /// The absolute path of the binary, when the command names it.
    pub output: Option<String>,
    /// The working directory of the command, for builds that write next to it.
    pub workdir: String,
    /// The command name (`go`, `cargo`, `gcc`) in the Dockerfile.
    pub name_span: Span,
    /// Whether the command sets `CGO_ENABLED` itself or inherits an explicit value.
    pub cgo_explicit: bool,
}

impl BuildOutput {
    /// Returns whether a `COPY --from` source path (absolute) names this build's binary or a
    /// folder that contains it.
    pub(crate) fn produced(&self, source: &str) -> bool {
        let source = source.trim_end_matches("/*").trim_end_matches('/');
        let source = if source.is_empty() { "/" } else { source };
        if let Some(output) = &self.output {
            return output == source || is_inside(output, source);
        }
        match self.toolchain {
            // `cargo build` writes to `target/[<triple>/]release/`, `cargo install` to
            // `$CARGO_HOME/bin`.
            Toolchain::Rust => {
                source.contains("/target/") || source.starts_with("/usr/local/cargo/bin")
            }
            // `go build` without `-o` writes the binary into the working directory.
            Toolchain::Go | Toolchain::C => parent(source) == self.workdir,
        }
    }
}

/// Returns the build commands of `stage` in source order.
pub(crate) fn build_outputs(model: &Model<'_>, stage: usize) -> Vec<BuildOutput> {
    let mut outputs = Vec::new();
    let mut workdir = String::from("/");
    for inst in model.stage_instructions(stage) {
        match &inst.args {
            Typed::Workdir(Some(word)) => {
                let path = expand_at(model, inst, &word.value);
                workdir = join(&workdir, &path);
            }
            Typed::Run(_) => {
                for script in inst.run_scripts(model.source, Dialect::Bash) {
                    let mut environment: HashMap<String, String> = HashMap::new();
                    for command in &script.script.commands {
                        let (words, scoped) = effective_words(command, &mut environment);
                        let Some(output) = judge(model, inst, stage, &words, &scoped) else {
                            continue;
                        };
                        let (toolchain, linkage, reason, path, cgo_explicit) = output;
                        outputs.push(BuildOutput {
                            toolchain,
                            linkage,
                            reason,
                            output: path.map(|path| join(&workdir, &expand_at(model, inst, &path))),
                            workdir: workdir.clone(),
                            name_span: script.source_span(words[0].span),
                            cgo_explicit,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    outputs
}

/// Returns the absolute paths that a `COPY --from` copies out of its stage.
pub(crate) fn copied_sources(
    model: &Model<'_>,
    inst: &Inst<'_>,
    copy: &CopyArgs<'_>,
) -> Vec<String> {
    copy.sources
        .iter()
        .map(|word| join("/", &expand_at(model, inst, &unquote(&word.value))))
        .collect()
}

type Judged = (Toolchain, Option<Linkage>, String, Option<String>, bool);

/// Judges one command: `None` when it is not a compiler command that links a binary.
fn judge(
    model: &Model<'_>,
    inst: &Inst<'_>,
    stage: usize,
    words: &[&Word],
    environment: &HashMap<String, String>,
) -> Option<Judged> {
    let name = words.first().map(|word| basename(&word.value))?;
    let args: Vec<&str> = words[1..].iter().map(|word| word.value.as_str()).collect();
    let variable = |key: &str| -> Option<String> {
        environment
            .get(key)
            .cloned()
            .or_else(|| model.value_before(inst.index, key).map(str::to_string))
    };
    match name {
        "go" if matches!(args.first(), Some(&"build") | Some(&"install")) => {
            Some(judge_go(model, stage, &args, &variable))
        }
        "cargo" if matches!(args.first(), Some(&"build") | Some(&"install")) => {
            Some(judge_cargo(model, stage, &args, &variable))
        }
        "gcc" | "cc" | "g++" | "c++" | "clang" | "clang++" | "musl-gcc" => judge_c(&args),
        _ => None,
    }
}

fn judge_go(
    model: &Model<'_>,
    stage: usize,
    args: &[&str],
    variable: &dyn Fn(&str) -> Option<String>,
) -> Judged {
    let output = option_value(args, "-o");
    let cgo = variable("CGO_ENABLED");
    let explicit = cgo.is_some();
    let ldflags = option_value(args, "-ldflags").unwrap_or_default();
    let tags = option_value(args, "-tags").unwrap_or_default();
    let has_tag = |tag: &str| tags.split([',', ' ']).any(|part| part == tag);

    let judged = |linkage, reason: &str| {
        (
            Toolchain::Go,
            linkage,
            reason.to_string(),
            output.clone(),
            explicit,
        )
    };
    if cgo.as_deref() == Some("0") {
        return judged(Some(Linkage::Static), "`CGO_ENABLED=0`");
    }
    if ldflags.contains("-static") {
        return judged(Some(Linkage::Static), "`-extldflags -static`");
    }
    if has_tag("netgo") && has_tag("osusergo") {
        return judged(Some(Linkage::Static), "the `netgo,osusergo` build tags");
    }
    if cgo.as_deref() == Some("1") {
        return judged(Some(Linkage::Dynamic), "`CGO_ENABLED=1`");
    }
    // Cross-compiling turns cgo off unless a C cross compiler is set.
    if variable("GOOS").is_some() || variable("GOARCH").is_some() || variable("CC").is_some() {
        return judged(None, "");
    }
    // The Debian-based golang images ship gcc, so cgo is on by default and a program that
    // imports `net` or `os/user` links the C library dynamically. The alpine variants have
    // no C compiler, and Go 1.20 and later turn cgo off when none is found.
    if base_name_and_tag(model, stage)
        .is_some_and(|(name, tag)| name == "golang" && !tag.contains("alpine"))
    {
        return judged(
            Some(Linkage::Dynamic),
            "cgo, which is on by default in the golang image",
        );
    }
    judged(None, "")
}

fn judge_cargo(
    model: &Model<'_>,
    stage: usize,
    args: &[&str],
    variable: &dyn Fn(&str) -> Option<String>,
) -> Judged {
    let target = option_value(args, "--target").or_else(|| variable("CARGO_BUILD_TARGET"));
    let rustflags = variable("RUSTFLAGS").unwrap_or_default();
    let judged =
        |linkage, reason: &str| (Toolchain::Rust, linkage, reason.to_string(), None, false);
    if target
        .as_deref()
        .is_some_and(|target| target.contains("-musl"))
    {
        return judged(Some(Linkage::Static), "a musl target");
    }
    if rustflags.contains("crt-static") {
        return judged(Some(Linkage::Static), "`-C target-feature=+crt-static`");
    }
    if target.is_some() {
        return judged(None, "");
    }
    // The host target of the alpine rust images is `*-linux-musl`, which links statically
    // by default; elsewhere the host target is `*-linux-gnu`, which links glibc dynamically.
    match base_name_and_tag(model, stage) {
        Some((name, tag)) if name == "rust" && tag.contains("alpine") => judged(
            Some(Linkage::Static),
            "the musl host target of the alpine rust image",
        ),
        Some((name, _)) if name == "rust" => judged(
            Some(Linkage::Dynamic),
            "the glibc host target, without a `*-musl` target",
        ),
        _ => judged(None, ""),
    }
}

fn judge_c(args: &[&str]) -> Option<Judged> {
    // `-c`, `-S` and `-E` stop before linking.
    if args
        .iter()
        .any(|arg| matches!(*arg, "-c" | "-S" | "-E" | "--version" | "-v"))
    {
        return None;
    }
    let output = option_value(args, "-o").or_else(|| Some("a.out".to_string()));
    let linkage = if args
        .iter()
        .any(|arg| matches!(*arg, "-static" | "-static-pie"))
    {
        (Some(Linkage::Static), "`-static`")
    } else {
        (Some(Linkage::Dynamic), "a link without `-static`")
    };
    Some((
        Toolchain::C,
        linkage.0,
        linkage.1.to_string(),
        output,
        false,
    ))
}

/// Returns the words of a command after an `env` wrapper, with the environment the command
/// runs with. `export NAME=value` and bare `NAME=value` commands are recorded in `environment`,
/// which later commands of the script see, while `NAME=value cmd` applies to `cmd` alone.
fn effective_words<'c>(
    command: &'c SimpleCommand,
    environment: &mut HashMap<String, String>,
) -> (Vec<&'c Word>, HashMap<String, String>) {
    let mut own: Vec<(String, String)> = command
        .assignments
        .iter()
        .filter_map(|word| split_assignment(&word.value))
        .collect();
    let mut words: Vec<&Word> = command.words.iter().collect();

    if words.is_empty() {
        environment.extend(own);
        return (words, environment.clone());
    }
    if words[0].value == "export" {
        environment.extend(
            words[1..]
                .iter()
                .filter_map(|word| split_assignment(&word.value)),
        );
        return (Vec::new(), environment.clone());
    }
    if words[0].value == "env" {
        words.remove(0);
        while let Some(pair) = words.first().and_then(|word| split_assignment(&word.value)) {
            own.push(pair);
            words.remove(0);
        }
    }
    let mut scoped = environment.clone();
    scoped.extend(own);
    (words, scoped)
}

fn split_assignment(text: &str) -> Option<(String, String)> {
    let (name, value) = text.split_once('=')?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    valid.then(|| (name.to_string(), value.to_string()))
}

/// Returns the value of a command-line option written as `-o value`, `-o=value` or
/// `--target value`.
fn option_value(args: &[&str], option: &str) -> Option<String> {
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if *arg == option {
            return iter.next().map(|value| value.to_string());
        }
        if let Some(value) = arg
            .strip_prefix(option)
            .and_then(|rest| rest.strip_prefix('='))
        {
            return Some(value.to_string());
        }
    }
    None
}

/// Returns the repository name and tag of the image a stage is built on.
pub(crate) fn base_name_and_tag(model: &Model<'_>, stage: usize) -> Option<(String, String)> {
    match model.base_image(stage) {
        Base::Image(image) => Some((
            image.name().to_string(),
            image.tag.clone().unwrap_or_default(),
        )),
        _ => None,
    }
}

fn expand_at(model: &Model<'_>, inst: &Inst<'_>, text: &str) -> String {
    expand(text, model.tree.escape, &|name| {
        model.value_before(inst.index, name)
    })
    .value
}

/// Joins `path` to the folder `base` unless it is absolute, and drops `.` components.
pub(crate) fn join(base: &str, path: &str) -> String {
    let combined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{}", base.trim_end_matches('/'), path)
    };
    let parts: Vec<&str> = combined
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

fn is_inside(path: &str, folder: &str) -> bool {
    folder == "/"
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(index) => &path[..index],
        None => "",
    }
}

/// Returns the last path component.
pub(crate) fn basename(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}
