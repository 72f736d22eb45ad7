//! Typed arguments: each instruction's words sorted into the parts its keyword gives them.

use ballast_parser::{Args, Command, Flag, Heredoc, Instruction, KeyValue, Keyword, Span, Word};

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

/// One name of an `ARG` instruction.
#[derive(Clone, Debug)]
pub struct ArgDecl<'a> {
    pub word: &'a Word,
    pub name: &'a str,
    /// The default value as written (quotes kept), or `None` for `ARG name`.
    pub default: Option<&'a str>,
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

/// The type of a `RUN --mount`.
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

/// One `RUN --mount=type=…,target=…` flag, split into its options.
#[derive(Clone, Debug)]
pub struct Mount<'a> {
    pub flag: &'a Flag,
    pub kind: MountKind,
    /// `target`, `dst` or `destination`.
    pub target: Option<String>,
    /// `source` or `src`.
    pub source: Option<String>,
    pub from: Option<String>,
    /// Every `key[=value]` option in order, keys in lower case.
    pub options: Vec<(String, Option<String>)>,
}

impl Mount<'_> {
    fn target_contains(&self, path: &str) -> bool {
        self.target
            .as_deref()
            .is_some_and(|target| target.contains(path))
    }

    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(name, _)| name == key)
            .and_then(|(_, value)| value.as_deref())
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
            Keyword::Arg => Typed::Arg(words.iter().map(arg_decl).collect()),
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
    let words = instruction.args.words();
    let name = match words {
        [_, as_word, name, ..] if as_word.value.eq_ignore_ascii_case("as") => Some(name),
        _ => None,
    };
    FromArgs {
        image: words.first(),
        name,
        platform: instruction.flag("platform"),
    }
}

fn arg_decl(word: &Word) -> ArgDecl<'_> {
    match word.value.split_once('=') {
        Some((name, default)) => ArgDecl {
            word,
            name,
            default: Some(default),
        },
        None => ArgDecl {
            word,
            name: &word.value,
            default: None,
        },
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
        mounts: instruction.flags_named("mount").map(parse_mount).collect(),
        network: instruction
            .flag("network")
            .and_then(|flag| flag.value.as_deref()),
        security: instruction
            .flag("security")
            .and_then(|flag| flag.value.as_deref()),
        heredocs: &instruction.heredocs,
    }
}

/// Splits a `--mount` value into its comma-separated options, as BuildKit's CSV reader
/// does: a field in double quotes may contain commas.
fn parse_mount(flag: &Flag) -> Mount<'_> {
    let value = flag.value.as_deref().unwrap_or("");
    let mut options = Vec::new();
    for field in split_csv(value) {
        let field = field.trim();
        if field.is_empty() {
            continue;
        }
        match field.split_once('=') {
            Some((key, value)) => {
                options.push((key.trim().to_ascii_lowercase(), Some(value.to_string())))
            }
            None => options.push((field.to_ascii_lowercase(), None)),
        }
    }

    let lookup = |keys: &[&str]| {
        options
            .iter()
            .find(|(key, _)| keys.contains(&key.as_str()))
            .and_then(|(_, value)| value.clone())
    };
    // BuildKit's default mount type is `bind`.
    let kind = match lookup(&["type"])
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("bind") => MountKind::Bind,
        Some("cache") => MountKind::Cache,
        Some("tmpfs") => MountKind::Tmpfs,
        Some("secret") => MountKind::Secret,
        Some("ssh") => MountKind::Ssh,
        Some(_) => MountKind::Other,
    };
    Mount {
        flag,
        kind,
        target: lookup(&["target", "dst", "destination"]),
        source: lookup(&["source", "src"]),
        from: lookup(&["from"]),
        options,
    }
}

fn split_csv(text: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    for ch in text.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            _ => field.push(ch),
        }
    }
    fields.push(field);
    fields
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
