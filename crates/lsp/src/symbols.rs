//! `textDocument/documentSymbol`: stages containing their instructions, and the variables
//! each ARG and ENV declares.

use ballast_parser::typed::Typed;
use ballast_parser::{Instruction, Keyword, NodeKind};
use tower_lsp_server::ls_types::{
    DocumentSymbol, DocumentSymbolResponse, Location, SymbolInformation, SymbolKind, SymbolTag,
};

use crate::capabilities::ClientFeatures;
use crate::documents::Snapshot;
use crate::encoding::Positions;
use crate::spans::{instruction_extent, trim_line_end};

/// The longest `detail` shown for an instruction, in characters.
const DETAIL_CHARS: usize = 80;

pub fn document_symbols(snapshot: &Snapshot, features: &ClientFeatures) -> DocumentSymbolResponse {
    let positions = snapshot.positions(features.encoding);
    let tree = build(snapshot, &positions);
    if features.hierarchical_symbols {
        DocumentSymbolResponse::Nested(tree)
    } else {
        let mut flat = Vec::new();
        flatten(snapshot, tree, None, &mut flat);
        DocumentSymbolResponse::Flat(flat)
    }
}

fn build(snapshot: &Snapshot, positions: &Positions) -> Vec<DocumentSymbol> {
    let text = snapshot.text.as_str();
    let index = snapshot.index();
    let mut top = Vec::new();
    let mut stage: Option<DocumentSymbol> = None;

    for node in &snapshot.tree.nodes {
        match &node.kind {
            NodeKind::Directive(directive) => top.push(symbol(
                format!("# {}", directive.name),
                Some(directive.value.clone()),
                SymbolKind::PROPERTY,
                positions.range(directive.span),
                positions.range(directive.name_span),
            )),
            NodeKind::Instruction(instruction) if instruction.keyword == Keyword::From => {
                if let Some(finished) = stage.take() {
                    top.push(finished);
                }
                let number = index
                    .stage_at(instruction.keyword_span.start)
                    .map_or(0, |stage| stage.number);
                let stage_span = index
                    .stages
                    .get(number)
                    .map_or(instruction.span, |stage| stage.span);
                let name = match index
                    .stages
                    .get(number)
                    .and_then(|stage| stage.name.clone())
                {
                    Some(name) => name,
                    None => format!("stage {number}"),
                };
                let selection = index
                    .stages
                    .get(number)
                    .and_then(|stage| stage.name_span)
                    .unwrap_or(instruction.keyword_span);
                let mut symbol = symbol(
                    name,
                    Some(detail(instruction.line_span().text(text))),
                    SymbolKind::MODULE,
                    positions.range(trim_line_end(text, stage_span)),
                    positions.range(selection),
                );
                symbol.children = Some(vec![instruction_symbol(instruction, text, positions)]);
                stage = Some(symbol);
            }
            NodeKind::Instruction(instruction) => {
                let child = instruction_symbol(instruction, text, positions);
                match stage.as_mut().and_then(|stage| stage.children.as_mut()) {
                    Some(children) => children.push(child),
                    None => top.push(child),
                }
            }
            NodeKind::Blank | NodeKind::Comment(_) => {}
        }
    }
    if let Some(finished) = stage {
        top.push(finished);
    }
    top
}

fn instruction_symbol(
    instruction: &Instruction,
    text: &str,
    positions: &Positions,
) -> DocumentSymbol {
    let name = match instruction.keyword {
        Keyword::Unknown => instruction.keyword_text.clone(),
        keyword => keyword.as_str().to_string(),
    };
    let rest = instruction.rest_span.text(text);
    let mut symbol = symbol(
        name,
        (!rest.is_empty()).then(|| detail(rest)),
        kind(instruction.keyword),
        positions.range(instruction_extent(text, instruction)),
        positions.range(instruction.keyword_span),
    );
    if instruction.keyword == Keyword::Maintainer {
        symbol.tags = Some(vec![SymbolTag::DEPRECATED]);
    }
    let variables = variable_symbols(instruction, positions);
    if !variables.is_empty() {
        symbol.children = Some(variables);
    }
    symbol
}

/// Returns one child symbol per variable an ARG or ENV declares.
fn variable_symbols(instruction: &Instruction, positions: &Positions) -> Vec<DocumentSymbol> {
    match instruction.typed() {
        Typed::Arg(declarations) => declarations
            .iter()
            .map(|declaration| {
                let range = positions.range(declaration.word.span);
                symbol(
                    declaration.name.to_string(),
                    declaration.default.map(str::to_string),
                    SymbolKind::VARIABLE,
                    range,
                    positions.range(declaration.name_span),
                )
            })
            .collect(),
        Typed::Env(pairs) => pairs
            .iter()
            .map(|pair| {
                let range = positions.range(pair.key.span.cover(pair.value.span));
                symbol(
                    pair.key.value.clone(),
                    Some(pair.value.value.clone()),
                    SymbolKind::VARIABLE,
                    range,
                    positions.range(pair.key.span),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn kind(keyword: Keyword) -> SymbolKind {
    match keyword {
        Keyword::Arg | Keyword::Env => SymbolKind::VARIABLE,
        Keyword::Label | Keyword::Maintainer => SymbolKind::PROPERTY,
        Keyword::Copy | Keyword::Add | Keyword::Workdir | Keyword::Volume => SymbolKind::FILE,
        Keyword::Expose | Keyword::Stopsignal => SymbolKind::CONSTANT,
        Keyword::From => SymbolKind::CLASS,
        Keyword::User => SymbolKind::FIELD,
        _ => SymbolKind::FUNCTION,
    }
}

/// Returns the first line of `text`, shortened to [`DETAIL_CHARS`] characters.
fn detail(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let mut detail: String = line.chars().take(DETAIL_CHARS).collect();
    if line.chars().count() > DETAIL_CHARS || text.lines().nth(1).is_some() {
        detail.push('…');
    }
    detail
}

#[allow(deprecated)]
fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: tower_lsp_server::ls_types::Range,
    selection_range: tower_lsp_server::ls_types::Range,
) -> DocumentSymbol {
    // The protocol requires a name that is not empty.
    let name = if name.is_empty() {
        "?".to_string()
    } else {
        name
    };
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range,
        children: None,
    }
}

/// Flattens the tree for clients without hierarchical symbols; each symbol names its
/// parent as the container.
#[allow(deprecated)]
fn flatten(
    snapshot: &Snapshot,
    symbols: Vec<DocumentSymbol>,
    container: Option<&str>,
    out: &mut Vec<SymbolInformation>,
) {
    for symbol in symbols {
        out.push(SymbolInformation {
            name: symbol.name.clone(),
            kind: symbol.kind,
            tags: symbol.tags.clone(),
            deprecated: None,
            location: Location::new(snapshot.uri.clone(), symbol.range),
            container_name: container.map(str::to_string),
        });
        if let Some(children) = symbol.children {
            flatten(snapshot, children, Some(&symbol.name), out);
        }
    }
}
