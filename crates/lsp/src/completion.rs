//! `textDocument/completion`: what fits at the cursor, read from the text before it.
//!
//! The contexts are checked in this order:
//! - a heredoc body: its terminator, and variables;
//! - a comment: parser directives and their values, rule codes in pragmas;
//! - a variable after `$` or `${`;
//! - the keyword of an instruction;
//! - a flag name, or a flag value: stage names, `--mount` options and types, fixed values;
//! - the arguments of FROM and HEALTHCHECK: stages, well-known base images and their tags,
//!   `AS`, `CMD` and `NONE`.

use ballast_parser::{Heredoc, Instruction, Keyword, NodeKind, Span};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionItemTag, CompletionTextEdit, Documentation,
    InsertTextFormat, MarkupContent, MarkupKind, Position, TextEdit,
};

use crate::capabilities::ClientFeatures;
use crate::documents::Snapshot;
use crate::encoding::Positions;
use crate::index::{PREDEFINED_ARGS, PROXY_ARGS};
use crate::reference::{self, BASE_IMAGES, BUILD_CHECKS, DIRECTIVES, MOUNT_OPTIONS, MOUNT_TYPES};

/// Rule codes and names offered inside `# ballast ignore=` and `# hadolint ignore=`.
pub type RuleCodes<'a> = &'a [(String, String)];

/// Returns the code and name of every lint rule.
pub fn rule_codes() -> RuleCodes<'static> {
    static CODES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    CODES.get_or_init(|| {
        ballast_analyzer::rules::RULES
            .iter()
            .map(|rule| (rule.meta().code.to_string(), rule.meta().name.to_string()))
            .collect()
    })
}

pub fn completion(
    snapshot: &Snapshot,
    features: &ClientFeatures,
    position: Position,
    rules: RuleCodes,
) -> Vec<CompletionItem> {
    let positions = snapshot.positions(features.encoding);
    let offset = positions.offset(position);
    let context = Context {
        snapshot,
        features,
        positions,
        offset,
        rules,
    };
    context.items()
}

struct Context<'a> {
    snapshot: &'a Snapshot,
    features: &'a ClientFeatures,
    positions: Positions<'a>,
    offset: usize,
    rules: RuleCodes<'a>,
}

/// The text and labels of one completion item.
struct Insert {
    label: String,
    kind: CompletionItemKind,
    detail: Option<String>,
    documentation: Option<String>,
    /// Snippet text, used when the client supports snippets.
    snippet: Option<String>,
    /// Plain text, used otherwise; the label when `None`.
    text: Option<String>,
    deprecated: bool,
}

impl Insert {
    fn new(label: impl Into<String>, kind: CompletionItemKind) -> Insert {
        Insert {
            label: label.into(),
            kind,
            detail: None,
            documentation: None,
            snippet: None,
            text: None,
            deprecated: false,
        }
    }

    fn detail(mut self, detail: impl Into<String>) -> Insert {
        self.detail = Some(detail.into());
        self
    }

    fn documentation(mut self, documentation: impl Into<String>) -> Insert {
        self.documentation = Some(documentation.into());
        self
    }

    fn text(mut self, text: impl Into<String>) -> Insert {
        self.text = Some(text.into());
        self
    }

    fn snippet(mut self, snippet: impl Into<String>) -> Insert {
        self.snippet = Some(snippet.into());
        self
    }
}

impl Context<'_> {
    fn text(&self) -> &str {
        &self.snapshot.text
    }

    /// Returns the text from the start of the cursor's line to the cursor.
    fn line_before(&self) -> (usize, &str) {
        let line = self.snapshot.lines.line_of(self.offset);
        let start = self
            .snapshot
            .lines
            .line_start(line)
            .unwrap_or(0)
            .min(self.offset);
        (start, &self.text()[start..self.offset])
    }

    fn items(&self) -> Vec<CompletionItem> {
        let (line_start, before) = self.line_before();
        // The cursor at the end of a last line without a line terminator is still on it.
        let text = self.text();
        let node = self.snapshot.tree.nodes.iter().find(|node| {
            let inside = node.span.start <= self.offset && self.offset < node.span.end;
            inside || (self.offset == node.span.end && !node.span.text(text).ends_with('\n'))
        });
        let instruction = match node.map(|node| &node.kind) {
            Some(NodeKind::Instruction(instruction)) => Some(instruction.as_ref()),
            _ => None,
        };

        if let Some(instruction) = instruction
            && let Some(heredoc) = instruction
                .heredocs
                .iter()
                .find(|heredoc| in_body(heredoc, self.offset))
        {
            return self.heredoc_body(instruction, heredoc, before);
        }
        if before.trim_start().starts_with('#') {
            return self.comment(before, line_start);
        }
        if let Some(items) = self.variable(before) {
            return items;
        }

        let on_first_line = instruction.is_none_or(|instruction| {
            instruction
                .physical_lines
                .first()
                .is_none_or(|first| self.offset <= first.end)
        });
        let typed = before.trim_start();
        if on_first_line && !typed.contains(char::is_whitespace) {
            return self.keywords(typed, Keyword::Unknown);
        }
        if on_first_line
            && let Some((trigger, after)) = typed.split_once(char::is_whitespace)
            && Keyword::parse(trigger) == Keyword::Onbuild
            && !after.trim_start().contains(char::is_whitespace)
        {
            return self.keywords(after.trim_start(), Keyword::Onbuild);
        }
        match instruction {
            Some(instruction) => self.arguments(target(instruction, self.offset), before),
            None => Vec::new(),
        }
    }

    /// Inside a heredoc body: the terminator of an unterminated heredoc, and variables.
    fn heredoc_body(
        &self,
        instruction: &Instruction,
        heredoc: &Heredoc,
        before: &str,
    ) -> Vec<CompletionItem> {
        if let Some(items) = self.variable(before) {
            return items;
        }
        let typed = if heredoc.chomp {
            before.trim_start_matches('\t')
        } else {
            before
        };
        let unterminated = heredoc.terminator_span.is_none();
        if !unterminated || !heredoc.name.starts_with(typed) {
            return Vec::new();
        }
        let detail = format!("ends the heredoc of {}", instruction.keyword.as_str());
        let insert = Insert::new(heredoc.name.clone(), CompletionItemKind::KEYWORD).detail(detail);
        vec![self.item(insert, self.offset - typed.len(), 0)]
    }

    /// Comment lines: parser directives at the top of the file, and rule codes in pragmas.
    fn comment(&self, before: &str, line_start: usize) -> Vec<CompletionItem> {
        let body = before.trim_start().trim_start_matches('#').trim_start();
        let lower = body.to_ascii_lowercase();
        let in_directives = self
            .snapshot
            .tree
            .nodes
            .iter()
            .take_while(|node| node.span.end <= line_start)
            .all(|node| matches!(node.kind, NodeKind::Directive(_)));

        if let Some(rest) = lower
            .strip_prefix("ballast")
            .or_else(|| lower.strip_prefix("hadolint"))
            && let Some(codes) = rest.trim_start().strip_prefix("ignore=")
        {
            return self.rule_codes(codes, true);
        }
        if !in_directives {
            return Vec::new();
        }
        if let Some((name, value)) = lower.split_once('=') {
            return self.directive_values(name.trim(), value.trim_start());
        }
        if !lower.chars().all(|c| c.is_ascii_alphabetic()) {
            return Vec::new();
        }
        DIRECTIVES
            .iter()
            .filter(|(name, _, _)| self.snapshot.tree.directive(name).is_none())
            .map(|(name, values, summary)| {
                let choices = values
                    .iter()
                    .map(|value| escape_choice(value))
                    .collect::<Vec<_>>()
                    .join(",");
                let insert = Insert::new(*name, CompletionItemKind::PROPERTY)
                    .detail("parser directive")
                    .documentation(*summary)
                    .text(format!("{name}={}", values[0]))
                    .snippet(format!("{name}=${{1|{choices}|}}"));
                self.item(insert, self.offset - body.len(), 0)
            })
            .collect()
    }

    fn directive_values(&self, name: &str, value: &str) -> Vec<CompletionItem> {
        if name == "check" {
            if let Some(skipped) = value.strip_prefix("skip=") {
                return self.rule_codes(skipped, false);
            }
        }
        let Some((_, values, _)) = DIRECTIVES.iter().find(|(known, _, _)| *known == name) else {
            return Vec::new();
        };
        values
            .iter()
            .map(|candidate| {
                self.item(
                    Insert::new(*candidate, CompletionItemKind::VALUE),
                    self.offset - value.len(),
                    0,
                )
            })
            .collect()
    }

    /// Codes after `ignore=` (lint rules) or `check=skip=` (BuildKit's checks), comma
    /// separated; the code being typed is the text after the last comma.
    fn rule_codes(&self, typed: &str, lint_rules: bool) -> Vec<CompletionItem> {
        let current = typed.rsplit(',').next().unwrap_or("");
        let start = self.offset - current.len();
        if lint_rules {
            return self
                .rules
                .iter()
                .map(|(code, name)| {
                    self.item(
                        Insert::new(code.clone(), CompletionItemKind::CONSTANT)
                            .detail(name.clone()),
                        start,
                        0,
                    )
                })
                .collect();
        }
        let mut items: Vec<CompletionItem> = BUILD_CHECKS
            .iter()
            .map(|name| {
                self.item(
                    Insert::new(*name, CompletionItemKind::CONSTANT).detail("BuildKit build check"),
                    start,
                    0,
                )
            })
            .collect();
        items.push(self.item(
            Insert::new("all", CompletionItemKind::CONSTANT).detail("every build check"),
            start,
            0,
        ));
        items
    }

    /// After `$` or `${`: the variables visible here.
    fn variable(&self, before: &str) -> Option<Vec<CompletionItem>> {
        let dollar = before.rfind('$')?;
        let after = &before[dollar + 1..];
        let braced = after.starts_with('{');
        let name = if braced { &after[1..] } else { after };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let closed = self.text()[self.offset..].starts_with('}');
        let close = if braced && !closed { "}" } else { "" };
        let start = self.offset - name.len();

        let index = self.snapshot.index();
        let on_from_line = index.stage_at(self.offset).is_none_or(|stage| {
            stage.from_span.start <= self.offset && self.offset <= stage.from_span.end
        });
        let mut items: Vec<CompletionItem> = index
            .visible_variables(self.offset)
            .into_iter()
            .map(|binding| {
                let value = binding
                    .value
                    .clone()
                    .unwrap_or_else(|| "(no value)".to_string());
                let insert = Insert::new(binding.name.clone(), CompletionItemKind::VARIABLE)
                    .detail(format!(
                        "{} {}={value}",
                        binding.keyword.as_str(),
                        binding.name
                    ))
                    .text(format!("{}{close}", binding.name));
                self.item(insert, start, 0)
            })
            .collect();
        let builtin: &[&str] = if on_from_line {
            &PREDEFINED_ARGS
        } else {
            &PROXY_ARGS
        };
        for name in builtin {
            if items.iter().all(|item| item.label != *name) {
                let insert = Insert::new(*name, CompletionItemKind::VARIABLE)
                    .detail("predefined build argument")
                    .text(format!("{name}{close}"));
                items.push(self.item(insert, start, 1));
            }
        }
        Some(items)
    }

    /// Instruction keywords. Before the first FROM only ARG and FROM are allowed; ONBUILD
    /// takes any instruction but FROM, MAINTAINER and ONBUILD.
    fn keywords(&self, typed: &str, after: Keyword) -> Vec<CompletionItem> {
        let before_first_from = self
            .snapshot
            .index()
            .stages
            .first()
            .is_none_or(|stage| self.offset <= stage.from_span.start);
        let start = self.offset - typed.len();
        reference::INSTRUCTIONS
            .iter()
            .filter(|doc| match after {
                Keyword::Onbuild => !matches!(
                    doc.keyword,
                    Keyword::From | Keyword::Maintainer | Keyword::Onbuild
                ),
                _ if before_first_from => matches!(doc.keyword, Keyword::From | Keyword::Arg),
                _ => true,
            })
            .map(|doc| {
                let keyword = doc.keyword.as_str();
                let mut insert = Insert::new(keyword, CompletionItemKind::KEYWORD)
                    .detail(doc.syntax.lines().next().unwrap_or(keyword))
                    .documentation(format!(
                        "{}\n\n[Reference]({})",
                        doc.summary,
                        reference::docs_url(doc.keyword)
                    ))
                    .text(format!("{keyword} "))
                    .snippet(format!("{keyword} {}", doc.snippet));
                insert.deprecated = doc.keyword == Keyword::Maintainer;
                let rank = match doc.keyword {
                    Keyword::From => 0,
                    Keyword::Maintainer => 2,
                    _ => 1,
                };
                self.item(insert, start, rank)
            })
            .collect()
    }

    /// Flags, flag values, and the arguments of FROM and HEALTHCHECK.
    fn arguments(&self, instruction: &Instruction, before: &str) -> Vec<CompletionItem> {
        let word = before.rsplit(char::is_whitespace).next().unwrap_or("");
        let word_start = self.offset - word.len();
        let in_flags =
            word_start <= instruction.rest_span.start || instruction.rest_span.is_empty();

        if in_flags && let Some(flag) = word.strip_prefix("--") {
            return match flag.split_once('=') {
                Some((name, value)) => self.flag_value(instruction, name, value),
                None => self.flags(instruction, word_start),
            };
        }
        if in_flags && word == "-" {
            return self.flags(instruction, word_start);
        }

        let words_before = instruction
            .args
            .words()
            .iter()
            .filter(|arg| arg.span.end < word_start)
            .count();
        match instruction.keyword {
            Keyword::From if words_before == 0 => {
                let mut items = self.base_images(word, word_start);
                if word.is_empty() && instruction.flags.is_empty() {
                    items.extend(self.flags(instruction, word_start));
                }
                items
            }
            Keyword::From if words_before == 1 => {
                vec![
                    self.item(
                        Insert::new("AS", CompletionItemKind::KEYWORD)
                            .text("AS ")
                            .snippet("AS ${1:name}"),
                        word_start,
                        0,
                    ),
                ]
            }
            Keyword::Healthcheck if words_before == 0 && instruction.args.words().is_empty() => {
                let mut items: Vec<CompletionItem> =
                    [("CMD", "CMD ${1:command}"), ("NONE", "NONE")]
                        .iter()
                        .map(|(label, snippet)| {
                            let insert = Insert::new(*label, CompletionItemKind::KEYWORD)
                                .text(format!("{label} "))
                                .snippet(*snippet);
                            self.item(insert, word_start, 0)
                        })
                        .collect();
                if word.is_empty() {
                    items.extend(self.flags(instruction, word_start));
                }
                items
            }
            _ if word.is_empty() && in_flags => self.flags(instruction, word_start),
            _ => Vec::new(),
        }
    }

    /// Offers the flags of the instruction that are not given yet (repeatable ones always).
    fn flags(&self, instruction: &Instruction, start: usize) -> Vec<CompletionItem> {
        let Some(doc) = reference::instruction(instruction.keyword) else {
            return Vec::new();
        };
        doc.flags
            .iter()
            .filter(|flag| flag.repeatable || instruction.flag(flag.name).is_none())
            .map(|flag| {
                let label = format!("--{}", flag.name);
                let insert = match flag.value {
                    Some(value) => Insert::new(label.clone(), CompletionItemKind::PROPERTY)
                        .detail(format!("{label}={value}"))
                        .text(format!("{label}="))
                        .snippet(format!("{label}=${{1}}")),
                    None => Insert::new(label.clone(), CompletionItemKind::PROPERTY)
                        .detail(label.clone()),
                };
                self.item(insert.documentation(flag.summary), start, 0)
            })
            .collect()
    }

    fn flag_value(
        &self,
        instruction: &Instruction,
        name: &str,
        value: &str,
    ) -> Vec<CompletionItem> {
        let value_start = self.offset - value.len();
        match name {
            "from" => self.stage_names(instruction, value_start),
            "mount" if instruction.keyword == Keyword::Run => self.mount(instruction, value),
            _ => {
                let Some(flag) = reference::flag_doc(instruction.keyword, name) else {
                    return Vec::new();
                };
                flag.values
                    .iter()
                    .map(|candidate| {
                        self.item(
                            Insert::new(*candidate, CompletionItemKind::VALUE),
                            value_start,
                            0,
                        )
                    })
                    .collect()
            }
        }
    }

    /// Offers the stage names other than the current stage's.
    fn stage_names(&self, instruction: &Instruction, start: usize) -> Vec<CompletionItem> {
        let index = self.snapshot.index();
        let current = index
            .stage_at(instruction.span.start)
            .map(|stage| stage.number);
        index
            .stages
            .iter()
            .filter(|stage| Some(stage.number) != current)
            .filter_map(|stage| {
                let name = stage.name.clone()?;
                let base = stage.base.clone().unwrap_or_default();
                let insert = Insert::new(name, CompletionItemKind::MODULE)
                    .detail(format!("stage {}: FROM {base}", stage.number));
                Some(self.item(insert, start, 0))
            })
            .collect()
    }

    /// Inside `--mount=`: option names for the mount's type, or the values of one option.
    fn mount(&self, instruction: &Instruction, value: &str) -> Vec<CompletionItem> {
        let fields: Vec<&str> = value.split(',').collect();
        let (current, done) = fields.split_last().unwrap_or((&"", &[]));
        let start = self.offset - current.len();
        let field_key = |field: &str| {
            field
                .split('=')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        };
        let mount_type = done
            .iter()
            .find_map(|field| {
                field
                    .split_once('=')
                    .filter(|(key, _)| key.trim().eq_ignore_ascii_case("type"))
            })
            .map_or("bind".to_string(), |(_, kind)| {
                kind.trim().to_ascii_lowercase()
            });

        if let Some((key, typed)) = current.split_once('=') {
            let key =
                reference::canonical_mount_option(&key.trim().to_ascii_lowercase()).to_string();
            let value_start = self.offset - typed.len();
            return match key.as_str() {
                "type" => MOUNT_TYPES
                    .iter()
                    .map(|kind| {
                        let insert = Insert::new(kind.name, CompletionItemKind::ENUM_MEMBER)
                            .documentation(kind.summary);
                        self.item(insert, value_start, 0)
                    })
                    .collect(),
                "from" => self.stage_names(instruction, value_start),
                _ => MOUNT_OPTIONS
                    .iter()
                    .find(|(name, _, _)| *name == key)
                    .map(|(_, values, _)| {
                        values
                            .iter()
                            .map(|v| {
                                self.item(
                                    Insert::new(*v, CompletionItemKind::VALUE),
                                    value_start,
                                    0,
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            };
        }

        let used: Vec<String> = done
            .iter()
            .map(|field| reference::canonical_mount_option(&field_key(field)).to_string())
            .collect();
        let allowed: Vec<&str> = match MOUNT_TYPES.iter().find(|kind| kind.name == mount_type) {
            Some(kind) => std::iter::once("type")
                .chain(kind.options.iter().copied())
                .collect(),
            None => vec!["type"],
        };
        MOUNT_OPTIONS
            .iter()
            .filter(|(name, _, _)| allowed.contains(name) && !used.iter().any(|used| used == name))
            .map(|(name, _, summary)| {
                let flag_like = matches!(*name, "readonly" | "readwrite" | "required");
                let text = if flag_like {
                    name.to_string()
                } else {
                    format!("{name}=")
                };
                let insert = Insert::new(*name, CompletionItemKind::PROPERTY)
                    .documentation(*summary)
                    .text(text);
                self.item(insert, start, if *name == "type" { 0 } else { 1 })
            })
            .collect()
    }

    /// Offers the first argument of FROM: stages defined earlier, well-known images, and
    /// after `image:` that image's tags.
    fn base_images(&self, word: &str, start: usize) -> Vec<CompletionItem> {
        if let Some((image, tag)) = word.rsplit_once(':')
            && !image.contains('$')
        {
            let Some((_, tags)) = BASE_IMAGES.iter().find(|(name, _)| *name == image) else {
                return Vec::new();
            };
            let tag_start = self.offset - tag.len();
            return tags
                .iter()
                .enumerate()
                .map(|(rank, tag)| {
                    let mut item = self.item(
                        Insert::new(*tag, CompletionItemKind::VALUE)
                            .detail(format!("{image}:{tag}")),
                        tag_start,
                        0,
                    );
                    item.sort_text = Some(format!("{rank:03}"));
                    item
                })
                .collect();
        }

        let index = self.snapshot.index();
        let mut items: Vec<CompletionItem> = index
            .stages
            .iter()
            .filter(|stage| stage.from_span.end < self.offset)
            .filter_map(|stage| {
                let insert = Insert::new(stage.name.clone()?, CompletionItemKind::MODULE)
                    .detail(format!("stage {}", stage.number));
                Some(self.item(insert, start, 0))
            })
            .collect();
        for (image, tags) in BASE_IMAGES {
            items.push(self.item(
                Insert::new(*image, CompletionItemKind::CLASS).detail("base image"),
                start,
                1,
            ));
            for tag in tags
                .iter()
                .filter(|tag| tag.contains("slim") || tag.contains("alpine"))
            {
                let reference = format!("{image}:{tag}");
                items.push(self.item(
                    Insert::new(reference, CompletionItemKind::CLASS).detail("small variant"),
                    start,
                    2,
                ));
            }
        }
        items
    }

    /// Builds the protocol item: a text edit from `start` to the cursor, the snippet when
    /// the client supports snippets, and `rank` as the first sort key.
    fn item(&self, insert: Insert, start: usize, rank: u8) -> CompletionItem {
        let range = self
            .positions
            .range(Span::new(start.min(self.offset), self.offset));
        let (new_text, format) = match (&insert.snippet, self.features.snippets) {
            (Some(snippet), true) => (snippet.clone(), InsertTextFormat::SNIPPET),
            _ => (
                insert.text.clone().unwrap_or_else(|| insert.label.clone()),
                InsertTextFormat::PLAIN_TEXT,
            ),
        };
        let documentation = insert.documentation.map(|text| {
            if self.features.completion_markdown {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: text,
                })
            } else {
                Documentation::String(text)
            }
        });
        let tags = (insert.deprecated && self.features.completion_deprecated_tag)
            .then(|| vec![CompletionItemTag::DEPRECATED]);
        #[allow(deprecated)]
        CompletionItem {
            sort_text: Some(format!("{rank}{}", insert.label)),
            filter_text: Some(insert.label.clone()),
            label: insert.label,
            kind: Some(insert.kind),
            detail: insert.detail,
            documentation,
            insert_text_format: Some(format),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, new_text))),
            deprecated: insert.deprecated.then_some(true),
            tags,
            ..CompletionItem::default()
        }
    }
}

/// Returns whether `offset` is in the body of `heredoc`, or at its end when it has no
/// terminator.
fn in_body(heredoc: &Heredoc, offset: usize) -> bool {
    let body = heredoc.content_span;
    body.contains(offset)
        || (heredoc.terminator_span.is_none() && body.start <= offset && offset <= body.end)
}

/// Returns the instruction completion works on: an ONBUILD's trigger when the cursor is
/// in it.
fn target(instruction: &Instruction, offset: usize) -> &Instruction {
    match &instruction.args {
        ballast_parser::Args::Onbuild {
            trigger: Some(trigger),
        } if trigger.keyword_span.start <= offset => trigger,
        _ => instruction,
    }
}

/// Escapes a value for a snippet choice, where `,`, `|` and `\` are special.
fn escape_choice(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace('|', "\\|")
}
