//! Finding an image's config and layers inside an archive or folder: Docker's `manifest.json`
//! (legacy `docker save` and the Docker 25+ layout) and OCI image layouts (`index.json`, nested
//! indexes, platforms, attestation manifests, `org.opencontainers.image.ref.name`).

use std::collections::HashMap;

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest, MediaType};
use serde::{Deserialize, Serialize};

use super::error::{ImageError, printable};
use super::history::ConfigFile;

/// The kind of storage that contains the files of a catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// A tar archive on disk.
    Archive,
    /// A folder on disk.
    Folder,
    /// A tar stream read once (standard input, the engine's export).
    Stream,
}

/// Read access to the files of an image archive or layout folder, by path inside it.
pub trait Catalog {
    /// The archive or folder, for error messages.
    fn name(&self) -> &str;
    fn storage(&self) -> Storage;
    /// Tells whether `path` is a regular file, after links are followed.
    fn contains(&self, path: &str) -> bool;
    /// Tells whether `path` is a folder, after links are followed.
    fn is_folder(&self, path: &str) -> bool;
    /// Reads a manifest, index or config. Implementations cap the size.
    fn read_small(&self, path: &str) -> Result<Vec<u8>, ImageError>;
}

/// The largest manifest, index or config read into memory.
pub const SMALL_FILE_LIMIT: u64 = 64 * 1024 * 1024;

/// How the image was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArchiveFormat {
    /// `docker save` before Docker 25: `manifest.json` and `<id>/layer.tar`.
    DockerLegacy,
    /// `docker save` from Docker 25 on: an OCI layout plus a compatible `manifest.json`.
    DockerOci,
    /// An OCI image layout (folder or `oci-archive` tar).
    OciLayout,
}

/// An operating system and architecture, as in OCI platform objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformSpec {
    pub os: String,
    pub architecture: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl PlatformSpec {
    /// Parses `OS/ARCH[/VARIANT]`.
    pub fn parse(value: &str) -> Result<PlatformSpec, ImageError> {
        let parts: Vec<&str> = value.split('/').collect();
        let invalid = || ImageError::InvalidPlatform {
            value: value.to_owned(),
        };
        if !(2..=3).contains(&parts.len()) || parts.iter().any(|part| part.is_empty()) {
            return Err(invalid());
        }
        let os = parts[0].to_ascii_lowercase();
        // A bare number names an ARM version: `linux/arm/7` is `linux/arm/v7`.
        let mut variant = parts.get(2).map(|variant| {
            let variant = variant.to_ascii_lowercase();
            if variant.bytes().all(|byte| byte.is_ascii_digit()) {
                format!("v{variant}")
            } else {
                variant
            }
        });
        // The names `uname -m` and Debian give are accepted for OCI's, as docker accepts them.
        let architecture = match parts[1].to_ascii_lowercase().as_str() {
            "x86_64" | "x86-64" => "amd64".to_owned(),
            "aarch64" => "arm64".to_owned(),
            "i386" | "i686" => "386".to_owned(),
            "armhf" => {
                variant.get_or_insert_with(|| "v7".to_owned());
                "arm".to_owned()
            }
            "armel" => {
                variant.get_or_insert_with(|| "v6".to_owned());
                "arm".to_owned()
            }
            other => other.to_owned(),
        };
        // As in docker: `arm` alone is ARMv7, and v8 is the only 64-bit ARM, so it adds nothing.
        match architecture.as_str() {
            "arm" => {
                variant.get_or_insert_with(|| "v7".to_owned());
            }
            "arm64" if variant.as_deref() == Some("v8") => variant = None,
            _ => {}
        }
        Ok(PlatformSpec {
            os,
            architecture,
            variant,
        })
    }

    /// The platform this program was built for, in OCI's names (`amd64`, `arm64`, …).
    pub fn host() -> PlatformSpec {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            "loongarch64" => "loong64",
            other => other,
        };
        PlatformSpec {
            os: std::env::consts::OS.to_owned(),
            architecture: architecture.to_owned(),
            variant: None,
        }
    }

    fn matches(&self, platform: &oci_spec::image::Platform) -> bool {
        platform.os().to_string() == self.os
            && platform.architecture().to_string() == self.architecture
            && match (&self.variant, platform.variant()) {
                (Some(wanted), Some(found)) => wanted == found,
                (Some(_), None) => false,
                (None, _) => true,
            }
    }
}

impl std::fmt::Display for PlatformSpec {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(formatter, "/{variant}")?;
        }
        Ok(())
    }
}

/// Which image to take from an archive that holds several.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    /// A tag or reference: matched against `RepoTags`, `org.opencontainers.image.ref.name`
    /// and `io.containerd.image.name`.
    pub reference: Option<String>,
    /// Defaults to the host's platform.
    pub platform: Option<PlatformSpec>,
    /// Reads `index.json` even when a `manifest.json` is present.
    pub prefer_index: bool,
}

/// One layer as the manifest names it.
#[derive(Debug, Clone, Serialize)]
pub struct LayerRef {
    /// Path of the blob inside the archive or folder.
    pub path: String,
    /// Digest of the blob, when the manifest gives one.
    pub digest: Option<String>,
    pub media_type: Option<String>,
    /// Size of the blob the manifest declares.
    pub size: Option<u64>,
}

/// The chosen image: its config and its layers in order.
#[derive(Debug, Clone)]
pub struct ImagePlan {
    pub format: ArchiveFormat,
    pub config_digest: Option<String>,
    pub config: ConfigFile,
    pub layers: Vec<LayerRef>,
    pub reference: Option<String>,
    pub platform: Option<PlatformSpec>,
    pub warnings: Vec<String>,
}

const INDEX_DEPTH_LIMIT: usize = 8;

/// Finds the image in a catalog.
pub fn resolve(catalog: &dyn Catalog, selector: &Selector) -> Result<ImagePlan, ImageError> {
    let has_index = catalog.contains("index.json");
    let has_manifest = catalog.contains("manifest.json");
    if has_index && (selector.prefer_index || !has_manifest || catalog.contains("oci-layout")) {
        let format = if has_manifest {
            ArchiveFormat::DockerOci
        } else {
            ArchiveFormat::OciLayout
        };
        return resolve_index(catalog, selector, format);
    }
    if has_manifest {
        return resolve_docker_manifest(catalog, selector);
    }
    if let Some(file) = ["manifest.json", "index.json"]
        .into_iter()
        .find(|file| catalog.is_folder(file))
    {
        return Err(ImageError::MemberIsFolder {
            archive: catalog.name().to_owned(),
            file: file.to_owned(),
        });
    }
    if catalog.storage() == Storage::Folder {
        return Err(ImageError::UnknownFolderLayout {
            folder: catalog.name().to_owned(),
        });
    }
    Err(ImageError::UnknownLayout {
        archive: catalog.name().to_owned(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

fn resolve_docker_manifest(
    catalog: &dyn Catalog,
    selector: &Selector,
) -> Result<ImagePlan, ImageError> {
    let bytes = catalog.read_small("manifest.json")?;
    let entries: Vec<DockerManifestEntry> =
        serde_json::from_slice(&bytes).map_err(|error| ImageError::InvalidJson {
            archive: catalog.name().to_owned(),
            file: "manifest.json".to_owned(),
            what: "a valid docker save manifest (a list of {Config, RepoTags, Layers})",
            reason: error.to_string(),
        })?;
    let mut warnings = Vec::new();
    if entries.is_empty() {
        return Err(ImageError::Archive {
            archive: catalog.name().to_owned(),
            message: "manifest.json lists no images; save one with `docker save -o FILE IMAGE`"
                .to_owned(),
        });
    }

    let chosen = match &selector.reference {
        Some(wanted) => entries.iter().find(|entry| {
            entry
                .repo_tags
                .iter()
                .flatten()
                .any(|tag| reference_matches(wanted, tag))
        }),
        None => entries.first(),
    };
    let Some(chosen) = chosen else {
        let available: Vec<String> = entries
            .iter()
            .flat_map(|entry| entry.repo_tags.iter().flatten().cloned())
            .collect();
        return Err(ImageError::NoMatchingImage {
            archive: catalog.name().to_owned(),
            wanted: selector
                .reference
                .clone()
                .unwrap_or_else(|| "any image".to_owned()),
            available: describe_list(&available),
        });
    };
    if selector.reference.is_none() && entries.len() > 1 {
        let others: Vec<String> = entries[1..]
            .iter()
            .flat_map(|entry| entry.repo_tags.iter().flatten().cloned())
            .collect();
        warnings.push(format!(
            "manifest.json lists {} images; analyzing the first ({}); {}",
            entries.len(),
            printable(&describe_list(chosen.repo_tags.as_deref().unwrap_or_default())),
            other_image_hint(catalog, selector, &others)
        ));
    }

    let config = parse_config(catalog, &chosen.config)?;
    check_config_platform(catalog, selector, &config, &mut warnings)?;
    let format = if chosen
        .layers
        .iter()
        .any(|layer| layer.starts_with("blobs/"))
    {
        ArchiveFormat::DockerOci
    } else {
        ArchiveFormat::DockerLegacy
    };
    let config_digest = chosen
        .config
        .rsplit('/')
        .next()
        .map(|name| name.trim_end_matches(".json"))
        .filter(|name| name.len() == 64 && name.bytes().all(|byte| byte.is_ascii_hexdigit()))
        .map(|hex| format!("sha256:{hex}"));
    let layers = chosen
        .layers
        .iter()
        .map(|path| LayerRef {
            path: path.clone(),
            digest: None,
            media_type: None,
            size: None,
        })
        .collect();
    Ok(ImagePlan {
        format,
        config_digest,
        config,
        layers,
        reference: chosen
            .repo_tags
            .as_ref()
            .and_then(|tags| tags.first().cloned()),
        platform: None,
        warnings,
    })
}

fn resolve_index(
    catalog: &dyn Catalog,
    selector: &Selector,
    format: ArchiveFormat,
) -> Result<ImagePlan, ImageError> {
    let platform = selector.platform.clone().unwrap_or_else(PlatformSpec::host);
    let mut warnings = Vec::new();
    let mut index = read_index(catalog, "index.json")?;
    let mut reference: Option<String> = None;
    let mut first_level = true;
    // Whether a descriptor on the way to the image gave its platform, which was then matched.
    let mut platform_described = false;

    for _ in 0..INDEX_DEPTH_LIMIT {
        let candidates: Vec<&Descriptor> = index
            .manifests()
            .iter()
            .filter(|descriptor| !is_attestation(descriptor))
            .filter(|descriptor| {
                matches!(
                    descriptor.media_type(),
                    MediaType::ImageManifest | MediaType::ImageIndex
                ) || is_docker_manifest_type(descriptor.media_type())
            })
            .collect();

        // The reference only applies to the top-level index, where tags are recorded.
        let by_reference: Vec<&Descriptor> = match (&selector.reference, first_level) {
            (Some(wanted), true) => candidates
                .iter()
                .copied()
                .filter(|descriptor| {
                    descriptor_names(descriptor).any(|name| reference_matches(wanted, name))
                })
                .collect(),
            _ => candidates.clone(),
        };
        if candidates.is_empty() {
            return Err(ImageError::Archive {
                archive: catalog.name().to_owned(),
                message: "the image index lists no image manifests".to_owned(),
            });
        }
        if by_reference.is_empty() {
            let available: Vec<String> = candidates
                .iter()
                .flat_map(|descriptor| descriptor_names(descriptor).map(str::to_owned))
                .collect();
            return Err(ImageError::NoMatchingImage {
                archive: catalog.name().to_owned(),
                wanted: selector
                    .reference
                    .clone()
                    .unwrap_or_else(|| "an image manifest".to_owned()),
                available: describe_list(&available),
            });
        }

        let with_platform: Vec<&Descriptor> = by_reference
            .iter()
            .copied()
            .filter(|descriptor| {
                descriptor
                    .platform()
                    .as_ref()
                    .is_none_or(|found| platform.matches(found))
            })
            .collect();
        let Some(chosen) = with_platform.first() else {
            let available: Vec<String> = by_reference
                .iter()
                .filter_map(|descriptor| descriptor.platform().as_ref())
                .map(|found| format!("{}/{}", found.os(), found.architecture()))
                .collect();
            return Err(ImageError::NoMatchingImage {
                archive: catalog.name().to_owned(),
                wanted: format!("platform {platform}"),
                available: describe_list(&available),
            });
        };
        if first_level && selector.reference.is_none() && with_platform.len() > 1 {
            let others: Vec<String> = with_platform[1..]
                .iter()
                .flat_map(|descriptor| descriptor_names(descriptor).map(str::to_owned))
                .collect();
            warnings.push(format!(
                "index.json lists {} images; analyzing the first ({}); {}",
                with_platform.len(),
                printable(&describe_list(
                    &descriptor_names(chosen).map(str::to_owned).collect::<Vec<_>>()
                )),
                other_image_hint(catalog, selector, &others)
            ));
        }
        if reference.is_none() {
            reference = descriptor_names(chosen).next().map(str::to_owned);
        }
        platform_described |= chosen.platform().is_some();

        let path = blob_path(catalog, &chosen.digest().to_string())?;
        if *chosen.media_type() == MediaType::ImageIndex
            || chosen.media_type().to_string().contains("manifest.list")
        {
            index = read_index(catalog, &path)?;
            first_level = false;
            continue;
        }

        let manifest = read_manifest(catalog, &path)?;
        let config_digest = manifest.config().digest().to_string();
        let config = parse_config(catalog, &blob_path(catalog, &config_digest)?)?;
        if !platform_described {
            check_config_platform(catalog, selector, &config, &mut warnings)?;
        }
        let layers = manifest
            .layers()
            .iter()
            .map(|layer| {
                let digest = layer.digest().to_string();
                Ok(LayerRef {
                    path: blob_path(catalog, &digest)?,
                    digest: Some(digest),
                    media_type: Some(layer.media_type().to_string()),
                    size: Some(layer.size()),
                })
            })
            .collect::<Result<Vec<_>, ImageError>>()?;
        return Ok(ImagePlan {
            format,
            config_digest: Some(config_digest),
            config,
            layers,
            reference,
            platform: Some(platform),
            warnings,
        });
    }
    Err(ImageError::IndexTooDeep {
        archive: catalog.name().to_owned(),
        limit: INDEX_DEPTH_LIMIT,
    })
}

/// Checks that the `--platform` value matches the platform an image's config names, for an
/// image that no index entry describes. A config without `os` or `architecture` gets a warning.
fn check_config_platform(
    catalog: &dyn Catalog,
    selector: &Selector,
    config: &ConfigFile,
    warnings: &mut Vec<String>,
) -> Result<(), ImageError> {
    let Some(requested) = &selector.platform else {
        return Ok(());
    };
    let (Some(os), Some(architecture)) = (&config.os, &config.architecture) else {
        warnings.push(format!(
            "the image config has no `os` or `architecture`, so --platform {} was not checked",
            printable(&requested.to_string())
        ));
        return Ok(());
    };
    // A config without a variant does not contradict a requested one.
    let variant_matches = match (&requested.variant, &config.variant) {
        (Some(expected), Some(found)) => expected == found,
        _ => true,
    };
    if *os == requested.os && *architecture == requested.architecture && variant_matches {
        return Ok(());
    }
    let mut found = format!("{os}/{architecture}");
    if let Some(variant) = &config.variant {
        found = format!("{found}/{variant}");
    }
    Err(ImageError::NoMatchingImage {
        archive: catalog.name().to_owned(),
        wanted: format!("platform {requested}"),
        available: found,
    })
}

fn is_docker_manifest_type(media_type: &MediaType) -> bool {
    matches!(media_type, MediaType::Other(name)
        if name == "application/vnd.docker.distribution.manifest.v2+json"
            || name == "application/vnd.docker.distribution.manifest.list.v2+json")
}

/// BuildKit stores provenance and SBOM documents as manifests of platform `unknown/unknown`
/// marked with `vnd.docker.reference.type: attestation-manifest`.
fn is_attestation(descriptor: &Descriptor) -> bool {
    let marked = descriptor
        .annotations()
        .as_ref()
        .and_then(|annotations| annotations.get("vnd.docker.reference.type"))
        .is_some_and(|kind| kind == "attestation-manifest");
    let unknown_platform = descriptor.platform().as_ref().is_some_and(|platform| {
        platform.os().to_string() == "unknown" && platform.architecture().to_string() == "unknown"
    });
    marked || unknown_platform
}

fn descriptor_names(descriptor: &Descriptor) -> impl Iterator<Item = &str> {
    let annotations: Option<&HashMap<String, String>> = descriptor.annotations().as_ref();
    [
        "io.containerd.image.name",
        "org.opencontainers.image.ref.name",
    ]
    .into_iter()
    .filter_map(move |key| annotations.and_then(|map| map.get(key)).map(String::as_str))
}

/// Tells whether a requested reference names a stored one. `name:tag`, a bare tag, and the
/// short Docker Hub forms (`busybox` for `docker.io/library/busybox:latest`) all match.
fn reference_matches(wanted: &str, stored: &str) -> bool {
    if wanted == stored {
        return true;
    }
    let expand = |reference: &str| -> String {
        let mut full = reference.to_owned();
        let last = full.rsplit('/').next().unwrap_or("");
        if !last.contains(':') && !last.contains('@') {
            full.push_str(":latest");
        }
        let first = full.split('/').next().unwrap_or("");
        let has_registry = full.contains('/')
            && (first.contains('.') || first.contains(':') || first == "localhost");
        if !has_registry {
            if full.contains('/') {
                full = format!("docker.io/{full}");
            } else {
                full = format!("docker.io/library/{full}");
            }
        }
        full
    };
    // A bare tag such as `latest` is what `org.opencontainers.image.ref.name` often holds.
    !stored.contains('/') && !stored.contains(':') && wanted == stored
        || expand(wanted) == expand(stored)
}

/// Tells how to pick another image of a catalog that contains several: the SOURCE form with
/// the catalog's path, and the references of the other images.
fn other_image_hint(catalog: &dyn Catalog, selector: &Selector, others: &[String]) -> String {
    let path = printable(catalog.name());
    let form = match catalog.storage() {
        Storage::Archive if selector.prefer_index => format!("`oci-archive:{path}:REFERENCE`"),
        Storage::Archive => format!("`docker-archive:{path}:REFERENCE`"),
        Storage::Folder => format!("`oci:{path}:REFERENCE`"),
        Storage::Stream => {
            "`docker-archive:FILE:REFERENCE` after saving the input to FILE".to_owned()
        }
    };
    if others.is_empty() {
        format!("name another with {form}")
    } else {
        format!(
            "name another with {form}; the other references are {}",
            printable(&others.join(", "))
        )
    }
}

fn describe_list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// Maps a digest to its blob path, rejecting digests that are not `ALGORITHM:HEX`, so that a
/// crafted digest cannot name a file outside `blobs/`.
pub fn blob_path(catalog: &dyn Catalog, digest: &str) -> Result<String, ImageError> {
    let invalid = || ImageError::InvalidDigest {
        archive: catalog.name().to_owned(),
        digest: digest.to_owned(),
    };
    let (algorithm, hex) = digest.split_once(':').ok_or_else(invalid)?;
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || b"+._-".contains(&byte)
        });
    let hex_ok = !hex.is_empty() && hex.bytes().all(|byte| byte.is_ascii_hexdigit());
    if !algorithm_ok || !hex_ok {
        return Err(invalid());
    }
    Ok(format!("blobs/{algorithm}/{hex}"))
}

fn read_index(catalog: &dyn Catalog, path: &str) -> Result<ImageIndex, ImageError> {
    let bytes = catalog.read_small(path)?;
    ImageIndex::from_reader(bytes.as_slice()).map_err(|error| ImageError::InvalidJson {
        archive: catalog.name().to_owned(),
        file: path.to_owned(),
        what: "a valid OCI image index",
        reason: oci_reason(&error),
    })
}

fn read_manifest(catalog: &dyn Catalog, path: &str) -> Result<ImageManifest, ImageError> {
    let bytes = catalog.read_small(path)?;
    ImageManifest::from_reader(bytes.as_slice()).map_err(|error| ImageError::InvalidJson {
        archive: catalog.name().to_owned(),
        file: path.to_owned(),
        what: "a valid OCI image manifest",
        reason: oci_reason(&error),
    })
}

/// The reason `oci_spec` gives: the JSON or I/O error under its generic wrapper.
fn oci_reason(error: &oci_spec::OciSpecError) -> String {
    match error {
        oci_spec::OciSpecError::SerDe(inner) => inner.to_string(),
        oci_spec::OciSpecError::Io(inner) => inner.to_string(),
        other => other.to_string(),
    }
}

/// Parses an image config. `oci_spec` checks it first; configs it rejects (it requires
/// `architecture` and `os`) are read by the lenient struct, which needs only valid JSON.
fn parse_config(catalog: &dyn Catalog, path: &str) -> Result<ConfigFile, ImageError> {
    let bytes = catalog.read_small(path)?;
    let invalid = |reason: String| ImageError::InvalidJson {
        archive: catalog.name().to_owned(),
        file: path.to_owned(),
        what: "a valid image config",
        reason,
    };
    let mut config: ConfigFile =
        serde_json::from_slice(&bytes).map_err(|error| invalid(error.to_string()))?;
    if let Ok(typed) = oci_spec::image::ImageConfiguration::from_reader(bytes.as_slice()) {
        config.architecture = Some(typed.architecture().to_string());
        config.os = Some(typed.os().to_string());
        config.rootfs.diff_ids = typed.rootfs().diff_ids().clone();
    }
    config.resolve_shells();
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_forms_match() {
        assert!(reference_matches(
            "busybox",
            "docker.io/library/busybox:latest"
        ));
        assert!(reference_matches("ballast-test/a:1", "ballast-test/a:1"));
        assert!(reference_matches(
            "ballast-test/a:1",
            "docker.io/ballast-test/a:1"
        ));
        assert!(reference_matches("latest", "latest"));
        assert!(!reference_matches(
            "other",
            "docker.io/library/busybox:latest"
        ));
    }

    #[test]
    fn platform_parse_forms() {
        let platform = PlatformSpec::parse("linux/arm/v7").unwrap();
        assert_eq!(platform.variant.as_deref(), Some("v7"));
        assert_eq!(PlatformSpec::parse("Linux/X86_64").unwrap().to_string(), "linux/amd64");
        assert_eq!(PlatformSpec::parse("linux/aarch64").unwrap().to_string(), "linux/arm64");
        assert_eq!(PlatformSpec::parse("linux/armhf").unwrap().to_string(), "linux/arm/v7");
        assert_eq!(PlatformSpec::parse("linux/i686").unwrap().to_string(), "linux/386");
        assert_eq!(PlatformSpec::parse("linux/arm").unwrap().to_string(), "linux/arm/v7");
        assert_eq!(PlatformSpec::parse("linux/arm/6").unwrap().to_string(), "linux/arm/v6");
        assert_eq!(PlatformSpec::parse("linux/arm64/v8").unwrap().to_string(), "linux/arm64");
        assert!(PlatformSpec::parse("linux").is_err());
        assert!(PlatformSpec::parse("linux//").is_err());
    }
}
