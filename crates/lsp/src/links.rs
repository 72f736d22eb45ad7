//! `textDocument/documentLink`: each base image links to its page on the registry's web
//! site. The links are built from the name alone; the server makes no network request.

use ballast_parser::Instruction;
use ballast_parser::typed::{ImageRef, Typed};
use tower_lsp_server::ls_types::{DocumentLink, Uri};

use crate::documents::Snapshot;
use crate::encoding::Encoding;

pub fn document_links(snapshot: &Snapshot, encoding: Encoding) -> Vec<DocumentLink> {
    let positions = snapshot.positions(encoding);
    let index = snapshot.index();
    index
        .stages
        .iter()
        .filter(|stage| stage.base_stage.is_none())
        .filter_map(|stage| {
            let instruction = snapshot
                .tree
                .instructions()
                .find(|instruction| instruction.span.start == stage.span.start)?;
            let image = base_image(instruction)?;
            let (target, site) = web_page(&image)?;
            Some(DocumentLink {
                range: positions.range(image.span),
                target: Some(target),
                tooltip: Some(format!("Open {} on {site}", image.repository)),
                data: None,
            })
        })
        .collect()
}

fn base_image(instruction: &Instruction) -> Option<ImageRef> {
    let Typed::From(from) = instruction.typed() else {
        return None;
    };
    from.image.filter(|image| {
        !image.is_scratch() && !image.repository.contains('$') && !image.repository.is_empty()
    })
}

/// Returns the web page of an image repository and the site's name, for the registries
/// whose page addresses follow from the repository name.
fn web_page(image: &ImageRef) -> Option<(Uri, &'static str)> {
    let repository = image.repository.as_str();
    let (address, site) = match image.normalized_registry() {
        "docker.io" if repository.contains('/') && !repository.starts_with("library/") => (
            format!("https://hub.docker.com/r/{repository}"),
            "Docker Hub",
        ),
        "docker.io" => (
            format!(
                "https://hub.docker.com/_/{}",
                repository.trim_start_matches("library/")
            ),
            "Docker Hub",
        ),
        "ghcr.io" => (
            format!("https://ghcr.io/{repository}"),
            "GitHub Container Registry",
        ),
        "quay.io" => (format!("https://quay.io/repository/{repository}"), "Quay"),
        "mcr.microsoft.com" => (
            format!("https://mcr.microsoft.com/artifact/mar/{repository}"),
            "Microsoft Artifact Registry",
        ),
        _ => return None,
    };
    Some((address.parse().ok()?, site))
}
