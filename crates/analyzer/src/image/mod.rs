//! Image analysis: reads a built image from the engine, a `docker save` archive or an OCI
//! layout, decodes every layer once, merges the layers with union-filesystem semantics, and
//! accounts for every stored byte: visible in the final filesystem, or wasted and attributed
//! to the layer that stored it and the layer that hid it.
//!
//! Memory grows with the number of paths in the image, never with the bytes in a layer: file
//! data is hashed through a fixed buffer and dropped, or, for uncompressed layers in a file,
//! left in a memory map whose pages are dropped behind the reader. A file in a memory map is
//! hashed after every layer is read, and only when another file of the image has the same size
//! and first bytes, because only then can the two be equal.

pub mod archive;
pub mod compression;
pub mod digests;
pub mod dive;
pub mod engine;
pub mod entry;
pub mod error;
pub mod history;
pub mod layer;
pub mod layout;
pub mod mapped;
pub mod report;
pub mod source;
pub mod tree;

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

use rayon::prelude::*;

pub use dive::DiveFigures;
pub use error::{ImageError, LayerError, printable};
pub use compression::Compression;
pub use layer::{LayerContents, NoProgress, Progress};
pub use layout::{ArchiveFormat, PlatformSpec, Selector};
pub use report::{Report, SCHEMA_VERSION};
pub use source::ImageSource;
pub use tree::{HideReason, MergedTree, WastedFile};

use archive::{DirCatalog, StreamCatalog, TarCatalog};
use entry::{ContentKey, Entry};
use layout::{Catalog, ImagePlan, LayerRef};
use mapped::MappedLayer;
use report::{LayerInput, ReportInput, SourceInfo};

/// Options of an analysis.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// The platform to pick from a multi-platform index; the host's when `None`.
    pub platform: Option<PlatformSpec>,
    /// How many bottom layers belong to the base image; the first layer when `None`.
    pub base_layers: Option<usize>,
    /// How many entries the report's top lists keep.
    pub top: usize,
    /// Computes each layer's sha256 and compares it with the digests the image declares.
    pub verify_digests: bool,
    /// Computes the content hash of every regular file. Without it, a file of an uncompressed
    /// layer read through a memory map is hashed only when another file of the image has the
    /// same size and first bytes. That is enough to compare files within the image, but a
    /// caller that compares the hashes with files read elsewhere needs all of them.
    pub hash_all_files: bool,
}

impl Default for AnalyzeOptions {
    fn default() -> AnalyzeOptions {
        AnalyzeOptions {
            platform: None,
            base_layers: None,
            top: 20,
            verify_digests: false,
            hash_all_files: false,
        }
    }
}

/// The outcome of an analysis: the report, and the full merged tree with every wasted file for
/// callers that need more than the report's top lists.
#[derive(Debug)]
pub struct Analysis {
    pub report: Report,
    pub tree: MergedTree,
    /// The config's `Entrypoint`, `Cmd` and `Env`; `None` when the config has none.
    pub runtime: Option<history::RuntimeConfig>,
}

impl Analysis {
    /// Every file whose bytes are stored but not visible, with the layer that stored it and the
    /// layer that hid it.
    pub fn wasted_files(&self) -> &[WastedFile] {
        self.tree.wasted()
    }
}

/// Where the layers of an opened source come from.
enum Opened {
    Tar(TarCatalog),
    Folder(DirCatalog),
    Stream(StreamCatalog),
}

impl Opened {
    fn catalog(&self) -> &dyn Catalog {
        match self {
            Opened::Tar(catalog) => catalog,
            Opened::Folder(catalog) => catalog,
            Opened::Stream(catalog) => catalog,
        }
    }
}

/// Analyzes an image. Fails only when the image itself cannot be found or its manifest and
/// config cannot be read; an unreadable layer is reported in `Report::errors` and the
/// analysis covers the other layers.
pub fn analyze(
    source: &ImageSource,
    options: &AnalyzeOptions,
    progress: &dyn Progress,
) -> Result<Analysis, ImageError> {
    let mut selector = Selector {
        reference: None,
        platform: options.platform.clone(),
        prefer_index: false,
    };
    let opened = match source {
        ImageSource::Engine { reference } => {
            let engine = engine::Engine::from_env()?;
            let stream = engine.export(reference)?;
            progress.start(None);
            let name = format!("{} (engine at {})", reference, engine.socket());
            Opened::Stream(StreamCatalog::read_with(
                stream,
                &name,
                progress,
                options.verify_digests,
            )?)
        }
        ImageSource::Stdin => {
            progress.start(None);
            let stdin = std::io::stdin().lock();
            Opened::Stream(StreamCatalog::read_with(
                stdin,
                "standard input",
                progress,
                options.verify_digests,
            )?)
        }
        ImageSource::DockerArchive { path, reference } => {
            selector.reference = reference.clone();
            Opened::Tar(TarCatalog::open(path)?)
        }
        ImageSource::OciArchive { path, reference } => {
            selector.reference = reference.clone();
            selector.prefer_index = true;
            Opened::Tar(TarCatalog::open(path)?)
        }
        ImageSource::OciLayout { path, reference } => {
            selector.reference = reference.clone();
            selector.prefer_index = true;
            Opened::Folder(DirCatalog::open(path)?)
        }
    };

    let plan = layout::resolve(opened.catalog(), &selector)?;
    let decoded = decode_layers(&opened, &plan, progress, options);
    Ok(assemble(&source.describe(), &plan, decoded, options))
}

/// Analyzes an image read once from `stream`, a tar in any of the archive layouts, such as a
/// builder's export on a pipe. `description` names the image in messages and the report.
pub fn analyze_stream(
    stream: impl Read,
    description: &str,
    options: &AnalyzeOptions,
    progress: &dyn Progress,
) -> Result<Analysis, ImageError> {
    let selector = Selector {
        reference: None,
        platform: options.platform.clone(),
        prefer_index: false,
    };
    progress.start(None);
    let opened = Opened::Stream(StreamCatalog::read(stream, description, progress)?);
    let plan = layout::resolve(opened.catalog(), &selector)?;
    let decoded = decode_layers(&opened, &plan, progress, options);
    Ok(assemble(description, &plan, decoded, options))
}

type Decoded = Result<Arc<LayerContents>, LayerError>;

/// A decoded layer, before the files of a mapped layer are hashed.
enum ReadLayer {
    /// A layer whose regular files were all hashed as it was read.
    Hashed(Arc<LayerContents>),
    Mapped(MappedLayer),
}

impl ReadLayer {
    fn entries(&self) -> &[Entry] {
        match self {
            ReadLayer::Hashed(contents) => &contents.entries,
            ReadLayer::Mapped(layer) => &layer.contents.entries,
        }
    }

    /// Hashes the files of a mapped layer whose key `shared` contains, or all of them with
    /// `hash_all_files`, and reports the bytes hashed to `progress`.
    fn finish(
        self,
        shared: &KeySet,
        hash_all_files: bool,
        progress: &dyn Progress,
    ) -> Arc<LayerContents> {
        match self {
            ReadLayer::Hashed(contents) => contents,
            ReadLayer::Mapped(layer) => Arc::new(layer.hash_files(
                |entry| needs_hash(entry, shared, hash_all_files),
                progress,
            )),
        }
    }
}

/// Returns whether the file of a mapped layer is hashed: when another file of the image
/// has its key, or always with `hash_all_files`.
fn needs_hash(entry: &Entry, shared: &KeySet, hash_all_files: bool) -> bool {
    hash_all_files || entry.content_key().is_some_and(|key| shared.contains(&key))
}

type KeySet = HashSet<ContentKey, foldhash::fast::RandomState>;

/// Returns the content keys that two or more regular files of `layers` share.
fn shared_content_keys<'a>(layers: impl Iterator<Item = &'a [Entry]>) -> KeySet {
    let mut seen = KeySet::default();
    let mut shared = KeySet::default();
    for entry in layers.flatten() {
        if let Some(key) = entry.content_key()
            && !seen.insert(key)
        {
            shared.insert(key);
        }
    }
    shared
}

/// Names a layer in messages: its blob digest, else its diff id, else its path.
fn layer_name(plan: &ImagePlan, index: usize) -> String {
    let layer = &plan.layers[index];
    layer
        .digest
        .clone()
        .or_else(|| plan.config.rootfs.diff_ids.get(index).cloned())
        .unwrap_or_else(|| layer.path.clone())
}

fn declared_compression(layer: &LayerRef, name: &str) -> Result<Option<Compression>, LayerError> {
    let Some(media_type) = &layer.media_type else {
        return Ok(None);
    };
    Compression::from_media_type(media_type)
        .map(Some)
        .ok_or_else(|| LayerError::UnsupportedMediaType {
            layer: name.to_owned(),
            media_type: media_type.clone(),
        })
}

/// Decodes every layer of the plan once (a blob listed twice is decoded once). Layers of
/// seekable sources are decoded in parallel, and with `verify_digests` each blob's and each
/// tar's sha256 is computed. Streamed layers were decoded as they arrived, with digests when
/// the stream catalog was asked for them. The files of mapped layers are hashed last, see
/// [`AnalyzeOptions::hash_all_files`].
fn decode_layers(
    opened: &Opened,
    plan: &ImagePlan,
    progress: &dyn Progress,
    options: &AnalyzeOptions,
) -> Vec<Decoded> {
    let digests = options.verify_digests;
    let mut first_index: HashMap<&str, usize> = HashMap::new();
    for (index, layer) in plan.layers.iter().enumerate() {
        first_index.entry(layer.path.as_str()).or_insert(index);
    }
    let unique: Vec<usize> = {
        let mut indexes: Vec<usize> = first_index.values().copied().collect();
        indexes.sort_unstable();
        indexes
    };

    let decode_one = |index: usize| -> Result<ReadLayer, LayerError> {
        let layer = &plan.layers[index];
        let name = layer_name(plan, index);
        if let Opened::Stream(catalog) = opened {
            let mut contents = catalog
                .layer(&layer.path)
                .map_err(|error| rename(error, &name))?;
            let declared = declared_compression(layer, &name)?;
            let empty_blob = contents.blob_bytes == 0;
            if let Some(warning) =
                layer::declared_mismatch(declared, contents.compression, empty_blob)
            {
                Arc::make_mut(&mut contents).warnings.push(warning);
            }
            return Ok(ReadLayer::Hashed(contents));
        }
        let declared = declared_compression(layer, &name)?;
        let missing = |error: ImageError| match error {
            ImageError::MissingFile { file, .. } => LayerError::MissingBlob {
                layer: name.clone(),
                file,
            },
            other => LayerError::Read {
                layer: name.clone(),
                message: other.to_string(),
            },
        };
        let (mut file, offset, size) = match opened {
            Opened::Tar(catalog) => catalog.open_blob(&layer.path).map_err(missing)?,
            Opened::Folder(catalog) => {
                let (file, size) = catalog.open_member(&layer.path).map_err(missing)?;
                (file, 0, size)
            }
            Opened::Stream(_) => unreachable!("streamed layers were returned above"),
        };
        // Plain tar blobs are mapped and their files hashed in place later; compressed ones,
        // and blobs that cannot be mapped, are read and hashed now.
        if let Some(map) = mapped::map_blob(&file, offset, size)
            && let Some(result) = layer::read_mapped_layer(map, declared, &name, progress, digests)
        {
            return result.map(ReadLayer::Mapped);
        }
        file.seek(SeekFrom::Start(offset))
            .map_err(|error| LayerError::Read {
                layer: name.clone(),
                message: error.to_string(),
            })?;
        layer::read_layer_with(file.take(size), declared, &name, progress, digests)
            .map(|contents| ReadLayer::Hashed(Arc::new(contents)))
    };

    let read: HashMap<usize, Result<ReadLayer, LayerError>> = match opened {
        Opened::Stream(_) => unique
            .iter()
            .map(|&index| (index, decode_one(index)))
            .collect(),
        _ => {
            let total = unique
                .iter()
                .map(|&index| blob_size(opened, &plan.layers[index]))
                .sum::<u64>();
            progress.start(Some(total));
            unique
                .par_iter()
                .map(|&index| (index, decode_one(index)))
                .collect()
        }
    };

    let listed: Vec<usize> = plan
        .layers
        .iter()
        .map(|layer| first_index[layer.path.as_str()])
        .collect();
    let results = finish_layers(read, &listed, options.hash_all_files, progress);
    listed.iter().map(|index| results[index].clone()).collect()
}

/// Hashes the files of the mapped layers in `read` that may equal another file of the image,
/// or all of them with `hash_all_files`, in parallel across layers. `listed` contains the key in
/// `read` of each layer of the image, in order. The bytes to hash are announced to `progress`
/// with [`Progress::hashing`], then counted as they are hashed.
fn finish_layers(
    read: HashMap<usize, Result<ReadLayer, LayerError>>,
    listed: &[usize],
    hash_all_files: bool,
    progress: &dyn Progress,
) -> HashMap<usize, Decoded> {
    // A file can equal another only if their keys are equal, so a mapped file whose key is its
    // own needs no hash. A blob the image lists twice counts twice, because the copy in the
    // upper layer hides the one in the lower layer and is compared with it.
    let any_mapped = read
        .values()
        .any(|layer| matches!(layer, Ok(ReadLayer::Mapped(_))));
    let shared = if any_mapped && !hash_all_files {
        let entries = listed
            .iter()
            .filter_map(|index| read[index].as_ref().ok().map(ReadLayer::entries));
        shared_content_keys(entries)
    } else {
        KeySet::default()
    };
    let to_hash: u64 = read
        .values()
        .filter_map(|layer| match layer {
            Ok(ReadLayer::Mapped(layer)) => {
                Some(layer.bytes_to_hash(|entry| needs_hash(entry, &shared, hash_all_files)))
            }
            _ => None,
        })
        .sum();
    if to_hash > 0 {
        progress.hashing(to_hash);
    }
    read.into_par_iter()
        .map(|(index, layer)| {
            let finished = layer.map(|layer| layer.finish(&shared, hash_all_files, progress));
            (index, finished)
        })
        .collect()
}

fn blob_size(opened: &Opened, layer: &LayerRef) -> u64 {
    let found = match opened {
        Opened::Tar(catalog) => catalog.open_member(&layer.path).ok().map(|(_, size)| size),
        Opened::Folder(catalog) => catalog.open_member(&layer.path).ok().map(|(_, size)| size),
        Opened::Stream(_) => None,
    };
    found.or(layer.size).unwrap_or(0)
}

/// Replaces the archive path that a streamed layer's errors name with the layer's digest.
fn rename(error: LayerError, name: &str) -> LayerError {
    let name = name.to_owned();
    match error {
        LayerError::MissingBlob { file, .. } => LayerError::MissingBlob { layer: name, file },
        LayerError::Read { message, .. } => LayerError::Read {
            layer: name,
            message,
        },
        other => other,
    }
}

fn assemble(
    description: &str,
    plan: &ImagePlan,
    decoded: Vec<Decoded>,
    options: &AnalyzeOptions,
) -> Analysis {
    let mut warnings = plan.warnings.clone();
    let mut errors = Vec::new();
    let diff_ids = &plan.config.rootfs.diff_ids;
    if diff_ids.len() != plan.layers.len() {
        warnings.push(format!(
            "the manifest lists {} but the config's rootfs has {}",
            history::count(plan.layers.len(), "layer", "layers"),
            history::count(diff_ids.len(), "diff id", "diff ids")
        ));
    }

    if let Some(base) = options.base_layers
        && base > plan.layers.len()
    {
        let count = plan.layers.len();
        warnings.push(format!(
            "--base-layers {base} exceeds the image's layers: it has only {count} {}; \
             the whole image is counted as base",
            if count == 1 { "layer" } else { "layers" }
        ));
    }

    let (history, mismatch) = history::pair_history(&plan.config.history, plan.layers.len());
    warnings.extend(mismatch);

    let contents: Vec<Option<&LayerContents>> = decoded
        .iter()
        .map(|result| result.as_ref().ok().map(Arc::as_ref))
        .collect();
    for (index, result) in decoded.iter().enumerate() {
        if let Err(error) = result {
            errors.push(error.to_string());
            continue;
        }
        let declared = plan.layers[index].size;
        let found = contents[index].map(|layer| layer.blob_bytes);
        if let (Some(declared), Some(found)) = (declared, found)
            && declared != found
        {
            warnings.push(format!(
                "layer {}: the manifest declares {declared} bytes but the blob has {found}",
                printable(&layer_name(plan, index))
            ));
        }
    }

    let dive_input: Vec<Option<&[entry::Entry]>> = contents
        .iter()
        .map(|layer| layer.map(|layer| layer.entries.as_slice()))
        .collect();
    let dive = dive::dive_figures(&dive_input);

    let mut tree = MergedTree::new();
    for (index, layer) in contents.iter().enumerate() {
        if let Some(layer) = layer {
            tree.apply(index, &layer.entries);
        }
    }

    let layers = plan
        .layers
        .iter()
        .enumerate()
        .map(|(index, layer)| LayerInput {
            path: layer.path.clone(),
            diff_id: diff_ids.get(index).cloned(),
            blob_digest: layer.digest.clone(),
            media_type: layer.media_type.clone(),
            contents: contents[index],
        })
        .collect();
    let source_info = SourceInfo {
        description: description.to_owned(),
        format: plan.format,
        reference: plan.reference.clone(),
        platform: plan.platform.clone(),
        config_digest: plan.config_digest.clone(),
        architecture: plan.config.architecture.clone(),
        os: plan.config.os.clone(),
        created: plan.config.created.clone(),
    };
    let mut report = report::build_report(ReportInput {
        source: source_info,
        layers,
        history,
        tree: &tree,
        dive,
        base_layers: options.base_layers,
        top: options.top,
        errors,
        warnings,
    });
    if options.verify_digests {
        report.digests = Some(digests::check_digests(plan, &contents));
    }
    Analysis {
        report,
        tree,
        runtime: plan.config.config.clone(),
    }
}
