//! Incremental reparsing: the tree of an edited text, built from the tree of the text
//! before the edit by parsing only a window of nodes around the edit.
//!
//! Once the parser directives are over, the line parser's state at a top-level node
//! boundary is the list of comments collected for the next instruction, because the escape
//! character and the directives no longer change. A node's parse reads its own lines and
//! looks forward only: continuation lines, heredoc bodies, the search for a heredoc
//! terminator and, for an unterminated heredoc, the search for the next line that looks
//! like an instruction. So parsing the new text from a boundary before the edit with the old
//! state gives the new nodes. Once that parse reaches a boundary after the edit that is an
//! old boundary moved by the edit, with the same collected comments, every later node is
//! the old node moved by the edit.
//!
//! The window starts one node before the node the edit starts in, because an unterminated
//! heredoc's body ends before the next line that looks like an instruction, which the edit
//! may change. An unterminated heredoc further up searches the whole rest of the text for a
//! terminator that the edit may add, so such a tree falls back to a whole parse.

use std::ops::Range;

use crate::lines::bom_len;
use crate::parse::{UNTERMINATED_HEREDOC, WindowOutput, WindowParser, WindowStart};
use crate::shift::Shift;
use crate::syntax::{Dockerfile, ErrorKind, Keyword, Node, NodeKind, SyntaxError};
use crate::validate::sort_errors;

/// One text replacement: bytes `start..old_end` of the old text became bytes
/// `start..new_end` of the new text, and the bytes before and after are the same in both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

/// Returns the tree of `new_text`, which is `old_text` with `edit` applied, reusing `old`,
/// the tree of `old_text`. The result equals `parse(new_text)`.
///
/// The nodes after the edit are moved out of `old` and shifted in place. Some edits are
/// parsed whole: those at the parser directives or the byte order mark, those that change
/// more than a quarter of the text, and those whose offsets do not fit the two texts. So
/// are edits to a tree with an unterminated heredoc before the edit or with no instruction.
///
/// NOTE: only the lengths of the texts are checked against `edit`. An edit that does not
/// describe how `old_text` became `new_text` gives a tree that is not `parse(new_text)`.
pub fn reparse(old: Dockerfile, old_text: &str, new_text: &str, edit: TextEdit) -> Dockerfile {
    try_reparse(old, old_text, new_text, edit).unwrap_or_else(|| crate::parse(new_text))
}

/// Returns what [`reparse`] returns, or `None` where `reparse` would parse the whole new
/// text, so that a caller can count or log the edits that needed a whole parse.
pub fn try_reparse(mut old: Dockerfile, old_text: &str, new_text: &str, edit: TextEdit) -> Option<Dockerfile> {
    if !edit_fits(&old, old_text, new_text, edit) || is_large_edit(edit, new_text.len()) {
        return None;
    }
    let TextEdit { start, old_end, new_end } = edit;
    let bom = bom_len(new_text) > 0;
    if bom != old.bom || !old.nodes.iter().any(is_instruction) {
        return None;
    }

    // The parser directives end at the first node that is not one. An edit that reaches
    // back to them may change a directive, and with it the escape character of every line.
    let directives_end = old.nodes.iter().take_while(|node| matches!(node.kind, NodeKind::Directive(_))).count();
    let edited = old.nodes.partition_point(|node| node.span.end <= start).min(old.nodes.len() - 1);
    let first = edited.saturating_sub(1);
    if first < directives_end {
        return None;
    }
    let window_start = old.nodes[first].span.start;
    // An unterminated heredoc above the window searched the whole rest of the old text for
    // its terminator line, which the edit may add.
    let unterminated_above = old.errors.iter().any(|error| {
        error.span.start < window_start && error.kind == ErrorKind::Parse && error.message == UNTERMINATED_HEREDOC
    });
    if unterminated_above {
        return None;
    }

    // The first line of the text starts after the byte order mark.
    let first_line = if first == 0 { bom_len(new_text) } else { window_start };
    let is_line_start = first == 0 || new_text.as_bytes().get(first_line.wrapping_sub(1)) == Some(&b'\n');
    if !is_line_start || !new_text.is_char_boundary(first_line) {
        return None;
    }
    let directives_len = old.directives.len();
    let mut comments: Vec<String> = pending_comment_texts(&old.nodes[..first]).map(str::to_string).collect();
    comments.reverse();
    let mut parser = WindowParser::new(
        new_text,
        WindowStart {
            offset: first_line,
            line: line_number_of_node(&old.nodes, first, old_text)?,
            escape: old.escape,
            directives_done: first > directives_end,
            directives: std::mem::take(&mut old.directives),
            comments,
        },
    );
    let resync = read_until_resync(&mut parser, &old.nodes, first, directives_end, edit);
    let window = parser.finish();
    if window.escape != old.escape || window.directives.len() != directives_len {
        return None;
    }

    let shift = Shift {
        bytes: new_end as isize - old_end as isize,
        lines: count_newlines(new_text.as_bytes().get(start..new_end)?) as i64
            - count_newlines(old_text.as_bytes().get(start..old_end)?) as i64,
    };
    let replaced = first..resync.unwrap_or(old.nodes.len());
    let dockerfile = replace_nodes(old, window, replaced, shift, new_text.len());
    dockerfile.nodes.iter().any(is_instruction).then_some(dockerfile)
}

/// Returns whether an edit removes or inserts more than a quarter of the new text. The
/// window of such an edit covers much of the text, so a whole parse costs about the same.
fn is_large_edit(edit: TextEdit, new_len: usize) -> bool {
    let changed = (edit.old_end - edit.start).max(edit.new_end - edit.start);
    changed > new_len / 4
}

/// Returns whether the edit's offsets fit the two texts and the old tree fits the old text.
fn edit_fits(old: &Dockerfile, old_text: &str, new_text: &str, edit: TextEdit) -> bool {
    let TextEdit { start, old_end, new_end } = edit;
    old.len == old_text.len()
        && start <= old_end
        && old_end <= old_text.len()
        && start <= new_end
        && new_end <= new_text.len()
        && old_text.len() - old_end == new_text.len() - new_end
}

/// Reads nodes of the new text until one ends at an old node boundary after the edit,
/// moved by the edit, with the same parser state there. Returns the index of the old node
/// that starts at that boundary, or `None` when the parser reached the end of the text.
fn read_until_resync(
    parser: &mut WindowParser<'_>,
    old_nodes: &[Node],
    first: usize,
    directives_end: usize,
    edit: TextEdit,
) -> Option<usize> {
    let can_resync = !ends_with_unmapped_instruction(old_nodes);
    let mut old_cursor = first;
    loop {
        let end = parser.read_node()?;
        if !can_resync || end < edit.new_end || !parser.directives_done() {
            continue;
        }
        let old_offset = end - edit.new_end + edit.old_end;
        while old_cursor < old_nodes.len() && old_nodes[old_cursor].span.start < old_offset {
            old_cursor += 1;
        }
        let at_boundary = old_nodes.get(old_cursor).is_some_and(|node| node.span.start == old_offset);
        if at_boundary && old_cursor > directives_end {
            let old_comments = pending_comment_texts(&old_nodes[..old_cursor]);
            if old_comments.eq(parser.pending_comments().iter().rev().map(String::as_str)) {
                return Some(old_cursor);
            }
        }
    }
}

/// Returns whether the last node is an instruction whose logical line is empty, which
/// happens when only continuation markers follow its start up to the end of the text.
/// Only the last node can be such an instruction. Its spans that come from its empty
/// `line_map` are all 0 wherever it is, so it cannot be moved, and its errors lie outside it.
fn ends_with_unmapped_instruction(nodes: &[Node]) -> bool {
    nodes.last().is_some_and(|node| {
        matches!(&node.kind, NodeKind::Instruction(instruction) if instruction.line.is_empty())
    })
}

/// Builds the new tree and its errors. Its nodes are the old nodes before `replaced`, the
/// window's nodes in place of the old nodes in `replaced`, and the old nodes after it,
/// moved by `shift`.
///
/// The second-phase errors of an instruction depend on the instruction and on whether a
/// FROM comes before it. So when the window leaves that unchanged for the nodes after it,
/// only the window's instructions are checked again. Otherwise every instruction is, as it
/// is when an instruction's errors may lie outside it.
fn replace_nodes(
    old: Dockerfile,
    window: WindowOutput,
    replaced: Range<usize>,
    shift: Shift,
    len: usize,
) -> Dockerfile {
    let WindowOutput { nodes: window_nodes, errors: mut window_errors, escape, directives } = window;
    let is_from = |node: &Node| {
        matches!(&node.kind, NodeKind::Instruction(instruction) if instruction.keyword == Keyword::From)
    };
    let from_above = old.nodes[..replaced.start].iter().any(is_from);
    let (instruction_errors, from_after_window) =
        crate::validate::instruction_errors(&window_nodes, &window_errors, from_above);
    let old_from_after_window = from_above || old.nodes[replaced.clone()].iter().any(is_from);
    let check_all = (replaced.end < old.nodes.len() && from_after_window != old_from_after_window)
        || ends_with_unmapped_instruction(&old.nodes)
        || ends_with_unmapped_instruction(&window_nodes);
    window_errors.extend(instruction_errors);
    sort_errors(&mut window_errors);

    let window_start = old.nodes[replaced.start].span.start;
    let old_window_end = old.nodes.get(replaced.end).map_or(usize::MAX, |node| node.span.start);
    let mut errors = merge_errors(old.errors, window_start, window_errors, old_window_end, shift);

    let mut nodes = old.nodes;
    let after = replaced.start + window_nodes.len();
    nodes.splice(replaced.clone(), window_nodes);
    if !shift.is_zero() {
        for node in &mut nodes[after..] {
            node.shift(shift);
        }
    }
    if replaced.start == 0 {
        // A whole parse extends the first node to offset 0, over the byte order mark.
        if let Some(node) = nodes.first_mut() {
            node.span.start = 0;
        }
    }

    if check_all {
        errors.retain(|error| error.kind == ErrorKind::Parse);
    }
    let mut dockerfile = Dockerfile { nodes, errors, escape, bom: old.bom, directives, len };
    if check_all {
        crate::validate::validate(&mut dockerfile);
    }
    dockerfile
}

fn is_instruction(node: &Node) -> bool {
    matches!(node.kind, NodeKind::Instruction(_))
}

/// Returns the comment texts a whole parse has collected for the next instruction after
/// `nodes`, from the last one back. They are the non-empty comments after the last
/// instruction and after the last empty comment (`#` alone), which clears them.
fn pending_comment_texts(nodes: &[Node]) -> impl Iterator<Item = &str> {
    nodes
        .iter()
        .rev()
        .map_while(|node| match &node.kind {
            NodeKind::Instruction(_) => None,
            NodeKind::Comment(comment) if comment.text.is_empty() => None,
            NodeKind::Comment(comment) => Some(Some(comment.text.as_str())),
            NodeKind::Blank | NodeKind::Directive(_) => Some(None),
        })
        .flatten()
}

/// Returns the 0-based line number on which node `index` starts: from the line numbers of
/// the nearest instruction at or before it, and the line breaks between the two.
fn line_number_of_node(nodes: &[Node], index: usize, text: &str) -> Option<usize> {
    let node_start = nodes.get(index)?.span.start;
    let mut line = 0;
    let mut from = 0;
    for (position, node) in nodes[..=index].iter().enumerate().rev() {
        let NodeKind::Instruction(instruction) = &node.kind else { continue };
        if position == index {
            return (instruction.start_line as usize).checked_sub(1);
        }
        // `end_line` is the 1-based number of the instruction's last line, so it is also
        // the 0-based number of the line after it.
        line = instruction.end_line as usize;
        from = node.span.end;
        break;
    }
    Some(line + count_newlines(text.as_bytes().get(from..node_start)?))
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&byte| byte == b'\n').count()
}

/// Returns the errors of the new tree in the order a whole parse reports them: the old
/// errors before the window, the window's errors, and the old errors from `old_window_end`
/// on, shifted. Each error lies within the node that reports it, so the start of its span
/// identifies that node. Errors are sorted by span, and errors with the same span lie in
/// the same node, so the order within a node is kept.
fn merge_errors(
    old: Vec<SyntaxError>,
    window_start: usize,
    window: Vec<SyntaxError>,
    old_window_end: usize,
    shift: Shift,
) -> Vec<SyntaxError> {
    let mut errors = Vec::with_capacity(old.len() + window.len());
    let mut old = old.into_iter().peekable();
    while let Some(error) = old.next_if(|error| error.span.start < window_start) {
        errors.push(error);
    }
    errors.extend(window);
    for mut error in old.filter(|error| error.span.start >= old_window_end) {
        error.shift(shift);
        errors.push(error);
    }
    errors
}
