//! Open documents: their text, version, and a parsed snapshot computed on first use after
//! each change, so a burst of edits costs one parse.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use ballast_analyzer::model::LintMemo;
use ballast_parser::{Dockerfile, LineIndex, TextEdit, parse, reparse};
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

/// The size above which a document's parse, index and lint leave the server's thread. The
/// lint after an edit of a 5,000-line file (about 150 KiB) takes about 2 ms. A 3 MB file
/// takes hundreds of milliseconds to parse and index.
pub const LARGE_DOCUMENT_BYTES: usize = 256 * 1024;

impl Snapshot {
    /// Parses the whole of `text`.
    #[cfg(test)]
    pub fn parse(uri: Uri, version: i32, text: String, scripts: Arc<LintMemo>) -> Snapshot {
        let tree = parse(&text);
        Snapshot::new(uri, version, text, tree, scripts)
    }

    fn new(
        uri: Uri,
        version: i32,
        text: String,
        tree: Dockerfile,
        scripts: Arc<LintMemo>,
    ) -> Snapshot {
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
    /// The parse of the current text, moved to `base` on every change.
    snapshot: Option<Arc<Snapshot>>,
    /// The latest parsed version before the current text, and what changed since then. The
    /// next snapshot parses again only the part of the text around the changes.
    base: Option<(Arc<Snapshot>, Since)>,
    scripts: Arc<LintMemo>,
}

/// The changes to a document since its base version was parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Since {
    Nothing,
    /// One edit that covers every change.
    Edit(TextEdit),
    /// A change replaced the whole text, so the base's tree cannot be reused.
    Replaced,
}

/// Returns one edit that covers `first` and then `second`, which is in the coordinates of
/// the text as `first` left it.
fn merge_edits(first: TextEdit, second: TextEdit) -> TextEdit {
    let current_end = first.new_end.max(second.old_end);
    TextEdit {
        start: first.start.min(second.start),
        old_end: first.old_end + (current_end - first.new_end),
        new_end: current_end + second.new_end - second.old_end,
    }
}

/// The documents the client has opened, by URI.
#[derive(Default)]
pub struct Documents {
    open: Mutex<HashMap<Uri, Document>>,
    retired: Mutex<Vec<Retired>>,
}

/// A version that a newer one replaced, or what is left of it when the newer version took
/// over its tree, kept to be freed off the edit's path.
pub struct Retired {
    /// The length of the version's text, which bounds how long freeing it takes.
    pub bytes: usize,
    _version: Box<dyn std::any::Any + Send>,
}

impl Retired {
    fn new(bytes: usize, version: impl std::any::Any + Send) -> Retired {
        Retired {
            bytes,
            _version: Box::new(version),
        }
    }
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
                base: None,
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
    /// Keeps the version that no later version will reuse for [`Documents::take_retired`].
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) -> Result<(), ChangeError> {
        let mut open = self.lock();
        let document = open.get_mut(uri).ok_or(ChangeError::NotOpen)?;
        // The edits are counted from the latest parsed version: the current snapshot, or
        // the base that no snapshot has replaced yet.
        let mut unused = None;
        let mut since = match document.snapshot.take() {
            Some(snapshot) => {
                unused = document.base.replace((snapshot, Since::Nothing)).map(|(base, _)| base);
                Some(Since::Nothing)
            }
            None => document.base.as_ref().map(|(_, since)| *since),
        };
        for change in changes {
            match change.range {
                Some(range) => {
                    // While the text is still that of the base version, the base's line
                    // index serves, and the whole text is not scanned again.
                    let base_lines = match (&document.base, since) {
                        (Some((base, _)), Some(Since::Nothing)) => Some(&base.lines),
                        _ => None,
                    };
                    let built;
                    let lines = match base_lines {
                        Some(lines) => lines,
                        None => {
                            built = LineIndex::new(&document.text);
                            &built
                        }
                    };
                    let span = Positions::new(&document.text, lines, encoding).span(range);
                    document
                        .text
                        .replace_range(span.start..span.end, &change.text);
                    let this = TextEdit {
                        start: span.start,
                        old_end: span.end,
                        new_end: span.start + change.text.len(),
                    };
                    since = since.map(|since| match since {
                        Since::Nothing => Since::Edit(this),
                        Since::Edit(earlier) => Since::Edit(merge_edits(earlier, this)),
                        Since::Replaced => Since::Replaced,
                    });
                }
                None => {
                    document.text = change.text;
                    since = since.map(|_| Since::Replaced);
                }
            }
        }
        if let (Some(base), Some(since)) = (&mut document.base, since) {
            base.1 = since;
        }
        document.version = version;
        drop(open);
        if let Some(unused) = unused {
            self.retire(Retired::new(unused.text.len(), unused));
        }
        Ok(())
    }

    /// Returns the URIs of every open document.
    pub fn uris(&self) -> Vec<Uri> {
        self.lock().keys().cloned().collect()
    }

    /// Returns whether `uri` is open at `version` with `text`. A version number alone does
    /// not tell two openings of a document apart: a client that closes and opens it again
    /// starts again from its first version.
    pub fn is_current(&self, uri: &Uri, version: i32, text: &str) -> bool {
        self.lock()
            .get(uri)
            .is_some_and(|document| document.version == version && document.text == text)
    }

    /// Returns whether the current text of `uri` is larger than [`LARGE_DOCUMENT_BYTES`].
    /// Parsing, indexing and linting such a document run on the blocking pool, so the
    /// server's thread goes on serving the other documents.
    pub fn is_large(&self, uri: &Uri) -> bool {
        self.lock()
            .get(uri)
            .is_some_and(|document| document.text.len() > LARGE_DOCUMENT_BYTES)
    }

    /// Returns the parsed current version of a document, or `None` when it is not open.
    pub fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        let (version, text, scripts, base) = {
            let mut open = self.lock();
            let document = open.get_mut(uri)?;
            if let Some(snapshot) = &document.snapshot {
                return Some(snapshot.clone());
            }
            (
                document.version,
                document.text.clone(),
                document.scripts.clone(),
                document.base.take(),
            )
        };

        // Parsing happens outside the lock, so an edit does not wait for a parse. The
        // snapshot is stored only if no edit arrived in the meantime. The base's tree is
        // reused when no other handler still has a reference to the base.
        let (tree, rest) = match base {
            Some((base, Since::Edit(edit))) => match Arc::try_unwrap(base) {
                Ok(base) => {
                    let Snapshot {
                        text: old_text,
                        tree: old_tree,
                        lines,
                        index,
                        lints,
                        ..
                    } = base;
                    let tree = reparse(old_tree, &old_text, &text, edit);
                    (tree, Some(Retired::new(old_text.len(), (old_text, lines, index, lints))))
                }
                Err(base) => (parse(&text), Some(Retired::new(base.text.len(), base))),
            },
            Some((base, Since::Nothing | Since::Replaced)) => {
                (parse(&text), Some(Retired::new(base.text.len(), base)))
            }
            None => (parse(&text), None),
        };
        let snapshot = Arc::new(Snapshot::new(uri.clone(), version, text, tree, scripts));
        let mut open = self.lock();
        if let Some(document) = open.get_mut(uri)
            && document.version == version
            && document.snapshot.is_none()
        {
            document.snapshot = Some(snapshot.clone());
        }
        drop(open);
        if let Some(rest) = rest {
            self.retire(rest);
        }
        Some(snapshot)
    }

    /// Keeps a replaced version until [`Documents::take_retired`]. Freeing the tree and
    /// findings of a large file takes about a third of its parse. With one malloc arena, a
    /// free on another thread also slows the parse and lint of the new version, so the
    /// diagnostics loop frees them after it has published.
    fn retire(&self, retired: Retired) {
        self.retired
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(retired);
    }

    /// Returns the replaced versions kept so far, for the caller to free.
    pub fn take_retired(&self) -> Vec<Retired> {
        std::mem::take(
            &mut *self
                .retired
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
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

    /// Returns a change that replaces the whole text.
    fn whole(text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.to_string(),
        }
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

    /// Returns the tree of the document's current snapshot and of a whole parse of its
    /// text, as JSON values.
    fn trees(documents: &Documents) -> (serde_json::Value, serde_json::Value) {
        let snapshot = documents.snapshot(&uri()).unwrap();
        (
            serde_json::to_value(&snapshot.tree).unwrap(),
            serde_json::to_value(parse(&snapshot.text)).unwrap(),
        )
    }

    #[test]
    fn edits_reparse_to_the_whole_parse() {
        let documents = Documents::default();
        let mut text = String::from("# syntax=docker/dockerfile:1\nFROM alpine AS base\n");
        for stage in 0..30 {
            text.push_str(&format!("FROM base AS s{stage}\nRUN apk add curl \\\n    git\nCOPY a /b\n"));
        }
        documents.open(uri(), 1, text);
        documents.snapshot(&uri()).unwrap();

        // Several changes in one notification, a change across two notifications with no
        // snapshot between them, a new line, a continuation that joins the next line, and
        // a heredoc that swallows the rest of the file.
        let steps: Vec<Vec<TextDocumentContentChangeEvent>> = vec![
            vec![edit((20, 13), (20, 13), "x"), edit((20, 14), (20, 14), "y")],
            vec![edit((40, 0), (40, 0), "RUN echo inserted\n")],
            vec![edit((41, 0), (41, 3), "run")],
            vec![edit((50, 9), (50, 9), " \\")],
            vec![edit((60, 0), (60, 0), "RUN <<EOF\n")],
            vec![edit((60, 0), (61, 0), "")],
        ];
        for (index, changes) in steps.into_iter().enumerate() {
            let version = index as i32 + 2;
            documents
                .change(&uri(), version, changes, Encoding::Utf16)
                .unwrap();
            if index == 0 {
                continue;
            }
            let (reparsed, parsed) = trees(&documents);
            assert_eq!(reparsed, parsed, "after change {index}");
        }
        assert!(!documents.take_retired().is_empty());
    }

    #[test]
    fn whole_text_change_parses_again() {
        let documents = Documents::default();
        documents.open(uri(), 1, "FROM a\nRUN b\n".into());
        documents.snapshot(&uri()).unwrap();
        let replace = whole("FROM c\nRUN d\n");
        documents
            .change(&uri(), 2, vec![edit((1, 4), (1, 5), "x"), replace], Encoding::Utf16)
            .unwrap();
        let (reparsed, parsed) = trees(&documents);
        assert_eq!(reparsed, parsed);
        assert_eq!(documents.snapshot(&uri()).unwrap().text, "FROM c\nRUN d\n");
    }

    #[test]
    fn ranged_change_after_whole_text_change_parses_again() {
        let documents = Documents::default();
        documents.open(uri(), 1, "FROM a\nRUN b\n".into());
        documents.snapshot(&uri()).unwrap();
        let replace = whole("FROM c AS x\nRUN d\nRUN e\n");
        // In one notification, then across two with no snapshot between them.
        documents
            .change(&uri(), 2, vec![replace.clone(), edit((2, 4), (2, 5), "f")], Encoding::Utf16)
            .unwrap();
        let (reparsed, parsed) = trees(&documents);
        assert_eq!(reparsed, parsed);
        documents.change(&uri(), 3, vec![replace], Encoding::Utf16).unwrap();
        documents
            .change(&uri(), 4, vec![edit((1, 4), (1, 5), "g")], Encoding::Utf16)
            .unwrap();
        let (reparsed, parsed) = trees(&documents);
        assert_eq!(reparsed, parsed);
        assert_eq!(
            documents.snapshot(&uri()).unwrap().text,
            "FROM c AS x\nRUN g\nRUN e\n"
        );
    }

    #[test]
    fn merged_edits_cover_both() {
        // "abcdef": replace "bc" by "XYZ" (aXYZdef), then "Zd" by "" (aXYef).
        let first = TextEdit { start: 1, old_end: 3, new_end: 4 };
        let second = TextEdit { start: 3, old_end: 5, new_end: 3 };
        assert_eq!(
            merge_edits(first, second),
            TextEdit { start: 1, old_end: 4, new_end: 3 }
        );
        // An edit before the first one.
        let before = TextEdit { start: 0, old_end: 1, new_end: 2 };
        assert_eq!(
            merge_edits(first, before),
            TextEdit { start: 0, old_end: 3, new_end: 5 }
        );
    }

    #[test]
    fn change_to_unopened_document_is_rejected() {
        let documents = Documents::default();
        let result = documents.change(&uri(), 2, vec![edit((0, 0), (0, 0), "x")], Encoding::Utf16);
        assert!(matches!(result, Err(ChangeError::NotOpen)));
    }
}
