//! Typed errors of image reading. Each names the file, blob or layer it concerns and what was
//! expected there, so the command line can print it as is.

use std::borrow::Cow;
use std::path::PathBuf;

/// An error that stops the analysis of a whole image.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    // The cause is part of the message and not a `source`, so an error chain printed
    // with its causes does not repeat it.
    #[error("{}: {}", printable(&.path.display().to_string()), printable(&.cause.to_string()))]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },

    #[error("{}: {}", printable(.archive), printable(.message))]
    Archive { archive: String, message: String },

    #[error(
        "{}: neither manifest.json nor index.json found; expected a `docker save` archive or an OCI image layout",
        printable(.archive)
    )]
    UnknownLayout { archive: String },

    #[error(
        "{}: `{}` is missing; the manifest refers to it",
        printable(.archive), printable(.file)
    )]
    MissingFile { archive: String, file: String },

    #[error(
        "{}: contains neither index.json (an OCI image layout) nor manifest.json \
         (an extracted `docker save` archive); expected an image layout folder",
        printable(.folder)
    )]
    UnknownFolderLayout { folder: String },

    #[error(
        "{}: `{}` is a folder where a file was expected; the archive is damaged \
         or was not written by `docker save` or an OCI tool",
        printable(.archive), printable(.file)
    )]
    MemberIsFolder { archive: String, file: String },

    #[error(
        "{}: `{}` is a link to `{}`, which points outside the archive; \
         the archive is damaged or crafted",
        printable(.archive), printable(.file), printable(.target)
    )]
    LinkOutsideArchive {
        archive: String,
        file: String,
        target: String,
    },

    #[error(
        "{}: `{}` is not {}: {}",
        printable(.archive), printable(.file), .what, printable(.reason)
    )]
    InvalidJson {
        archive: String,
        file: String,
        what: &'static str,
        reason: String,
    },

    #[error(
        "{}: invalid digest `{}`; expected ALGORITHM:HEX such as sha256:0123…",
        printable(.archive), printable(.digest)
    )]
    InvalidDigest { archive: String, digest: String },

    #[error(
        "{}: `{}` is a link chain that loops or is longer than {} links",
        printable(.archive), printable(.file), .limit
    )]
    LinkLoop {
        archive: String,
        file: String,
        limit: usize,
    },

    #[error(
        "{}: `{}` is {} bytes, more than the {} bytes allowed for a manifest or config",
        printable(.archive), printable(.file), .size, .limit
    )]
    TooLarge {
        archive: String,
        file: String,
        size: u64,
        limit: u64,
    },

    #[error(
        "{}: no image matches {}; available: {}",
        printable(.archive), printable(.wanted), printable(.available)
    )]
    NoMatchingImage {
        archive: String,
        wanted: String,
        available: String,
    },

    #[error("{}: image indexes nest deeper than {} levels", printable(.archive), .limit)]
    IndexTooDeep { archive: String, limit: usize },

    #[error("Docker engine at {}: {}", printable(.socket), printable(.message))]
    Engine { socket: String, message: String },

    #[error(
        "Docker engine at {}: image `{}` not found; build or pull it first, or pass a `docker save` archive",
        printable(.socket), printable(.reference)
    )]
    ImageNotFound { socket: String, reference: String },

    #[error(
        "DOCKER_HOST={} names no socket path; set it to unix:///var/run/docker.sock, \
         or unset it to use that default",
        printable(.host)
    )]
    EmptyEngineSocket { host: String },

    #[error(
        "DOCKER_HOST={} is not supported; only unix:// sockets are read (save the image with `docker save -o image.tar` and analyze the file)",
        printable(.host)
    )]
    UnsupportedEngineHost { host: String },

    #[error(
        "invalid --platform `{}`; expected OS/ARCH or OS/ARCH/VARIANT such as linux/amd64",
        printable(.value)
    )]
    InvalidPlatform { value: String },
}

/// An error that makes one layer unreadable. The analysis goes on with the other layers and
/// reports the image as incomplete.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LayerError {
    #[error("layer {}: blob `{}` is missing from the archive", printable(.layer), printable(.file))]
    MissingBlob { layer: String, file: String },

    #[error("layer {}: read failed: {}", printable(.layer), printable(.message))]
    Read { layer: String, message: String },

    #[error(
        "layer {}: {} stream is corrupt or truncated after {} compressed bytes: {}",
        printable(.layer), .compression, .offset, printable(.message)
    )]
    Decompress {
        layer: String,
        compression: &'static str,
        offset: u64,
        message: String,
    },

    #[error(
        "layer {}: entry `{}` claims {} bytes but the layer ends after {}; the layer is truncated",
        printable(.layer), printable(.entry), .claimed, .read
    )]
    TruncatedEntry {
        layer: String,
        entry: String,
        claimed: u64,
        read: u64,
    },

    #[error(
        "layer {}: invalid tar stream after {} bytes: {}",
        printable(.layer), .offset, printable(.message)
    )]
    Tar {
        layer: String,
        offset: u64,
        message: String,
    },

    #[error(
        "layer {}: entry `{}` leaves the image root through `..`; a container engine rejects this layer",
        printable(.layer), printable(.entry)
    )]
    UnsafePath { layer: String, entry: String },

    #[error(
        "layer {}: media type `{}` is not a layer type this tool reads",
        printable(.layer), printable(.media_type)
    )]
    UnsupportedMediaType { layer: String, media_type: String },

    #[error(
        "layer {}: media type says {} but the blob starts with {}",
        printable(.layer), .declared, .found
    )]
    CompressionMismatch {
        layer: String,
        declared: &'static str,
        found: &'static str,
    },
}

/// Escapes every character of `text` that a terminal would not print as text. These are
/// control characters, written as `\x1b` or `\u{9b}` (line feed and tab too, so a message
/// stays on one line), bidirectional formatting characters, and U+FFFD, the replacement for
/// bytes that were not UTF-8.
/// Image files are untrusted, and their names and bytes reach error messages.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        if !needs_escape(ch) {
            escaped.push(ch);
        } else if (ch as u32) < 0x80 {
            escaped.push_str(&format!("\\x{:02x}", ch as u32));
        } else {
            escaped.push_str(&format!("\\u{{{:x}}}", ch as u32));
        }
    }
    Cow::Owned(escaped)
}

fn needs_escape(ch: char) -> bool {
    ch.is_control()
        || ch == char::REPLACEMENT_CHARACTER
        || matches!(ch, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_keeps_plain_text() {
        assert!(matches!(printable("usr/lib/x … `a`"), Cow::Borrowed(_)));
    }

    #[test]
    fn printable_escapes_controls_and_invalid_bytes() {
        let lossy = String::from_utf8_lossy(b"a\x1b[31m\n\xff\x7f\xc2\x9b");
        assert_eq!(printable(&lossy), "a\\x1b[31m\\x0a\\u{fffd}\\x7f\\u{9b}");
        assert_eq!(printable("x\u{202e}y"), "x\\u{202e}y");
    }

    #[test]
    fn error_messages_escape_their_values() {
        let error = LayerError::UnsafePath {
            layer: "sha256:1".to_owned(),
            entry: "../\u{1b}]0;title\u{7}".to_owned(),
        };
        let message = error.to_string();
        assert!(message.contains("`../\\x1b]0;title\\x07`"), "{message}");
        assert!(!message.chars().any(char::is_control), "{message}");
    }
}
