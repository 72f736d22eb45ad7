//! BuildKit's own parser test cases: every positive case must dump exactly as its `result`
//! file, every negative case must produce an error, and line numbers must match.

use std::fs;
use std::path::PathBuf;

use ballast_parser::dump::buildkit_dump;
use ballast_parser::{ErrorKind, parse};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/buildkit-parser")
}

fn case_dirs(folder: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(corpus().join(folder))
        .unwrap_or_else(|error| panic!("cannot read the BuildKit corpus folder {folder}: {error}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn positive_cases_dump_exactly() {
    let dirs = case_dirs("testfiles");
    assert!(dirs.len() >= 33, "expected at least 33 positive cases, found {}", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let text = fs::read_to_string(dir.join("Dockerfile")).unwrap();
        let expected = fs::read_to_string(dir.join("result")).unwrap();
        let tree = parse(&text);
        let actual = buildkit_dump(&tree);
        if actual != expected {
            failures.push(format!("{}:\n--- expected\n{expected}--- actual\n{actual}", dir.display()));
        }
        let parse_errors: Vec<_> = tree.errors.iter().filter(|error| error.kind == ErrorKind::Parse).collect();
        if !parse_errors.is_empty() {
            failures.push(format!("{}: unexpected parse errors {parse_errors:?}", dir.display()));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), dirs.len(), failures.join("\n"));
}

#[test]
fn negative_cases_report_errors() {
    let dirs = case_dirs("testfiles-negative");
    assert_eq!(dirs.len(), 4);
    for dir in &dirs {
        let text = fs::read_to_string(dir.join("Dockerfile")).unwrap();
        let tree = parse(&text);
        assert!(
            tree.errors.iter().any(|error| error.kind == ErrorKind::Parse),
            "{}: expected a parse error",
            dir.display()
        );
    }
}

#[test]
fn line_numbers_match_buildkit() {
    let text = fs::read_to_string(corpus().join("testfile-line/Dockerfile")).unwrap();
    let tree = parse(&text);
    let lines: Vec<(u32, u32)> = tree.instructions().map(|i| (i.start_line, i.end_line)).collect();
    assert_eq!(lines.first().map(|l| l.0), Some(5));
    assert_eq!(lines.last().map(|l| l.1), Some(31));
    assert_eq!(lines, [(5, 5), (11, 12), (17, 31)]);
}
