//! Times the lint an editor runs after each keystroke: `lint_parsed` with a `LintMemo` kept
//! from one version to the next, after typing one character into a RUN near the middle of
//! a Dockerfile.
//!
//! Usage: `cargo run --release -p ballast-analyzer --example edit_lint_timing -- FILE [ROUNDS]`
//!
//! Each round writes its number over a five-digit field after the RUN keyword, so the text
//! keeps its length and no two rounds lint the same text. It parses the new text whole and
//! lints it with the memo, as the language server does with ShellCheck off. Times are wall-clock
//! medians over ROUNDS rounds (default 200); the first lint, which checks every stage,
//! counts as one of them.

use std::time::Instant;

use ballast_analyzer::config::Config;
use ballast_analyzer::lint::lint_parsed;
use ballast_analyzer::model::LintMemo;
use ballast_analyzer::rules::FileContext;
use ballast_analyzer::shellcheck;
use ballast_parser::{LineIndex, parse};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: edit_lint_timing FILE [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = match args.next().map(|rounds| rounds.parse()) {
        None => 200,
        Some(Ok(rounds)) if rounds > 0 => rounds,
        Some(_) => {
            eprintln!("ROUNDS must be a positive integer");
            std::process::exit(2);
        }
    };
    let mut text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{path}: {error}");
            std::process::exit(2);
        }
    };
    let Some(run) = text[..text.len() / 2].rfind("RUN ") else {
        eprintln!("{path}: no RUN instruction in the first half of the file");
        std::process::exit(2);
    };
    let at = run + "RUN ".len();
    text.insert_str(at, "00000 ");

    let mut config = Config::default();
    config.ignore.push(shellcheck::RULE_NAME.to_string());
    let file = FileContext::default();
    let memo = LintMemo::default();
    let mut parse_times = Vec::with_capacity(rounds);
    let mut lint_times = Vec::with_capacity(rounds);
    let mut findings = 0;
    for round in 0..rounds {
        let digits = format!("{:05}", round % 100_000);
        text.replace_range(at..at + digits.len(), &digits);
        let started = Instant::now();
        let tree = parse(&text);
        let lines = LineIndex::new(&text);
        let parsed = Instant::now();
        let result = lint_parsed(&text, &tree, &lines, &config, &file, Some(&memo));
        let linted = Instant::now();
        findings = result.diagnostics.len();
        parse_times.push(parsed - started);
        lint_times.push(linted - parsed);
    }
    parse_times.sort();
    lint_times.sort();
    let (checked, stages) = memo.stages_checked();
    println!(
        "{findings} findings; parse median {:.3} ms; lint median {:.3} ms; the last lint checked {checked} of the file's {stages} parts (its stages and the text before the first FROM)",
        parse_times[rounds / 2].as_secs_f64() * 1e3,
        lint_times[rounds / 2].as_secs_f64() * 1e3,
    );
}
