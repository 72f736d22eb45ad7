//! Compares ballast's DL findings with hadolint 2.15.1's on the real-world corpus.
//!
//! `hadolint-results.jsonl` beside the corpus holds hadolint's findings for every file as
//! (code, line) pairs. For each file hadolint could parse, this test lints the same file
//! and compares the two sets of DL findings. A ballast finding counts at the start line of
//! the instruction that contains it, the line hadolint reports.
//!
//! Every difference, in both directions, must be listed in `tests/parity/hadolint.md` at
//! the repository root with its cause. `UPDATE_EXPECT=1` rewrites the list between its
//! markers, keeping the causes already written and marking the others.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ballast_analyzer::config::Config;
use ballast_analyzer::lint::lint;
use ballast_analyzer::rules::{FileContext, HADOLINT_CODES, find};
use ballast_parser::LineIndex;

/// The share of hadolint's DL findings ballast must reproduce.
const GOAL_PERCENT: f64 = 98.0;

const BEGIN_MARKER: &str = "<!-- BEGIN DIFFERENCES: rewritten by UPDATE_EXPECT=1 -->";
const END_MARKER: &str = "<!-- END DIFFERENCES -->";

/// The cause given to a difference on a code that ballast does not implement yet.
const CAUSE_NOT_IMPLEMENTED: &str = "not-implemented";
/// The cause given to a new difference nobody has explained yet.
const CAUSE_UNEXPLAINED: &str = "unexplained";

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Direction {
    /// hadolint reports it and ballast does not.
    Missing,
    /// ballast reports it and hadolint does not.
    Extra,
}

impl Direction {
    fn as_str(&self) -> &'static str {
        match self {
            Direction::Missing => "missing",
            Direction::Extra => "extra",
        }
    }

    fn parse(text: &str) -> Option<Direction> {
        match text {
            "missing" => Some(Direction::Missing),
            "extra" => Some(Direction::Extra),
            _ => None,
        }
    }
}

/// One finding that only one of the two linters reports.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Difference {
    file: String,
    line: u32,
    code: String,
    direction: Direction,
}

struct Comparison {
    differences: Vec<Difference>,
    hadolint_total: usize,
    reproduced: usize,
    files: usize,
}

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus_folder() -> PathBuf {
    repository_root().join("../shared/corpus/real")
}

fn list_path() -> PathBuf {
    repository_root().join("tests/parity/hadolint.md")
}

fn is_compared_code(code: &str) -> bool {
    code.starts_with("DL") && code != "DL1000" && HADOLINT_CODES.contains(&code)
}

/// hadolint's DL findings per file, for the files it parsed.
fn hadolint_findings(corpus: &Path) -> BTreeMap<String, BTreeSet<(String, u32)>> {
    let results = corpus.join("hadolint-results.jsonl");
    let text = std::fs::read_to_string(&results)
        .unwrap_or_else(|error| panic!("{}: {error}", results.display()));
    let mut files = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let record: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("{}:{}: {error}", results.display(), number + 1));
        if !record["parse_error_line"].is_null() {
            continue;
        }
        let file = record["file"].as_str().unwrap_or_default().to_string();
        let mut findings = BTreeSet::new();
        for finding in record["findings"].as_array().into_iter().flatten() {
            let code = finding["code"].as_str().unwrap_or_default();
            let line = finding["line"].as_u64().unwrap_or(0) as u32;
            if is_compared_code(code) {
                findings.insert((code.to_string(), line));
            }
        }
        files.insert(file, findings);
    }
    files
}

/// ballast's DL findings of one file, each at the start line of its instruction.
fn ballast_findings(path: &Path) -> BTreeSet<(String, u32)> {
    let source =
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let result = lint(&source, &Config::default(), &FileContext::for_path(path));
    let tree = ballast_parser::parse(&source);
    let lines = LineIndex::new(&source);
    let starts: Vec<(usize, usize, u32)> = tree
        .instructions()
        .map(|instruction| {
            (
                instruction.span.start,
                instruction.span.end,
                instruction.start_line,
            )
        })
        .collect();
    let line_of = |offset: usize| -> u32 {
        starts
            .iter()
            .find(|(start, end, _)| *start <= offset && offset < (*end).max(*start + 1))
            .map_or(lines.line_of(offset) + 1, |(_, _, line)| *line)
    };
    result
        .diagnostics
        .iter()
        .filter(|diagnostic| is_compared_code(&diagnostic.code))
        .map(|diagnostic| (diagnostic.code.to_string(), line_of(diagnostic.span.start)))
        .collect()
}

fn compare() -> Comparison {
    let corpus = corpus_folder();
    let expected = hadolint_findings(&corpus);
    let mut differences = Vec::new();
    let mut hadolint_total = 0;
    let mut reproduced = 0;
    for (file, hadolint) in &expected {
        let ours = ballast_findings(&corpus.join(file));
        hadolint_total += hadolint.len();
        reproduced += hadolint.intersection(&ours).count();
        for (code, line) in hadolint.difference(&ours) {
            differences.push(Difference {
                file: file.clone(),
                line: *line,
                code: code.clone(),
                direction: Direction::Missing,
            });
        }
        for (code, line) in ours.difference(hadolint) {
            differences.push(Difference {
                file: file.clone(),
                line: *line,
                code: code.clone(),
                direction: Direction::Extra,
            });
        }
    }
    differences.sort();
    Comparison {
        differences,
        hadolint_total,
        reproduced,
        files: expected.len(),
    }
}

fn share_percent(comparison: &Comparison) -> f64 {
    percent(comparison.reproduced, comparison.hadolint_total)
}

fn percent(part: usize, total: usize) -> f64 {
    if total == 0 {
        return 100.0;
    }
    part as f64 * 100.0 / total as f64
}

/// Returns how many of hadolint's findings ballast does not reproduce because a listed
/// hadolint defect causes them.
fn defect_findings(
    comparison: &Comparison,
    causes: &BTreeMap<Difference, String>,
    defects: &BTreeSet<String>,
) -> usize {
    comparison
        .differences
        .iter()
        .filter(|difference| difference.direction == Direction::Missing)
        .filter(|difference| {
            causes
                .get(*difference)
                .is_some_and(|cause| defects.contains(cause))
        })
        .count()
}

/// Returns the share of hadolint's findings ballast reproduces once the findings of listed
/// hadolint defects are left out of the total.
fn share_without_defects(
    comparison: &Comparison,
    causes: &BTreeMap<Difference, String>,
    defects: &BTreeSet<String>,
) -> (usize, f64) {
    let total = comparison.hadolint_total - defect_findings(comparison, causes, defects);
    (total, percent(comparison.reproduced, total))
}

/// The list file split into the text before the markers, the rows between them (with
/// their causes) and the text after.
struct ListFile {
    head: String,
    rows: BTreeMap<Difference, String>,
    tail: String,
}

fn read_list(path: &Path) -> ListFile {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let (head, rest) = match text.split_once(BEGIN_MARKER) {
        Some((head, rest)) => (head.to_string(), rest),
        None => (text.clone(), ""),
    };
    let (body, tail) = rest.split_once(END_MARKER).unwrap_or((rest, ""));
    let mut rows = BTreeMap::new();
    for line in body.lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        let [file, line_number, code, direction, cause] = cells.as_slice() else {
            continue;
        };
        let (Ok(line_number), Some(direction)) =
            (line_number.parse::<u32>(), Direction::parse(direction))
        else {
            continue;
        };
        let difference = Difference {
            file: file.trim_matches('`').to_string(),
            line: line_number,
            code: code.to_string(),
            direction,
        };
        rows.insert(difference, cause.to_string());
    }
    ListFile {
        head,
        rows,
        tail: tail.to_string(),
    }
}

/// The cause for a difference with no cause written yet.
fn default_cause(difference: &Difference) -> &'static str {
    let implemented =
        find(&difference.code).is_some_and(|rule| rule.meta().code == difference.code);
    if implemented {
        CAUSE_UNEXPLAINED
    } else {
        CAUSE_NOT_IMPLEMENTED
    }
}

fn render_rows(
    comparison: &Comparison,
    causes: &BTreeMap<Difference, String>,
    defects: &BTreeSet<String>,
) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "\nShare of hadolint's DL findings reproduced: {} of {} ({:.1}%) over {} files.\n",
        comparison.reproduced,
        comparison.hadolint_total,
        share_percent(comparison),
        comparison.files
    );
    let (total, share) = share_without_defects(comparison, causes, defects);
    let _ = writeln!(
        text,
        "Share without the findings of listed hadolint defects: {} of {total} ({share:.1}%); \
         the goal of {GOAL_PERCENT}% applies to this share.\n",
        comparison.reproduced,
    );
    let mut per_cause: BTreeMap<String, usize> = BTreeMap::new();
    for difference in &comparison.differences {
        let cause = causes
            .get(difference)
            .cloned()
            .unwrap_or_else(|| default_cause(difference).to_string());
        *per_cause.entry(cause).or_default() += 1;
    }
    text.push_str("| cause | differences |\n|---|---|\n");
    for (cause, count) in &per_cause {
        let _ = writeln!(text, "| {cause} | {count} |");
    }
    text.push_str("\n| file | line | code | direction | cause |\n|---|---|---|---|---|\n");
    for difference in &comparison.differences {
        let cause = causes
            .get(difference)
            .cloned()
            .unwrap_or_else(|| default_cause(difference).to_string());
        let _ = writeln!(
            text,
            "| `{}` | {} | {} | {} | {} |",
            difference.file,
            difference.line,
            difference.code,
            difference.direction.as_str(),
            cause
        );
    }
    text
}

/// The cause names defined as `### name` headings in the list file.
fn defined_causes(list: &ListFile) -> BTreeSet<String> {
    list.head
        .lines()
        .chain(list.tail.lines())
        .filter_map(|line| line.strip_prefix("### "))
        .map(|name| name.trim().trim_matches('`').to_string())
        .collect()
}

/// Returns the causes whose section calls them a hadolint defect: the first line of text
/// under the `### name` heading starts with `hadolint defect`.
fn defect_causes(list: &ListFile) -> BTreeSet<String> {
    sections(list)
        .into_iter()
        .filter(|(_, body)| body.trim_start().starts_with("hadolint defect"))
        .map(|(name, _)| name)
        .collect()
}

/// Returns each `### name` section of the list file with the text up to the next heading.
fn sections(list: &ListFile) -> Vec<(String, String)> {
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in list.head.lines().chain(list.tail.lines()) {
        if let Some(name) = line.strip_prefix("### ") {
            sections.push((name.trim().trim_matches('`').to_string(), String::new()));
        } else if line.starts_with('#') && !line.starts_with("```") {
            continue;
        } else if let Some((_, body)) = sections.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    sections
}

#[test]
fn parity_differences_are_listed() {
    let comparison = compare();
    let path = list_path();
    let list = read_list(&path);
    let defects = defect_causes(&list);
    let rendered = render_rows(&comparison, &list.rows, &defects);

    if std::env::var_os("UPDATE_EXPECT").is_some() {
        let text = format!(
            "{}{BEGIN_MARKER}\n{rendered}{END_MARKER}{}",
            list.head, list.tail
        );
        std::fs::write(&path, text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        return;
    }

    let listed: BTreeSet<&Difference> = list.rows.keys().collect();
    let actual: BTreeSet<&Difference> = comparison.differences.iter().collect();
    let new: Vec<&&Difference> = actual.difference(&listed).collect();
    let gone: Vec<&&Difference> = listed.difference(&actual).collect();
    let describe = |items: &[&&Difference]| -> String {
        items
            .iter()
            .take(20)
            .map(|d| {
                format!(
                    "  {} {}:{} {}\n",
                    d.direction.as_str(),
                    d.file,
                    d.line,
                    d.code
                )
            })
            .collect()
    };
    assert!(
        new.is_empty() && gone.is_empty(),
        "the differences from hadolint changed: {} new, {} no longer present (first 20 of each below).\n\
         Explain each new one under a cause in {} and run the test with UPDATE_EXPECT=1 to rewrite the list.\nnew:\n{}gone:\n{}",
        new.len(),
        gone.len(),
        path.display(),
        describe(&new),
        describe(&gone),
    );

    let defined = defined_causes(&list);
    for (name, body) in sections(&list) {
        if defects.contains(&name) {
            assert!(
                body.contains("```dockerfile"),
                "{}: the hadolint defect `{name}` has no minimal example in a ```dockerfile block",
                path.display()
            );
        }
    }
    for (difference, cause) in &list.rows {
        assert!(
            defined.contains(cause),
            "{}: the cause `{cause}` of {}:{} {} has no `### {cause}` section",
            path.display(),
            difference.file,
            difference.line,
            difference.code
        );
    }

    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        written.contains(rendered.trim()),
        "{}: the summary between the markers is out of date; run the test with UPDATE_EXPECT=1",
        path.display()
    );
}

/// Checks the goal on hadolint's findings minus those of listed hadolint defects. ballast
/// is right not to report those, and each defect section carries a minimal example.
#[test]
fn parity_reaches_goal() {
    let comparison = compare();
    let list = read_list(&list_path());
    let defects = defect_causes(&list);
    let (total, share) = share_without_defects(&comparison, &list.rows, &defects);
    assert!(
        share >= GOAL_PERCENT,
        "ballast reproduces {} of hadolint's {total} DL findings that no listed hadolint defect explains ({share:.1}%), below the goal of {GOAL_PERCENT}%",
        comparison.reproduced,
    );
}
