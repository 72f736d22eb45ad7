//! Typed views of instruction arguments: image references, stage names, COPY sources,
//! mounts, ports, health-check options and so on. A view borrows from the instruction;
//! nothing is expanded here (that needs the build's variables, which the model has).

mod image_ref;
mod mount;

use std::time::Duration;

use serde::Serialize;

pub use image_ref::{DOCKER_HUB, ImageRef};
pub use mount::{Mount, MountOption, MountType};

use crate::Span;
use crate::syntax::{Args, Command, Flag, Instruction, KeyValue, Keyword, Word};

/// The typed arguments of one instruction.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "instruction", rename_all = "UPPERCASE")]
pub enum Typed<'a> {
    From(From<'a>),
    Run(Run<'a>),
    Cmd(Option<CommandRef<'a>>),
    Entrypoint(Option<CommandRef<'a>>),
    Copy(Copy<'a>),
    Add(Copy<'a>),
    Env(&'a [KeyValue]),
    Label(&'a [KeyValue]),
    Arg(Vec<ArgDecl<'a>>),
    Expose(Vec<Port<'a>>),
    Healthcheck(Healthcheck<'a>),
    Shell(&'a [Word]),
    Stopsignal(Option<&'a Word>),
    User(Option<User<'a>>),
    Workdir(Option<&'a Word>),
    Volume(&'a [Word]),
    Maintainer(Option<&'a Word>),
    Onbuild(Option<&'a Instruction>),
    Unknown,
}

/// A command in exec form (JSON words) or shell form (one raw string).
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(tag = "form", content = "words", rename_all = "snake_case")]
pub enum CommandRef<'a> {
    Exec(&'a [Word]),
    Shell(&'a Word),
}

/// `FROM [--platform=…] image [AS name]`.
#[derive(Clone, Debug, Serialize)]
pub struct From<'a> {
    pub platform: Option<&'a Flag>,
    pub image: Option<ImageRef>,
    /// The `AS` keyword, when present.
    pub as_keyword: Option<&'a Word>,
    /// The stage name as written (BuildKit compares it in lower case).
    pub alias: Option<&'a Word>,
}

/// `RUN [--mount=…] [--network=…] [--security=…] command`.
#[derive(Clone, Debug, Serialize)]
pub struct Run<'a> {
    pub mounts: Vec<Mount>,
    pub network: Option<&'a Flag>,
    pub security: Option<&'a Flag>,
    pub command: Option<CommandRef<'a>>,
}

/// COPY and ADD: sources, destination and flags.
#[derive(Clone, Debug, Serialize)]
pub struct Copy<'a> {
    pub sources: &'a [Word],
    pub destination: Option<&'a Word>,
    pub from: Option<&'a Flag>,
    pub chown: Option<&'a Flag>,
    pub chmod: Option<&'a Flag>,
    pub link: Option<bool>,
    pub parents: Option<bool>,
    pub exclude: Vec<&'a Flag>,
    pub checksum: Option<&'a Flag>,
    pub keep_git_dir: Option<bool>,
    pub unpack: Option<bool>,
    pub json: bool,
}

/// One ARG declaration: `name` or `name=default`.
#[derive(Clone, Debug, Serialize)]
pub struct ArgDecl<'a> {
    pub word: &'a Word,
    pub name: &'a str,
    pub name_span: Span,
    /// The default value as written (quotes kept; the model expands it).
    pub default: Option<&'a str>,
    pub default_span: Option<Span>,
}

/// One EXPOSE item: `80`, `8000-8010/tcp`, `53/udp`, or a variable.
#[derive(Clone, Debug, Serialize)]
pub struct Port<'a> {
    pub word: &'a Word,
    /// The first and last port, when the item is numeric.
    pub range: Option<(u16, u16)>,
    /// The protocol after `/`, in lower case; `None` means tcp.
    pub protocol: Option<String>,
    pub has_variable: bool,
}

/// HEALTHCHECK NONE or CMD with its options.
#[derive(Clone, Debug, Serialize)]
pub struct Healthcheck<'a> {
    /// `CMD`, `NONE` or whatever was written, upper-cased.
    pub kind: Option<String>,
    pub command: Option<CommandRef<'a>>,
    pub interval: Option<&'a Flag>,
    pub timeout: Option<&'a Flag>,
    pub start_period: Option<&'a Flag>,
    pub start_interval: Option<&'a Flag>,
    pub retries: Option<&'a Flag>,
}

/// `USER user[:group]`.
#[derive(Clone, Debug, Serialize)]
pub struct User<'a> {
    pub word: &'a Word,
    pub user: &'a str,
    pub group: Option<&'a str>,
}

impl Instruction {
    /// The typed view of this instruction's arguments.
    pub fn typed(&self) -> Typed<'_> {
        let words = self.args.words();
        match self.keyword {
            Keyword::From => Typed::From(self.typed_from()),
            Keyword::Run => Typed::Run(Run {
                mounts: self.mounts(),
                network: self.flag("network"),
                security: self.flag("security"),
                command: self.command(),
            }),
            Keyword::Cmd => Typed::Cmd(self.command()),
            Keyword::Entrypoint => Typed::Entrypoint(self.command()),
            Keyword::Copy => Typed::Copy(self.typed_copy()),
            Keyword::Add => Typed::Add(self.typed_copy()),
            Keyword::Env => Typed::Env(self.pairs()),
            Keyword::Label => Typed::Label(self.pairs()),
            Keyword::Arg => Typed::Arg(words.iter().map(arg_decl).collect()),
            Keyword::Expose => Typed::Expose(words.iter().map(port).collect()),
            Keyword::Healthcheck => Typed::Healthcheck(self.typed_healthcheck()),
            Keyword::Shell => Typed::Shell(words),
            Keyword::Stopsignal => Typed::Stopsignal(words.first()),
            Keyword::User => Typed::User(words.first().map(user)),
            Keyword::Workdir => Typed::Workdir(words.first()),
            Keyword::Volume => Typed::Volume(words),
            Keyword::Maintainer => Typed::Maintainer(words.first()),
            Keyword::Onbuild => Typed::Onbuild(match &self.args {
                Args::Onbuild { trigger } => trigger.as_deref(),
                _ => None,
            }),
            Keyword::Unknown => Typed::Unknown,
        }
    }

    /// The command of RUN, CMD, ENTRYPOINT (and HEALTHCHECK CMD).
    pub fn command(&self) -> Option<CommandRef<'_>> {
        match &self.args {
            Args::List { words, json: true } => Some(CommandRef::Exec(words)),
            Args::List { words, json: false } => words.first().map(CommandRef::Shell),
            Args::Healthcheck { command: Some(Command::Exec(words)), .. } => Some(CommandRef::Exec(words)),
            Args::Healthcheck { command: Some(Command::Shell(word)), .. } => Some(CommandRef::Shell(word)),
            _ => None,
        }
    }

    fn pairs(&self) -> &[KeyValue] {
        match &self.args {
            Args::KeyValues { pairs } => pairs,
            _ => &[],
        }
    }

    fn typed_from(&self) -> From<'_> {
        let words = self.args.words();
        let image = words.first().map(|word| ImageRef::parse(&word.value, word.span));
        let as_keyword = self.from_alias().map(|_| &words[1]);
        From {
            platform: self.flag("platform"),
            image,
            as_keyword,
            alias: self.from_alias(),
        }
    }

    /// Returns the stage name of a `FROM image AS name`: the third word when the second is
    /// `AS` in any case. Cheaper than [`Instruction::typed`], which also reads the image
    /// reference.
    pub fn from_alias(&self) -> Option<&Word> {
        let words = self.args.words();
        let has_alias = words.len() >= 3 && words[1].value.eq_ignore_ascii_case("as");
        if has_alias { words.get(2) } else { None }
    }

    /// The `--mount` flags of a RUN, parsed.
    pub fn mounts(&self) -> Vec<Mount> {
        self.flags_named("mount")
            .map(|flag| {
                let value = flag.value.as_deref().unwrap_or("");
                let span = flag.value_span.unwrap_or(flag.span);
                Mount::parse(value, span, span.len() == value.len())
            })
            .collect()
    }

    fn typed_copy(&self) -> Copy<'_> {
        let words = self.args.words();
        let (sources, destination) = match words.split_last() {
            Some((last, rest)) if !rest.is_empty() || !self.heredocs.is_empty() => (rest, Some(last)),
            _ => (words, None),
        };
        let bool_flag = |name: &str| {
            self.flag(name).map(|flag| flag.value.as_deref().is_none_or(|v| v.eq_ignore_ascii_case("true")))
        };
        Copy {
            sources,
            destination,
            from: self.flag("from"),
            chown: self.flag("chown"),
            chmod: self.flag("chmod"),
            link: bool_flag("link"),
            parents: bool_flag("parents"),
            exclude: self.flags_named("exclude").collect(),
            checksum: self.flag("checksum"),
            keep_git_dir: bool_flag("keep-git-dir"),
            unpack: bool_flag("unpack"),
            json: self.is_exec_form(),
        }
    }

    fn typed_healthcheck(&self) -> Healthcheck<'_> {
        let kind = match &self.args {
            Args::Healthcheck { kind: Some(kind), .. } => Some(kind.value.to_uppercase()),
            _ => None,
        };
        Healthcheck {
            kind,
            command: self.command(),
            interval: self.flag("interval"),
            timeout: self.flag("timeout"),
            start_period: self.flag("start-period"),
            start_interval: self.flag("start-interval"),
            retries: self.flag("retries"),
        }
    }
}

fn arg_decl(word: &Word) -> ArgDecl<'_> {
    match word.value.split_once('=') {
        Some((name, default)) => {
            let exact = word.span.len() == word.value.len();
            let default_start = word.span.start + name.len() + 1;
            ArgDecl {
                word,
                name,
                name_span: if exact { Span::new(word.span.start, word.span.start + name.len()) } else { word.span },
                default: Some(default),
                default_span: Some(if exact { Span::new(default_start, word.span.end) } else { word.span }),
            }
        }
        None => ArgDecl { word, name: &word.value, name_span: word.span, default: None, default_span: None },
    }
}

fn port(word: &Word) -> Port<'_> {
    let (ports, protocol) = match word.value.split_once('/') {
        Some((ports, protocol)) => (ports, Some(protocol.to_lowercase())),
        None => (word.value.as_str(), None),
    };
    let parse = |text: &str| text.parse::<u16>().ok();
    let range = match ports.split_once('-') {
        Some((first, last)) => parse(first).zip(parse(last)),
        None => parse(ports).map(|port| (port, port)),
    };
    Port { word, range, protocol, has_variable: word.value.contains('$') }
}

fn user(word: &Word) -> User<'_> {
    match word.value.split_once(':') {
        Some((user, group)) => User { word, user, group: Some(group) },
        None => User { word, user: &word.value, group: None },
    }
}

/// Parses a Go duration (`1h30m`, `500ms`, `0`), as HEALTHCHECK options take them.
pub fn parse_go_duration(text: &str) -> Option<Duration> {
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() || rest.starts_with('-') {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number: f64 = rest[..number_len].parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += number * seconds;
        rest = &rest[unit_len..];
    }
    Some(Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    #[test]
    fn typed_from_and_copy() {
        let text = "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nCOPY --from=build --chmod=755 a b /dst/\n";
        let tree = parse(text);
        let mut instructions = tree.instructions();
        let Typed::From(from) = instructions.next().unwrap().typed() else { panic!() };
        assert_eq!(from.image.unwrap().normalized(), "docker.io/library/golang:1.22");
        assert_eq!(from.alias.unwrap().value, "build");
        assert_eq!(from.platform.unwrap().value.as_deref(), Some("$BUILDPLATFORM"));
        let Typed::Copy(copy) = instructions.next().unwrap().typed() else { panic!() };
        assert_eq!(copy.sources.len(), 2);
        assert_eq!(copy.destination.unwrap().value, "/dst/");
        assert_eq!(copy.from.unwrap().value.as_deref(), Some("build"));
    }

    #[test]
    fn typed_ports_args_and_durations() {
        let tree = parse("FROM a\nEXPOSE 80 8000-8010/udp $P\nARG A B=c\n");
        let instructions: Vec<_> = tree.instructions().collect();
        let Typed::Expose(ports) = instructions[1].typed() else { panic!() };
        assert_eq!(ports[0].range, Some((80, 80)));
        assert_eq!(ports[1].range, Some((8000, 8010)));
        assert_eq!(ports[1].protocol.as_deref(), Some("udp"));
        assert!(ports[2].has_variable);
        let Typed::Arg(args) = instructions[2].typed() else { panic!() };
        assert_eq!((args[1].name, args[1].default), ("B", Some("c")));
        assert_eq!(parse_go_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("10"), None);
    }
}
