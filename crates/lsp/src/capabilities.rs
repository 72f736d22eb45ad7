//! The client's capabilities, read once from `initialize`, and the server's in return.

use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    CodeLensOptions, CompletionOptions, DiagnosticOptions, DiagnosticServerCapabilities,
    DocumentLinkOptions, ExecuteCommandOptions, FoldingRangeProviderCapability,
    HoverProviderCapability, MarkupKind, OneOf, RenameOptions, SelectionRangeProviderCapability,
    SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensServerCapabilities,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    WorkDoneProgressOptions,
};

use crate::code_action::{APPLY_EDIT_COMMAND, FIX_ALL_KIND};
use crate::encoding::Encoding;
use crate::semantic_tokens;
use crate::sizes::BUILD_COMMAND;

/// The client features the handlers adapt to.
#[derive(Clone, Debug, Default)]
pub struct ClientFeatures {
    pub encoding: Encoding,
    pub snippets: bool,
    pub hover_markdown: bool,
    pub completion_markdown: bool,
    pub completion_deprecated_tag: bool,
    pub hierarchical_symbols: bool,
    pub pull_diagnostics: bool,
    pub related_information: bool,
    pub code_description: bool,
    pub code_action_literals: bool,
    pub apply_edit: bool,
    pub configuration_pull: bool,
    pub watched_files_registration: bool,
    pub work_done_progress: bool,
    pub prepare_rename: bool,
}

impl ClientFeatures {
    pub fn read(capabilities: &ClientCapabilities) -> ClientFeatures {
        let general = capabilities.general.as_ref();
        let document = capabilities.text_document.as_ref();
        let workspace = capabilities.workspace.as_ref();
        let publish = document.and_then(|d| d.publish_diagnostics.as_ref());
        let completion_item = document
            .and_then(|d| d.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref());
        let markdown_first = |formats: Option<&Vec<MarkupKind>>| {
            formats.is_some_and(|formats| formats.contains(&MarkupKind::Markdown))
        };

        ClientFeatures {
            encoding: Encoding::negotiate(general.and_then(|g| g.position_encodings.as_deref())),
            snippets: completion_item
                .and_then(|item| item.snippet_support)
                .unwrap_or(false),
            hover_markdown: markdown_first(
                document
                    .and_then(|d| d.hover.as_ref())
                    .and_then(|h| h.content_format.as_ref()),
            ),
            completion_markdown: markdown_first(
                completion_item.and_then(|item| item.documentation_format.as_ref()),
            ),
            completion_deprecated_tag: completion_item
                .and_then(|item| item.tag_support.as_ref())
                .is_some_and(|tags| !tags.value_set.is_empty()),
            hierarchical_symbols: document
                .and_then(|d| d.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
            pull_diagnostics: document.and_then(|d| d.diagnostic.as_ref()).is_some(),
            related_information: publish.and_then(|p| p.related_information).unwrap_or(false),
            code_description: publish
                .and_then(|p| p.code_description_support)
                .unwrap_or(false),
            code_action_literals: document
                .and_then(|d| d.code_action.as_ref())
                .and_then(|c| c.code_action_literal_support.as_ref())
                .is_some(),
            apply_edit: workspace.and_then(|w| w.apply_edit).unwrap_or(false),
            configuration_pull: workspace.and_then(|w| w.configuration).unwrap_or(false),
            work_done_progress: capabilities
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            watched_files_registration: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false),
            prepare_rename: document
                .and_then(|d| d.rename.as_ref())
                .and_then(|r| r.prepare_support)
                .unwrap_or(false),
        }
    }

    /// Returns whether the server pushes diagnostics. Clients that pull them get no pushes, so
    /// they do not show every finding twice.
    pub fn push_diagnostics(&self) -> bool {
        !self.pull_diagnostics
    }
}

pub fn server_capabilities(features: &ClientFeatures) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(features.encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("ballast".to_string()),
            inter_file_dependencies: false,
            workspace_diagnostics: false,
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: semantic_tokens::legend(),
                range: Some(true),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        document_highlight_provider: Some(OneOf::Left(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(if features.prepare_rename {
            OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        } else {
            OneOf::Left(true)
        }),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(
                ["$", "{", "-", "=", " ", ",", ":"]
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
            ),
            resolve_provider: Some(false),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(FIX_ALL_KIND),
            ]),
            resolve_provider: Some(false),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![APPLY_EDIT_COMMAND.to_string(), BUILD_COMMAND.to_string()],
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        inlay_hint_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}
