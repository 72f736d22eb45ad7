//! `--verify-digests`: the sha256 of each layer's uncompressed tar, compared with the config's
//! `rootfs.diff_ids`, and the sha256 of each blob, compared with the digest that addresses it.
//! Hashing every byte with sha256 costs more CPU than the analysis itself on plain layers, so
//! it runs only on request.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::error::printable;
use super::layer::LayerContents;
use super::layout::ImagePlan;

/// The sha256 digests of one layer, as `sha256:HEX`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerDigests {
    /// Digest of the blob as stored.
    pub blob: String,
    /// Digest of the uncompressed tar stream: the layer's diff id.
    pub tar: String,
}

/// The kind of layer digest that did not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DigestKind {
    /// The uncompressed tar against the config's `rootfs.diff_ids`.
    DiffId,
    /// The blob against the manifest digest or the `blobs/ALGORITHM/HEX` path that names it.
    Blob,
}

/// One layer digest that differs from the one the image declares.
#[derive(Debug, Clone, Serialize)]
pub struct DigestMismatch {
    pub layer: usize,
    pub kind: DigestKind,
    pub expected: String,
    pub actual: String,
    pub message: String,
}

/// The outcome of `--verify-digests`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DigestCheck {
    /// Digests computed and compared (a layer counts once for its diff id and once for its
    /// blob when the blob is addressed by digest).
    pub compared: usize,
    pub mismatches: Vec<DigestMismatch>,
    /// Declared digests that could not be compared: an algorithm other than sha256, or a
    /// layer that could not be read.
    pub unchecked: Vec<String>,
}

/// Formats a finished hasher as `sha256:HEX`.
pub fn format_sha256(hasher: Sha256) -> String {
    let digest = hasher.finalize();
    let mut text = String::with_capacity(7 + 64);
    text.push_str("sha256:");
    for byte in digest {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

/// Returns the digest that names a layer's blob: the manifest's, or the one in a Docker 25+
/// `blobs/ALGORITHM/HEX` path. Legacy `<id>/layer.tar` paths name no digest.
fn addressed_digest(plan: &ImagePlan, index: usize) -> Option<String> {
    let layer = &plan.layers[index];
    if let Some(digest) = &layer.digest {
        return Some(digest.clone());
    }
    let mut parts = layer.path.split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("blobs"), Some(algorithm), Some(hex), None) => Some(format!("{algorithm}:{hex}")),
        _ => None,
    }
}

/// Compares the computed digests of every layer with the ones the image declares.
/// `contents[i]` is `None` for a layer that could not be read.
pub fn check_digests(plan: &ImagePlan, contents: &[Option<&LayerContents>]) -> DigestCheck {
    let mut check = DigestCheck::default();
    let diff_ids = &plan.config.rootfs.diff_ids;
    for (index, layer) in contents.iter().enumerate() {
        let declared = [
            (DigestKind::DiffId, diff_ids.get(index).cloned()),
            (DigestKind::Blob, addressed_digest(plan, index)),
        ];
        for (kind, expected) in declared {
            let Some(expected) = expected else { continue };
            let computed = layer.and_then(|layer| layer.digests.as_ref());
            let Some(computed) = computed else {
                check.unchecked.push(format!(
                    "layer {index}: {expected} not checked because the layer could not be read \
                     or its digests were not computed"
                ));
                continue;
            };
            if !expected.starts_with("sha256:") {
                check.unchecked.push(format!(
                    "layer {index}: {expected} not checked because only sha256 digests are computed"
                ));
                continue;
            }
            let actual = match kind {
                DigestKind::DiffId => &computed.tar,
                DigestKind::Blob => &computed.blob,
            };
            check.compared += 1;
            if !actual.eq_ignore_ascii_case(&expected) {
                let problem = match kind {
                    DigestKind::DiffId => {
                        "its uncompressed tar does not match the config's rootfs.diff_ids"
                    }
                    DigestKind::Blob => "its blob does not match the digest that names it",
                };
                check.mismatches.push(DigestMismatch {
                    layer: index,
                    kind,
                    message: format!(
                        "layer {index} ({}): {problem}: expected {}, found {actual}",
                        printable(&plan.layers[index].path),
                        printable(&expected)
                    ),
                    expected,
                    actual: actual.clone(),
                });
            }
        }
    }
    check
}
