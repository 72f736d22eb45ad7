//! The server's diagnostics after a series of incremental edits equal those of a fresh
//! document with the same text. The edited document reuses its parsed RUN scripts from
//! one version to the next, while the fresh one parses everything. A finding that depends
//! on stale reuse therefore shows up as a difference.

mod lsp_support;

use std::path::{Path, PathBuf};

use lsp_support::{Client, rich_capabilities};
use serde_json::{Value, json};

/// The test edits one corpus file in this many, to keep its run short.
const FILE_STRIDE: usize = 25;
const EDITS_PER_FILE: usize = 5;

/// Text inserted by edits: shell and Dockerfile syntax that opens and closes quotes,
/// heredocs, continuations and instructions.
const INSERTIONS: &[&str] = &[
    "a",
    " ",
    "\n",
    "\\\n",
    "$",
    "\"",
    " && ",
    " | ",
    "#",
    "\nRUN apt-get install -y curl\n",
    "\nRUN <<EOF\nset -e\nEOF\n",
    "\nARG X=1\n",
    "\nFROM scratch AS s\n",
    "\nUSER app\n",
];

/// A xorshift generator, so every run applies the same edits.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound.max(1) as u64) as usize
    }
}

fn corpus_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    let mut files = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if path.is_dir() {
                folders.push(path);
            } else if name.contains("Dockerfile") || name.contains("Containerfile") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Returns the line and column of byte `offset` in ASCII `text`.
fn position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column = before.len() - before.rfind('\n').map_or(0, |newline| newline + 1);
    (line as u32, column as u32)
}

/// Returns the diagnostics as JSON text with `uri` replaced, so two documents compare.
fn normalized(diagnostics: &[Value], uri: &str) -> String {
    serde_json::to_string_pretty(diagnostics)
        .unwrap()
        .replace(uri, "URI")
}

#[test]
fn edited_document_matches_fresh_document() {
    let files: Vec<PathBuf> = corpus_files().into_iter().step_by(FILE_STRIDE).collect();
    if files.is_empty() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no corpus files under ../shared/corpus/real; CI must provide the corpus"
        );
        eprintln!("skipped: no corpus files under ../shared/corpus/real");
        return;
    }

    let mut client = Client::start(&["--stdio"]);
    // ShellCheck findings arrive in a second publish whose timing varies, so the comparison
    // uses the lint without them.
    client.initialize(rich_capabilities(), json!({"ballast": {"shellcheck": false}}));

    let mut checked = 0;
    for (number, path) in files.iter().enumerate() {
        let Ok(mut text) = std::fs::read_to_string(path) else {
            continue;
        };
        if !text.is_ascii() {
            continue;
        }
        let uri = format!("file:///work/project/edited-{number}/Dockerfile");
        client.open(&uri, &text);
        client.diagnostics(&uri, 1);

        let mut random = Random(0x2545_f491_4f6c_dd1d ^ (number as u64 + 1));
        for step in 1..=EDITS_PER_FILE {
            let version = step as i64 + 1;
            let start = random.below(text.len() + 1);
            let (end, inserted) = if random.below(2) == 0 {
                (start, INSERTIONS[random.below(INSERTIONS.len())])
            } else {
                ((start + 1 + random.below(30)).min(text.len()), "")
            };
            client.change(&uri, version, position(&text, start), position(&text, end), inserted);
            text.replace_range(start..end, inserted);
            let edited = client.diagnostics(&uri, version);

            let fresh_uri = format!("file:///work/project/fresh-{number}-{step}/Dockerfile");
            client.open(&fresh_uri, &text);
            let fresh = client.diagnostics(&fresh_uri, 1);
            assert_eq!(
                normalized(&edited, &uri),
                normalized(&fresh, &fresh_uri),
                "{} after {step} edits: the edited document's diagnostics differ from a fresh document's; text:\n{text}",
                path.display()
            );
        }
        checked += 1;
    }
    eprintln!("checked {checked} files with {EDITS_PER_FILE} edits each");
    assert!(checked > 20, "only {checked} corpus files were checked");
    client.shutdown();
}
