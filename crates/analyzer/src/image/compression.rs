//! The compression of a layer blob, read from its first bytes or named by its media type.

use serde::Serialize;

/// The compression of a layer blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "uncompressed tar",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    /// Reads the compression from the first bytes of a blob. Anything without a gzip or zstd
    /// magic number is taken for a plain tar.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            return Compression::Gzip;
        }
        if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            return Compression::Zstd;
        }
        // A zstd skippable frame (magic 0x184D2A50..=0x184D2A5F, little endian) can open a
        // zstd:chunked layer.
        if head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18] {
            return Compression::Zstd;
        }
        Compression::None
    }

    /// Maps a layer media type to its compression. Returns `None` for media types that are not
    /// layers (the caller decides whether that is an error).
    pub fn from_media_type(media_type: &str) -> Option<Compression> {
        let layer_types = [
            "application/vnd.oci.image.layer.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.docker.image.rootfs.diff.tar",
            "application/vnd.docker.image.rootfs.foreign.diff.tar",
        ];
        let (base, suffix) = match media_type.find('+') {
            Some(at) => (&media_type[..at], &media_type[at + 1..]),
            None => (media_type, ""),
        };
        if let Some(kind) = media_type.strip_prefix("application/vnd.docker.image.rootfs.")
            && kind.ends_with(".tar.gzip")
        {
            return Some(Compression::Gzip);
        }
        if !layer_types.contains(&base) {
            return None;
        }
        match suffix {
            "" => Some(Compression::None),
            "gzip" => Some(Compression::Gzip),
            "zstd" => Some(Compression::Zstd),
            _ => None,
        }
    }
}
