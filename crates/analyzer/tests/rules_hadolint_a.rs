//! hadolint's rules DL1001 and DL3000 to DL3030: for each rule, Dockerfiles that fire and
//! Dockerfiles that stay silent, the cases where ballast departs from hadolint on
//! purpose, the fixes, and a comparison with hadolint 2.15.1's findings on real files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ballast_analyzer::config::{Config, Layer};
use ballast_analyzer::fix::FixMode;
use ballast_analyzer::lint::{fix, lint, lint_with};
use ballast_analyzer::rules::{FileContext, RULES, Rule};
use ballast_analyzer::{Diagnostic, Severity};

/// The codes this file covers.
const CODES: &[&str] = &[
    "DL1001", "DL3000", "DL3001", "DL3002", "DL3003", "DL3004", "DL3006", "DL3007", "DL3008",
    "DL3009", "DL3010", "DL3011", "DL3012", "DL3013", "DL3014", "DL3015", "DL3016", "DL3018",
    "DL3019", "DL3020", "DL3021", "DL3022", "DL3023", "DL3024", "DL3025", "DL3026", "DL3027",
    "DL3028", "DL3029", "DL3030",
];

fn lint_with_config(text: &str, config: &Config) -> Vec<Diagnostic> {
    lint(text, config, &FileContext::default()).diagnostics
}

/// The findings of `code` as (line of the finding's start, message).
fn findings(text: &str, code: &str) -> Vec<(usize, String)> {
    findings_with(text, code, &Config::default())
}

fn findings_with(text: &str, code: &str, config: &Config) -> Vec<(usize, String)> {
    lint_with_config(text, config)
        .into_iter()
        .filter(|diagnostic| diagnostic.code == code)
        .map(|diagnostic| (line_of(text, diagnostic.span.start), diagnostic.message))
        .collect()
}

fn lines(text: &str, code: &str) -> Vec<usize> {
    findings(text, code)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

/// The source text each finding of `code` points at.
fn words(text: &str, code: &str) -> Vec<String> {
    lint_with_config(text, &Config::default())
        .into_iter()
        .filter(|diagnostic| diagnostic.code == code)
        .map(|diagnostic| text[diagnostic.span.start..diagnostic.span.end].to_string())
        .collect()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

fn assert_silent(text: &str, code: &str) {
    assert_eq!(findings(text, code), Vec::new(), "{code} fired on:\n{text}");
}

/// Applies the fixes of `mode` and returns the fixed text.
fn fixed(text: &str, mode: FixMode) -> String {
    fix(text, &Config::default(), &FileContext::default(), mode).text
}

fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

// Comparison with hadolint 2.15.1 on the real-world corpus.

/// The (code, line) findings of hadolint for each corpus file it could parse, restricted
/// to [`CODES`]; hadolint reports every finding on the first line of its instruction.
fn hadolint_findings(corpus: &PathBuf) -> BTreeMap<String, BTreeSet<(String, usize)>> {
    let results = std::fs::read_to_string(corpus.join("hadolint-results.jsonl"))
        .expect("read hadolint-results.jsonl");
    let mut files = BTreeMap::new();
    for line in results.lines().filter(|line| !line.trim().is_empty()) {
        let record: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
        if !record["parse_error_line"].is_null() {
            continue;
        }
        let file = record["file"].as_str().expect("file name").to_string();
        let mut found = BTreeSet::new();
        for finding in record["findings"].as_array().into_iter().flatten() {
            let code = finding["code"].as_str().unwrap_or_default();
            if CODES.contains(&code) {
                let line = finding["line"].as_u64().unwrap_or_default() as usize;
                found.insert((code.to_string(), line));
            }
        }
        files.insert(file, found);
    }
    files
}

/// ballast's findings of [`CODES`] as (code, first line of the instruction).
fn ballast_findings(text: &str) -> BTreeSet<(String, usize)> {
    let tree = ballast_parser::parse(text);
    let starts: Vec<(usize, usize, usize)> = tree
        .instructions()
        .map(|inst| (inst.span.start, inst.span.end, inst.start_line as usize))
        .collect();
    let rules: Vec<&dyn Rule> = RULES
        .iter()
        .copied()
        .filter(|rule| CODES.contains(&rule.meta().code))
        .collect();
    lint_with(text, &Config::default(), &FileContext::default(), &rules)
        .diagnostics
        .into_iter()
        .map(|diagnostic| {
            let offset = diagnostic.span.start;
            let line = starts
                .iter()
                .find(|(start, end, _)| *start <= offset && offset < *end)
                .map_or_else(|| line_of(text, offset), |(_, _, line)| *line);
            (diagnostic.code, line)
        })
        .collect()
}

/// Prints, per code, the findings both tools report, those only hadolint reports and
/// those only ballast reports, then every difference. Run with
/// `cargo test --test rules_hadolint_a -- --ignored --nocapture corpus`.
#[test]
#[ignore = "a report for reviewing differences, not a pass/fail check"]
fn corpus_agreement_report() {
    let corpus = repository_root().join("../shared/corpus/real");
    if !corpus.exists() {
        eprintln!("skipped: {} is missing", corpus.display());
        return;
    }
    let mut counts: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    let mut differences = Vec::new();
    for (file, expected) in hadolint_findings(&corpus) {
        let Ok(text) = std::fs::read_to_string(corpus.join(&file)) else {
            continue;
        };
        let actual = ballast_findings(&text);
        for finding in expected.union(&actual) {
            let entry = counts.entry(finding.0.clone()).or_default();
            match (expected.contains(finding), actual.contains(finding)) {
                (true, true) => entry[0] += 1,
                (true, false) => {
                    entry[1] += 1;
                    differences.push(format!("only hadolint {} {file}:{}", finding.0, finding.1));
                }
                _ => {
                    entry[2] += 1;
                    differences.push(format!("only ballast  {} {file}:{}", finding.0, finding.1));
                }
            }
        }
    }
    println!("code     both  only-hadolint  only-ballast");
    for (code, [both, hadolint, ballast]) in &counts {
        println!("{code}  {both:5}  {hadolint:13}  {ballast:12}");
    }
    differences.sort();
    for difference in differences {
        println!("{difference}");
    }
}
