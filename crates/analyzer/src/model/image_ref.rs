//! Image references as Docker normalizes them: `python:3.12` is
//! `docker.io/library/python:3.12`.
//!
//! The parser splits a reference into registry, repository, tag and digest. This module
//! checks each part against the grammar of the distribution project's reference package
//! (`github.com/distribution/reference`, `regexp.go`, v0.6) and applies Docker Hub's
//! defaults: no registry means `docker.io`, and a one-component name there gets the
//! `library/` prefix.

use std::fmt;

use ballast_parser::Span;
use ballast_parser::typed::ImageRef as ImageParts;
use serde::Serialize;

pub use ballast_parser::typed::DOCKER_HUB;

/// A parsed, normalized image reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ImageRef {
    /// The registry host, with a port when one was written: `docker.io`, `ghcr.io`,
    /// `localhost:5000`.
    pub registry: String,
    /// The path inside the registry: `library/python`, `org/app`.
    pub repository: String,
    pub tag: Option<String>,
    /// `algorithm:hex`, such as `sha256:…`.
    pub digest: Option<String>,
}

/// The reason a reference is not valid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageRefError {
    #[error("the image reference is empty")]
    Empty,
    #[error("the repository name `{0}` must be lower case")]
    UpperCase(String),
    #[error("`{0}` is not a valid repository name")]
    InvalidName(String),
    #[error(
        "`{0}` is not a valid tag: use letters, digits, `_`, `.` and `-`, at most 128 characters"
    )]
    InvalidTag(String),
    #[error("`{0}` is not a valid digest: expected `algorithm:hex`")]
    InvalidDigest(String),
}

impl ImageRef {
    /// Parses and normalizes a reference such as `python:3.12-slim` or
    /// `ghcr.io/org/app@sha256:…`.
    pub fn parse(text: &str) -> Result<ImageRef, ImageRefError> {
        if text.is_empty() {
            return Err(ImageRefError::Empty);
        }

        let parts = ImageParts::parse(text, Span::new(0, text.len()));
        if let Some(digest) = &parts.digest
            && !is_valid_digest(digest)
        {
            return Err(ImageRefError::InvalidDigest(digest.clone()));
        }
        if let Some(tag) = &parts.tag
            && !is_valid_tag(tag)
        {
            return Err(ImageRefError::InvalidTag(tag.clone()));
        }

        let repository = parts.repository.as_str();
        if repository.is_empty() || !repository.split('/').all(is_valid_path_component) {
            let name = match &parts.registry {
                Some(registry) => format!("{registry}/{repository}"),
                None => repository.to_string(),
            };
            if repository.chars().any(|c| c.is_ascii_uppercase()) {
                return Err(ImageRefError::UpperCase(name));
            }
            return Err(ImageRefError::InvalidName(name));
        }

        Ok(ImageRef {
            registry: parts.normalized_registry().to_string(),
            repository: parts.normalized_repository(),
            tag: parts.tag,
            digest: parts.digest,
        })
    }

    /// Returns whether the image is a Docker Official Image (`docker.io/library/…`).
    pub fn is_official(&self) -> bool {
        self.registry == DOCKER_HUB && self.repository.starts_with("library/")
    }

    /// Returns the last path component: `python` for `docker.io/library/python:3.12`.
    pub fn name(&self) -> &str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(&self.repository)
    }

    /// Returns the reference without tag and digest: `docker.io/library/python`.
    pub fn repository_path(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn is_valid_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alphanumeric = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alphanumeric(bytes[0]) || !alphanumeric(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut index = 0;
    while index < bytes.len() {
        if alphanumeric(bytes[index]) {
            index += 1;
            continue;
        }
        let separator_start = index;
        while index < bytes.len() && !alphanumeric(bytes[index]) {
            index += 1;
        }
        let separator = &component[separator_start..index];
        let valid = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !valid {
            return false;
        }
    }
    true
}

/// `[\w][\w.-]{0,127}`
fn is_valid_tag(tag: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = tag.chars();
    matches!(chars.next(), Some(first) if word(first))
        && tag.len() <= 128
        && chars.all(|c| word(c) || c == '.' || c == '-')
}

/// `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`
fn is_valid_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    !algorithm.is_empty()
        && algorithm.starts_with(|c: char| c.is_ascii_alphabetic())
        && algorithm
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_+.".contains(c))
        && hex.len() >= 32
        && hex.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(text: &str) -> String {
        ImageRef::parse(text).unwrap().to_string()
    }

    #[test]
    fn official_images_get_library_prefix() {
        assert_eq!(normalized("python:3.12"), "docker.io/library/python:3.12");
        assert_eq!(normalized("alpine"), "docker.io/library/alpine");
        assert_eq!(normalized("docker.io/python"), "docker.io/library/python");
        assert_eq!(
            normalized("index.docker.io/library/python"),
            "docker.io/library/python"
        );
    }

    #[test]
    fn registries_with_ports_and_hosts() {
        let image = ImageRef::parse("localhost:5000/foo/bar:1").unwrap();
        assert_eq!(
            (image.registry.as_str(), image.repository.as_str()),
            ("localhost:5000", "foo/bar")
        );
        assert_eq!(image.tag.as_deref(), Some("1"));
        assert_eq!(
            normalized("myregistry:443/imagename:1.0"),
            "myregistry:443/imagename:1.0"
        );
        assert_eq!(normalized("ghcr.io/org/app"), "ghcr.io/org/app");
        assert_eq!(normalized("org/app:v2"), "docker.io/org/app:v2");
    }

    #[test]
    fn digests_are_kept() {
        let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let image = ImageRef::parse(&format!("alpine:3.20@{digest}")).unwrap();
        assert_eq!(image.digest.as_deref(), Some(digest));
        assert_eq!(image.tag.as_deref(), Some("3.20"));
    }

    #[test]
    fn invalid_references_are_rejected() {
        assert_eq!(ImageRef::parse(""), Err(ImageRefError::Empty));
        assert!(matches!(
            ImageRef::parse("Python:3"),
            Err(ImageRefError::UpperCase(_))
        ));
        assert!(matches!(
            ImageRef::parse("python:"),
            Err(ImageRefError::InvalidTag(_))
        ));
        assert!(matches!(
            ImageRef::parse("a@sha256:12"),
            Err(ImageRefError::InvalidDigest(_))
        ));
        assert!(matches!(
            ImageRef::parse("foo bar"),
            Err(ImageRefError::InvalidName(_))
        ));
    }
}
