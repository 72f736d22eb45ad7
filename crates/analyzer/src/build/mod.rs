//! Running the user's builder: a child process started with an argument vector (never through
//! a shell), its output streamed line by line as it arrives, and the built image's id read
//! from the file the builder writes with `--iidfile`.
//!
//! The build report that `ballast build` writes is defined here too, with where it is kept
//! ([`report_path`]) so that the language server can find it.

mod report;

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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

    /// Whether the builder stores its images in an engine that serves the Docker Engine API.
    pub fn has_engine(self) -> bool {
        matches!(
            self,
            BuilderKind::Docker | BuilderKind::Buildx | BuilderKind::Podman
        )
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
}
