//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit` tool (from
//! PyPI; `./test.sh` installs it into `.venv` and sets `BALLAST_PRE_COMMIT`).
//!
//! The fail-then-pass check uses the `ballast-lint-system` hook with the binary Cargo built
//! for these tests on `PATH`. The `ballast-lint` hook (`language: rust`) makes pre-commit run
//! `cargo install` of this repository, a full release build that takes several minutes. By
//! default that hook is only checked with `pre-commit validate-manifest`, and
//! `BALLAST_PRE_COMMIT_RUST=1` runs it end to end too.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{TempDir, skip, temp_dir};

const BAD_DOCKERFILE: &str = "FROM debian\nRUN apt-get update && apt-get install -y curl\n";
const GOOD_DOCKERFILE: &str = "FROM alpine:3.20\nCMD [\"true\"]\n";

fn repository_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Finds `pre-commit`: `BALLAST_PRE_COMMIT`, else the repository's `.venv`, else `PATH`.
fn pre_commit() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("BALLAST_PRE_COMMIT").map(PathBuf::from),
        Some(repository_root().join(".venv/bin/pre-commit")),
        Some(PathBuf::from("pre-commit")),
    ];
    candidates.into_iter().flatten().find(|program| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    })
}

/// Runs a command and panics with its output when it cannot start.
fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|error| panic!("{command:?} failed to start: {error}"))
}

fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A git repository with one staged Dockerfile, and a pre-commit cache folder beside it.
struct Sandbox {
    repository: PathBuf,
    cache: PathBuf,
    _root: TempDir,
}

impl Sandbox {
    fn new(name: &str, dockerfile: &str) -> Sandbox {
        let root = temp_dir(name);
        let repository = root.join("repository");
        let cache = root.join("pre-commit-cache");
        std::fs::create_dir_all(&repository).expect("the sandbox repository folder can be created");
        let init = run(Command::new("git").arg("init").arg("-q").arg(&repository));
        assert!(
            init.status.success(),
            "git init failed: {}",
            describe(&init)
        );
        let sandbox = Sandbox {
            repository,
            cache,
            _root: root,
        };
        sandbox.write_dockerfile(dockerfile);
        sandbox
    }

    fn write_dockerfile(&self, text: &str) {
        std::fs::write(self.repository.join("Dockerfile"), text)
            .expect("the Dockerfile can be written");
        let add = run(Command::new("git")
            .arg("add")
            .arg("Dockerfile")
            .current_dir(&self.repository));
        assert!(add.status.success(), "git add failed: {}", describe(&add));
    }

    /// Runs `pre-commit try-repo` of this checkout with one hook on the Dockerfile.
    fn try_hook(&self, pre_commit: &Path, hook: &str, path_prefix: Option<&Path>) -> Output {
        let mut command = Command::new(pre_commit);
        command
            .arg("try-repo")
            .arg(repository_root())
            .arg(hook)
            .args(["--files", "Dockerfile", "--verbose"])
            .current_dir(&self.repository)
            .env("PRE_COMMIT_HOME", &self.cache)
            // try-repo commits a copy of the checkout's uncommitted changes, which needs an
            // identity even on machines without a git configuration.
            .env("GIT_AUTHOR_NAME", "ballast test")
            .env("GIT_AUTHOR_EMAIL", "test@ballast.invalid")
            .env("GIT_COMMITTER_NAME", "ballast test")
            .env("GIT_COMMITTER_EMAIL", "test@ballast.invalid")
            .env("NO_COLOR", "1");
        if let Some(prefix) = path_prefix {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut folders = vec![prefix.to_path_buf()];
            folders.extend(std::env::split_paths(&path));
            command.env(
                "PATH",
                std::env::join_paths(folders).expect("PATH folders contain no separator"),
            );
        }
        run(&mut command)
    }
}

/// Checks that the hook fails with ballast's findings on the bad file, then passes once the
/// file is fixed.
fn check_fail_then_pass(pre_commit: &Path, hook: &str, path_prefix: Option<&Path>) {
    let sandbox = Sandbox::new(hook, BAD_DOCKERFILE);

    let failed = sandbox.try_hook(pre_commit, hook, path_prefix);
    let text = describe(&failed);
    assert_eq!(
        failed.status.code(),
        Some(1),
        "{hook} on the bad Dockerfile: {text}"
    );
    assert!(
        text.contains("Failed"),
        "pre-commit reports the hook as failed: {text}"
    );
    assert!(
        text.contains("DL3006"),
        "the output lists ballast's untagged-image finding: {text}"
    );
    assert!(
        text.contains("Dockerfile:1"),
        "the finding names the file and line: {text}"
    );

    sandbox.write_dockerfile(GOOD_DOCKERFILE);
    let passed = sandbox.try_hook(pre_commit, hook, path_prefix);
    let text = describe(&passed);
    assert_eq!(
        passed.status.code(),
        Some(0),
        "{hook} on the fixed Dockerfile: {text}"
    );
    assert!(
        text.contains("Passed"),
        "pre-commit reports the hook as passed: {text}"
    );
}

#[test]
fn manifest_is_valid() {
    let Some(pre_commit) = pre_commit() else {
        skip("pre-commit is not installed (./test.sh installs it into .venv)");
        return;
    };
    let output = run(Command::new(&pre_commit)
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(repository_root()));
    assert!(
        output.status.success(),
        "pre-commit validate-manifest: {}",
        describe(&output)
    );

    let manifest = std::fs::read_to_string(repository_root().join(".pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml is readable");
    assert!(
        manifest.contains("- id: ballast-lint\n"),
        "the manifest has the ballast-lint hook"
    );
    assert!(
        manifest.contains("- id: ballast-lint-system\n"),
        "the manifest has the ballast-lint-system hook"
    );
    assert!(
        manifest.contains("language: rust\n"),
        "ballast-lint builds with cargo"
    );
    assert!(
        manifest.contains("language: system\n"),
        "ballast-lint-system uses the installed ballast"
    );
}

#[test]
fn system_hook_fails_then_passes() {
    let Some(pre_commit) = pre_commit() else {
        skip("pre-commit is not installed (./test.sh installs it into .venv)");
        return;
    };
    let binary = Path::new(env!("CARGO_BIN_EXE_ballast"));
    let folder = binary.parent().expect("the ballast binary is in a folder");
    check_fail_then_pass(&pre_commit, "ballast-lint-system", Some(folder));
}

#[test]
fn rust_hook_fails_then_passes() {
    if std::env::var("BALLAST_PRE_COMMIT_RUST").as_deref() != Ok("1") {
        eprintln!(
            "skipped: set BALLAST_PRE_COMMIT_RUST=1 to run the language: rust hook, which builds ballast with cargo install"
        );
        return;
    }
    let Some(pre_commit) = pre_commit() else {
        skip("pre-commit is not installed (./test.sh installs it into .venv)");
        return;
    };
    check_fail_then_pass(&pre_commit, "ballast-lint", None);
}
