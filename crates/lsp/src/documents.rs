//! Open documents: their text, version, and a parsed snapshot computed on first use after
//! each change, so a burst of edits costs one parse.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use ballast_analyzer::model::LintMemo;
use ballast_parser::{Dockerfile, LineIndex, parse};
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::analysis::Outcome;
use crate::encoding::{Encoding, Positions};
use crate::index::Index;

/// One version of a document, parsed. Snapshots are immutable and shared between handlers.
pub struct Snapshot {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    pub tree: Dockerfile,
    pub lines: LineIndex,
    /// RUN scripts parsed by lints of this document's earlier versions, shared by every
    /// version of it.
    pub scripts: Arc<LintMemo>,
    /// Stage names and variables, built on first use.
    index: OnceLock<Index>,
    /// Lint results of this version, at most one with ShellCheck and one without.
    lints: Mutex<Vec<Arc<Outcome>>>,
}

impl Snapshot {
    pub fn new(uri: Uri, version: i32, text: String, scripts: Arc<LintMemo>) -> Snapshot {
        let tree = parse(&text);
        let lines = LineIndex::new(&text);
        Snapshot {
            uri,
            version,
            text,
            tree,
            lines,
            scripts,
            index: OnceLock::new(),
            lints: Mutex::default(),
        }
    }

    pub fn positions(&self, encoding: Encoding) -> Positions<'_> {
        Positions::new(&self.text, &self.lines, encoding)
    }

    pub fn index(&self) -> &Index {
        self.index
            .get_or_init(|| Index::build(&self.tree, &self.text))
    }

    /// Returns the lint result of configuration `generation`. A result with ShellCheck
    /// findings also serves a request without them.
    pub fn cached_lint(&self, generation: u64, with_shellcheck: bool) -> Option<Arc<Outcome>> {
        let lints = self
            .lints
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        lints
            .iter()
            .filter(|outcome| outcome.generation() == generation)
            .find(|outcome| outcome.with_shellcheck || !with_shellcheck)
            .cloned()
    }

    pub fn store_lint(&self, outcome: Arc<Outcome>) {
        let mut lints = self
            .lints
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        lints.retain(|kept| {
            kept.generation() == outcome.generation()
                && kept.with_shellcheck != outcome.with_shellcheck
        });
        lints.push(outcome);
    }
}

struct Document {
    version: i32,
    text: String,
    /// The parse of the current text, dropped on every change.
    snapshot: Option<Arc<Snapshot>>,
    scripts: Arc<LintMemo>,
}

/// The documents the client has opened, by URI.
#[derive(Default)]
pub struct Documents {
    open: Mutex<HashMap<Uri, Document>>,
}

/// The reason an incremental change could not be applied.
#[derive(Debug, PartialEq, Eq)]
pub enum ChangeError {
    NotOpen,
}

impl Documents {
    pub fn open(&self, uri: Uri, version: i32, text: String) {
        self.lock().insert(
            uri,
            Document {
                version,
                text,
                snapshot: None,
                scripts: Arc::default(),
            },
        );
    }

    pub fn close(&self, uri: &Uri) -> bool {
        self.lock().remove(uri).is_some()
    }

    /// Applies the changes of one `didChange` in order. A change with a range edits the
    /// text as the previous change left it; one without replaces the whole text.
    ///
    /// Returns the snapshot of the previous version, if one was parsed, so the caller can
    /// free its tree outside the lock and off the edit's path.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) -> Result<Option<Arc<Snapshot>>, ChangeError> {
        let mut open = self.lock();
        let document = open.get_mut(uri).ok_or(ChangeError::NotOpen)?;
        for change in changes {
            match change.range {
                Some(range) => {
                    let lines = LineIndex::new(&document.text);
                    let span = Positions::new(&document.text, &lines, encoding).span(range);
                    document
                        .text
                        .replace_range(span.start..span.end, &change.text);
                }
                None => document.text = change.text,
            }
        }
        document.version = version;
        Ok(document.snapshot.take())
    }

    /// Returns the URIs of every open document.
    pub fn uris(&self) -> Vec<Uri> {
        self.lock().keys().cloned().collect()
    }

    /// Returns the parsed current version of a document, or `None` when it is not open.
    pub fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        let (version, text, scripts) = {
            let open = self.lock();
            let document = open.get(uri)?;
            if let Some(snapshot) = &document.snapshot {
                return Some(snapshot.clone());
            }
            (
                document.version,
                document.text.clone(),
                document.scripts.clone(),
            )
        };

        // Parsing happens outside the lock, so an edit does not wait for a parse. The
        // snapshot is stored only if no edit arrived in the meantime.
        let snapshot = Arc::new(Snapshot::new(uri.clone(), version, text, scripts));
        let mut open = self.lock();
        if let Some(document) = open.get_mut(uri)
            && document.version == version
            && document.snapshot.is_none()
        {
            document.snapshot = Some(snapshot.clone());
        }
        Some(snapshot)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Uri, Document>> {
        // A handler that panicked while holding the lock leaves consistent data behind:
        // every update above is a single assignment or a completed splice.
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn uri() -> Uri {
        "file:///tmp/Dockerfile".parse().unwrap()
    }

    fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(start.0, start.1),
                Position::new(end.0, end.1),
            )),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let documents = Documents::default();
        documents.open(uri(), 1, "FROM a\nRUN b\n".into());
        let changes = vec![
            edit((1, 4), (1, 5), "c"),
            edit((1, 5), (1, 5), " d"),
            edit((0, 5), (0, 6), "中"),
        ];
        documents
            .change(&uri(), 2, changes, Encoding::Utf16)
            .unwrap();
        let snapshot = documents.snapshot(&uri()).unwrap();
        assert_eq!(snapshot.text, "FROM 中\nRUN c d\n");
        assert_eq!(snapshot.version, 2);
    }

    #[test]
    fn change_past_the_end_appends() {
        let documents = Documents::default();
        documents.open(uri(), 1, "FROM a".into());
        documents
            .change(
                &uri(),
                2,
                vec![edit((9, 9), (9, 9), "\nRUN x")],
                Encoding::Utf16,
            )
            .unwrap();
        assert_eq!(documents.snapshot(&uri()).unwrap().text, "FROM a\nRUN x");
    }

    #[test]
    fn change_to_unopened_document_is_rejected() {
        let documents = Documents::default();
        let result = documents.change(&uri(), 2, vec![edit((0, 0), (0, 0), "x")], Encoding::Utf16);
        assert!(matches!(result, Err(ChangeError::NotOpen)));
    }
}
