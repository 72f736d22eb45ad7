//! Reading the contents of a few files of an image: the analysis keeps only metadata and
//! hashes, but some findings depend on what a file says (an ELF header, a token in `.npmrc`).
//!
//! The image's tar stream is read once more, every layer member is walked, and for each wanted
//! path the first [`HEAD_BYTES`] are kept with the xxh3-128 hash of the whole content, the same
//! hash the analysis records, so a caller can pick the copy that is visible in the final
//! filesystem without knowing which member is which layer.

use std::io::{self, BufRead, BufReader, Read};

use xxhash_rust::xxh3::Xxh3;

use crate::image::engine::Engine;
use crate::image::entry::normalize_path;
use crate::image::{ImageError, ImageSource};

/// The bytes kept from the start of each wanted file: enough for ELF program headers, which
/// linkers place near the start of the file, and for small configuration files.
pub const HEAD_BYTES: usize = 64 * 1024;

/// Byte strings that a program able to speak TLS contains: Go's `crypto/tls` package, OpenSSL's
/// and BoringSSL's context constructor, rustls, and a link to libssl.
const TLS_MARKERS: [&[u8]; 5] = [
    b"crypto/tls",
    b"SSL_CTX_new",
    b"rustls",
    b"libssl.so",
    b"mbedtls_ssl",
];

/// One copy of a wanted file found in a layer.
#[derive(Debug, Clone)]
pub struct ProbedFile {
    /// Normalized, without a leading `/`.
    pub path: String,
    pub size: u64,
    /// The xxh3-128 hash of the whole content.
    pub hash: u128,
    /// The first [`HEAD_BYTES`] of the content.
    pub head: Vec<u8>,
    /// The first TLS marker found anywhere in the content.
    pub tls_marker: Option<String>,
}

/// Reads the wanted paths from every layer of the image. Members that are not layer tars
/// (configs, manifests) are skipped.
pub fn probe(source: &ImageSource, wanted: &[String]) -> Result<Vec<ProbedFile>, ImageError> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let stream: Box<dyn Read> = match source {
        ImageSource::Engine { reference } => Box::new(Engine::from_env()?.export(reference)?),
        ImageSource::DockerArchive { path, .. } | ImageSource::OciArchive { path, .. } => {
            Box::new(std::fs::File::open(path).map_err(|cause| ImageError::Io {
                path: path.clone(),
                cause,
            })?)
        }
        // NOTE: OCI layout folders and standard input are not probed; the findings that need
        // file contents are then not reported.
        ImageSource::OciLayout { .. } | ImageSource::Stdin => return Ok(Vec::new()),
    };
    probe_stream(stream, &source.describe(), wanted)
}

/// Reads the wanted paths from every layer of the image tar read from `stream`, in any of the
/// archive layouts. `name` names the image in errors.
pub fn probe_stream(
    stream: impl Read,
    name: &str,
    wanted: &[String],
) -> Result<Vec<ProbedFile>, ImageError> {
    let name = name.to_owned();
    let mut found = Vec::new();
    let mut archive = tar::Archive::new(stream);
    let entries = archive.entries().map_err(|error| ImageError::Archive {
        archive: name.clone(),
        message: error.to_string(),
    })?;
    for member in entries {
        let member = member.map_err(|error| ImageError::Archive {
            archive: name.clone(),
            message: error.to_string(),
        })?;
        if member.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        // A member that is not a tar ends the walk of that member with an error, which only
        // means it was a config or a manifest.
        let _ = probe_layer(member, wanted, &mut found);
    }
    Ok(found)
}

fn probe_layer(blob: impl Read, wanted: &[String], found: &mut Vec<ProbedFile>) -> io::Result<()> {
    let mut buffered = BufReader::new(blob);
    let head = buffered.fill_buf()?;
    let decoded: Box<dyn Read> = if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::MultiGzDecoder::new(buffered))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(zstd::stream::read::Decoder::new(buffered)?)
    } else {
        Box::new(buffered)
    };
    let mut layer = tar::Archive::new(decoded);
    for entry in layer.entries()? {
        let mut entry = entry?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Ok(normalized) = normalize_path(&raw) else {
            continue;
        };
        if wanted.binary_search(&normalized.path).is_err() {
            continue;
        }
        found.push(read_file(normalized.path, &mut entry)?);
    }
    Ok(())
}

fn read_file(path: String, data: &mut impl Read) -> io::Result<ProbedFile> {
    let mut hasher = Xxh3::new();
    let mut head = Vec::new();
    let mut size = 0u64;
    let mut tls_marker = None;
    let mut buffer = vec![0u8; 256 * 1024];
    // The last bytes of the previous read, so a marker split across two reads is found.
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let read = match data.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let chunk = &buffer[..read];
        hasher.update(chunk);
        size += read as u64;
        if head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - head.len()).min(read);
            head.extend_from_slice(&chunk[..take]);
        }
        if tls_marker.is_none() {
            let mut window = std::mem::take(&mut tail);
            window.extend_from_slice(chunk);
            tls_marker = find_marker(&window);
            let keep = window.len().saturating_sub(16);
            tail = window.split_off(keep);
        }
    }
    Ok(ProbedFile {
        path,
        size,
        hash: hasher.digest128(),
        head,
        tls_marker,
    })
}

fn find_marker(bytes: &[u8]) -> Option<String> {
    TLS_MARKERS.iter().find_map(|marker| {
        bytes
            .windows(marker.len())
            .any(|window| window == *marker)
            .then(|| String::from_utf8_lossy(marker).into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_split_across_reads_is_found() {
        struct Chunks(Vec<Vec<u8>>);
        impl Read for Chunks {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return Ok(0);
                }
                let chunk = self.0.remove(0);
                out[..chunk.len()].copy_from_slice(&chunk);
                Ok(chunk.len())
            }
        }
        let mut data = Chunks(vec![b"xxxxcrypto/".to_vec(), b"tlsyyyy".to_vec()]);
        let file = read_file("bin/app".to_owned(), &mut data).unwrap();
        assert_eq!(file.tls_marker.as_deref(), Some("crypto/tls"));
        assert_eq!(file.size, 18);
        assert_eq!(file.head, b"xxxxcrypto/tlsyyyy");
    }
}
