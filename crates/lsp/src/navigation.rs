//! Go to definition, find references, document highlight, and rename (with
//! `prepareRename`) for stage names, ARG and ENV variables and heredoc delimiters.

use std::collections::HashMap;

use ballast_parser::is_valid_stage_name;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{
    DocumentHighlight, DocumentHighlightKind, Location, Position, PrepareRenameResponse, TextEdit,
    WorkspaceEdit,
};

use crate::documents::Snapshot;
use crate::encoding::Encoding;
use crate::index::{Occurrence, PREDEFINED_ARGS, PROXY_ARGS, Role, SymbolKind};

/// Returns the declaration of the name under the cursor.
pub fn definition(snapshot: &Snapshot, encoding: Encoding, position: Position) -> Option<Location> {
    let positions = snapshot.positions(encoding);
    let index = snapshot.index();
    let occurrence = index.occurrence_at(positions.offset(position))?;
    let target = match occurrence.declaration {
        Some(declaration) => declaration,
        None => {
            index
                .occurrences_of(occurrence.symbol)
                .find(|other| other.role == Role::Declaration)?
                .span
        }
    };
    Some(Location::new(snapshot.uri.clone(), positions.range(target)))
}

/// Returns every place the name under the cursor is written, declarations included when
/// `include_declaration` is set.
pub fn references(
    snapshot: &Snapshot,
    encoding: Encoding,
    position: Position,
    include_declaration: bool,
) -> Vec<Location> {
    let positions = snapshot.positions(encoding);
    let index = snapshot.index();
    let Some(occurrence) = index.occurrence_at(positions.offset(position)) else {
        return Vec::new();
    };
    index
        .occurrences_of(occurrence.symbol)
        .filter(|other| include_declaration || other.role == Role::Reference)
        .map(|other| Location::new(snapshot.uri.clone(), positions.range(other.span)))
        .collect()
}

/// Declarations are writes, uses are reads.
pub fn highlights(
    snapshot: &Snapshot,
    encoding: Encoding,
    position: Position,
) -> Vec<DocumentHighlight> {
    let positions = snapshot.positions(encoding);
    let index = snapshot.index();
    let Some(occurrence) = index.occurrence_at(positions.offset(position)) else {
        return Vec::new();
    };
    index
        .occurrences_of(occurrence.symbol)
        .map(|other| DocumentHighlight {
            range: positions.range(other.span),
            kind: Some(match other.role {
                Role::Declaration => DocumentHighlightKind::WRITE,
                Role::Reference => DocumentHighlightKind::READ,
            }),
        })
        .collect()
}

/// Returns the name under the cursor when it can be renamed: a stage name, a heredoc
/// delimiter, or a variable the file declares. Variables that come from the base image or from
/// BuildKit itself have no declaration here, so renaming them would break the file.
pub fn prepare_rename(
    snapshot: &Snapshot,
    encoding: Encoding,
    position: Position,
) -> Option<PrepareRenameResponse> {
    let positions = snapshot.positions(encoding);
    let occurrence = renameable(snapshot, positions.offset(position))?;
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: positions.range(occurrence.span),
        placeholder: occurrence.span.text(&snapshot.text).to_string(),
    })
}

pub fn rename(
    snapshot: &Snapshot,
    encoding: Encoding,
    position: Position,
    new_name: &str,
) -> jsonrpc::Result<Option<WorkspaceEdit>> {
    let positions = snapshot.positions(encoding);
    let Some(occurrence) = renameable(snapshot, positions.offset(position)) else {
        return Ok(None);
    };
    let index = snapshot.index();
    let kind = index.symbols[occurrence.symbol].kind;
    check_new_name(kind, new_name)?;

    let edits = index
        .occurrences_of(occurrence.symbol)
        .map(|other| TextEdit::new(positions.range(other.span), new_name.to_string()))
        .collect();
    Ok(Some(WorkspaceEdit::new(HashMap::from([(
        snapshot.uri.clone(),
        edits,
    )]))))
}

fn renameable(snapshot: &Snapshot, offset: usize) -> Option<&Occurrence> {
    let index = snapshot.index();
    let occurrence = index.occurrence_at(offset)?;
    let symbol = &index.symbols[occurrence.symbol];
    let declared = index
        .occurrences_of(occurrence.symbol)
        .any(|other| other.role == Role::Declaration);
    let builtin = PREDEFINED_ARGS.contains(&symbol.name.as_str())
        || PROXY_ARGS.contains(&symbol.name.as_str());
    match symbol.kind {
        SymbolKind::Variable if builtin => None,
        _ if !declared => None,
        _ => Some(occurrence),
    }
}

/// Rejects names BuildKit would not accept in that place.
fn check_new_name(kind: SymbolKind, name: &str) -> jsonrpc::Result<()> {
    let valid = match kind {
        SymbolKind::Stage => is_valid_stage_name(&name.to_ascii_lowercase()),
        SymbolKind::Variable => {
            name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        SymbolKind::Heredoc => {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
    };
    if valid {
        return Ok(());
    }
    let expected = match kind {
        SymbolKind::Stage => {
            "a stage name starts with a letter and contains only letters, digits, `-`, `_` and `.`"
        }
        SymbolKind::Variable => {
            "a variable name starts with a letter or `_` and contains only letters, digits and `_`"
        }
        SymbolKind::Heredoc => "a heredoc delimiter contains only letters, digits and `_`",
    };
    Err(jsonrpc::Error::invalid_params(format!(
        "invalid name `{name}`: {expected}"
    )))
}
