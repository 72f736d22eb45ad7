//! Typed errors of image reading. Each names the file, blob or layer it concerns and what was
//! expected there, so the command line can print it as is.

use std::path::PathBuf;

/// An error that stops the analysis of a whole image.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    // The cause is part of the message and not a `source`, so an error chain printed
    // with its causes does not repeat it.
    #[error("{path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },

    #[error("{archive}: {message}")]
    Archive { archive: String, message: String },

    #[error(
        "{archive}: neither manifest.json nor index.json found; expected a `docker save` archive or an OCI image layout"
    )]
    UnknownLayout { archive: String },

    #[error("{archive}: `{file}` is missing; the manifest refers to it")]
    MissingFile { archive: String, file: String },

    #[error("{archive}: `{file}` is not {what}: {reason}")]
    InvalidJson {
        archive: String,
        file: String,
        what: &'static str,
        reason: String,
    },

    #[error("{archive}: invalid digest `{digest}`; expected ALGORITHM:HEX such as sha256:0123…")]
    InvalidDigest { archive: String, digest: String },

    #[error("{archive}: `{file}` is a link chain that loops or is longer than {limit} links")]
    LinkLoop {
        archive: String,
        file: String,
        limit: usize,
    },

    #[error(
        "{archive}: `{file}` is {size} bytes, more than the {limit} bytes allowed for a manifest or config"
    )]
    TooLarge {
        archive: String,
        file: String,
        size: u64,
        limit: u64,
    },

    #[error("{archive}: no image matches {wanted}; available: {available}")]
    NoMatchingImage {
        archive: String,
        wanted: String,
        available: String,
    },

    #[error("{archive}: image indexes nest deeper than {limit} levels")]
    IndexTooDeep { archive: String, limit: usize },

    #[error("Docker engine at {socket}: {message}")]
    Engine { socket: String, message: String },

    #[error(
        "Docker engine at {socket}: image `{reference}` not found; build or pull it first, or pass a `docker save` archive"
    )]
    ImageNotFound { socket: String, reference: String },

    #[error(
        "DOCKER_HOST={host} is not supported; only unix:// sockets are read (save the image with `docker save -o image.tar` and analyze the file)"
    )]
    UnsupportedEngineHost { host: String },

    #[error(
        "invalid --platform `{value}`; expected OS/ARCH or OS/ARCH/VARIANT such as linux/amd64"
    )]
    InvalidPlatform { value: String },
}

/// An error that makes one layer unreadable. The analysis goes on with the other layers and
/// reports the image as incomplete.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LayerError {
    #[error("layer {layer}: blob `{file}` is missing from the archive")]
    MissingBlob { layer: String, file: String },

    #[error("layer {layer}: read failed: {message}")]
    Read { layer: String, message: String },

    #[error(
        "layer {layer}: {compression} stream is corrupt or truncated after {offset} compressed bytes: {message}"
    )]
    Decompress {
        layer: String,
        compression: &'static str,
        offset: u64,
        message: String,
    },

    #[error(
        "layer {layer}: entry `{entry}` claims {claimed} bytes but the layer ends after {read}; the layer is truncated"
    )]
    TruncatedEntry {
        layer: String,
        entry: String,
        claimed: u64,
        read: u64,
    },

    #[error("layer {layer}: invalid tar stream after {offset} bytes: {message}")]
    Tar {
        layer: String,
        offset: u64,
        message: String,
    },

    #[error(
        "layer {layer}: entry `{entry}` leaves the image root through `..`; a container engine rejects this layer"
    )]
    UnsafePath { layer: String, entry: String },

    #[error("layer {layer}: media type `{media_type}` is not a layer type this tool reads")]
    UnsupportedMediaType { layer: String, media_type: String },

    #[error("layer {layer}: media type says {declared} but the blob starts with {found}")]
    CompressionMismatch {
        layer: String,
        declared: &'static str,
        found: &'static str,
    },
}
