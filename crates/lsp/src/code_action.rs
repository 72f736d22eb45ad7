//! `textDocument/codeAction`: the fix of each finding under the cursor, "ignore this rule
//! here" and "ignore this rule in this file" (a pragma in the file's existing style), and
//! the source action that applies every safe fix.

use std::collections::HashMap;

use ballast_analyzer::Diagnostic as Finding;
use ballast_analyzer::lint::SYNTAX_ERROR_CODE;
use ballast_analyzer::pragma::{FILE_LEVEL_CHECKS, Pragma, PragmaScope, PragmaTool, Pragmas};
use ballast_analyzer::rules::BUILDKIT_CHECKS;
use ballast_parser::{NodeKind, Span};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Command, Range, TextEdit, Uri, WorkspaceEdit,
};

use crate::analysis::{Analysis, Outcome};
use crate::capabilities::ClientFeatures;
use crate::diagnostics;
use crate::documents::Snapshot;
use crate::encoding::{Positions, SpanPositions};
use crate::spans::intersects;

/// The kind of the "apply every safe fix" source action.
pub const FIX_ALL_KIND: &str = "source.fixAll.ballast";
/// Applies a `WorkspaceEdit` given as the only argument, for clients without code action
/// literals.
pub const APPLY_EDIT_COMMAND: &str = "ballast.applyEdit";

pub fn code_actions(
    snapshot: &Snapshot,
    analysis: &Analysis,
    outcome: &Outcome,
    features: &ClientFeatures,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let positions = snapshot.positions(features.encoding);
    let span = positions.span(range);
    let wanted = |kind: &CodeActionKind| {
        only.is_none_or(|kinds| {
            kinds
                .iter()
                .any(|asked| kind.as_str().starts_with(asked.as_str()))
        })
    };
    let mut actions = Vec::new();

    let pragmas = Pragmas::parse(&snapshot.tree, &snapshot.text);
    let ignores = Ignores::new(snapshot, &pragmas, positions);
    let mut finding_positions = SpanPositions::new(positions);
    for finding in outcome
        .result
        .diagnostics
        .iter()
        .filter(|finding| intersects(finding.span, span))
    {
        if !wanted(&CodeActionKind::QUICKFIX) {
            break;
        }
        let diagnostic =
            diagnostics::convert(finding, &snapshot.uri, &mut finding_positions, features);
        if let Some(fix) = &finding.fix {
            let edits = fix
                .edits
                .iter()
                .map(|edit| {
                    TextEdit::new(
                        finding_positions.other_range(edit.span),
                        edit.replacement.clone(),
                    )
                })
                .collect();
            let safe = fix.applicability == ballast_analyzer::Applicability::Safe;
            actions.push(action(
                fix.title.clone(),
                CodeActionKind::QUICKFIX,
                &snapshot.uri,
                edits,
                Some(diagnostic.clone()),
                safe,
            ));
        }
        if finding.code == SYNTAX_ERROR_CODE {
            continue;
        }
        for scope in [Scope::Instruction, Scope::File] {
            if let Some((title, edits)) = ignores.edit(finding, scope) {
                actions.push(action(
                    title,
                    CodeActionKind::QUICKFIX,
                    &snapshot.uri,
                    edits,
                    Some(diagnostic.clone()),
                    false,
                ));
            }
        }
    }

    let fix_all = CodeActionKind::new(FIX_ALL_KIND);
    let has_safe_fix = outcome.result.diagnostics.iter().any(|finding| {
        finding
            .fix
            .as_ref()
            .is_some_and(|fix| fix.applicability == ballast_analyzer::Applicability::Safe)
    });
    if wanted(&fix_all)
        && has_safe_fix
        && let Some(fixed) = analysis.fix_all(snapshot)
    {
        let whole = positions.range(Span::new(0, snapshot.text.len()));
        let edits = vec![TextEdit::new(whole, fixed)];
        actions.push(action(
            "Apply every safe fix (ballast)".to_string(),
            fix_all,
            &snapshot.uri,
            edits,
            None,
            false,
        ));
    }

    if features.code_action_literals {
        actions
            .into_iter()
            .map(CodeActionOrCommand::CodeAction)
            .collect()
    } else if features.apply_edit {
        actions.into_iter().filter_map(as_command).collect()
    } else {
        Vec::new()
    }
}

fn action(
    title: String,
    kind: CodeActionKind,
    uri: &Uri,
    edits: Vec<TextEdit>,
    diagnostic: Option<tower_lsp_server::ls_types::Diagnostic>,
    preferred: bool,
) -> CodeAction {
    CodeAction {
        title,
        kind: Some(kind),
        diagnostics: diagnostic.map(|diagnostic| vec![diagnostic]),
        edit: Some(WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)]))),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    }
}

/// Returns the command form of an action, which the client runs with `workspace/executeCommand`.
fn as_command(action: CodeAction) -> Option<CodeActionOrCommand> {
    let edit = serde_json::to_value(action.edit?).ok()?;
    Some(CodeActionOrCommand::Command(Command::new(
        action.title,
        APPLY_EDIT_COMMAND.to_string(),
        Some(vec![edit]),
    )))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Instruction,
    File,
}

/// Returns the pragma syntax to write: BuildKit's `check=skip=` for its own checks when the file
/// uses it or has no other pragma, else hadolint's when the file uses only hadolint's, else
/// ballast's.
fn pragma_tool(pragmas: &Pragmas, code: &str) -> PragmaTool {
    let uses = |tool: PragmaTool| pragmas.list.iter().any(|pragma| pragma.tool == tool);
    let other_tools = uses(PragmaTool::Ballast) || uses(PragmaTool::Hadolint);
    if BUILDKIT_CHECKS.contains(&code) && (uses(PragmaTool::Check) || !other_tools) {
        PragmaTool::Check
    } else if uses(PragmaTool::Hadolint) && !uses(PragmaTool::Ballast) {
        PragmaTool::Hadolint
    } else {
        PragmaTool::Ballast
    }
}

/// The document facts that the "ignore" actions use, found once per request, because a
/// request over a long line can have a finding per word.
struct Ignores<'a> {
    snapshot: &'a Snapshot,
    pragmas: &'a Pragmas,
    positions: Positions<'a>,
    /// The line ending of a new pragma line: CRLF when the file uses it anywhere.
    eol: &'static str,
    /// Each top-level instruction in order of position: its span, where its keyword starts,
    /// and whether only parser directives come before it. A `# check=` line inserted there
    /// would be read as another directive.
    instructions: Vec<(Span, usize, bool)>,
}

impl<'a> Ignores<'a> {
    fn new(snapshot: &'a Snapshot, pragmas: &'a Pragmas, positions: Positions<'a>) -> Self {
        let eol = if snapshot.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let mut only_directives = true;
        let mut instructions = Vec::new();
        for node in &snapshot.tree.nodes {
            match &node.kind {
                NodeKind::Directive(_) => continue,
                NodeKind::Instruction(instruction) => instructions.push((
                    instruction.span,
                    instruction.keyword_span.start,
                    only_directives,
                )),
                NodeKind::Blank | NodeKind::Comment(_) => {}
            }
            only_directives = false;
        }
        Ignores {
            snapshot,
            pragmas,
            positions,
            eol,
            instructions,
        }
    }

    /// Returns the title and edits that silence `finding` on its instruction or in the whole
    /// file: the code appended to a pragma of the same kind when there is one, else a new
    /// pragma line.
    fn edit(&self, finding: &Finding, scope: Scope) -> Option<(String, Vec<TextEdit>)> {
        let Ignores {
            snapshot,
            pragmas,
            positions,
            eol,
            ..
        } = self;
        let text = snapshot.text.as_str();
        let code = &*finding.code;
        let tool = pragma_tool(pragmas, code);
        let edit = |span: Span, replacement: String| {
            vec![TextEdit::new(positions.range(span), replacement)]
        };

        match scope {
            Scope::Instruction => {
                let start = finding.span.start;
                let number = self
                    .instructions
                    .partition_point(|(span, ..)| span.end <= start);
                let &(span, keyword_start, after_directives) = self
                    .instructions
                    .get(number)
                    .filter(|(span, ..)| span.contains(start))?;
                // BuildKit reads a `# check=` comment only for the checks it runs per
                // instruction.
                if tool == PragmaTool::Check && FILE_LEVEL_CHECKS.contains(&code) {
                    return None;
                }
                let node_start = span.start;
                let title = format!("Ignore {code} for this instruction");
                let existing = pragmas.list.iter().find(|pragma| {
                    pragma.tool == tool && pragma.scope == PragmaScope::Instruction(number)
                });
                if let Some(at) = existing.and_then(append_point) {
                    return Some((title, edit(Span::empty(at), format!(",{code}"))));
                }
                if tool == PragmaTool::Check && after_directives {
                    return None;
                }
                let indent = &text[node_start..keyword_start];
                let line = match tool {
                    PragmaTool::Check => format!("{indent}# check=skip={code}{eol}"),
                    tool => format!("{indent}# {} ignore={code}{eol}", tool.as_str()),
                };
                Some((title, edit(Span::empty(node_start), line)))
            }
            Scope::File => {
                let title = format!("Ignore {code} in this file");
                if tool == PragmaTool::Check {
                    return check_directive_edit(snapshot, code, eol)
                        .map(|(span, replacement)| (title, edit(span, replacement)));
                }
                let existing = pragmas
                    .list
                    .iter()
                    .find(|pragma| pragma.tool == tool && pragma.scope == PragmaScope::File);
                if let Some(at) = existing.and_then(append_point) {
                    return Some((title, edit(Span::empty(at), format!(",{code}"))));
                }
                let line = format!("# {} global ignore={code}{eol}", tool.as_str());
                Some((title, edit(Span::empty(after_directives(snapshot)), line)))
            }
        }
    }
}

/// Returns where `,CODE` goes in an existing pragma: after its last code.
fn append_point(pragma: &Pragma) -> Option<usize> {
    if pragma.all {
        return None;
    }
    pragma.codes.last().map(|code| code.span.end)
}

/// Adds `code` to the `skip=` list of the `# check=` directive, or adds the directive.
fn check_directive_edit(snapshot: &Snapshot, code: &str, eol: &str) -> Option<(Span, String)> {
    let Some(directive) = snapshot.tree.directive("check") else {
        let start = if snapshot.text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        return Some((Span::empty(start), format!("# check=skip={code}{eol}")));
    };
    let value = directive.value.as_str();
    let start = directive.value_span.start;
    match value.find("skip=") {
        Some(skip) => {
            let list = &value[skip + "skip=".len()..];
            let list_end = list.find(';').unwrap_or(list.len());
            let names = &list[..list_end];
            if names
                .split(',')
                .any(|name| name.trim() == "all" || name.trim() == code)
            {
                return None;
            }
            let at = start + skip + "skip=".len() + names.trim_end().len();
            let separator = if names.trim().is_empty() { "" } else { "," };
            Some((Span::empty(at), format!("{separator}{code}")))
        }
        None => Some((Span::empty(start), format!("skip={code};"))),
    }
}

/// Returns the offset after the parser directives at the top of the file, where a comment can go
/// without turning later directives into plain comments.
fn after_directives(snapshot: &Snapshot) -> usize {
    let mut end = if snapshot.text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    for node in &snapshot.tree.nodes {
        match node.kind {
            NodeKind::Directive(_) => end = node.span.end,
            _ => break,
        }
    }
    end
}
