//! Where an image comes from, parsed from the command line's SOURCE argument.

use std::path::{Path, PathBuf};

/// An image source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    /// An image reference or id, exported by the engine behind `DOCKER_HOST`.
    Engine { reference: String },
    /// A `docker save` or `podman save` tar, in the legacy or the Docker 25+ layout.
    DockerArchive {
        path: PathBuf,
        reference: Option<String>,
    },
    /// A tar of an OCI image layout.
    OciArchive {
        path: PathBuf,
        reference: Option<String>,
    },
    /// An OCI image layout folder.
    OciLayout {
        path: PathBuf,
        reference: Option<String>,
    },
    /// A tar read from standard input, in any of the archive layouts.
    Stdin,
}

impl ImageSource {
    /// Parses SOURCE:
    ///
    /// - `-`: standard input;
    /// - `docker-archive:PATH[:REFERENCE]`, `oci-archive:PATH[:REFERENCE]`,
    ///   `oci:PATH[:REFERENCE]` (the names skopeo uses);
    /// - `docker-daemon:REFERENCE` or `docker://REFERENCE`: the engine;
    /// - an existing file (a tar archive) or folder (an OCI layout), or a name that can only
    ///   be a path (it starts with `/`, `.` or `~`, or ends in `.tar`, `.tgz`, …);
    /// - `PATH:REFERENCE` where PATH is an existing file: an image of that archive;
    /// - anything else: an image reference for the engine.
    pub fn parse(value: &str) -> ImageSource {
        if value == "-" {
            return ImageSource::Stdin;
        }
        if let Some(rest) = value.strip_prefix("docker-archive:") {
            let (path, reference) = split_reference(rest);
            return ImageSource::DockerArchive { path, reference };
        }
        if let Some(rest) = value.strip_prefix("oci-archive:") {
            let (path, reference) = split_reference(rest);
            return ImageSource::OciArchive { path, reference };
        }
        if let Some(rest) = value.strip_prefix("oci:") {
            let (path, reference) = split_reference(rest);
            return ImageSource::OciLayout { path, reference };
        }
        if let Some(reference) = value
            .strip_prefix("docker-daemon:")
            .or_else(|| value.strip_prefix("docker://"))
        {
            return ImageSource::Engine {
                reference: reference.to_owned(),
            };
        }
        let path = Path::new(value);
        if path.is_dir() {
            return ImageSource::OciLayout {
                path: path.to_owned(),
                reference: None,
            };
        }
        // An image reference never starts with `/` or `.`, so such a name, or one that ends
        // like an archive, is read as a file. A mistyped path is then reported as a missing
        // file instead of as an image the engine does not have.
        let path_like = value.starts_with(['/', '.', '~'])
            || [".tar", ".tar.gz", ".tgz", ".tar.zst"]
                .iter()
                .any(|suffix| value.ends_with(suffix));
        if path.is_file() {
            return ImageSource::DockerArchive {
                path: path.to_owned(),
                reference: None,
            };
        }
        // `name:tag` and `registry:5000/name:tag` stay engine references unless a file with
        // the name before a `:` exists, because only an existing file makes the text a path.
        if let Some((path, reference)) = split_at_existing(value, Path::is_file) {
            return ImageSource::DockerArchive {
                path,
                reference: Some(reference),
            };
        }
        if path_like {
            return ImageSource::DockerArchive {
                path: path.to_owned(),
                reference: None,
            };
        }
        ImageSource::Engine {
            reference: value.to_owned(),
        }
    }

    /// Returns `docker-daemon:VALUE` when `value` was read as a file or folder only because
    /// one of that name exists, although it also reads as an image reference. An error then
    /// names this form for the engine's image.
    pub fn engine_alternative(value: &str) -> Option<String> {
        let prefixes = ["docker-archive:", "oci-archive:", "oci:", "docker-daemon:", "docker://"];
        let prefixed = value == "-" || prefixes.iter().any(|prefix| value.starts_with(prefix));
        let path_like = value.starts_with(['/', '.', '~'])
            || [".tar", ".tar.gz", ".tgz", ".tar.zst"]
                .iter()
                .any(|suffix| value.ends_with(suffix));
        let read_as_path = !matches!(ImageSource::parse(value), ImageSource::Engine { .. });
        (!prefixed && !path_like && read_as_path).then(|| format!("docker-daemon:{value}"))
    }

    /// A short description for messages and the report.
    pub fn describe(&self) -> String {
        match self {
            ImageSource::Engine { reference } => format!("engine image {reference}"),
            ImageSource::DockerArchive { path, .. } => format!("docker-archive:{}", path.display()),
            ImageSource::OciArchive { path, .. } => format!("oci-archive:{}", path.display()),
            ImageSource::OciLayout { path, .. } => format!("oci:{}", path.display()),
            ImageSource::Stdin => "standard input".to_owned(),
        }
    }
}

/// Splits `PATH:REFERENCE`. The whole text is the path when it names an existing file or
/// folder, or when it has no `:`. Otherwise the path ends at the last `:` that leaves an
/// existing file or folder, else at the first `:`, so a missing path is reported as missing.
fn split_reference(text: &str) -> (PathBuf, Option<String>) {
    if Path::new(text).exists() {
        return (PathBuf::from(text), None);
    }
    if let Some((path, reference)) = split_at_existing(text, Path::exists) {
        return (path, Some(reference));
    }
    match text.split_once(':') {
        Some((path, reference)) if !path.is_empty() && !reference.is_empty() => {
            (PathBuf::from(path), Some(reference.to_owned()))
        }
        _ => (PathBuf::from(text), None),
    }
}

/// Splits `text` at the last `:` whose left part is a path for which `exists` holds and whose
/// right part, the reference, is not empty. A reference can contain `:` itself.
fn split_at_existing(text: &str, exists: impl Fn(&Path) -> bool) -> Option<(PathBuf, String)> {
    text.rmatch_indices(':')
        .map(|(at, _)| at)
        .filter(|&at| at > 0 && at + 1 < text.len())
        .find(|&at| exists(Path::new(&text[..at])))
        .map(|at| (PathBuf::from(&text[..at]), text[at + 1..].to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_prefixed_sources() {
        assert_eq!(ImageSource::parse("-"), ImageSource::Stdin);
        assert_eq!(
            ImageSource::parse("oci:/nonexistent/layout:v1"),
            ImageSource::OciLayout {
                path: PathBuf::from("/nonexistent/layout"),
                reference: Some("v1".to_owned())
            }
        );
        assert_eq!(
            ImageSource::parse("docker-archive:/nonexistent/a.tar"),
            ImageSource::DockerArchive {
                path: PathBuf::from("/nonexistent/a.tar"),
                reference: None
            }
        );
        assert_eq!(
            ImageSource::parse("ballast-test/busybox"),
            ImageSource::Engine {
                reference: "ballast-test/busybox".to_owned()
            }
        );
    }

    /// A folder of its own under the system's temporary folder, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let folder = std::env::temp_dir()
                .join(format!("ballast-source-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&folder).unwrap();
            Scratch(folder)
        }

        /// Creates an empty file in the folder and returns its path as text.
        fn file(&self, name: &str) -> String {
            let path = self.0.join(name);
            std::fs::write(&path, b"").unwrap();
            path.into_os_string().into_string().unwrap()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn archive(path: &str, reference: &str) -> ImageSource {
        ImageSource::DockerArchive {
            path: PathBuf::from(path),
            reference: Some(reference.to_owned()),
        }
    }

    #[test]
    fn existing_file_takes_reference() {
        let scratch = Scratch::new("reference");
        let multi = scratch.file("multi");
        for reference in ["tester/case15", "registry:5000/name:tag", "name@sha256:00"] {
            let value = format!("{multi}:{reference}");
            assert_eq!(ImageSource::parse(&value), archive(&multi, reference), "{value}");
        }
        let colon = scratch.file("a:b.tar");
        assert_eq!(
            ImageSource::parse(&format!("{colon}:name:tag")),
            archive(&colon, "name:tag")
        );
        assert_eq!(
            ImageSource::parse(&format!("docker-archive:{colon}:name:tag")),
            archive(&colon, "name:tag")
        );
    }

    #[test]
    fn references_without_file_stay_references() {
        let scratch = Scratch::new("no-file");
        // A folder is not a file, so `FOLDER:tag` is not read as an archive.
        let folder = scratch.0.display().to_string();
        let missing = format!("{folder}/missing");
        for value in [
            "name:tag".to_owned(),
            "registry:5000/name:tag".to_owned(),
            "localhost:5000/ballast-nonexistent:1".to_owned(),
            format!("{folder}:tag"),
            format!("{missing}:tag"),
        ] {
            assert!(
                !matches!(
                    ImageSource::parse(&value),
                    ImageSource::DockerArchive { reference: Some(_), .. }
                ),
                "{value}"
            );
        }
        assert_eq!(
            ImageSource::parse("registry:5000/name:tag"),
            ImageSource::Engine {
                reference: "registry:5000/name:tag".to_owned()
            }
        );
    }

    #[test]
    fn missing_paths_stay_paths() {
        for value in ["/nonexistent.tar", "./image", "saved/image.tar", "image.tar.gz"] {
            assert_eq!(
                ImageSource::parse(value),
                ImageSource::DockerArchive {
                    path: PathBuf::from(value),
                    reference: None
                },
                "{value}"
            );
        }
    }
}
