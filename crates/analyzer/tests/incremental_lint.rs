//! The editor's lint path is `lint_parsed` with parsed RUN scripts kept from one version of
//! a file to the next. These tests check that it reports exactly what a fresh `lint` of the
//! same text reports, after each of a series of random edits to the real-world corpus.

use std::path::{Path, PathBuf};

use ballast_analyzer::config::Config;
use ballast_analyzer::lint::{lint, lint_parsed};
use ballast_analyzer::model::ScriptMemo;
use ballast_analyzer::rules::FileContext;
use ballast_parser::{LineIndex, parse};

/// Edits applied to each corpus file, each followed by both lints.
const EDITS_PER_FILE: usize = 6;

/// Text inserted by edits: shell syntax, Dockerfile syntax, quotes, continuations and
/// variables, so edits open and close quotes, heredocs and instructions.
const INSERTIONS: &[&str] = &[
    "a",
    " ",
    "\n",
    "\\\n",
    "$",
    "${X}",
    "\"",
    "'",
    " && ",
    " | ",
    ";",
    "#",
    "\nRUN apt-get install -y curl\n",
    "\nRUN <<EOF\nset -e\nEOF\n",
    "\nARG X=1\n",
    "\nENV X=2\n",
    "\nFROM scratch AS s\n",
    "\nSHELL [\"/bin/bash\", \"-c\"]\n",
    "\nUSER app\n",
    "\n# hadolint ignore=DL3008\n",
    "run ",
    "<<EOF",
];

/// A xorshift generator, so every run applies the same edits.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

fn corpus_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let mut files = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                if name.contains("Dockerfile") || name.contains("Containerfile") {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    files
}

/// Returns the largest char boundary of `text` at or before `offset`.
fn boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Applies one random edit: an insertion, a deletion of up to 40 bytes, or a copy of one
/// line to another place.
fn edit(text: &mut String, random: &mut Random) {
    let at = boundary(text, random.below(text.len() + 1));
    match random.below(3) {
        0 => text.insert_str(at, INSERTIONS[random.below(INSERTIONS.len())]),
        1 => {
            let end = boundary(text, at + 1 + random.below(40));
            text.replace_range(at..end, "");
        }
        _ => {
            let line = text[at..].lines().next().unwrap_or("").to_string();
            let target = boundary(text, random.below(text.len() + 1));
            text.insert_str(target, &format!("{line}\n"));
        }
    }
}

fn assert_same_findings(path: &Path, step: usize, text: &str, memo: &ScriptMemo) {
    let config = Config::default();
    let file = FileContext::default();
    let tree = parse(text);
    let lines = LineIndex::new(text);
    let incremental = lint_parsed(text, &tree, &lines, &config, &file, Some(memo));
    let fresh = lint(text, &config, &file);
    assert_eq!(
        incremental.diagnostics,
        fresh.diagnostics,
        "{} after {step} edits: the editor's lint differs from a fresh lint of this text:\n{text}",
        path.display()
    );
    assert_eq!(
        incremental.error_regions,
        fresh.error_regions,
        "{} after {step} edits: the syntax error regions differ",
        path.display()
    );
}

#[test]
fn random_edits_match_fresh_lint() {
    let files = corpus_files();
    if files.is_empty() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no corpus files under ../shared/corpus/real; CI must provide the corpus"
        );
        eprintln!("skipped: no corpus files under ../shared/corpus/real");
        return;
    }
    let mut checked = 0;
    for (number, path) in files.iter().enumerate() {
        let Ok(mut text) = std::fs::read_to_string(path) else {
            continue;
        };
        let mut random = Random(0x9e37_79b9_7f4a_7c15 ^ (number as u64 + 1));
        let memo = ScriptMemo::default();
        assert_same_findings(path, 0, &text, &memo);
        for step in 1..=EDITS_PER_FILE {
            edit(&mut text, &mut random);
            assert_same_findings(path, step, &text, &memo);
        }
        checked += 1;
    }
    eprintln!("checked {checked} files with {EDITS_PER_FILE} edits each");
    assert!(checked > 100, "only {checked} corpus files could be read");
}

#[test]
fn memo_reuses_scripts_of_unchanged_runs() {
    let text = "FROM alpine\nRUN apk add curl\nRUN echo one\n";
    let memo = ScriptMemo::default();
    assert_same_findings(Path::new("memo"), 0, text, &memo);
    let kept = memo.len();
    assert!(kept > 0, "the lint parsed no script through the memo");

    let edited = text.replace("one", "two");
    assert_same_findings(Path::new("memo"), 1, &edited, &memo);
    // The unchanged RUN is reused, and the edited one is parsed once per dialect.
    assert!(
        memo.len() <= kept + 2,
        "memo holds {} scripts after one edit, {kept} before",
        memo.len()
    );
}
