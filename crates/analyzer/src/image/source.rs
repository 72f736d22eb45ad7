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
        if path.is_file() || path_like {
            return ImageSource::DockerArchive {
                path: path.to_owned(),
                reference: None,
            };
        }
        ImageSource::Engine {
            reference: value.to_owned(),
        }
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
/// folder, or when it has no `:`.
fn split_reference(text: &str) -> (PathBuf, Option<String>) {
    if Path::new(text).exists() {
        return (PathBuf::from(text), None);
    }
    match text.split_once(':') {
        Some((path, reference)) if !path.is_empty() && !reference.is_empty() => {
            (PathBuf::from(path), Some(reference.to_owned()))
        }
        _ => (PathBuf::from(text), None),
    }
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
