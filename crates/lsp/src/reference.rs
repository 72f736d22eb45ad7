//! Reference text for the Dockerfile language: what each instruction, flag, mount option
//! and parser directive does, for completion and hover. Written from the Dockerfile
//! reference of Docker's documentation (Dockerfile frontend 1.x, BuildKit v0.20).

use ballast_parser::Keyword;

/// One instruction's documentation.
pub struct InstructionDoc {
    pub keyword: Keyword,
    pub summary: &'static str,
    /// The forms of the instruction, one a line.
    pub syntax: &'static str,
    /// The snippet completion inserts after the keyword.
    pub snippet: &'static str,
    pub flags: &'static [FlagDoc],
}

/// One flag of an instruction.
pub struct FlagDoc {
    /// The name without dashes.
    pub name: &'static str,
    /// The value's placeholder; `None` for a flag that takes no value.
    pub value: Option<&'static str>,
    pub summary: &'static str,
    /// Whether the flag may be given more than once.
    pub repeatable: bool,
    /// Values offered after `=`.
    pub values: &'static [&'static str],
}

const fn flag(name: &'static str, value: Option<&'static str>, summary: &'static str) -> FlagDoc {
    FlagDoc {
        name,
        value,
        summary,
        repeatable: false,
        values: &[],
    }
}

const BOOLEAN: &[&str] = &["true", "false"];

const FROM_FLAGS: &[FlagDoc] = &[FlagDoc {
    values: &[
        "$BUILDPLATFORM",
        "$TARGETPLATFORM",
        "linux/amd64",
        "linux/arm64",
        "linux/arm/v7",
    ],
    ..flag(
        "platform",
        Some("<platform>"),
        "The platform of the base image, such as `linux/amd64` or `$BUILDPLATFORM`.",
    )
}];

const RUN_FLAGS: &[FlagDoc] = &[
    FlagDoc {
        repeatable: true,
        values: &[
            "type=cache,target=",
            "type=bind,source=,target=",
            "type=secret,id=",
            "type=ssh",
            "type=tmpfs,target=",
        ],
        ..flag(
            "mount",
            Some("type=<type>,<option>=<value>"),
            "Mounts a file system for this command only: a `bind` mount of the build context or a stage, a `cache` that persists between builds, a `tmpfs`, a `secret` or an `ssh` agent socket. Nothing mounted ends up in the layer.",
        )
    },
    FlagDoc {
        values: &["default", "none", "host"],
        ..flag(
            "network",
            Some("<default|none|host>"),
            "The network the command runs in: `default`, `none` (no network access) or `host` (needs the `network.host` entitlement).",
        )
    },
    FlagDoc {
        values: &["sandbox", "insecure"],
        ..flag(
            "security",
            Some("<sandbox|insecure>"),
            "`insecure` runs the command without the sandbox, like a privileged container (needs the `security.insecure` entitlement); `sandbox` is the default.",
        )
    },
];

const COPY_FLAGS: &[FlagDoc] = &[
    flag(
        "from",
        Some("<stage|image|context>"),
        "Copies from a build stage, an image or a named build context instead of the build context.",
    ),
    flag(
        "chown",
        Some("<user>:<group>"),
        "The owner and group of the copied files. Names are looked up in the image's `/etc/passwd` and `/etc/group`.",
    ),
    FlagDoc {
        values: &["755", "644", "0755", "u+x"],
        ..flag(
            "chmod",
            Some("<mode>"),
            "The permissions of the copied files, in octal or symbolic notation.",
        )
    },
    FlagDoc {
        values: BOOLEAN,
        ..flag(
            "link",
            None,
            "Copies into a separate layer that does not depend on the layers below, so it stays cached when the base changes.",
        )
    },
    FlagDoc {
        values: BOOLEAN,
        ..flag(
            "parents",
            None,
            "Keeps the parent folders of each source below the destination.",
        )
    },
    FlagDoc {
        repeatable: true,
        ..flag(
            "exclude",
            Some("<pattern>"),
            "Leaves out files that match the pattern; may be given more than once.",
        )
    },
];

const ADD_FLAGS: &[FlagDoc] = &[
    flag(
        "chown",
        Some("<user>:<group>"),
        "The owner and group of the added files.",
    ),
    FlagDoc {
        values: &["755", "644", "0755", "u+x"],
        ..flag(
            "chmod",
            Some("<mode>"),
            "The permissions of the added files, in octal or symbolic notation.",
        )
    },
    FlagDoc {
        values: BOOLEAN,
        ..flag(
            "link",
            None,
            "Adds into a separate layer that does not depend on the layers below.",
        )
    },
    FlagDoc {
        values: &["sha256:"],
        ..flag(
            "checksum",
            Some("<hash>"),
            "The expected checksum of a remote source, such as `sha256:…`; the build fails on a mismatch.",
        )
    },
    FlagDoc {
        values: BOOLEAN,
        ..flag(
            "keep-git-dir",
            Some("<bool>"),
            "Keeps the `.git` folder when the source is a Git repository.",
        )
    },
    FlagDoc {
        repeatable: true,
        ..flag(
            "exclude",
            Some("<pattern>"),
            "Leaves out files that match the pattern; may be given more than once.",
        )
    },
    FlagDoc {
        values: BOOLEAN,
        ..flag(
            "unpack",
            Some("<bool>"),
            "Whether a local or remote tar archive is unpacked into the destination.",
        )
    },
];

const HEALTHCHECK_FLAGS: &[FlagDoc] = &[
    FlagDoc {
        values: &["30s", "1m"],
        ..flag(
            "interval",
            Some("<duration>"),
            "The time between checks (default 30s).",
        )
    },
    FlagDoc {
        values: &["30s", "5s"],
        ..flag(
            "timeout",
            Some("<duration>"),
            "How long one check may take before it counts as failed (default 30s).",
        )
    },
    FlagDoc {
        values: &["0s", "10s"],
        ..flag(
            "start-period",
            Some("<duration>"),
            "Time the container gets to start; failures in it do not count (default 0s).",
        )
    },
    FlagDoc {
        values: &["5s"],
        ..flag(
            "start-interval",
            Some("<duration>"),
            "The time between checks during the start period (default 5s).",
        )
    },
    FlagDoc {
        values: &["3"],
        ..flag(
            "retries",
            Some("<number>"),
            "Consecutive failures that make the container unhealthy (default 3).",
        )
    },
];

pub const INSTRUCTIONS: &[InstructionDoc] = &[
    InstructionDoc {
        keyword: Keyword::From,
        summary: "Starts a build stage from a base image, or from an earlier stage by its name. `AS name` names the stage for `COPY --from`, `RUN --mount=from=` and later `FROM` lines.",
        syntax: "FROM [--platform=<platform>] <image>[:<tag>|@<digest>] [AS <name>]",
        snippet: "${1:image}:${2:tag} AS ${3:name}",
        flags: FROM_FLAGS,
    },
    InstructionDoc {
        keyword: Keyword::Run,
        summary: "Runs a command in a new layer on top of the current image. The shell form runs through the stage's `SHELL` (`/bin/sh -c` by default); the exec form runs the program directly.",
        syntax: "RUN [--mount=…] [--network=…] [--security=…] <command>\nRUN [\"executable\", \"arg\", …]\nRUN <<EOF\n…\nEOF",
        snippet: "${1:command}",
        flags: RUN_FLAGS,
    },
    InstructionDoc {
        keyword: Keyword::Cmd,
        summary: "The default command of a container, or the default arguments of the `ENTRYPOINT`. Only the last CMD of a stage counts.",
        syntax: "CMD [\"executable\", \"arg\", …]\nCMD [\"arg\", …]\nCMD <command>",
        snippet: "[\"${1:executable}\"]",
        flags: &[],
    },
    InstructionDoc {
        keyword: Keyword::Label,
        summary: "Adds metadata to the image as key-value pairs.",
        syntax: "LABEL <key>=<value> [<key>=<value> …]",
        snippet: "${1:key}=\"${2:value}\"",
        flags: &[],
    },
    InstructionDoc {
        keyword: Keyword::Maintainer,
        summary: "Deprecated: sets the author field of the image. Use `LABEL org.opencontainers.image.authors=…` instead.",
        syntax: "MAINTAINER <name>",
        snippet: "${1:name}",
        flags: &[],
    },
    InstructionDoc {
        keyword: Keyword::Expose,
        summary: "Documents the ports the container listens on. It publishes nothing; `docker run -p` does.",
        syntax: "EXPOSE <port>[/<protocol>] …",
        snippet: "${1:80}",
        flags: &[],
    },
    InstructionDoc {
        keyword: Keyword::Env,
        summary: "Sets environment variables for the rest of the stage, for stages built on it, and for containers of the image.",
        syntax: "ENV <key>=<value> [<key>=<value> …]",
        snippet: "${1:NAME}=${2:value}",
        flags: &[],
    },
    InstructionDoc {
        keyword: Keyword::Add,
        summary: "Copies files, URLs or Git repositories into the image, and unpacks local tar archives. Prefer `COPY` for plain files.",
        syntax: "ADD [--chown=…] [--chmod=…] [--link] [--checksum=…] [--keep-git-dir] [--exclude=…] <src> … <dest>\nADD [\"<src>\", … \"<dest>\"]",
        snippet: "${1:source} ${2:destination}",
        flags: ADD_FLAGS,
    },
    InstructionDoc {
        keyword: Keyword::Copy,
        summary: "Copies files from the build context, a stage or an image into the image.",
        syntax: "COPY [--from=…] [--chown=…] [--chmod=…] [--link] [--parents] [--exclude=…] <src> … <dest>\nCOPY [\"<src>\", … \"<dest>\"]",
        snippet: "${1:source} ${2:destination}",
        flags: COPY_FLAGS,
    },
    InstructionDoc {
        keyword: Keyword::Entrypoint,
        summary: "The program a container runs. `CMD` supplies its default arguments. Use the exec form so the program receives signals.",
        syntax: "ENTRYPOINT [\"executable\", \"arg\", …]\nENTRYPOINT <command>",
        snippet: "[\"${1:executable}\"]",
        flags: &[],
    },
    InstructionDoc {
        keyword: Keyword::Volume,
        summary: "Declares mount points for volumes. Changes to these paths by later instructions are discarded.",
        syntax: "VOLUME [\"/path\", …]\nVOLUME /path …",
        snippet: "${1:/data}",
        flags: &[],
    },
    InstructionDoc {
        keyword: Keyword::User,
        summary: "The user (and group) for the rest of the stage and for containers of the image.",
        syntax: "USER <user>[:<group>]\nUSER <uid>[:<gid>]",
        snippet: "${1:user}",
        flags: &[],
    },
    InstructionDoc {
        keyword: Keyword::Workdir,
        summary: "The working folder for the instructions after it and for containers; created when missing. Use an absolute path.",
        syntax: "WORKDIR <path>",
        snippet: "${1:/app}",
        flags: &[],
    },
    InstructionDoc {
        keyword: Keyword::Arg,
        summary: "Declares a build argument, set with `--build-arg`. Before the first `FROM` it is visible to `FROM` lines only; inside a stage, from the line after it to the end of the stage.",
        syntax: "ARG <name>[=<default>] …",
        snippet: "${1:NAME}",
        flags: &[],
    },
    InstructionDoc {
        keyword: Keyword::Onbuild,
        summary: "Adds an instruction that runs when another build uses this image as its base.",
        syntax: "ONBUILD <instruction>",
        snippet: "${1:instruction}",
        flags: &[],
    },
    InstructionDoc {
        keyword: Keyword::Stopsignal,
        summary: "The signal sent to the container's main process to stop it (default `SIGTERM`).",
        syntax: "STOPSIGNAL <signal>",
        snippet: "${1:SIGTERM}",
        flags: &[],
    },
    InstructionDoc {
        keyword: Keyword::Healthcheck,
        summary: "How to test that a container still works, or `NONE` to turn off a check inherited from the base image.",
        syntax: "HEALTHCHECK [--interval=…] [--timeout=…] [--start-period=…] [--start-interval=…] [--retries=…] CMD <command>\nHEALTHCHECK NONE",
        snippet: "CMD ${1:command}",
        flags: HEALTHCHECK_FLAGS,
    },
    InstructionDoc {
        keyword: Keyword::Shell,
        summary: "The shell that runs the shell form of `RUN`, `CMD` and `ENTRYPOINT` (default `[\"/bin/sh\", \"-c\"]`).",
        syntax: "SHELL [\"executable\", \"parameters\"]",
        snippet: "[\"${1:/bin/bash}\", \"-c\"]",
        flags: &[],
    },
];

pub fn instruction(keyword: Keyword) -> Option<&'static InstructionDoc> {
    INSTRUCTIONS.iter().find(|doc| doc.keyword == keyword)
}

pub fn flag_doc(keyword: Keyword, name: &str) -> Option<&'static FlagDoc> {
    instruction(keyword)?
        .flags
        .iter()
        .find(|flag| flag.name == name)
}

/// Returns the page of the Dockerfile reference about `keyword`.
pub fn docs_url(keyword: Keyword) -> String {
    format!(
        "https://docs.docker.com/reference/dockerfile/#{}",
        keyword.as_str().to_ascii_lowercase()
    )
}

/// A `--mount` type and the options it accepts.
pub struct MountTypeDoc {
    pub name: &'static str,
    pub summary: &'static str,
    pub options: &'static [&'static str],
}

pub const MOUNT_TYPES: &[MountTypeDoc] = &[
    MountTypeDoc {
        name: "bind",
        summary: "Mounts a folder of the build context, a stage or an image, read-only unless `rw` is set (the default type).",
        options: &["target", "source", "from", "readwrite"],
    },
    MountTypeDoc {
        name: "cache",
        summary: "A folder that persists between builds, for package manager and compiler caches.",
        options: &[
            "id", "target", "readonly", "sharing", "from", "source", "mode", "uid", "gid",
        ],
    },
    MountTypeDoc {
        name: "tmpfs",
        summary: "An empty in-memory file system.",
        options: &["target", "size"],
    },
    MountTypeDoc {
        name: "secret",
        summary: "A secret passed with `--secret`, as a file (by default `/run/secrets/<id>`) or an environment variable.",
        options: &["id", "target", "env", "required", "mode", "uid", "gid"],
    },
    MountTypeDoc {
        name: "ssh",
        summary: "The SSH agent socket passed with `--ssh`, for cloning private repositories.",
        options: &["id", "target", "required", "mode", "uid", "gid"],
    },
];

/// `--mount` options: name, values offered, and what the option sets.
pub const MOUNT_OPTIONS: &[(&str, &[&str], &str)] = &[
    (
        "type",
        &["bind", "cache", "tmpfs", "secret", "ssh"],
        "The kind of mount (default `bind`).",
    ),
    (
        "target",
        &[],
        "Where the mount appears in the container (also `dst`, `destination`).",
    ),
    (
        "source",
        &[],
        "The path inside `from` to mount (also `src`); default the root.",
    ),
    (
        "from",
        &[],
        "The stage, image or build context to mount from; default the build context, or an empty folder for `cache`.",
    ),
    (
        "readwrite",
        &[],
        "Allows writes to a `bind` mount; they are discarded after the command (also `rw`).",
    ),
    (
        "readonly",
        &[],
        "Makes a `cache` mount read-only (also `ro`).",
    ),
    (
        "id",
        &[],
        "The cache, secret or SSH id; for `cache` the default is the target.",
    ),
    (
        "sharing",
        &["shared", "private", "locked"],
        "How concurrent builds share a `cache`: `shared` (default), `private` or `locked`.",
    ),
    (
        "mode",
        &["0755", "0600"],
        "The file mode of the mount in octal.",
    ),
    ("uid", &["0"], "The user id that owns the mount."),
    ("gid", &["0"], "The group id that owns the mount."),
    ("size", &["64m"], "The size limit of a `tmpfs` mount."),
    (
        "env",
        &[],
        "Also exposes a `secret` as this environment variable.",
    ),
    (
        "required",
        &["true", "false"],
        "Fails the build when the `secret` or `ssh` socket is not given.",
    ),
];

/// Returns the canonical name of a `--mount` option alias.
pub fn canonical_mount_option(key: &str) -> &str {
    match key {
        "dst" | "destination" => "target",
        "src" => "source",
        "rw" => "readwrite",
        "ro" => "readonly",
        other => other,
    }
}

/// Parser directives: name, values offered, and what the directive does.
pub const DIRECTIVES: &[(&str, &[&str], &str)] = &[
    (
        "syntax",
        &["docker/dockerfile:1", "docker/dockerfile:1-labs"],
        "The Dockerfile frontend image BuildKit uses to build this file. `docker/dockerfile:1` follows the latest stable 1.x release.",
    ),
    (
        "escape",
        &["\\", "`"],
        "The escape character of the file: `\\` (default) or `` ` ``, which suits Windows paths.",
    ),
    (
        "check",
        &["skip=", "error=true", "skip=all"],
        "Configures BuildKit's build checks: `skip=` lists checks to turn off (or `all`), `error=true` fails the build on a finding.",
    ),
];

/// The build checks of BuildKit v0.20, by name, for `# check=skip=`.
pub const BUILD_CHECKS: &[&str] = &[
    "ConsistentInstructionCasing",
    "CopyIgnoredFile",
    "DuplicateStageName",
    "ExposeInvalidFormat",
    "ExposeProtoCasing",
    "FromAsCasing",
    "FromPlatformFlagConstDisallowed",
    "InvalidBaseImagePlatform",
    "InvalidDefaultArgInFrom",
    "InvalidDefinitionDescription",
    "JSONArgsRecommended",
    "LegacyKeyValueFormat",
    "MaintainerDeprecated",
    "MultipleInstructionsDisallowed",
    "NoEmptyContinuation",
    "RedundantTargetPlatform",
    "ReservedStageName",
    "SecretsUsedInArgOrEnv",
    "StageNameCasing",
    "UndefinedArgInFrom",
    "UndefinedVar",
    "WorkdirRelativePath",
];

/// Well-known base images with tags worth offering, slim and minimal variants first.
///
/// NOTE: a static list, since completion makes no network request; the tags are those
/// current in 2025 and need updating as new releases come out.
pub const BASE_IMAGES: &[(&str, &[&str])] = &[
    ("alpine", &["3.21", "3.20", "latest"]),
    (
        "debian",
        &["bookworm-slim", "trixie-slim", "bookworm", "trixie"],
    ),
    ("ubuntu", &["24.04", "22.04", "noble", "jammy"]),
    (
        "python",
        &["3.13-slim", "3.12-slim", "3.13-alpine", "3.13", "3.12"],
    ),
    (
        "node",
        &["22-slim", "22-alpine", "lts-slim", "22", "20-slim"],
    ),
    ("golang", &["1.24-alpine", "1.24", "1.23-alpine", "1.23"]),
    ("rust", &["1-slim", "1-alpine", "1"]),
    (
        "eclipse-temurin",
        &["21-jre-alpine", "21-jre", "21-jdk", "17-jre"],
    ),
    ("ruby", &["3.4-slim", "3.4-alpine", "3.4"]),
    ("php", &["8.4-fpm-alpine", "8.4-cli-alpine", "8.4-apache"]),
    ("nginx", &["stable-alpine", "alpine", "stable"]),
    ("httpd", &["alpine", "2.4"]),
    ("redis", &["7-alpine", "7"]),
    ("postgres", &["17-alpine", "17", "16-alpine"]),
    ("busybox", &["stable", "musl", "glibc"]),
    ("scratch", &[]),
    ("gcr.io/distroless/static-debian12", &["nonroot", "latest"]),
    ("gcr.io/distroless/base-debian12", &["nonroot", "latest"]),
    ("gcr.io/distroless/cc-debian12", &["nonroot", "latest"]),
    (
        "mcr.microsoft.com/dotnet/runtime",
        &["8.0-alpine", "8.0", "9.0"],
    ),
    (
        "mcr.microsoft.com/dotnet/aspnet",
        &["8.0-alpine", "8.0", "9.0"],
    ),
    ("mcr.microsoft.com/dotnet/sdk", &["8.0", "9.0"]),
];
