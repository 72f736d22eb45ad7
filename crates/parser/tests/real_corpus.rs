//! Every real Dockerfile in the corpus round-trips byte for byte and parses without a
//! panic; the files with first-phase (parse) errors are exactly the files BuildKit's parser
//! rejects, as recorded next to the corpus.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use ballast_parser::{ErrorKind, parse};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real")
}

/// The corpus files, by the name used in `MANIFEST.tsv`.
fn corpus_files() -> Vec<(String, String)> {
    let manifest = fs::read_to_string(corpus().join("MANIFEST.tsv")).expect("MANIFEST.tsv of the real corpus");
    manifest
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .map(|name| {
            let bytes = fs::read(corpus().join(name)).unwrap_or_else(|error| panic!("{name}: {error}"));
            (name.to_string(), String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect()
}

/// `file -> accepted` as recorded from BuildKit's parser (v0.12.5).
fn buildkit_verdicts() -> BTreeMap<String, (bool, Option<String>)> {
    let text = fs::read_to_string(corpus().join("buildkit-parser-results.jsonl")).unwrap();
    text.lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let file = value["file"].as_str().unwrap().to_string();
            let ok = value["ok"].as_bool().unwrap();
            let error = value["error"].as_str().map(str::to_string);
            (file, (ok, error))
        })
        .collect()
}

#[test]
fn real_files_round_trip() {
    let files = corpus_files();
    assert!(files.len() > 1000, "expected the whole corpus, found {} files", files.len());
    let mut failures = Vec::new();
    for (name, text) in &files {
        let tree = parse(text);
        if tree.text_of_nodes(text) != *text {
            failures.push(name.clone());
        }
        let mut end = 0;
        for node in &tree.nodes {
            assert_eq!(node.span.start, end, "{name}: nodes do not tile the input at byte {end}");
            end = node.span.end;
        }
        assert_eq!(end, text.len(), "{name}: nodes end before the input does");
    }
    assert!(failures.is_empty(), "files that do not round-trip: {failures:#?}");
}

#[test]
fn parse_errors_match_buildkit() {
    let verdicts = buildkit_verdicts();
    let mut disagreements = Vec::new();
    for (name, text) in corpus_files() {
        let tree = parse(&text);
        let first_error = tree.errors.iter().find(|error| error.kind == ErrorKind::Parse);
        let Some((accepted, buildkit_error)) = verdicts.get(&name) else {
            panic!("{name}: no BuildKit verdict recorded");
        };
        match (accepted, first_error) {
            (true, Some(error)) => disagreements.push(format!("{name}: BuildKit accepts it, ballast reports {error:?}")),
            (false, None) => disagreements.push(format!("{name}: BuildKit rejects it ({buildkit_error:?}), ballast accepts it")),
            _ => {}
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
