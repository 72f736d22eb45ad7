//! A real container engine for the tests: checks `docker info`, builds the busybox base image
//! and test images with the classic builder and with BuildKit (always `--network none`), and
//! saves them with `docker save`. Without an engine the tests skip, or fail when `CI=true`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{skip, temp_dir};

/// The base image every test image starts from.
pub const BASE_IMAGE: &str = "ballast-test/busybox";

/// Where Debian's `busybox-static` installs the static binary.
const BUSYBOX: &str = "/bin/busybox";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builder {
    /// `DOCKER_BUILDKIT=0`.
    Classic,
    /// `DOCKER_BUILDKIT=1`.
    BuildKit,
}

impl Builder {
    pub fn name(self) -> &'static str {
        match self {
            Builder::Classic => "classic",
            Builder::BuildKit => "buildkit",
        }
    }
}

pub struct Engine {
    /// A Docker client that can build with BuildKit, when one is found.
    buildkit_client: Option<String>,
    buildkit_problem: String,
}

/// Returns the engine, or `None` after printing why the test is skipped.
pub fn engine() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    match ENGINE.get_or_init(start) {
        Ok(engine) => Some(engine),
        Err(reason) => {
            skip(reason);
            None
        }
    }
}

fn start() -> Result<Engine, String> {
    let info = Command::new("docker").args(["info", "--format", "{{.ServerVersion}}"]).output();
    match info {
        Ok(output) if output.status.success() => {}
        Ok(output) => {
            return Err(format!(
                "no Docker engine: `docker info` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Err(error) => return Err(format!("no Docker engine: cannot run `docker`: {error}")),
    }
    if !Path::new(BUSYBOX).is_file() {
        return Err(format!("{BUSYBOX} is missing; install Debian's busybox-static"));
    }
    build_base()?;
    let (buildkit_client, buildkit_problem) = find_buildkit_client();
    Ok(Engine {
        buildkit_client,
        buildkit_problem,
    })
}

fn build_base() -> Result<(), String> {
    let context = temp_dir("base");
    std::fs::copy(BUSYBOX, context.join("busybox")).map_err(|error| error.to_string())?;
    std::fs::write(
        context.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n",
    )
    .map_err(|error| error.to_string())?;
    run_build("docker", Builder::Classic, &context, "Dockerfile", BASE_IMAGE)
}

/// The Docker 28 client wants the buildx plugin for BuildKit; Debian's 20.10 client at
/// /usr/bin/docker has BuildKit built in. The first client whose BuildKit build works wins.
fn find_buildkit_client() -> (Option<String>, String) {
    let context = temp_dir("buildkit-probe");
    std::fs::write(context.join("probe"), "probe\n").expect("the probe file is written");
    std::fs::write(context.join("Dockerfile"), "FROM scratch\nCOPY probe /probe\n")
        .expect("the probe Dockerfile is written");
    let mut problems = Vec::new();
    for client in ["docker", "/usr/bin/docker"] {
        match run_build(client, Builder::BuildKit, &context, "Dockerfile", "ballast-test/buildkit-probe") {
            Ok(()) => return (Some(client.to_owned()), String::new()),
            Err(error) => problems.push(format!("{client}: {}", error.lines().last().unwrap_or(""))),
        }
    }
    (
        None,
        format!(
            "no Docker client here builds with BuildKit (install buildx, or Debian's docker.io whose 20.10 client has BuildKit built in): {}",
            problems.join("; ")
        ),
    )
}

fn run_build(client: &str, builder: Builder, context: &Path, dockerfile: &str, tag: &str) -> Result<(), String> {
    let output = Command::new(client)
        .env("DOCKER_BUILDKIT", if builder == Builder::BuildKit { "1" } else { "0" })
        .args(["build", "--network", "none", "-q", "-f"])
        .arg(context.join(dockerfile))
        .args(["-t", tag])
        .arg(context)
        .output()
        .map_err(|error| format!("cannot run {client}: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{client} build ({}) of {tag} failed: {}",
            builder.name(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

impl Engine {
    /// Whether BuildKit builds work; prints the skip reason (or panics when `CI=true`) if not.
    pub fn has_buildkit(&self) -> bool {
        if self.buildkit_client.is_some() {
            return true;
        }
        skip(&self.buildkit_problem);
        false
    }

    /// Builds `dockerfile` in `context` and tags it.
    pub fn build(&self, builder: Builder, context: &Path, dockerfile: &str, tag: &str) -> Result<(), String> {
        let client = match builder {
            Builder::Classic => "docker",
            Builder::BuildKit => self
                .buildkit_client
                .as_deref()
                .ok_or_else(|| self.buildkit_problem.clone())?,
        };
        run_build(client, builder, context, dockerfile, tag)
    }

    /// Saves an image with `docker save` and returns the tar's path.
    pub fn save(&self, tag: &str, folder: &Path) -> PathBuf {
        let out = folder.join(format!("{}.tar", tag.replace(['/', ':'], "_")));
        let status = Command::new("docker")
            .args(["save", "-o"])
            .arg(&out)
            .arg(tag)
            .status()
            .expect("docker save runs");
        assert!(status.success(), "docker save {tag} failed");
        out
    }
}

/// Converts an archive with skopeo; returns false (after a skip message) without skopeo.
pub fn skopeo_copy(from: &str, to: &str, extra: &[&str]) -> bool {
    if !super::tool_works("skopeo", &["--version"]) {
        skip("skopeo is missing; install Debian's skopeo");
        return false;
    }
    let output = Command::new("skopeo")
        .arg("copy")
        .args(extra)
        .args([from, to])
        .output()
        .expect("skopeo runs");
    assert!(
        output.status.success(),
        "skopeo copy {from} {to} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    true
}
