//! `textDocument/hover`. It shows the reference of instructions, flags, `--mount` options
//! and parser directives, the value of a variable at that line, where a stage is defined,
//! and the full name of a base image.

use ballast_parser::typed::{ImageRef, Typed};
use ballast_parser::{Args, Instruction, Keyword, NodeKind, Span};
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use ballast_analyzer::Diagnostic as Finding;

use crate::analysis::Outcome;
use crate::capabilities::ClientFeatures;
use crate::documents::Snapshot;
use crate::index::{Occurrence, Role, SymbolKind};
use crate::reference::{self, DIRECTIVES, MOUNT_OPTIONS, MOUNT_TYPES};

pub fn hover(
    snapshot: &Snapshot,
    features: &ClientFeatures,
    position: Position,
    lint: Option<&Outcome>,
) -> Option<Hover> {
    let positions = snapshot.positions(features.encoding);
    if !positions.has_line(position) {
        return None;
    }
    let offset = positions.offset(position);
    let described = describe(snapshot, offset);
    let rules = lint
        .map(|outcome| rule_docs(outcome, offset))
        .unwrap_or_default();
    let (span, markdown) = match (described, rules) {
        (Some((span, text)), Some((_, rules))) => (span, format!("{text}\n\n---\n\n{rules}")),
        (Some(found), None) => found,
        (None, Some(found)) => found,
        (None, None) => return None,
    };
    let (kind, value) = if features.hover_markdown {
        (MarkupKind::Markdown, markdown)
    } else {
        (MarkupKind::PlainText, plain_text(&markdown))
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind, value }),
        range: Some(positions.range(span)),
    })
}

/// Returns the Markdown of a hover as plain text for clients that do not render Markdown:
/// without code fences, rules, emphasis and backticks, and with links as `text (address)`.
pub fn plain_text(markdown: &str) -> String {
    let mut lines = Vec::new();
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            continue;
        }
        if trimmed == "---" {
            lines.push(String::new());
            continue;
        }
        let line = line.strip_prefix("#").map_or(line, |rest| rest.trim_start_matches('#').trim_start());
        lines.push(plain_line(line));
    }
    lines.join("\n")
}

/// Removes inline Markdown from one line: `**`, backticks and `[text](address)` links.
fn plain_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after.find("](").and_then(|close| {
            let address = &after[close + 2..];
            address.find(')').map(|end| (close, &address[..end], end))
        });
        let Some((close, address, end)) = link else {
            out.push_str(&rest[..=open]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..open]);
        out.push_str(&after[..close]);
        out.push_str(" (");
        out.push_str(address);
        out.push(')');
        rest = &after[close + 2 + end + 1..];
    }
    out.push_str(rest);
    out.replace("**", "").replace('`', "")
}

/// The most findings whose documentation one hover shows.
const MAX_RULE_DOCS: usize = 3;

/// Returns the documentation of the rules whose findings cover `offset`, with the span of
/// the first finding.
fn rule_docs(outcome: &Outcome, offset: usize) -> Option<(Span, String)> {
    let findings: Vec<&Finding> = outcome
        .result
        .diagnostics
        .iter()
        .filter(|finding| finding.span.start <= offset && offset <= finding.span.end)
        .take(MAX_RULE_DOCS)
        .collect();
    let first = findings.first()?.span;
    let sections: Vec<String> = findings
        .iter()
        .map(|finding| {
            let heading = format!(
                "**{}** ({}): {}",
                finding.code, finding.name, finding.message
            );
            match ballast_analyzer::rules::find(&finding.code) {
                Some(rule) if rule.meta().code.eq_ignore_ascii_case(&finding.code) => {
                    format!(
                        "{heading}\n\n{}",
                        rule.meta().documentation().replace("## ", "#### ")
                    )
                }
                _ => match crate::diagnostics::rule_url(&finding.code, &finding.name) {
                    Some(url) => format!("{heading}\n\n[Documentation]({url})"),
                    None => heading,
                },
            }
        })
        .collect();
    Some((first, sections.join("\n\n---\n\n")))
}

/// Returns the span the hover is about and its text in Markdown.
fn describe(snapshot: &Snapshot, offset: usize) -> Option<(Span, String)> {
    let at = |span: Span| span.start <= offset && offset <= span.end && !span.is_empty();
    if let Some(occurrence) = snapshot.index().occurrence_at(offset) {
        return Some((occurrence.span, occurrence_text(snapshot, occurrence)?));
    }

    let node = snapshot
        .tree
        .nodes
        .iter()
        .find(|node| node.span.contains(offset))?;
    match &node.kind {
        NodeKind::Directive(directive) if at(directive.name_span) || at(directive.value_span) => {
            let (_, _, summary) = DIRECTIVES
                .iter()
                .find(|(name, _, _)| *name == directive.name)?;
            Some((
                directive.span,
                format!("**# {}** (parser directive)\n\n{summary}", directive.name),
            ))
        }
        NodeKind::Instruction(instruction) => {
            let trigger = match &instruction.args {
                Args::Onbuild {
                    trigger: Some(trigger),
                } => Some(trigger.as_ref()),
                _ => None,
            };
            for target in std::iter::once(instruction.as_ref()).chain(trigger) {
                if at(target.keyword_span) {
                    return Some((target.keyword_span, keyword_text(target.keyword)?));
                }
                if let Some(found) = flag_text(target, offset) {
                    return Some(found);
                }
            }
            base_image_text(instruction, offset)
        }
        _ => None,
    }
}

fn keyword_text(keyword: Keyword) -> Option<String> {
    let doc = reference::instruction(keyword)?;
    Some(format!(
        "**{}**\n\n{}\n\n```dockerfile\n{}\n```\n\n[Dockerfile reference]({})",
        keyword.as_str(),
        doc.summary,
        doc.syntax,
        reference::docs_url(keyword)
    ))
}

fn flag_text(instruction: &Instruction, offset: usize) -> Option<(Span, String)> {
    let flag = instruction
        .flags
        .iter()
        .find(|flag| flag.span.start <= offset && offset <= flag.span.end)?;
    if flag.name == "mount"
        && let Some(found) = mount_text(instruction, offset)
    {
        return Some(found);
    }
    let doc = reference::flag_doc(instruction.keyword, &flag.name)?;
    let usage = match doc.value {
        Some(value) => format!("--{}={value}", doc.name),
        None => format!("--{}", doc.name),
    };
    let text = format!(
        "**{usage}** ({})\n\n{}",
        instruction.keyword.as_str(),
        doc.summary
    );
    Some((Span::new(flag.span.start, flag.name_span.end), text))
}

/// Describes the `--mount` option under the cursor, or the mount type on `type=…`.
fn mount_text(instruction: &Instruction, offset: usize) -> Option<(Span, String)> {
    let mount = instruction
        .mounts()
        .into_iter()
        .find(|mount| mount.span.start <= offset && offset <= mount.span.end)?;
    let option = mount
        .options
        .iter()
        .find(|option| option.span.start <= offset && offset <= option.span.end)?;
    if option.key == "type" {
        let name = option.value.as_deref()?.to_ascii_lowercase();
        let kind = MOUNT_TYPES.iter().find(|kind| kind.name == name)?;
        let options = kind.options.join("`, `");
        return Some((
            option.span,
            format!(
                "**type={}** (mount)\n\n{}\n\nOptions: `{options}`",
                kind.name, kind.summary
            ),
        ));
    }
    let key = reference::canonical_mount_option(&option.key);
    let (_, _, summary) = MOUNT_OPTIONS.iter().find(|(name, _, _)| *name == key)?;
    Some((
        option.span,
        format!("**{}** (mount option)\n\n{summary}", option.key),
    ))
}

fn occurrence_text(snapshot: &Snapshot, occurrence: &Occurrence) -> Option<String> {
    let index = snapshot.index();
    let symbol = &index.symbols[occurrence.symbol];
    let line_of = |span: Span| snapshot.lines.line_of(span.start) + 1;
    match symbol.kind {
        SymbolKind::Variable => {
            let value = match &occurrence.value {
                Some(value) => format!("`{}`", value.replace('`', "'")),
                None => "unset here".to_string(),
            };
            let origin = match (occurrence.declared_by, occurrence.declaration) {
                (Some(keyword), Some(declaration)) if occurrence.role == Role::Reference => {
                    format!(
                        "\n\nDeclared by {} on line {}.",
                        keyword.as_str(),
                        line_of(declaration)
                    )
                }
                (Some(keyword), _) => format!("\n\nDeclared here by {}.", keyword.as_str()),
                _ => "\n\nNot declared in this file: it may come from the base image or the build."
                    .to_string(),
            };
            Some(format!("**{}**: {value}{origin}", symbol.name))
        }
        SymbolKind::Stage => {
            let stage = index.stage_named(&symbol.name)?;
            let from_line = stage.from_span.text(&snapshot.text);
            Some(format!(
                "**stage {}** `{}` (line {})\n\n```dockerfile\n{from_line}\n```",
                stage.number,
                symbol.name,
                line_of(stage.from_span)
            ))
        }
        SymbolKind::Heredoc => Some(format!("heredoc delimiter `{}`", symbol.name)),
    }
}

/// Describes the base image under the cursor with its normalized name.
fn base_image_text(instruction: &Instruction, offset: usize) -> Option<(Span, String)> {
    let Typed::From(from) = instruction.typed() else {
        return None;
    };
    let image: ImageRef = from.image?;
    if !(image.span.start <= offset && offset <= image.span.end) || image.is_scratch() {
        return (image.is_scratch() && image.span.contains(offset)).then(|| {
            (
                image.span,
                "**scratch**: the empty image; the stage starts with no files.".to_string(),
            )
        });
    }
    let mut text = format!("**{}**", image.raw);
    if !image.has_variable() {
        text.push_str(&format!("\n\nFull name: `{}`", image.normalized()));
    }
    if image.digest.is_none() {
        text.push_str("\n\nNot pinned to a digest: the image can change between builds.");
    }
    Some((image.span, text))
}

#[cfg(test)]
mod plain_text_tests {
    use super::plain_text;

    #[test]
    fn markdown_becomes_plain_text() {
        let markdown = "## `COPY`\n\nCopies **files**; see [the reference](https://docs.docker.com/x).\n\n---\n\n```dockerfile\nCOPY a /b\n```";
        assert_eq!(
            plain_text(markdown),
            "COPY\n\nCopies files; see the reference (https://docs.docker.com/x).\n\n\n\nCOPY a /b"
        );
    }

    #[test]
    fn brackets_without_links_stay() {
        assert_eq!(plain_text("RUN [\"a\", \"b\"]"), "RUN [\"a\", \"b\"]");
    }
}
