//! Image archives written by the tests themselves: layer tars, image configs, and the
//! archive layouts (legacy `docker save`, Docker 25+, OCI layout folders and tars), including
//! hostile ones.

use std::io::Write;
use std::path::Path;

use serde_json::json;
use sha2::{Digest, Sha256};

/// One entry of a layer tar.
pub enum Item<'a> {
    File(&'a str, &'a [u8]),
    Folder(&'a str),
    Symlink(&'a str, &'a str),
    /// A regular-file header claiming `size` bytes, followed by `present` bytes only.
    Claim(&'a str, u64, usize),
}

fn raw_header(name: &str, kind: tar::EntryType, size: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    // Written byte for byte: `set_path` rejects `..` and absolute names, which tests need.
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(if kind == tar::EntryType::Directory {
        0o755
    } else {
        0o644
    });
    header.set_mtime(0);
    header
}

/// Writes a layer tar. A `Claim` item ends the tar where its data runs out.
pub fn layer(items: &[Item<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut builder = tar::Builder::new(&mut out);
    for item in items {
        match item {
            Item::File(name, data) => {
                let mut header = raw_header(name, tar::EntryType::Regular, data.len() as u64);
                header.set_cksum();
                builder.append(&header, *data).unwrap();
            }
            Item::Folder(name) => {
                let mut header = raw_header(name, tar::EntryType::Directory, 0);
                header.set_cksum();
                builder.append(&header, &[][..]).unwrap();
            }
            Item::Symlink(name, target) => {
                let mut header = raw_header(name, tar::EntryType::Symlink, 0);
                header.set_link_name(target).unwrap();
                header.set_cksum();
                builder.append(&header, &[][..]).unwrap();
            }
            Item::Claim(name, size, present) => {
                let mut header = raw_header(name, tar::EntryType::Regular, *size);
                header.set_cksum();
                // Dropping the builder writes the two zero blocks that end an archive; they are
                // cut so the claiming header follows the earlier entries.
                drop(builder);
                out.truncate(out.len() - 1024);
                out.extend_from_slice(header.as_bytes());
                out.extend(std::iter::repeat_n(b'x', *present));
                return out;
            }
        }
    }
    builder.finish().unwrap();
    drop(builder);
    out
}

pub fn sha256(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256:{hex}")
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

/// An image config whose history has one `RUN step N` entry per layer.
pub fn config(tars: &[&[u8]], architecture: &str) -> Vec<u8> {
    let diff_ids: Vec<String> = tars.iter().map(|tar| sha256(tar)).collect();
    let history: Vec<serde_json::Value> = (0..tars.len())
        .map(|index| json!({"created_by": format!("/bin/sh -c step {index}")}))
        .collect();
    serde_json::to_vec(&json!({
        "architecture": architecture,
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap()
}

/// A file of an archive or layout folder.
pub enum Member {
    Data(Vec<u8>),
    Symlink(String),
}

/// Writes members into a tar archive, in order.
pub fn write_tar(path: &Path, members: &[(String, Member)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut builder = tar::Builder::new(file);
    for (name, member) in members {
        let mut header = tar::Header::new_gnu();
        header.set_path(name).unwrap();
        header.set_mode(0o644);
        match member {
            Member::Data(data) => {
                header.set_size(data.len() as u64);
                header.set_entry_type(tar::EntryType::Regular);
                header.set_cksum();
                builder.append(&header, data.as_slice()).unwrap();
            }
            Member::Symlink(target) => {
                header.set_size(0);
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_link_name(target).unwrap();
                header.set_cksum();
                builder.append(&header, &[][..]).unwrap();
            }
        }
    }
    builder.finish().unwrap();
}

/// Writes a legacy `docker save` archive: `<n>/layer.tar` per layer, the config and
/// `manifest.json`. `links[i] = Some(j)` stores layer i as a symlink to layer j's tar.
pub fn legacy_archive(path: &Path, tars: &[&[u8]], links: &[Option<usize>]) {
    let config = config(tars, "amd64");
    let config_name = format!("{}.json", &sha256(&config)[7..]);
    let mut members = Vec::new();
    let mut layer_paths = Vec::new();
    for (index, tar) in tars.iter().enumerate() {
        let name = format!("{index:064}/layer.tar");
        let member = match links.get(index).copied().flatten() {
            Some(target) => Member::Symlink(format!("../{target:064}/layer.tar")),
            None => Member::Data(tar.to_vec()),
        };
        members.push((name.clone(), member));
        layer_paths.push(name);
    }
    members.push((config_name.clone(), Member::Data(config)));
    let manifest =
        json!([{"Config": config_name, "RepoTags": ["fixture:legacy"], "Layers": layer_paths}]);
    members.push((
        "manifest.json".to_owned(),
        Member::Data(serde_json::to_vec(&manifest).unwrap()),
    ));
    write_tar(path, &members);
}

/// An OCI image layout being assembled: blobs by digest plus `index.json`.
#[derive(Default)]
pub struct Layout {
    pub blobs: Vec<(String, Vec<u8>)>,
}

pub const LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";

impl Layout {
    /// Adds a blob and returns its descriptor.
    pub fn blob(&mut self, media_type: &str, data: Vec<u8>) -> serde_json::Value {
        let digest = sha256(&data);
        let descriptor = json!({"mediaType": media_type, "digest": digest, "size": data.len()});
        if !self.blobs.iter().any(|(existing, _)| *existing == digest) {
            self.blobs.push((digest, data));
        }
        descriptor
    }

    /// Adds an image from layer tars (compressed per `media_type`) and returns its manifest
    /// descriptor. `tars` are the uncompressed layers.
    pub fn image(
        &mut self,
        tars: &[&[u8]],
        media_type: &str,
        architecture: &str,
    ) -> serde_json::Value {
        let config = config(tars, architecture);
        let config_descriptor = self.blob("application/vnd.oci.image.config.v1+json", config);
        let layers: Vec<serde_json::Value> = tars
            .iter()
            .map(|tar| {
                let data = match media_type {
                    LAYER_GZIP => gzip(tar),
                    LAYER_ZSTD => zstd(tar),
                    _ => tar.to_vec(),
                };
                self.blob(media_type, data)
            })
            .collect();
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": config_descriptor,
            "layers": layers,
        });
        self.blob(MANIFEST, serde_json::to_vec(&manifest).unwrap())
    }

    pub fn index_json(manifests: &[serde_json::Value]) -> Vec<u8> {
        serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": manifests}))
            .unwrap()
    }

    /// Writes the layout as a folder.
    pub fn write_folder(&self, folder: &Path, index: &[u8]) {
        std::fs::create_dir_all(folder.join("blobs/sha256")).unwrap();
        for (digest, data) in &self.blobs {
            std::fs::write(folder.join("blobs/sha256").join(&digest[7..]), data).unwrap();
        }
        std::fs::write(folder.join("index.json"), index).unwrap();
        std::fs::write(
            folder.join("oci-layout"),
            br#"{"imageLayoutVersion": "1.0.0"}"#,
        )
        .unwrap();
    }

    /// Writes the layout as a tar, optionally with Docker's `manifest.json` beside it.
    pub fn write_tar(&self, path: &Path, index: &[u8], docker_manifest: Option<serde_json::Value>) {
        let mut members: Vec<(String, Member)> = self
            .blobs
            .iter()
            .map(|(digest, data)| {
                (
                    format!("blobs/sha256/{}", &digest[7..]),
                    Member::Data(data.clone()),
                )
            })
            .collect();
        members.push(("index.json".to_owned(), Member::Data(index.to_vec())));
        if let Some(manifest) = docker_manifest {
            members.push((
                "manifest.json".to_owned(),
                Member::Data(serde_json::to_vec(&manifest).unwrap()),
            ));
        }
        members.push((
            "oci-layout".to_owned(),
            Member::Data(br#"{"imageLayoutVersion": "1.0.0"}"#.to_vec()),
        ));
        write_tar(path, &members);
    }
}
