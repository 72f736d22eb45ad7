//! Diagnostics: the findings of the lint engine (syntax errors included) as protocol
//! diagnostics, and the queue that publishes them after edits.
//!
//! Edits only mark a document as pending. One worker task takes the pending documents and
//! lints each at its latest version, so a burst of keystrokes that arrives while the worker
//! is busy is checked once, and every publish carries the version it describes. When
//! ShellCheck is installed, the findings without it are published first and the complete
//! list follows from a separate task, because ShellCheck runs a process for each changed
//! RUN.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ballast_analyzer::{Diagnostic as Finding, Severity};
use tokio::sync::Notify;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Position, PublishDiagnosticsParams, Range, Uri,
    notification::{Notification as _, PublishDiagnostics},
};

use crate::analysis::Outcome;
use crate::capabilities::ClientFeatures;
use crate::documents::{LARGE_DOCUMENT_BYTES, Snapshot};
use crate::encoding::SpanPositions;
use crate::guard::guard;
use crate::server::State;

/// The `source` of every diagnostic, shown by editors next to the message.
pub const SOURCE: &str = "ballast";

/// Converts the findings of one lint to protocol diagnostics.
pub fn to_protocol(
    snapshot: &Snapshot,
    outcome: &Outcome,
    features: &ClientFeatures,
) -> Vec<Diagnostic> {
    let mut positions = SpanPositions::new(snapshot.positions(features.encoding));
    let mut diagnostics: Vec<Diagnostic> = outcome
        .result
        .diagnostics
        .iter()
        .map(|finding| convert(finding, &snapshot.uri, &mut positions, features))
        .collect();
    if let Some(message) = &outcome.config_error {
        diagnostics.insert(0, config_error(message));
    }
    diagnostics
}

/// Converts one finding. `positions` should have seen the findings before it in the lint's
/// order, which keeps the conversion of a long line linear.
pub fn convert(
    finding: &Finding,
    uri: &Uri,
    positions: &mut SpanPositions,
    features: &ClientFeatures,
) -> Diagnostic {
    let range = positions.range(finding.span);
    let related_information = (!finding.labels.is_empty()).then(|| {
        finding
            .labels
            .iter()
            .map(|label| DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), positions.other_range(label.span)),
                message: label.message.clone(),
            })
            .collect()
    });
    let code_description = rule_url(&finding.code, &finding.name)
        .and_then(|href| href.parse().ok())
        .map(|href| CodeDescription { href });
    Diagnostic {
        range,
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.code.to_string())),
        code_description: if features.code_description {
            code_description
        } else {
            None
        },
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: if features.related_information {
            related_information
        } else {
            None
        },
        tags: tags(&finding.code),
        data: None,
    }
}

/// The parameters of `textDocument/publishDiagnostics` for one lint, serialized straight
/// from the findings. Building protocol values first costs as much as serializing them: for
/// the 1,400 findings of a 5,000-line file, each value takes several strings and a parsed
/// URL.
pub struct PublishedFindings<'a> {
    pub uri: &'a Uri,
    pub version: Option<i32>,
    pub snapshot: &'a Snapshot,
    pub outcome: &'a Outcome,
    pub features: &'a ClientFeatures,
    /// Diagnostics that do not come from the lint, listed after its findings.
    pub extra: &'a [Diagnostic],
}

impl PublishedFindings<'_> {
    /// Writes the parameters as JSON text. Keys are copied as they are and strings are
    /// escaped only when they contain a quote, a backslash or a control character, which is
    /// faster than serializing through `serde_json`'s data model.
    pub fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let mut uri = Vec::new();
        serde_json::to_writer(&mut uri, self.uri)?;
        out.extend_from_slice(b"{\"uri\":");
        out.extend_from_slice(&uri);
        out.extend_from_slice(b",\"diagnostics\":[");
        let mut positions = SpanPositions::new(self.snapshot.positions(self.features.encoding));
        let mut first = true;
        let mut separate = |out: &mut Vec<u8>| {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
        };
        if let Some(message) = &self.outcome.config_error {
            separate(out);
            serde_json::to_writer(&mut *out, &config_error(message))?;
        }
        for finding in &self.outcome.result.diagnostics {
            separate(out);
            write_finding(out, finding, &uri, &mut positions, self.features)?;
        }
        for diagnostic in self.extra {
            separate(out);
            serde_json::to_writer(&mut *out, diagnostic)?;
        }
        out.push(b']');
        if let Some(version) = self.version {
            out.extend_from_slice(b",\"version\":");
            out.extend_from_slice(itoa::Buffer::new().format(version).as_bytes());
        }
        out.push(b'}');
        Ok(())
    }
}

/// Writes one finding as the JSON object of the protocol diagnostic that [`convert`] returns
/// for it. `uri` is the document's address as JSON text.
fn write_finding(
    out: &mut Vec<u8>,
    finding: &Finding,
    uri: &[u8],
    positions: &mut SpanPositions<'_>,
    features: &ClientFeatures,
) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"range\":");
    write_range(out, positions.range(finding.span));
    out.extend_from_slice(match finding.severity {
        Severity::Error => b",\"severity\":1",
        Severity::Warning => b",\"severity\":2",
        Severity::Info => b",\"severity\":3",
        Severity::Style => b",\"severity\":4",
    });
    out.extend_from_slice(b",\"code\":");
    write_str(out, &finding.code)?;

    if features.code_description
        && let Some(link) = rule_link(&finding.code, &finding.name)
    {
        out.extend_from_slice(b",\"codeDescription\":{\"href\":");
        link.write_json(out)?;
        out.push(b'}');
    }
    // The source is a constant with nothing to escape, written with its key in one piece.
    out.extend_from_slice(SOURCE_AND_MESSAGE_KEYS.as_bytes());
    write_str(out, &finding.message)?;

    if features.related_information && !finding.labels.is_empty() {
        out.extend_from_slice(b",\"relatedInformation\":[");
        for (index, label) in finding.labels.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"location\":{\"uri\":");
            out.extend_from_slice(uri);
            out.extend_from_slice(b",\"range\":");
            write_range(out, positions.other_range(label.span));
            out.extend_from_slice(b"},\"message\":");
            write_str(out, &label.message)?;
            out.push(b'}');
        }
        out.push(b']');
    }

    if let Some(tags) = tags(&finding.code) {
        out.extend_from_slice(b",\"tags\":");
        serde_json::to_writer(&mut *out, &tags)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_range(out: &mut Vec<u8>, range: Range) {
    let mut number = itoa::Buffer::new();
    out.extend_from_slice(b"{\"start\":{\"line\":");
    out.extend_from_slice(number.format(range.start.line).as_bytes());
    out.extend_from_slice(b",\"character\":");
    out.extend_from_slice(number.format(range.start.character).as_bytes());
    out.extend_from_slice(b"},\"end\":{\"line\":");
    out.extend_from_slice(number.format(range.end.line).as_bytes());
    out.extend_from_slice(b",\"character\":");
    out.extend_from_slice(number.format(range.end.character).as_bytes());
    out.extend_from_slice(b"}}");
}

/// The `source` member of every diagnostic and the key of the `message` member after it.
const SOURCE_AND_MESSAGE_KEYS: &str = concat!(",\"source\":\"", "ballast", "\",\"message\":");

/// Returns whether `bytes` may appear unescaped inside a JSON string.
fn is_plain(bytes: &[u8]) -> bool {
    let special = |byte: u8| (byte < 0x20) | (byte == b'"') | (byte == b'\\');
    // Within a block of fixed length, without an early exit, the compiler checks all the
    // bytes at once with vector instructions.
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        if block.iter().fold(false, |found, &byte| found | special(byte)) {
            return false;
        }
    }
    !blocks.remainder().iter().any(|&byte| special(byte))
}

/// Writes `text` as a JSON string, through `serde_json` when it needs escaping.
fn write_str(out: &mut Vec<u8>, text: &str) -> serde_json::Result<()> {
    if is_plain(text.as_bytes()) {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        serde_json::to_writer(out, text)
    }
}

/// Returns the diagnostic that reports a configuration file that could not be read.
fn config_error(message: &str) -> Diagnostic {
    Diagnostic {
        range: Range::new(Position::new(0, 0), Position::new(0, 0)),
        severity: Some(DiagnosticSeverity::WARNING),
        source: Some(SOURCE.to_string()),
        message: format!("{message}; the default configuration is used until it is fixed"),
        ..Diagnostic::default()
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Style => DiagnosticSeverity::HINT,
    }
}

/// `Deprecated` for MAINTAINER; `Unnecessary` for instructions that a later one overrides
/// and for flags that repeat the default.
fn tags(code: &str) -> Option<Vec<DiagnosticTag>> {
    match code {
        "MaintainerDeprecated" | "DL4000" => Some(vec![DiagnosticTag::DEPRECATED]),
        "DL4003"
        | "DL4004"
        | "DL3012"
        | "MultipleInstructionsDisallowed"
        | "RedundantTargetPlatform"
        | "DL3065" => Some(vec![DiagnosticTag::UNNECESSARY]),
        _ => None,
    }
}

/// Returns the web page that documents a rule: hadolint's wiki for `DL` codes, Docker's
/// build-check reference for BuildKit's checks, ShellCheck's wiki for `SC` codes.
///
/// NOTE: ballast's own `BL` rules have no web page yet; their documentation is shown on
/// hover and by `ballast rule CODE`.
pub fn rule_url(code: &str, name: &str) -> Option<String> {
    rule_link(code, name).map(|link| link.to_string())
}

/// The address [`rule_url`] returns, kept in parts, so that a long list of findings is
/// written as JSON without building a string for each.
pub enum RuleLink<'a> {
    Hadolint(&'a str),
    BuildKit(&'a str),
    ShellCheck(String),
}

impl std::fmt::Display for RuleLink<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RuleLink::Hadolint(code) => write!(formatter, "{HADOLINT_WIKI}{code}"),
            RuleLink::BuildKit(name) => write!(formatter, "{BUILDKIT_RULES}{name}/"),
            RuleLink::ShellCheck(url) => formatter.write_str(url),
        }
    }
}

impl RuleLink<'_> {
    /// Writes the address as a JSON string.
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let (prefix, part, suffix) = match self {
            RuleLink::Hadolint(code) => (HADOLINT_WIKI, *code, ""),
            RuleLink::BuildKit(name) => (BUILDKIT_RULES, *name, "/"),
            RuleLink::ShellCheck(url) => return write_str(out, url),
        };
        if !is_plain(part.as_bytes()) {
            return write_str(out, &self.to_string());
        }
        out.push(b'"');
        out.extend_from_slice(prefix.as_bytes());
        out.extend_from_slice(part.as_bytes());
        out.extend_from_slice(suffix.as_bytes());
        out.push(b'"');
        Ok(())
    }
}

const HADOLINT_WIKI: &str = "https://github.com/hadolint/hadolint/wiki/";
const BUILDKIT_RULES: &str = "https://docs.docker.com/go/dockerfile/rule/";

/// Returns the web page that documents a rule, as [`rule_url`] does.
pub fn rule_link<'a>(code: &'a str, name: &'a str) -> Option<RuleLink<'a>> {
    if code.starts_with("DL") && code.len() == 6 {
        return Some(RuleLink::Hadolint(code));
    }
    if ballast_analyzer::rules::is_shellcheck_code(code) {
        return Some(RuleLink::ShellCheck(ballast_analyzer::shellcheck::wiki_url(code)));
    }
    if ballast_analyzer::rules::BUILDKIT_CHECKS.contains(&code) && !name.is_empty() {
        return Some(RuleLink::BuildKit(name));
    }
    None
}

/// Documents whose diagnostics must be published again.
#[derive(Default)]
pub struct Queue {
    pending: Mutex<Vec<Uri>>,
    wake: Notify,
    /// Documents whose list with ShellCheck findings is due once edits pause.
    shellcheck_due: Mutex<Vec<Uri>>,
    /// Wakes the task that runs the ShellCheck passes after a round of fast lists.
    shellcheck_wake: Notify,
    /// The time the latest round of fast lists ended. A ShellCheck pass starts only once
    /// [`SHELLCHECK_DELAY`] has passed since then.
    last_round: Mutex<Option<Instant>>,
}

/// How long edits must pause before ShellCheck runs. A pass starts one ShellCheck process
/// per changed RUN, 7 ms each on the benchmark machine. While the user types, those
/// processes would compete with the lints of the next edits for the processor.
const SHELLCHECK_DELAY: Duration = Duration::from_millis(200);

impl Queue {
    pub fn push(&self, uri: Uri) {
        let mut pending = self
            .pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !pending.contains(&uri) {
            pending.push(uri);
        }
        drop(pending);
        self.wake.notify_one();
    }

    fn take(&self) -> Vec<Uri> {
        std::mem::take(
            &mut *self
                .pending
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    /// Adds `uris` to the documents due for a ShellCheck pass and starts the delay before
    /// the next pass again.
    fn schedule_shellcheck(&self, uris: &[Uri]) {
        let mut due = lock(&self.shellcheck_due);
        for uri in uris {
            if !due.contains(uri) {
                due.push(uri.clone());
            }
        }
        drop(due);
        *lock(&self.last_round) = Some(Instant::now());
        self.shellcheck_wake.notify_one();
    }

    fn is_pending(&self, uri: &Uri) -> bool {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains(uri)
    }
}

/// Publishes diagnostics for pending documents until the server stops. A document that
/// was closed gets an empty list, which clears what the editor shows.
pub async fn publish_loop(state: Arc<State>, client: Client) {
    tokio::spawn(shellcheck_loop(state.clone(), client.clone()));
    loop {
        state.queue.wake.notified().await;
        // Edits that arrived in the same read from the client are applied first.
        tokio::task::yield_now().await;

        let features = state.features();
        if !features.push_diagnostics() {
            state.queue.take();
            free_retired(&state).await;
            continue;
        }
        let uris = state.queue.take();
        for uri in &uris {
            publish(&state, &client, &features, uri, false).await;
        }
        free_retired(&state).await;

        // The complete lists with ShellCheck, for documents no newer edit made stale. They
        // are published from another task once edits pause, so an edit that arrives while
        // ShellCheck runs gets its fast diagnostics at once.
        state.queue.schedule_shellcheck(&uris);
    }
}

/// Runs the ShellCheck passes, one at a time, each once [`SHELLCHECK_DELAY`] has passed
/// since the latest round of fast lists. One long-lived task does this rather than a task
/// per round: spawning a task costs an allocation as large as its future at every edit.
async fn shellcheck_loop(state: Arc<State>, client: Client) {
    loop {
        state.queue.shellcheck_wake.notified().await;
        // Each round that ends meanwhile moves the start of the pass further away.
        loop {
            let Some(last) = *lock(&state.queue.last_round) else {
                break;
            };
            let start = last + SHELLCHECK_DELAY;
            if Instant::now() >= start {
                break;
            }
            tokio::time::sleep_until(start.into()).await;
        }
        let features = state.features();
        if !features.push_diagnostics() {
            continue;
        }
        let due = std::mem::take(&mut *lock(&state.queue.shellcheck_due));
        for (index, uri) in due.iter().enumerate() {
            if state.queue.is_pending(uri) {
                continue;
            }
            if !publish(&state, &client, &features, uri, true).await {
                // An edit interrupted this pass. The next pass, once edits pause again,
                // checks the documents this one did not finish. It is scheduled here too,
                // in case no round of fast lists follows the interruption.
                state.queue.schedule_shellcheck(&due[index..]);
                break;
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Frees the versions that edits replaced before the next edits are linted: large ones on
/// a blocking thread, so that requests on other documents go on meanwhile.
async fn free_retired(state: &State) {
    let retired = state.documents.take_retired();
    let bytes: usize = retired.iter().map(|version| version.bytes).sum();
    if bytes <= LARGE_DOCUMENT_BYTES {
        // Freeing a small document takes less than handing it to another thread.
        drop(retired);
    } else {
        let _ = tokio::task::spawn_blocking(move || drop(retired)).await;
    }
}

/// Publishes the diagnostics of one document. Returns `false` when an edit interrupted
/// ShellCheck, so that the list with its findings still has to be published.
async fn publish(
    state: &Arc<State>,
    client: &Client,
    features: &ClientFeatures,
    uri: &Uri,
    with_shellcheck: bool,
) -> bool {
    let snapshot = if state.documents.is_large(uri) {
        let (task_state, task_uri) = (state.clone(), uri.clone());
        tokio::task::spawn_blocking(move || task_state.documents.snapshot(&task_uri))
            .await
            .unwrap_or_default()
    } else {
        state.documents.snapshot(uri)
    };
    let Some(snapshot) = snapshot else {
        if !with_shellcheck {
            send(state, client, uri.clone(), Vec::new(), None).await;
        }
        return true;
    };

    let (lint_state, lint_snapshot, lint_features) =
        (state.clone(), snapshot.clone(), features.clone());
    let lint = move || {
        guard(
            "diagnostics",
            &lint_snapshot.uri,
            Some(lint_snapshot.version),
            Linted::Nothing,
            || {
                let outcome = lint_state.analysis.lint(&lint_snapshot, with_shellcheck);
                if with_shellcheck {
                    // Nothing to publish again when ShellCheck is off, was interrupted, or
                    // found nothing new.
                    if !outcome.with_shellcheck {
                        if ballast_analyzer::shellcheck::installed().is_some() {
                            return Linted::Interrupted;
                        }
                        return Linted::Nothing;
                    }
                    let fast = lint_state.analysis.lint(&lint_snapshot, false);
                    if outcome.result.diagnostics == fast.result.diagnostics {
                        return Linted::Nothing;
                    }
                }
                let extra = match lint_state.reports.for_snapshot(&lint_snapshot) {
                    Some(report) => crate::sizes::findings(&lint_snapshot, &lint_features, &report),
                    None => Vec::new(),
                };
                Linted::List(outcome, extra)
            },
        )
    };
    // A large document's lint and the ShellCheck pass run on a blocking thread, so they
    // leave the server's thread free to serve requests and read edits. A small document's
    // lint takes less than the round trip to that thread.
    let inline = !with_shellcheck && snapshot.text.len() <= LARGE_DOCUMENT_BYTES;
    let linted = if inline {
        Ok(lint())
    } else {
        tokio::task::spawn_blocking(lint).await
    };
    let (outcome, extra) = match linted {
        Ok(Linted::List(outcome, extra)) => (outcome, extra),
        Ok(Linted::Nothing) => return true,
        Ok(Linted::Interrupted) => return false,
        Err(error) => {
            tracing::error!(
                uri = uri.as_str(),
                version = snapshot.version,
                "lint task failed: {error}"
            );
            return true;
        }
    };

    // A newer edit is waiting or was already published: its diagnostics replace these, so
    // these are not sent. Without the version check, a slow ShellCheck pass for an old
    // version would arrive after the newer version's list and stay in the editor.
    let current = state.documents.is_current(uri, snapshot.version, &snapshot.text);
    if state.queue.is_pending(uri) || !current {
        tracing::debug!(
            uri = uri.as_str(),
            version = snapshot.version,
            "skip stale diagnostics"
        );
        return true;
    }
    tracing::debug!(
        uri = uri.as_str(),
        version = snapshot.version,
        count = outcome.result.diagnostics.len() + extra.len(),
        "publish diagnostics"
    );
    match &state.notices {
        Some(notices) => {
            let params = PublishedFindings {
                uri,
                version: Some(snapshot.version),
                snapshot: &snapshot,
                outcome: &outcome,
                features,
                extra: &extra,
            };
            notices
                .send_json(PublishDiagnostics::METHOD, |out| params.write_json(out))
                .await;
        }
        None => {
            let mut diagnostics = to_protocol(&snapshot, &outcome, features);
            diagnostics.extend(extra);
            let version = Some(snapshot.version);
            client.publish_diagnostics(uri.clone(), diagnostics, version).await;
        }
    }
    true
}

/// The result of linting one document for publishing.
enum Linted {
    /// A lint to publish, and the diagnostics that do not come from it.
    List(Arc<Outcome>, Vec<Diagnostic>),
    /// Nothing new to publish.
    Nothing,
    /// An edit interrupted ShellCheck, so its findings are missing.
    Interrupted,
}

/// Sends one diagnostics list, serialized straight to JSON text when the transport allows
/// it.
async fn send(
    state: &State,
    client: &Client,
    uri: Uri,
    diagnostics: Vec<Diagnostic>,
    version: Option<i32>,
) {
    match &state.notices {
        Some(notices) => {
            let params = PublishDiagnosticsParams::new(uri, diagnostics, version);
            notices.send(PublishDiagnostics::METHOD, &params).await;
        }
        None => client.publish_diagnostics(uri, diagnostics, version).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use crate::encoding::Encoding;

    /// Strings are written as `serde_json` writes them, whether or not they need escaping.
    #[test]
    fn write_str_matches_serde_json() {
        for text in ["", "plain `code` 说明 😀", "a \"quote\"", "back\\slash", "tab\tand\nline", "\u{1}\u{1f}\u{7f}"] {
            let mut out = Vec::new();
            write_str(&mut out, text).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(text).unwrap());
        }
    }

    /// The check of a block of bytes at a time agrees with a check of each byte, for every
    /// byte value at every position of texts up to three blocks long.
    #[test]
    fn is_plain_matches_bytewise_check() {
        let plain = |bytes: &[u8]| {
            bytes
                .iter()
                .all(|&byte| byte >= 0x20 && byte != b'"' && byte != b'\\')
        };
        for length in 1..=48 {
            for position in 0..length {
                for byte in 0..=255u8 {
                    let mut bytes = vec![b'a'; length];
                    bytes[position] = byte;
                    assert_eq!(is_plain(&bytes), plain(&bytes), "{bytes:?}");
                }
            }
        }
    }

    /// The JSON written straight from the findings equals the JSON of the protocol values
    /// that `to_protocol` builds, for every combination of the features it reads.
    #[test]
    fn published_findings_match_protocol_values() {
        let text = "# 说明 😀\nFROM alpine AS build\nMAINTAINER someone\nRUN apk add curl # 注释 😀\nFROM alpine AS build\nEXPOSE 80/TCP\nRUN cd /tmp && wget http://example.com/x\nCMD echo one\nCMD echo two\nworkdir relative\n";
        let uri: Uri = "file:///tmp/%E4%B8%AD/Dockerfile".parse().unwrap();
        let snapshot = Snapshot::parse(uri.clone(), 7, text.to_string(), Default::default());
        let outcome = Analysis::default().lint(&snapshot, false);
        let codes: Vec<&str> = outcome.result.diagnostics.iter().map(|finding| &*finding.code).collect();
        for code in ["DL4000", "DuplicateStageName", "DL3018", "ExposeProtoCasing"] {
            assert!(codes.contains(&code), "no {code} among {codes:?}");
        }
        assert!(outcome.result.diagnostics.iter().any(|finding| !finding.labels.is_empty()));
        let extra = vec![config_error("an extra diagnostic")];

        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            for (code_description, related_information) in
                [(false, false), (true, false), (false, true), (true, true)]
            {
                let features = ClientFeatures {
                    encoding,
                    code_description,
                    related_information,
                    ..ClientFeatures::default()
                };
                let published = PublishedFindings {
                    uri: &uri,
                    version: Some(snapshot.version),
                    snapshot: &snapshot,
                    outcome: &outcome,
                    features: &features,
                    extra: &extra,
                };
                let mut text = Vec::new();
                published.write_json(&mut text).unwrap();
                let written: serde_json::Value = serde_json::from_slice(&text).unwrap();
                let mut diagnostics = to_protocol(&snapshot, &outcome, &features);
                diagnostics.extend(extra.clone());
                let built = serde_json::to_value(PublishDiagnosticsParams::new(
                    uri.clone(),
                    diagnostics,
                    Some(snapshot.version),
                ))
                .unwrap();
                assert_eq!(
                    written, built,
                    "{encoding:?}, codeDescription {code_description}, relatedInformation {related_information}"
                );
            }
        }
    }
}
