//! The editor's lint path is `lint_parsed` with parsed RUN scripts kept from one version of
//! a file to the next. These tests check that it reports exactly what a fresh `lint` of the
//! same text reports, after each of a series of random edits to the real-world corpus.

use std::path::{Path, PathBuf};

use ballast_analyzer::config::Config;
use ballast_analyzer::diagnostic::Diagnostic;
use ballast_analyzer::lint::{lint, lint_parsed};
use ballast_analyzer::model::LintMemo;
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

/// Instructions that change what rules find in other stages: declarations that later
/// stages see, users created before a USER, stages and copies between them, shells and
/// ONBUILD triggers.
const CROSS_STAGE_INSERTIONS: &[&str] = &[
    "\nARG app\n",
    "\nARG APP_HOME=/x\n",
    "\nRUN useradd -u 1000 app\n",
    "\nFROM s3 AS s99\n",
    "\nFROM base AS s2\n",
    "\nCOPY --from=s2 /a /b\n",
    "\nUSER root\n",
    "\nUSER 0\n",
    "\nSHELL [\"/bin/bash\", \"-c\"]\n",
    "\nENV PIP_NO_CACHE_DIR=1\n",
    "\nARG BASE_TAG\n",
    "\nONBUILD RUN curl -o a x\n",
    "\nONBUILD RUN wget y\n",
    "\nWORKDIR /srv\n",
    "\nHEALTHCHECK CMD true\n",
    "\nCMD [\"x\"]\n",
];

/// Applies one random edit: an insertion, a deletion of up to 40 bytes, or a copy of one
/// line to another place.
fn edit(text: &mut String, random: &mut Random) {
    edit_with(text, random, INSERTIONS);
}

/// As [`edit`], inserting one of `insertions`.
fn edit_with(text: &mut String, random: &mut Random, insertions: &[&str]) {
    let at = boundary(text, random.below(text.len() + 1));
    match random.below(3) {
        0 => text.insert_str(at, insertions[random.below(insertions.len())]),
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

fn assert_same_findings(path: &Path, step: usize, text: &str, memo: &LintMemo) {
    let config = Config::default();
    let file = FileContext::default();
    let tree = parse(text);
    let lines = LineIndex::new(text);
    let incremental = lint_parsed(text, &tree, &lines, &config, &file, Some(memo));
    let fresh = lint(text, &config, &file);
    if incremental.diagnostics != fresh.diagnostics {
        let only_in = |these: &[Diagnostic], those: &[Diagnostic]| -> Vec<String> {
            these
                .iter()
                .filter(|finding| !those.contains(finding))
                .map(|finding| format!("{} at {:?}: {}", finding.code, finding.span, finding.message))
                .collect()
        };
        panic!(
            "{} after {step} edits: the editor's lint differs from a fresh lint of this text.\nonly in the editor's lint: {:#?}\nonly in the fresh lint: {:#?}\ntext:\n{text}",
            path.display(),
            only_in(&incremental.diagnostics, &fresh.diagnostics),
            only_in(&fresh.diagnostics, &incremental.diagnostics),
        );
    }
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
        let memo = LintMemo::default();
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
    let memo = LintMemo::default();
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

#[test]
fn memo_keeps_scripts_of_stages_no_edit_touched() {
    let path = Path::new("memo across stages");
    let mut text = many_stages(10);
    // Stages share some RUNs word for word, and the memo keeps one parse per text.
    let tree = parse(&text);
    let runs: std::collections::HashSet<&str> = tree
        .instructions()
        .filter(|instruction| instruction.keyword == ballast_parser::Keyword::Run)
        .map(|instruction| instruction.rest.as_str())
        .collect();
    let runs = runs.len();
    let memo = LintMemo::default();
    assert_same_findings(path, 0, &text, &memo);
    // Typing into the first stage's RUN lints that stage alone, several times over. The
    // scripts of the other stages must stay, or the next edit that adds a line, which
    // moves every later stage, would parse them all again.
    let at = text.find("apk add").unwrap();
    for step in 1..=4 {
        text.insert(at, 'x');
        assert_same_findings(path, step, &text, &memo);
    }
    assert!(
        memo.len() >= runs,
        "the memo holds {} scripts for {runs} RUNs",
        memo.len()
    );
}

#[test]
fn memo_stays_bounded_while_typing() {
    let path = Path::new("memo while typing");
    let mut text = many_stages(10);
    let memo = LintMemo::default();
    assert_same_findings(path, 0, &text, &memo);
    let first = memo.len();
    // Each keystroke in a RUN adds the parses of a new text. Sweeps drop the old ones, so
    // the memo never contains much more than twice what the file needs.
    let at = text.find("apk add").unwrap();
    let mut max = 0;
    for step in 1..=300 {
        text.insert(at, 'x');
        let tree = parse(&text);
        let lines = LineIndex::new(&text);
        let config = Config::default();
        lint_parsed(&text, &tree, &lines, &config, &FileContext::default(), Some(&memo));
        max = max.max(memo.len());
        if step % 50 == 0 {
            assert_same_findings(path, step, &text, &memo);
        }
    }
    assert!(
        max <= 2 * first + 64,
        "the memo contained {max} parses, and the file needs about {first}"
    );
}

/// Returns a multi-stage file in the shape of large projects: stages built on a shared base
/// and on each other, package installs, copies between stages and variables. It has a few
/// findings of rules that read one stage and of rules that read the whole file.
fn many_stages(count: usize) -> String {
    let mut text = String::from("# syntax=docker/dockerfile:1\nARG BASE_TAG=3.19\nFROM alpine:${BASE_TAG} AS base\nENV APP_HOME=/srv/app\n");
    for stage in 1..=count {
        let parent = if stage % 4 == 0 { format!("s{}", stage - 1) } else { "base".to_string() };
        text.push_str(&format!("\n# stage {stage}\nFROM {parent} AS s{stage}\n"));
        text.push_str(&format!("ARG FLAG_{stage}=on\nENV DIR_{stage}=${{APP_HOME}}/s{stage}\n"));
        text.push_str("RUN set -eux; \\\n    apk add --no-cache curl git; \\\n    echo \"$APP_HOME\" > /tmp/out; \\\n    rm -rf /tmp/out\n");
        if stage > 1 {
            text.push_str(&format!("COPY --from=s{} /tmp/a.tar.gz /opt/\nRUN tar xzf /opt/a.tar.gz && chown -R app /opt\n", stage - 1));
        }
        if stage % 3 == 0 {
            text.push_str("run apt-get install curl\nWORKDIR relative/dir\n");
        }
        if stage % 5 == 0 {
            text.push_str("USER root\nEXPOSE 80/TCP\nLABEL maintainer=\"\"\n");
        }
        text.push_str(&format!("USER app\nRUN pip install requests && cd /tmp && wget http://example.com/{stage}\n"));
    }
    text.push_str("\nFROM base AS final\nCOPY --from=s1 /tmp/out /srv/\nCMD [\"true\"]\n");
    text
}

#[test]
fn many_stages_random_edits() {
    let path = Path::new("many stages");
    let mut text = many_stages(40);
    let memo = LintMemo::default();
    assert_same_findings(path, 0, &text, &memo);
    let mut random = Random(0x2545_f491_4f6c_dd1d);
    for step in 1..=60 {
        edit(&mut text, &mut random);
        assert_same_findings(path, step, &text, &memo);
    }
}

#[test]
fn many_stages_cross_stage_edits() {
    let path = Path::new("many stages, cross-stage edits");
    let original = many_stages(12);
    let mut pool: Vec<&str> = CROSS_STAGE_INSERTIONS.to_vec();
    pool.extend_from_slice(INSERTIONS);
    for seed in 1..=12u64 {
        let mut text = original.clone();
        let memo = LintMemo::default();
        assert_same_findings(path, 0, &text, &memo);
        let mut random = Random(0x9e37_79b9_7f4a_7c15 ^ seed);
        for step in 1..=20 {
            edit_with(&mut text, &mut random, &pool);
            assert_same_findings(path, step, &text, &memo);
        }
    }
}

#[test]
fn stage_edit_checks_one_stage() {
    let path = Path::new("one stage");
    let text = many_stages(40);
    let memo = LintMemo::default();
    assert_same_findings(path, 0, &text, &memo);
    let (checked, total) = memo.stages_checked();
    assert_eq!(checked, total, "the first lint checks every stage");

    // Typing into a RUN of stage 20, then inserting a line into it: the stages before it
    // keep their text and place, and the later ones only move.
    let at = text.find("FROM base AS s21").unwrap();
    let run = text[..at].rfind("apk add").unwrap();
    let mut typed = text.clone();
    typed.insert(run, 'x');
    assert_same_findings(path, 1, &typed, &memo);
    assert_eq!(memo.stages_checked(), (1, total), "typing into one RUN");

    let mut inserted = typed.clone();
    inserted.insert_str(run - 4, "RUN echo inserted\n");
    assert_same_findings(path, 2, &inserted, &memo);
    assert_eq!(memo.stages_checked(), (1, total), "inserting a line into one stage");

    // An edit to a stage that others are built on changes them too.
    let base = typed.find("ENV APP_HOME").unwrap();
    let mut changed_base = typed.clone();
    changed_base.insert_str(base, "RUN echo base\n");
    assert_same_findings(path, 3, &changed_base, &memo);
    assert_eq!(
        memo.stages_checked().0,
        total - 1,
        "every stage is built on `base`, so only the text before the first FROM is reused"
    );
}

#[test]
fn unterminated_heredoc_stays_in_stage() {
    // A RUN's script must not read the line after its unterminated heredoc. Otherwise a
    // finding of the first stage lies in the second, and an edit to the second loses it.
    let path = Path::new("unterminated heredoc");
    let memo = LintMemo::default();
    assert_same_findings(path, 0, "FROM a\nRUN <<-#EOT bash\nFROM build\n", &memo);
    assert_same_findings(path, 1, "FROM a\nRUN <<-#EOT bash\nFROM build\n#\n", &memo);
}
