//! `textDocument/formatting` and `textDocument/rangeFormatting`: the edits of [`crate::format`]
//! as protocol text edits.

use ballast_parser::Span;
use tower_lsp_server::ls_types::{FormattingOptions, TextEdit};

use crate::documents::Snapshot;
use crate::encoding::Encoding;
use crate::format::{FormatOptions, edits};

pub fn formatting(
    snapshot: &Snapshot,
    encoding: Encoding,
    options: &FormattingOptions,
    range: Option<Span>,
) -> Vec<TextEdit> {
    let positions = snapshot.positions(encoding);
    let options = FormatOptions::new(options.tab_size, options.insert_spaces);
    edits(&snapshot.text, &snapshot.tree, &options, range)
        .into_iter()
        .map(|edit| TextEdit::new(positions.range(edit.span), edit.replacement))
        .collect()
}
