//! Image references as `FROM` and `--from` write them: `[registry/]repository[:tag][@digest]`.

use serde::Serialize;

use crate::Span;

/// The default registry of Docker Hub, as normalized references name it.
pub const DOCKER_HUB: &str = "docker.io";

/// An image reference split into its parts. Variables (`$BASE`) are kept as written; the
/// semantic model expands them before normalizing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    pub raw: String,
    pub span: Span,
    /// The registry host (with port) when the first path component names one: it contains
    /// `.` or `:`, is `localhost`, or has an upper-case letter (repository paths are lower
    /// case, so Docker's reference grammar reads such a component as a host).
    pub registry: Option<String>,
    /// The path after the registry, such as `library/python` or `python`.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    pub tag_span: Option<Span>,
    pub digest_span: Option<Span>,
}

impl ImageRef {
    /// Splits `raw` (found at `span` in the source).
    pub fn parse(raw: &str, span: Span) -> ImageRef {
        let (name, digest) = match raw.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (raw, None),
        };

        let last_slash = name.rfind('/').map_or(0, |index| index + 1);
        let (path, tag) = match name[last_slash..].rfind(':') {
            Some(colon) => (&name[..last_slash + colon], Some(&name[last_slash + colon + 1..])),
            None => (name, None),
        };

        let (registry, repository) = match path.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':']) || first == "localhost" || first.contains(|c: char| c.is_ascii_uppercase()) =>
            {
                (Some(first), rest)
            }
            _ => (None, path),
        };

        let maps_exactly = span.len() == raw.len();
        let sub_span = |offset: usize, len: usize| {
            if maps_exactly { Span::new(span.start + offset, span.start + offset + len) } else { span }
        };
        let tag_span = tag.map(|tag| sub_span(path.len() + 1, tag.len()));
        let digest_span = digest.map(|digest| sub_span(name.len() + 1, digest.len()));

        ImageRef {
            raw: raw.to_string(),
            span,
            registry: registry.map(str::to_string),
            repository: repository.to_string(),
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
            tag_span,
            digest_span,
        }
    }

    /// Whether this is the reserved empty base image `scratch`.
    pub fn is_scratch(&self) -> bool {
        self.registry.is_none() && self.repository.eq_ignore_ascii_case("scratch") && self.tag.is_none()
    }

    /// Whether the reference contains a variable that must be expanded first.
    pub fn has_variable(&self) -> bool {
        self.raw.contains('$')
    }

    /// The registry, with Docker Hub's aliases folded into `docker.io`.
    pub fn normalized_registry(&self) -> &str {
        match self.registry.as_deref() {
            None | Some("index.docker.io") | Some("registry-1.docker.io") => DOCKER_HUB,
            Some(registry) => registry,
        }
    }

    /// The repository with Docker Hub's implicit `library/` for official images.
    pub fn normalized_repository(&self) -> String {
        if self.normalized_registry() == DOCKER_HUB && !self.repository.contains('/') {
            format!("library/{}", self.repository)
        } else {
            self.repository.clone()
        }
    }

    /// The fully qualified name: `python:3.12` is `docker.io/library/python:3.12`. Without
    /// tag or digest, `latest` is implied and written.
    pub fn normalized(&self) -> String {
        let mut out = format!("{}/{}", self.normalized_registry(), self.normalized_repository());
        match (&self.tag, &self.digest) {
            (None, None) => out.push_str(":latest"),
            (tag, digest) => {
                if let Some(tag) = tag {
                    out.push(':');
                    out.push_str(tag);
                }
                if let Some(digest) = digest {
                    out.push('@');
                    out.push_str(digest);
                }
            }
        }
        out
    }

    /// The last path component, such as `python` for `docker.io/library/python`.
    pub fn short_name(&self) -> &str {
        self.repository.rsplit('/').next().unwrap_or(&self.repository)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(raw: &str) -> (Option<String>, String, Option<String>, Option<String>) {
        let image = ImageRef::parse(raw, Span::new(0, raw.len()));
        (image.registry, image.repository, image.tag, image.digest)
    }

    #[test]
    fn splits_registry_tag_and_digest() {
        assert_eq!(parts("python:3.12"), (None, "python".into(), Some("3.12".into()), None));
        assert_eq!(parts("localhost:5000/app"), (Some("localhost:5000".into()), "app".into(), None, None));
        assert_eq!(
            parts("ghcr.io/o/app:v1@sha256:ab"),
            (Some("ghcr.io".into()), "o/app".into(), Some("v1".into()), Some("sha256:ab".into()))
        );
        assert_eq!(parts("user/app"), (None, "user/app".into(), None, None));
    }

    #[test]
    fn normalizes_docker_hub() {
        let image = ImageRef::parse("python:3.12", Span::new(0, 11));
        assert_eq!(image.normalized(), "docker.io/library/python:3.12");
        assert_eq!(ImageRef::parse("user/app", Span::new(0, 8)).normalized(), "docker.io/user/app:latest");
        assert!(ImageRef::parse("scratch", Span::new(0, 7)).is_scratch());
        let span = ImageRef::parse("python:3.12", Span::new(10, 21)).tag_span;
        assert_eq!(span, Some(Span::new(17, 21)));
    }
}
