//! Running the user's builder: a child process started with an argument vector (never through
//! a shell), its output streamed line by line as it arrives, and the built image's id read
//! from the file the builder writes with `--iidfile`.
//!
//! The build report that `ballast build` writes is defined here too, with where it is kept
//! ([`report_path`]) so that the language server can find it.

mod report;

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};

pub use report::{
    BuildInfo, BuildReport, REPORT_SCHEMA_VERSION, ReportFinding, ReportLabel, load_report,
    report_path, reports_folder,
};

/// A program that builds images from a Dockerfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BuilderKind {
    /// `docker build`: the classic builder or BuildKit, as the client and `DOCKER_BUILDKIT`
    /// choose.
    Docker,
    /// `docker buildx build --load`.
    Buildx,
    /// `podman build`.
    Podman,
    /// `buildah bud`.
    Buildah,
}

impl BuilderKind {
    /// The order in which `first_available` tries the builders.
    pub const ALL: [BuilderKind; 4] = [
        BuilderKind::Docker,
        BuilderKind::Buildx,
        BuilderKind::Podman,
        BuilderKind::Buildah,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BuilderKind::Docker => "docker",
            BuilderKind::Buildx => "buildx",
            BuilderKind::Podman => "podman",
            BuilderKind::Buildah => "buildah",
        }
    }

    /// The program that runs the builder.
    pub fn program(self) -> &'static str {
        match self {
            BuilderKind::Docker | BuilderKind::Buildx => "docker",
            BuilderKind::Podman => "podman",
            BuilderKind::Buildah => "buildah",
        }
    }

    /// The arguments before the build options.
    fn build_words(self) -> &'static [&'static str] {
        match self {
            BuilderKind::Docker | BuilderKind::Podman => &["build"],
            // NOTE: `--load` needs a Docker engine to load into. A buildx builder without one
            // would need `--output type=oci,dest=-` read while the build runs; buildx is not
            // packaged in Debian 12, so that path could not be tested and is not offered.
            BuilderKind::Buildx => &["buildx", "build", "--load"],
            BuilderKind::Buildah => &["bud"],
        }
    }

    /// The arguments of a command that succeeds when the builder can build: for Docker, the
    /// engine must answer; for buildx, the plugin must be installed.
    fn probe_words(self) -> &'static [&'static str] {
        match self {
            BuilderKind::Docker => &["version", "--format", "{{.Server.Version}}"],
            BuilderKind::Buildx => &["buildx", "version"],
            BuilderKind::Podman => &["version"],
            BuilderKind::Buildah => &["version"],
        }
    }

    /// Whether the builder stores its images in an engine that serves the Docker Engine API:
    /// docker's engine, into which `buildx build --load` loads too. podman and buildah keep
    /// theirs in containers/storage, read through [`ImageExport`].
    pub fn has_engine(self) -> bool {
        matches!(self, BuilderKind::Docker | BuilderKind::Buildx)
    }

    /// Returns the arguments that write image `id` as a tar to standard output, for builders
    /// without an engine. `global` are the storage options given to the build, which the
    /// export needs to find the same storage.
    fn export_words(self, id: &str, global: &[OsString]) -> Option<Vec<OsString>> {
        let mut words: Vec<OsString> = match self {
            BuilderKind::Docker | BuilderKind::Buildx => return None,
            // `podman save` writes to standard output when it is not a terminal.
            BuilderKind::Podman => ["save", "--quiet", "--format", "oci-archive"]
                .iter()
                .map(OsString::from)
                .collect(),
            // buildah 1.28 resolves an `oci-archive:` destination with lstat, which fails on
            // `/dev/stdout` when that is a pipe; its `docker-archive:` transport writes
            // straight to the pipe, so the image streams without a temporary file or folder.
            BuilderKind::Buildah => vec!["push".into(), "--quiet".into()],
        };
        words.extend(global.iter().cloned());
        match self {
            BuilderKind::Buildah => {
                words.push(id.into());
                words.push("docker-archive:/dev/stdout".into());
            }
            _ => words.push(id.into()),
        }
        Some(words)
    }

    /// Returns whether the builder's probe command succeeds.
    pub fn is_available(self) -> bool {
        Command::new(self.program())
            .args(self.probe_words())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    /// Returns the first builder that works, in the order docker, buildx, podman, buildah.
    pub fn first_available() -> Option<BuilderKind> {
        BuilderKind::ALL
            .into_iter()
            .find(|kind| kind.is_available())
    }
}

/// What to build and how.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    pub builder: BuilderKind,
    /// The build context folder.
    pub context: PathBuf,
    /// The Dockerfile; the builder's default (`CONTEXT/Dockerfile`) when `None`.
    pub dockerfile: Option<PathBuf>,
    pub tags: Vec<String>,
    pub target: Option<String>,
    /// `NAME=VALUE` or `NAME` (the value then comes from the environment).
    pub build_args: Vec<String>,
    pub platform: Option<String>,
    pub network: Option<String>,
    pub no_cache: bool,
    /// Arguments passed to the builder unchanged, after ballast's own.
    pub extra_args: Vec<OsString>,
}

impl BuildRequest {
    /// Returns the builder's argument vector (without the program), writing the image id to
    /// `iidfile`.
    pub fn arguments(&self, iidfile: &Path) -> Vec<OsString> {
        let mut words: Vec<OsString> = self
            .builder
            .build_words()
            .iter()
            .map(OsString::from)
            .collect();
        let mut push = |flag: &str, value: &dyn AsRef<std::ffi::OsStr>| {
            words.push(flag.into());
            words.push(value.as_ref().to_owned());
        };
        if let Some(dockerfile) = &self.dockerfile {
            push("--file", dockerfile);
        }
        for tag in &self.tags {
            push("--tag", tag);
        }
        if let Some(target) = &self.target {
            push("--target", target);
        }
        for build_arg in &self.build_args {
            push("--build-arg", build_arg);
        }
        if let Some(platform) = &self.platform {
            push("--platform", platform);
        }
        if let Some(network) = &self.network {
            push("--network", network);
        }
        push("--iidfile", &iidfile);
        if self.no_cache {
            words.push("--no-cache".into());
        }
        words.extend(self.extra_args.iter().cloned());
        words.push(self.context.as_os_str().to_owned());
        words
    }

    /// Returns the build arguments the builder receives, by name: those of `build_args`,
    /// then the `--build-arg` options among `extra_args`, a later value replacing an
    /// earlier one. A `NAME` without `=` takes `env(NAME)`, because the docker and podman
    /// clients read it from their environment, and is left out when that is unset.
    pub fn build_arg_values(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> HashMap<String, String> {
        let mut extra = Vec::new();
        let mut words = self.extra_args.iter().map(|word| word.to_string_lossy());
        while let Some(word) = words.next() {
            if word == "--build-arg" {
                extra.extend(words.next().map(|value| value.into_owned()));
            } else if let Some(value) = word.strip_prefix("--build-arg=") {
                extra.push(value.to_owned());
            }
        }

        let mut values = HashMap::new();
        for build_arg in self.build_args.iter().chain(&extra) {
            match build_arg.split_once('=') {
                Some((name, value)) => {
                    values.insert(name.to_owned(), value.to_owned());
                }
                None => {
                    if let Some(value) = env(build_arg) {
                        values.insert(build_arg.clone(), value);
                    }
                }
            }
        }
        values
    }
}

/// The options of podman and buildah that choose the image storage, with their values. They
/// are global options, accepted after the subcommand too.
const STORAGE_OPTIONS: [&str; 4] = ["--root", "--runroot", "--storage-driver", "--storage-opt"];

/// Returns the storage options among `args`, in the `--name value` and `--name=value` forms.
fn storage_options(args: &[OsString]) -> Vec<OsString> {
    let mut found = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let text = word.to_string_lossy();
        if STORAGE_OPTIONS.contains(&text.as_ref()) {
            found.push(word.clone());
            if let Some(value) = words.next() {
                found.push(value.clone());
            }
        } else if STORAGE_OPTIONS
            .iter()
            .any(|option| text.starts_with(&format!("{option}=")))
        {
            found.push(word.clone());
        }
    }
    found
}

/// The built image as a tar, read from the standard output of the builder's export command
/// (`podman save`, `buildah push`) as the command writes it.
pub struct ImageExport {
    command: String,
    child: Child,
    stdout: ChildStdout,
    stderr: Option<std::thread::JoinHandle<String>>,
    /// Whether [`ImageExport::finish`] waited for the command.
    waited: bool,
}

impl ImageExport {
    /// Starts the export of `image_id` for `request`'s builder. `None` for builders whose
    /// images the Docker Engine API serves.
    pub fn start(
        request: &BuildRequest,
        image_id: &str,
    ) -> Option<Result<ImageExport, BuildError>> {
        let program = request.builder.program();
        let words = request
            .builder
            .export_words(image_id, &storage_options(&request.extra_args))?;
        let command = std::iter::once(program.to_owned())
            .chain(words.iter().map(|word| word.to_string_lossy().into_owned()))
            .collect::<Vec<_>>()
            .join(" ");
        let spawned = Command::new(program)
            .args(&words)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(source) => {
                return Some(Err(BuildError::Spawn {
                    program: program.to_owned(),
                    source,
                }));
            }
        };
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().map(|mut stderr| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = stderr.read_to_string(&mut text);
                text
            })
        });
        Some(Ok(ImageExport {
            command,
            child,
            stdout,
            stderr,
            waited: false,
        }))
    }

    /// Reads what is left of the tar and waits for the command. Returns its last line of
    /// standard error when it failed, since the tar read may then be incomplete.
    pub fn finish(mut self) -> Result<(), String> {
        let _ = std::io::copy(&mut self.stdout, &mut std::io::sink());
        let status = self
            .child
            .wait()
            .map_err(|error| format!("cannot wait for `{}`: {error}", self.command))?;
        self.waited = true;
        let stderr = self
            .stderr
            .take()
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        if status.success() {
            return Ok(());
        }
        let last = stderr
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("");
        Err(format!("`{}` failed ({status}): {last}", self.command))
    }
}

impl Drop for ImageExport {
    /// Ends an export that was not finished, such as after a read error, so that no process
    /// is left behind.
    fn drop(&mut self) {
        if !self.waited {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Read for ImageExport {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        self.stdout.read(buffer)
    }
}

/// How a build ended.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    /// The builder's exit status; `None` when a signal ended it.
    pub exit_code: Option<i32>,
    /// The built image's id (`sha256:…`), when the build succeeded and wrote it.
    pub image_id: Option<String>,
    /// Every line the builder printed, standard output and standard error interleaved in the
    /// order they arrived.
    pub log: Vec<String>,
}

impl BuildOutcome {
    pub fn succeeded(&self) -> bool {
        self.exit_code == Some(0) && self.image_id.is_some()
    }

    /// Returns the last `count` lines of the log.
    pub fn last_lines(&self, count: usize) -> &[String] {
        &self.log[self.log.len().saturating_sub(count)..]
    }
}

/// Why the builder could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot start `{program}`: {source}; install it or choose another with --builder")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("cannot wait for `{program}`: {source}")]
    Wait {
        program: String,
        source: std::io::Error,
    },
}

/// Runs the build, calling `on_line` with each line of the builder's output as it arrives.
pub fn run(
    request: &BuildRequest,
    on_line: &mut dyn FnMut(&str),
) -> Result<BuildOutcome, BuildError> {
    let iidfile = iidfile_path();
    let _ = std::fs::remove_file(&iidfile);
    let program = request.builder.program();
    let mut child = Command::new(program)
        .args(request.arguments(&iidfile))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| BuildError::Spawn {
            program: program.to_owned(),
            source,
        })?;

    let (sender, receiver) = mpsc::channel::<String>();
    let mut readers = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        readers.push(forward_lines(stdout, sender.clone()));
    }
    if let Some(stderr) = child.stderr.take() {
        readers.push(forward_lines(stderr, sender.clone()));
    }
    drop(sender);

    let mut log = Vec::new();
    for line in receiver {
        on_line(&line);
        log.push(line);
    }
    for reader in readers {
        let _ = reader.join();
    }
    let status = child.wait().map_err(|source| BuildError::Wait {
        program: program.to_owned(),
        source,
    })?;

    let image_id = std::fs::read_to_string(&iidfile)
        .ok()
        .map(|text| text.trim().to_owned())
        .filter(|id| !id.is_empty());
    let _ = std::fs::remove_file(&iidfile);
    Ok(BuildOutcome {
        exit_code: status.code(),
        image_id: if status.success() { image_id } else { None },
        log,
    })
}

/// A fresh path in the system's temporary folder for the builder's image id.
fn iidfile_path() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("ballast-iid-{}-{unique}", std::process::id()))
}

/// Reads `stream` line by line on its own thread and sends each line. Invalid UTF-8 is
/// replaced, and carriage returns (progress redraws) end a line too.
fn forward_lines(
    stream: impl Read + Send + 'static,
    sender: mpsc::Sender<String>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&buffer);
            for part in text.trim_end_matches(['\n', '\r']).split('\r') {
                if !part.is_empty() && sender.send(part.to_owned()).is_err() {
                    return;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_arguments_in_order() {
        let request = BuildRequest {
            builder: BuilderKind::Docker,
            context: PathBuf::from("ctx"),
            dockerfile: Some(PathBuf::from("ctx/Dockerfile.dev")),
            tags: vec!["app:1".to_owned()],
            target: Some("final".to_owned()),
            build_args: vec!["A=1".to_owned()],
            platform: None,
            network: Some("none".to_owned()),
            no_cache: true,
            extra_args: vec![OsString::from("--pull=false")],
        };
        let words: Vec<String> = request
            .arguments(Path::new("/tmp/iid"))
            .into_iter()
            .map(|word| word.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            words,
            [
                "build",
                "--file",
                "ctx/Dockerfile.dev",
                "--tag",
                "app:1",
                "--target",
                "final",
                "--build-arg",
                "A=1",
                "--network",
                "none",
                "--iidfile",
                "/tmp/iid",
                "--no-cache",
                "--pull=false",
                "ctx"
            ]
        );
    }

    #[test]
    fn storage_options_reach_the_export() {
        let args: Vec<OsString> = [
            "--isolation",
            "oci",
            "--root",
            "/r",
            "--runroot=/rr",
            "--layers",
            "--storage-driver",
            "vfs",
        ]
        .iter()
        .map(OsString::from)
        .collect();
        let global = storage_options(&args);
        assert_eq!(
            global,
            ["--root", "/r", "--runroot=/rr", "--storage-driver", "vfs"]
        );
        let words = BuilderKind::Buildah
            .export_words("sha256:abc", &global)
            .unwrap();
        assert_eq!(words[..2], ["push", "--quiet"]);
        assert_eq!(
            words[words.len() - 2..],
            ["sha256:abc", "docker-archive:/dev/stdout"]
        );
        let words = BuilderKind::Podman
            .export_words("sha256:abc", &global)
            .unwrap();
        assert_eq!(words.last().unwrap(), "sha256:abc");
        assert!(
            BuilderKind::Docker
                .export_words("sha256:abc", &global)
                .is_none()
        );
    }

    #[test]
    fn buildx_loads_into_the_engine() {
        let request = BuildRequest {
            builder: BuilderKind::Buildx,
            context: PathBuf::from("."),
            dockerfile: None,
            tags: Vec::new(),
            target: None,
            build_args: Vec::new(),
            platform: Some("linux/amd64".to_owned()),
            network: None,
            no_cache: false,
            extra_args: Vec::new(),
        };
        let words = request.arguments(Path::new("iid"));
        assert_eq!(words[..3], ["buildx", "build", "--load"]);
    }

    #[test]
    fn build_arg_values_follow_the_builder() {
        let request = BuildRequest {
            builder: BuilderKind::Docker,
            context: PathBuf::from("."),
            dockerfile: None,
            tags: Vec::new(),
            target: None,
            build_args: ["BASE=deps", "EMPTY=", "FROM_ENV", "UNSET", "EQ=a=b"]
                .map(String::from)
                .to_vec(),
            platform: None,
            network: None,
            no_cache: false,
            extra_args: ["--build-arg", "BASE=unrelated", "--label", "x", "--build-arg=TAG=2"]
                .map(OsString::from)
                .to_vec(),
        };
        let env = |name: &str| (name == "FROM_ENV").then(|| "env value".to_owned());
        let values = request.build_arg_values(&env);

        let value = |name: &str| values.get(name).map(String::as_str);
        assert_eq!(value("BASE"), Some("unrelated"), "a later --build-arg wins");
        assert_eq!(value("EMPTY"), Some(""));
        assert_eq!(value("FROM_ENV"), Some("env value"));
        assert_eq!(value("UNSET"), None, "a name without a value or variable is left out");
        assert_eq!(value("EQ"), Some("a=b"));
        assert_eq!(value("TAG"), Some("2"));
        assert_eq!(values.len(), 5);
    }
}
