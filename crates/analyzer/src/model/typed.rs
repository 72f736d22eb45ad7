//! Typed arguments: each instruction's words sorted into the parts its keyword gives them.

use ballast_parser::typed::{self as parsed, MountType};
use ballast_parser::{Args, Command, Flag, Heredoc, Instruction, KeyValue, Keyword, Span, Word};

pub use ballast_parser::typed::{ArgDecl, MountOption};

/// The arguments of one instruction, by keyword.
#[derive(Clone, Debug)]
pub enum Typed<'a> {
    From(FromArgs<'a>),
    /// `ARG name[=default] …`
    Arg(Vec<ArgDecl<'a>>),
    Env(&'a [KeyValue]),
    Label(&'a [KeyValue]),
    Run(RunArgs<'a>),
    Cmd(CommandForm<'a>),
    Entrypoint(CommandForm<'a>),
    /// The exec-form words of `SHELL`; BuildKit rejects shell form.
    Shell(&'a [Word]),
    Copy(CopyArgs<'a>),
    Add(CopyArgs<'a>),
    Workdir(Option<&'a Word>),
    User(Option<&'a Word>),
    Expose(&'a [Word]),
    Volume(&'a [Word]),
    Stopsignal(Option<&'a Word>),
    Maintainer(Option<&'a Word>),
    Healthcheck(HealthcheckArgs<'a>),
    /// The trigger of `ONBUILD`, typed like any other instruction.
    Onbuild(Option<(&'a Instruction, Box<Typed<'a>>)>),
    /// A keyword BuildKit does not know.
    Unknown,
}

/// `FROM [--platform=…] image [AS name]`
#[derive(Clone, Debug)]
pub struct FromArgs<'a> {
    /// The image word as written, variables not expanded.
    pub image: Option<&'a Word>,
    /// The word after `AS`.
    pub name: Option<&'a Word>,
    pub platform: Option<&'a Flag>,
}

/// The command of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD.
#[derive(Clone, Copy, Debug)]
pub enum CommandForm<'a> {
    /// A JSON array: run without a shell.
    Exec(&'a [Word]),
    /// A string handed to the stage's shell.
    Shell(&'a Word),
    /// No command, which BuildKit rejects for RUN.
    None,
}

impl<'a> CommandForm<'a> {
    fn from_args(args: &'a Args) -> CommandForm<'a> {
        match args {
            Args::List { words, json: true } => CommandForm::Exec(words),
            Args::List { words, json: false } => {
                words.first().map_or(CommandForm::None, CommandForm::Shell)
            }
            _ => CommandForm::None,
        }
    }

    pub fn is_shell(&self) -> bool {
        matches!(self, CommandForm::Shell(_))
    }
}

/// `RUN [--mount=…] [--network=…] [--security=…] command`
#[derive(Clone, Debug)]
pub struct RunArgs<'a> {
    pub command: CommandForm<'a>,
    pub mounts: Vec<Mount<'a>>,
    pub network: Option<&'a str>,
    pub security: Option<&'a str>,
    pub heredocs: &'a [Heredoc],
}

impl RunArgs<'_> {
    /// Returns whether a cache or tmpfs mount's target contains `path`, so files written there do
    /// not end up in the layer.
    pub fn caches(&self, path: &str) -> bool {
        self.mounts.iter().any(|mount| {
            matches!(mount.kind, MountKind::Cache | MountKind::Tmpfs) && mount.target_contains(path)
        })
    }
}

/// The type of a `RUN --mount`, without the text of an unknown type so it can be compared
/// and copied cheaply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountKind {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
    /// A type BuildKit does not know.
    Other,
}

impl From<&MountType> for MountKind {
    fn from(mount_type: &MountType) -> MountKind {
        match mount_type {
            MountType::Bind => MountKind::Bind,
            MountType::Cache => MountKind::Cache,
            MountType::Tmpfs => MountKind::Tmpfs,
            MountType::Secret => MountKind::Secret,
            MountType::Ssh => MountKind::Ssh,
            MountType::Other(_) => MountKind::Other,
        }
    }
}

/// One `RUN --mount=type=…,target=…` flag: the parser's reading of its options, with the
/// options rules ask for most taken out.
#[derive(Clone, Debug)]
pub struct Mount<'a> {
    pub flag: &'a Flag,
    pub kind: MountKind,
    /// `target`, `dst` or `destination`.
    pub target: Option<String>,
    /// `source` or `src`.
    pub source: Option<String>,
    pub from: Option<String>,
    /// Every option in order with its span, and the problems BuildKit reports for them.
    pub parsed: parsed::Mount,
}

impl<'a> Mount<'a> {
    fn new(flag: &'a Flag, parsed: parsed::Mount) -> Mount<'a> {
        Mount {
            flag,
            kind: MountKind::from(&parsed.mount_type),
            target: parsed.target().map(str::to_string),
            source: parsed.source().map(str::to_string),
            from: parsed.from().map(str::to_string),
            parsed,
        }
    }

    fn target_contains(&self, path: &str) -> bool {
        self.target
            .as_deref()
            .is_some_and(|target| target.contains(path))
    }

    /// Returns the value of the first option named `key` (in lower case).
    pub fn option(&self, key: &str) -> Option<&str> {
        self.parsed.get(&[key])
    }

    /// Returns every option in order, keys in lower case.
    pub fn options(&self) -> &[MountOption] {
        &self.parsed.options
    }
}

/// `COPY`/`ADD [flags] source… destination`
#[derive(Clone, Debug)]
pub struct CopyArgs<'a> {
    /// The sources as written. A heredoc source is the word `<<EOF`.
    pub sources: &'a [Word],
    pub destination: Option<&'a Word>,
    pub from: Option<&'a Flag>,
    pub chown: Option<&'a Flag>,
    pub chmod: Option<&'a Flag>,
    pub link: bool,
    pub heredocs: &'a [Heredoc],
    /// Whether the arguments were a JSON array.
    pub json: bool,
}

impl CopyArgs<'_> {
    /// Returns whether `word` is a heredoc source (`<<EOF`), whose content comes from the Dockerfile.
    pub fn is_heredoc_source(&self, word: &Word) -> bool {
        self.heredocs
            .iter()
            .any(|heredoc| heredoc.word.span == word.span)
    }
}

/// `HEALTHCHECK [flags] CMD command` or `HEALTHCHECK NONE`.
#[derive(Clone, Debug)]
pub struct HealthcheckArgs<'a> {
    pub kind: Option<&'a Word>,
    pub command: CommandForm<'a>,
}

impl<'a> Typed<'a> {
    /// Sorts an instruction's arguments by its keyword.
    pub fn of(instruction: &'a Instruction) -> Typed<'a> {
        let words = instruction.args.words();
        let first = words.first();
        match instruction.keyword {
            Keyword::From => Typed::From(from_args(instruction)),
            Keyword::Arg => match instruction.typed() {
                parsed::Typed::Arg(decls) => Typed::Arg(decls),
                _ => Typed::Arg(Vec::new()),
            },
            Keyword::Env => Typed::Env(key_values(&instruction.args)),
            Keyword::Label => Typed::Label(key_values(&instruction.args)),
            Keyword::Run => Typed::Run(run_args(instruction)),
            Keyword::Cmd => Typed::Cmd(CommandForm::from_args(&instruction.args)),
            Keyword::Entrypoint => Typed::Entrypoint(CommandForm::from_args(&instruction.args)),
            Keyword::Shell => Typed::Shell(words),
            Keyword::Copy => Typed::Copy(copy_args(instruction)),
            Keyword::Add => Typed::Add(copy_args(instruction)),
            Keyword::Workdir => Typed::Workdir(first),
            Keyword::User => Typed::User(first),
            Keyword::Expose => Typed::Expose(words),
            Keyword::Volume => Typed::Volume(words),
            Keyword::Stopsignal => Typed::Stopsignal(first),
            Keyword::Maintainer => Typed::Maintainer(first),
            Keyword::Healthcheck => Typed::Healthcheck(healthcheck_args(&instruction.args)),
            Keyword::Onbuild => match &instruction.args {
                Args::Onbuild {
                    trigger: Some(trigger),
                } => Typed::Onbuild(Some((trigger.as_ref(), Box::new(Typed::of(trigger))))),
                _ => Typed::Onbuild(None),
            },
            Keyword::Unknown => Typed::Unknown,
        }
    }
}

fn from_args(instruction: &Instruction) -> FromArgs<'_> {
    FromArgs {
        image: instruction.args.words().first(),
        name: instruction.from_alias(),
        platform: instruction.flag("platform"),
    }
}

fn key_values(args: &Args) -> &[KeyValue] {
    match args {
        Args::KeyValues { pairs } => pairs,
        _ => &[],
    }
}

fn run_args(instruction: &Instruction) -> RunArgs<'_> {
    RunArgs {
        command: CommandForm::from_args(&instruction.args),
        mounts: instruction
            .flags_named("mount")
            .zip(instruction.mounts())
            .map(|(flag, parsed)| Mount::new(flag, parsed))
            .collect(),
        network: instruction
            .flag("network")
            .and_then(|flag| flag.value.as_deref()),
        security: instruction
            .flag("security")
            .and_then(|flag| flag.value.as_deref()),
        heredocs: &instruction.heredocs,
    }
}

fn copy_args(instruction: &Instruction) -> CopyArgs<'_> {
    let (words, json) = match &instruction.args {
        Args::List { words, json } => (words.as_slice(), *json),
        _ => (&[][..], false),
    };
    let (sources, destination) = match words.split_last() {
        Some((last, rest)) => (rest, Some(last)),
        None => (&[][..], None),
    };
    CopyArgs {
        sources,
        destination,
        from: instruction.flag("from"),
        chown: instruction.flag("chown"),
        chmod: instruction.flag("chmod"),
        link: instruction.flag("link").is_some(),
        heredocs: &instruction.heredocs,
        json,
    }
}

fn healthcheck_args(args: &Args) -> HealthcheckArgs<'_> {
    match args {
        Args::Healthcheck { kind, command } => HealthcheckArgs {
            kind: kind.as_ref(),
            command: match command {
                Some(Command::Exec(words)) => CommandForm::Exec(words),
                Some(Command::Shell(word)) => CommandForm::Shell(word),
                None => CommandForm::None,
            },
        },
        _ => HealthcheckArgs {
            kind: None,
            command: CommandForm::None,
        },
    }
}

/// Removes one level of shell-style quotes from a word of ADD, COPY, ARG or FROM, as
/// BuildKit's expansion does, without expanding variables.
pub fn unquote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    let mut quote: Option<char> = None;
    while let Some(ch) = chars.next() {
        match (quote, ch) {
            (None, '\'' | '"') => quote = Some(ch),
            (Some(open), _) if ch == open => quote = None,
            (None, '\\') | (Some('"'), '\\') => {
                if let Some(next) = chars.next() {
                    if quote.is_some() && !matches!(next, '"' | '$' | '\\') {
                        out.push('\\');
                    }
                    out.push(next);
                }
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Returns the span of a word without its surrounding quotes, for edits that keep them.
pub fn inner_span(word: &Word) -> Span {
    let quoted = word.value.len() >= 2
        && (word.value.starts_with('"') && word.value.ends_with('"')
            || word.value.starts_with('\'') && word.value.ends_with('\''));
    if quoted && word.span.len() == word.value.len() {
        Span::new(word.span.start + 1, word.span.end - 1)
    } else {
        word.span
    }
}
