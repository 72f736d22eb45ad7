//! The protocol front: `initialize`, document synchronisation, and one handler a request,
//! each a thin call into a feature module behind a panic guard.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use ballast_parser::Span;
use tokio::net::TcpListener;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::ServerError;
use crate::analysis::{Analysis, Settings};
use crate::capabilities::{ClientFeatures, server_capabilities};
use crate::code_action::{self, APPLY_EDIT_COMMAND};
use crate::diagnostics::{self, Queue};
use crate::documents::{Documents, Snapshot};
use crate::guard::{guard, install_panic_hook};
use crate::sizes::{self, BUILD_COMMAND, Reports};
use crate::transport::{
    DIRECT_REQUEST_METHOD, DirectRequest, INVALID_MESSAGE_METHOD, Notices, connect, notices,
    widen_pipes,
};
use crate::{
    completion, folding, formatting, hover, links, navigation, selection, semantic_tokens, symbols,
};

/// The state every handler shares.
#[derive(Default)]
pub struct State {
    pub documents: Documents,
    pub queue: Queue,
    pub analysis: Analysis,
    pub reports: Reports,
    features: RwLock<ClientFeatures>,
    /// Writes notifications serialized by the server itself. Without it, they go through the
    /// client handle.
    pub notices: Option<Notices>,
}

impl State {
    pub fn features(&self) -> ClientFeatures {
        self.features
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn set_features(&self, features: ClientFeatures) {
        *self
            .features
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = features;
    }

    /// Lints every open document again, after the settings or a configuration file changed.
    pub fn relint_all(&self) {
        for uri in self.documents.uris() {
            self.queue.push(uri);
        }
    }
}

/// The names of configuration and ignore files whose changes alter the findings.
const WATCHED_FILES: [&str; 5] = [
    "**/.ballast.toml",
    "**/.hadolint.yaml",
    "**/.hadolint.yml",
    "**/.dockerignore",
    "**/*.dockerignore",
];

/// Returns the per-user hadolint files the configuration loader reads, for the watchers:
/// `$XDG_CONFIG_HOME/hadolint.{yaml,yml}` and, in the home folder, `.hadolint.{yaml,yml}`
/// and `.hadolint/{hadolint,config}.{yaml,yml}`.
fn user_config_files() -> Vec<String> {
    let mut files = Vec::new();
    if let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME").filter(|xdg| !xdg.is_empty()) {
        let xdg = std::path::PathBuf::from(xdg);
        for name in ["hadolint.yaml", "hadolint.yml"] {
            files.push(xdg.join(name).to_string_lossy().into_owned());
        }
    }
    if let Some(home) = std::env::var_os("HOME").filter(|home| !home.is_empty()) {
        let home = std::path::PathBuf::from(home);
        for name in [".hadolint.yaml", ".hadolint.yml"] {
            files.push(home.join(name).to_string_lossy().into_owned());
        }
        for name in ["hadolint.yaml", "hadolint.yml", "config.yaml", "config.yml"] {
            files.push(home.join(".hadolint").join(name).to_string_lossy().into_owned());
        }
    }
    files
}

/// Returns whether `uri` names a configuration or ignore file: one listed in
/// [`WATCHED_FILES`] or a per-user hadolint file.
fn is_config_file(uri: &Uri) -> bool {
    let path = uri.path().as_str();
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or("");
    let folder = parts.next().unwrap_or("");
    matches!(
        name,
        ".ballast.toml" | ".hadolint.yaml" | ".hadolint.yml" | ".dockerignore"
    ) || name.ends_with(".dockerignore")
        || matches!(name, "hadolint.yaml" | "hadolint.yml")
        || (folder == ".hadolint" && matches!(name, "config.yaml" | "config.yml"))
}

pub struct Backend {
    client: Client,
    state: Arc<State>,
}

impl Backend {
    fn new(client: Client, notices: Notices) -> Backend {
        let state = Arc::new(State {
            notices: Some(notices),
            ..State::default()
        });
        tokio::spawn(diagnostics::publish_loop(state.clone(), client.clone()));
        Backend { client, state }
    }

    /// Runs `work` as its own task. Handlers that send requests to the client use it, so a
    /// client that never replies (after `shutdown`, say) cannot keep the server from exiting.
    fn spawn<F>(&self, work: impl FnOnce(Client, Arc<State>) -> F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        tokio::spawn(work(self.client.clone(), self.state.clone()));
    }

    /// Replies with an error to a request that was not valid JSON-RPC. The input filter
    /// sends this request in its place, because the server's reader would stop on it.
    async fn invalid_message(&self) -> Result<()> {
        Err(tower_lsp_server::jsonrpc::Error::invalid_request())
    }

    /// Responds to a request that the input filter turned into a notification because its
    /// response grows with the document. The response is written straight to JSON text.
    async fn direct_request(&self, request: DirectRequest) {
        let Some(notices) = &self.state.notices else {
            return;
        };
        let DirectRequest { id, method, params } = request;
        let (method, id) = (method.as_str(), &id);
        match method {
            "textDocument/documentSymbol" => {
                respond_with(notices, method, id, params, |params| self.document_symbol(params))
                    .await
            }
            "textDocument/foldingRange" => {
                respond_with(notices, method, id, params, |params| self.folding_range(params)).await
            }
            "textDocument/semanticTokens/full" => {
                respond_with(notices, method, id, params, |params| {
                    self.semantic_tokens_full(params)
                })
                .await
            }
            "textDocument/semanticTokens/range" => {
                respond_with(notices, method, id, params, |params| {
                    self.semantic_tokens_range(params)
                })
                .await
            }
            _ => {
                let response: Result<()> = Err(tower_lsp_server::jsonrpc::Error::method_not_found());
                notices.respond(method, id, &response).await;
            }
        }
    }

    /// Runs a request handler that may lint on a blocking thread, so a slow lint leaves the
    /// server's thread free. A document that is not open gets `fallback()`, as does a
    /// handler that panics.
    async fn with_snapshot_blocking<T: Send + 'static>(
        &self,
        request: &'static str,
        uri: &Uri,
        fallback: fn() -> T,
        handler: impl FnOnce(&State, &Snapshot, &ClientFeatures) -> T + Send + 'static,
    ) -> T {
        self.on_blocking_pool(request, uri, handler)
            .await
            .unwrap_or_else(fallback)
    }

    /// Parses `uri` and runs `handler` on the blocking pool. Returns `None` when the
    /// document is not open or the handler panicked or failed, each logged with the URI.
    async fn on_blocking_pool<T: Send + 'static>(
        &self,
        request: &'static str,
        uri: &Uri,
        handler: impl FnOnce(&State, &Snapshot, &ClientFeatures) -> T + Send + 'static,
    ) -> Option<T> {
        let features = self.state.features();
        let state = self.state.clone();
        let task_uri = uri.clone();
        let task = tokio::task::spawn_blocking(move || {
            let Some(snapshot) = state.documents.snapshot(&task_uri) else {
                tracing::debug!(uri = task_uri.as_str(), "{request}: the document is not open");
                return None;
            };
            guard(request, &task_uri, Some(snapshot.version), None, || {
                Some(handler(&state, &snapshot, &features))
            })
        });
        task.await.unwrap_or_else(|error| {
            tracing::error!(uri = uri.as_str(), "{request} failed: {error}");
            None
        })
    }

    /// Runs a request handler on the current snapshot of `uri`. A document that is not
    /// open gets `fallback`, as does a handler that panics. The handler of a large document
    /// runs on the blocking pool with its parse and index, so that the server's thread goes
    /// on serving the other documents.
    async fn with_snapshot<T: Send + 'static>(
        &self,
        request: &'static str,
        uri: &Uri,
        fallback: T,
        handler: impl FnOnce(&Snapshot, &ClientFeatures) -> T + Send + 'static,
    ) -> T {
        if self.state.documents.is_large(uri) {
            return self
                .on_blocking_pool(request, uri, move |_, snapshot, features| {
                    handler(snapshot, features)
                })
                .await
                .unwrap_or(fallback);
        }
        let Some(snapshot) = self.state.documents.snapshot(uri) else {
            tracing::debug!(uri = uri.as_str(), "{request}: the document is not open");
            return fallback;
        };
        let features = self.state.features();
        guard(request, uri, Some(snapshot.version), fallback, || {
            handler(&snapshot, &features)
        })
    }
}

/// Parses `params`, runs `handler` on them and sends its result, or the error for invalid
/// parameters, as the response to the request `id`.
async fn respond_with<P, R, F>(
    notices: &Notices,
    method: &str,
    id: &serde_json::Value,
    params: serde_json::Value,
    handler: impl FnOnce(P) -> F,
) where
    P: serde::de::DeserializeOwned,
    R: serde::Serialize,
    F: std::future::Future<Output = Result<R>>,
{
    let response = match serde_json::from_value(params) {
        Ok(params) => handler(params).await,
        Err(error) => Err(tower_lsp_server::jsonrpc::Error::invalid_params(
            error.to_string(),
        )),
    };
    notices.respond(method, id, &response).await;
}

/// Serves one client on standard input and output, or on the first connection to a
/// loopback address. Returns `false` when the client sent `exit` before `shutdown`.
pub async fn serve(listen: Option<SocketAddr>) -> std::result::Result<bool, ServerError> {
    install_panic_hook();
    let (notices, notice_bodies) = notices();
    let (service, socket) = LspService::build(move |client| Backend::new(client, notices))
        .custom_method(INVALID_MESSAGE_METHOD, Backend::invalid_message)
        .custom_method(DIRECT_REQUEST_METHOD, Backend::direct_request)
        .finish();
    let end = match listen {
        None => {
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                "ballast language server started on standard input and output"
            );
            widen_pipes();
            #[cfg(unix)]
            let pipes = crate::transport::stdio_pipes();
            #[cfg(not(unix))]
            let pipes: Option<(tokio::io::Stdin, tokio::io::Stdout)> = None;
            let (input, output, writer, end) = match pipes {
                Some((input, output)) => connect(input, output, notice_bodies),
                None => connect(tokio::io::stdin(), tokio::io::stdout(), notice_bodies),
            };
            Server::new(input, output, socket).serve(service).await;
            let _ = writer.await;
            end
        }
        Some(address) => {
            let listener = TcpListener::bind(address)
                .await
                .map_err(|source| ServerError::Listen { address, source })?;
            tracing::info!(%address, "ballast language server waiting for a client");
            let (stream, peer) = listener
                .accept()
                .await
                .map_err(|source| ServerError::Accept { address, source })?;
            tracing::info!(%peer, "client connected");
            let (read, write) = tokio::io::split(stream);
            let (input, output, writer, end) = connect(read, write, notice_bodies);
            Server::new(input, output, socket).serve(service).await;
            let _ = writer.await;
            end
        }
    };
    tracing::info!("ballast language server stopped");
    Ok(!end.exit_before_shutdown())
}

/// Applies settings from the client and reports invalid values in a message.
async fn apply_settings(client: &Client, state: &State, value: &serde_json::Value) {
    let (settings, mut problems) = Settings::from_json(value);
    problems.extend(state.analysis.configure(settings));
    for problem in problems {
        tracing::warn!("{problem}");
        client
            .show_message(MessageType::WARNING, format!("ballast: {problem}"))
            .await;
    }
    state.relint_all();
    if state.features().pull_diagnostics {
        let _ = client.workspace_diagnostic_refresh().await;
    }
}

/// Asks the client for the `ballast` settings section, for clients that serve it.
async fn pull_settings(client: &Client, state: &State) {
    let item = ConfigurationItem {
        scope_uri: None,
        section: Some("ballast".to_string()),
    };
    match client.configuration(vec![item]).await {
        Ok(values) => {
            if let Some(value) = values.into_iter().next().filter(|value| !value.is_null()) {
                apply_settings(client, state, &value).await;
            }
        }
        Err(error) => tracing::warn!("workspace/configuration failed: {error}"),
    }
}

/// Asks the client to report changes of configuration and ignore files.
async fn watch_config_files(client: &Client) {
    let watchers = WATCHED_FILES
        .iter()
        .map(|pattern| pattern.to_string())
        .chain(user_config_files())
        .map(|pattern| FileSystemWatcher {
            glob_pattern: GlobPattern::String(pattern),
            kind: None,
        })
        .collect();
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let registration = Registration {
        id: "ballast-configuration-files".to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(error) = client.register_capability(vec![registration]).await {
        tracing::warn!("registering file watchers failed: {error}");
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let features = ClientFeatures::read(&params.capabilities);
        let client = params
            .client_info
            .as_ref()
            .map_or("unknown client".to_string(), |info| {
                format!("{} {}", info.name, info.version.as_deref().unwrap_or(""))
            });
        tracing::info!(client = client.trim(), encoding = ?features.encoding, "initialize");
        let capabilities = server_capabilities(&features);
        self.state.set_features(features);
        let options = params.initialization_options.unwrap_or_default();
        let (settings, problems) = Settings::from_json(&options);
        for problem in problems
            .into_iter()
            .chain(self.state.analysis.configure(settings))
        {
            tracing::warn!("initializationOptions: {problem}");
        }
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "ballast".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let features = self.state.features();
        self.spawn(|client, state| async move {
            if features.watched_files_registration {
                watch_config_files(&client).await;
            }
            if features.configuration_pull {
                pull_settings(&client, &state).await;
            }
        });
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let value = params.settings;
        let empty = value.is_null() || value.as_object().is_some_and(|object| object.is_empty());
        let pull = empty && self.state.features().configuration_pull;
        self.spawn(|client, state| async move {
            if pull {
                pull_settings(&client, &state).await;
            } else {
                apply_settings(&client, &state, &value).await;
            }
        });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        if params
            .changes
            .iter()
            .any(|change| is_config_file(&change.uri))
        {
            tracing::info!("configuration files changed; linting the open documents again");
            self.state.analysis.reload();
            self.state.relint_all();
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        if is_config_file(&params.text_document.uri) {
            self.state.analysis.reload();
            self.state.relint_all();
        }
    }

    async fn shutdown(&self) -> Result<()> {
        tracing::info!("shutdown requested");
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        tracing::debug!(
            uri = document.uri.as_str(),
            version = document.version,
            language = document.language_id,
            "open"
        );
        self.state
            .documents
            .open(document.uri.clone(), document.version, document.text);
        self.state.queue.push(document.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let encoding = self.state.features().encoding;
        let changes = params.content_changes;
        let applied = guard("didChange", &uri, Some(version), Err(()), || {
            self.state
                .documents
                .change(&uri, version, changes, encoding)
                .map_err(|_| ())
        });
        match applied {
            Ok(()) => {
                // A ShellCheck pass in progress gives up, and the pass scheduled after this
                // edit checks again. A change to a document that is not open changes nothing,
                // so it leaves the pass alone.
                ballast_analyzer::shellcheck::interrupt();
                self.state.queue.push(uri);
            }
            Err(()) => tracing::warn!(
                uri = uri.as_str(),
                version,
                "change ignored: the document is not open"
            ),
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        tracing::debug!(uri = uri.as_str(), "close");
        if self.state.documents.close(&uri) {
            self.state.queue.push(uri);
        }
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri.clone();
        let previous = params.previous_result_id;
        let empty =
            || DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport::default());
        let report = self
            .with_snapshot_blocking(
                "diagnostic",
                &uri,
                empty,
                move |state, snapshot, features| {
                    let outcome = state.analysis.lint(snapshot, true);
                    let result_id = format!("{}.{}", snapshot.version, outcome.generation());
                    if previous.as_deref() == Some(result_id.as_str()) {
                        return DocumentDiagnosticReport::Unchanged(
                            RelatedUnchangedDocumentDiagnosticReport {
                                related_documents: None,
                                unchanged_document_diagnostic_report:
                                    UnchangedDocumentDiagnosticReport { result_id },
                            },
                        );
                    }
                    DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                        related_documents: None,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: Some(result_id),
                            items: diagnostics::to_protocol(snapshot, &outcome, features),
                        },
                    })
                },
            )
            .await;
        Ok(DocumentDiagnosticReportResult::Report(report))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri;
        Ok(
            self.with_snapshot("documentSymbol", &uri, None, move |snapshot, features| {
                Some(symbols::document_symbols(snapshot, features))
            }).await,
        )
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let uri = params.text_document.uri;
        Ok(
            self.with_snapshot("foldingRange", &uri, None, move |snapshot, _| {
                Some(folding::folding_ranges(snapshot))
            }).await,
        )
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        let uri = params.text_document.uri;
        Ok(
            self.with_snapshot("selectionRange", &uri, None, move |snapshot, features| {
                Some(selection::selection_ranges(
                    snapshot,
                    features.encoding,
                    &params.positions,
                ))
            }).await,
        )
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri;
        Ok(
            self.with_snapshot("semanticTokens/full", &uri, None, move |snapshot, features| {
                Some(SemanticTokensResult::Tokens(
                    semantic_tokens::semantic_tokens(snapshot, features.encoding, None),
                ))
            }).await,
        )
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let uri = params.text_document.uri;
        Ok(
            self.with_snapshot("semanticTokens/range", &uri, None, move |snapshot, features| {
                let span = snapshot.positions(features.encoding).span(params.range);
                let tokens =
                    semantic_tokens::semantic_tokens(snapshot, features.encoding, Some(span));
                Some(SemanticTokensRangeResult::Tokens(tokens))
            }).await,
        )
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let position = params.text_document_position_params;
        Ok(self.with_snapshot(
            "documentHighlight",
            &position.text_document.uri,
            None,
            move |snapshot, features| {
                Some(navigation::highlights(
                    snapshot,
                    features.encoding,
                    position.position,
                ))
                .filter(|found| !found.is_empty())
            },
        ).await)
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        Ok(self.with_snapshot(
            "definition",
            &position.text_document.uri,
            None,
            move |snapshot, features| {
                navigation::definition(snapshot, features.encoding, position.position)
                    .map(GotoDefinitionResponse::Scalar)
            },
        ).await)
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let position = params.text_document_position;
        let include_declaration = params.context.include_declaration;
        Ok(self.with_snapshot(
            "references",
            &position.text_document.uri,
            None,
            move |snapshot, features| {
                Some(navigation::references(
                    snapshot,
                    features.encoding,
                    position.position,
                    include_declaration,
                ))
                .filter(|found| !found.is_empty())
            },
        ).await)
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        Ok(self.with_snapshot(
            "prepareRename",
            &params.text_document.uri,
            None,
            move |snapshot, features| {
                navigation::prepare_rename(snapshot, features.encoding, params.position)
            },
        ).await)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let position = params.text_document_position;
        self.with_snapshot(
            "rename",
            &position.text_document.uri,
            Ok(None),
            move |snapshot, features| {
                navigation::rename(
                    snapshot,
                    features.encoding,
                    position.position,
                    &params.new_name,
                )
            },
        ).await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let uri = params.text_document.uri;
        Ok(
            self.with_snapshot("documentLink", &uri, None, move |snapshot, features| {
                Some(links::document_links(snapshot, features.encoding))
            }).await,
        )
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let position = params.text_document_position;
        Ok(self.with_snapshot(
            "completion",
            &position.text_document.uri,
            None,
            move |snapshot, features| {
                let items = completion::completion(
                    snapshot,
                    features,
                    position.position,
                    completion::rule_codes(),
                );
                Some(CompletionResponse::Array(items))
            },
        ).await)
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let state = self.state.clone();
        Ok(self.with_snapshot(
            "hover",
            &position.text_document.uri,
            None,
            move |snapshot, features| {
                // Hover shows rule documentation only from a finished lint; it never waits
                // for one.
                let outcome = state.analysis.cached(snapshot);
                let mut found =
                    hover::hover(snapshot, features, position.position, outcome.as_deref());
                let offset = snapshot
                    .positions(features.encoding)
                    .offset(position.position);
                let size = state
                    .reports
                    .for_snapshot(snapshot)
                    .and_then(|report| sizes::hover_text(snapshot, &report, offset));
                if let (Some(hover), Some(size)) = (found.as_mut(), size)
                    && let HoverContents::Markup(markup) = &mut hover.contents
                {
                    let size = if features.hover_markdown {
                        format!("\n\n---\n\n{size}")
                    } else {
                        format!("\n\n{}", hover::plain_text(&size))
                    };
                    markup.value.push_str(&size);
                }
                found
            },
        ).await)
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let uri = params.text_document.uri;
        Ok(
            self.with_snapshot("formatting", &uri, None, move |snapshot, features| {
                Some(formatting::formatting(
                    snapshot,
                    features.encoding,
                    &params.options,
                    None,
                ))
            }).await,
        )
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        let uri = params.text_document.uri;
        Ok(
            self.with_snapshot("rangeFormatting", &uri, None, move |snapshot, features| {
                let span: Span = snapshot.positions(features.encoding).span(params.range);
                Some(formatting::formatting(
                    snapshot,
                    features.encoding,
                    &params.options,
                    Some(span),
                ))
            }).await,
        )
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        let (range, only) = (params.range, params.context.only);
        let actions = self
            .with_snapshot_blocking(
                "codeAction",
                &uri,
                || None,
                move |state, snapshot, features| {
                    let outcome = state.analysis.lint(snapshot, true);
                    let actions = code_action::code_actions(
                        snapshot,
                        &state.analysis,
                        &outcome,
                        features,
                        range,
                        only.as_deref(),
                    );
                    Some(actions)
                },
            )
            .await;
        Ok(actions)
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        if params.command == BUILD_COMMAND {
            let uri = params
                .arguments
                .first()
                .and_then(|argument| argument.as_str())
                .and_then(|uri| uri.parse::<Uri>().ok());
            let Some(uri) = uri else {
                return Err(tower_lsp_server::jsonrpc::Error::invalid_params(
                    "expected the Dockerfile's URI as the only argument",
                ));
            };
            let progress = self.state.features().work_done_progress;
            self.spawn(move |client, state| {
                crate::build_command::build_and_measure(client, state, uri, progress)
            });
            return Ok(None);
        }
        if params.command != APPLY_EDIT_COMMAND {
            tracing::warn!(command = params.command, "unknown command");
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "unknown command `{}`",
                params.command
            )));
        }
        let edit = params
            .arguments
            .into_iter()
            .next()
            .and_then(|argument| serde_json::from_value::<WorkspaceEdit>(argument).ok());
        let Some(edit) = edit else {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(
                "expected a WorkspaceEdit as the only argument",
            ));
        };
        self.spawn(|client, _| async move {
            match client.apply_edit(edit).await {
                Ok(response) if !response.applied => {
                    tracing::warn!(reason = ?response.failure_reason, "the client did not apply the edit");
                }
                Ok(_) => {}
                Err(error) => tracing::warn!("workspace/applyEdit failed: {error}"),
            }
        });
        Ok(None)
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri;
        if !self.state.analysis.settings().size_hints {
            return Ok(None);
        }
        let state = self.state.clone();
        Ok(
            self.with_snapshot("inlayHint", &uri, None, move |snapshot, features| {
                let report = state.reports.for_snapshot(snapshot)?;
                let range = snapshot.positions(features.encoding).span(params.range);
                Some(sizes::inlay_hints(snapshot, features, &report, range))
            }).await,
        )
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        Ok(
            self.with_snapshot("codeLens", &uri, None, move |snapshot, features| {
                Some(sizes::code_lenses(snapshot, features))
            }).await,
        )
    }
}
