//! Times `parse` against `reparse` for a one-character edit in the middle of a Dockerfile.
//!
//! Usage: `cargo run --release -p ballast-parser --example reparse_timing -- FILE [ROUNDS [LINE]]`
//!
//! The edit types `x` at the end of the first instruction line at or after LINE (1-based,
//! default the middle line), and the next call deletes it again. So each `reparse` takes
//! the tree the previous one returned, as an editor's keystrokes do. Times are wall-clock,
//! per call, over ROUNDS calls of each (default 500).

use std::hint::black_box;
use std::time::{Duration, Instant};

use ballast_parser::{TextEdit, parse, reparse};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: reparse_timing FILE [ROUNDS [LINE]]");
        std::process::exit(2);
    };
    let rounds: usize = match args.next().map(|rounds| rounds.parse()) {
        None => 500,
        Some(Ok(rounds)) if rounds > 0 => rounds,
        Some(_) => {
            eprintln!("ROUNDS must be a positive integer");
            std::process::exit(2);
        }
    };
    let line: Option<usize> = match args.next().map(|line| line.parse()) {
        None => None,
        Some(Ok(line)) if line > 0 => Some(line),
        Some(_) => {
            eprintln!("LINE must be a positive integer");
            std::process::exit(2);
        }
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("cannot read {path}: {error}");
            std::process::exit(1);
        }
    };

    let first_line = line.map_or(text.lines().count() / 2, |line| line - 1);
    let Some(at) = edit_offset(&text, first_line) else {
        eprintln!("{path} has no instruction line from line {} on", first_line + 1);
        std::process::exit(1);
    };
    let edited = format!("{}x{}", &text[..at], &text[at..]);
    let insert = TextEdit { start: at, old_end: at, new_end: at + 1 };
    let delete = TextEdit { start: at, old_end: at + 1, new_end: at };

    let check = reparse(parse(&text), &text, &edited, insert);
    let same = serde_json::to_value(&check).unwrap() == serde_json::to_value(parse(&edited)).unwrap();
    assert!(same, "reparse differs from parse");

    let mut parse_times = Vec::with_capacity(rounds);
    let mut drop_times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let tree = black_box(parse(black_box(&edited)));
        parse_times.push(started.elapsed());
        let started = Instant::now();
        drop(tree);
        drop_times.push(started.elapsed());
    }

    let mut reparse_times = Vec::with_capacity(rounds);
    let mut tree = parse(&text);
    for round in 0..rounds {
        let (old, new, edit) = if round % 2 == 0 { (&text, &edited, insert) } else { (&edited, &text, delete) };
        let started = Instant::now();
        tree = black_box(reparse(tree, old, new, edit));
        reparse_times.push(started.elapsed());
    }

    let lines = text.lines().count();
    println!("{path}: {} bytes, {lines} lines, edit at byte {at}, {rounds} rounds", text.len());
    report("parse", &mut parse_times);
    report("drop of a whole tree", &mut drop_times);
    report("reparse", &mut reparse_times);
}

/// Returns the offset of the end of the first instruction line at or after 0-based line
/// `first_line`.
fn edit_offset(text: &str, first_line: usize) -> Option<usize> {
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        if index >= first_line && !trimmed.is_empty() && !trimmed.starts_with('#') {
            return Some(offset + content.len());
        }
        offset += line.len();
    }
    None
}

fn report(name: &str, times: &mut [Duration]) {
    times.sort_unstable();
    let micros = |duration: Duration| duration.as_secs_f64() * 1e6;
    let median = micros(times[times.len() / 2]);
    let p90 = micros(times[times.len() * 9 / 10]);
    let min = micros(times[0]);
    println!("{name:>22}: median {median:8.1} µs, p90 {p90:8.1} µs, min {min:8.1} µs");
}
