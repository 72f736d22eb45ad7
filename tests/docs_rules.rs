//! `docs/rules.md` is generated from the rule documentation in the code
//! (`ballast rules --format json`). The test fails when the page is stale;
//! `UPDATE_EXPECT=1 cargo test --test docs_rules` rewrites it.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::ballast;

#[derive(serde::Deserialize)]
struct RuleJson {
    code: String,
    name: String,
    severity: String,
    summary: String,
    documentation: String,
}

fn rules() -> Vec<RuleJson> {
    let output = ballast()
        .args(["rules", "--format", "json"])
        .output()
        .expect("the ballast binary runs");
    assert!(
        output.status.success(),
        "ballast rules --format json failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .expect("ballast rules --format json prints a JSON array of rules")
}

/// Moves every Markdown heading outside code blocks one level down, so a rule's
/// `## What it does` sits below the rule's own `##` heading.
fn demote_headings(documentation: &str) -> String {
    let mut out = String::new();
    let mut in_block = false;
    for line in documentation.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
        }
        if !in_block && line.starts_with('#') {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Returns the page's Markdown anchor for a rule heading `CODE name` (GitHub's rule: lower
/// case, spaces to hyphens, punctuation other than hyphens and underscores dropped).
fn anchor(code: &str, name: &str) -> String {
    format!("{code} {name}")
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn render(rules: &[RuleJson]) -> String {
    let mut page = String::new();
    page.push_str("# Rules\n\n");
    page.push_str(
        "Generated from the rule documentation in the code by `tests/docs_rules.rs`; do not edit.\n\
         `ballast rule CODE` prints one rule's page, `ballast rules` the list.\n\n",
    );
    page.push_str("| code | name | severity | summary |\n|---|---|---|---|\n");
    for rule in rules {
        let summary = rule.summary.replace('|', "\\|");
        let _ = writeln!(
            page,
            "| [{}](#{}) | `{}` | {} | {} |",
            rule.code,
            anchor(&rule.code, &rule.name),
            rule.name,
            rule.severity,
            summary
        );
    }
    for rule in rules {
        let _ = write!(
            page,
            "\n## {} {}\n\nDefault severity: {}.\n\n{}",
            rule.code,
            rule.name,
            rule.severity,
            demote_headings(&rule.documentation)
        );
    }
    page
}

#[test]
fn rules_page_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let expected = render(&rules());

    if std::env::var("UPDATE_EXPECT").as_deref() == Ok("1") {
        std::fs::write(&path, &expected)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != expected {
        let first_difference = current
            .lines()
            .zip(expected.lines())
            .position(|(left, right)| left != right)
            .map_or_else(
                || current.lines().count().min(expected.lines().count()),
                |index| index,
            );
        panic!(
            "docs/rules.md is stale from line {}: run `UPDATE_EXPECT=1 cargo test --test docs_rules` and commit the page",
            first_difference + 1
        );
    }
}

#[test]
fn headings_demoted_outside_code() {
    let text = "## What it does\nText.\n```dockerfile\n# comment\n```\n## Fix\n";
    assert_eq!(
        demote_headings(text),
        "### What it does\nText.\n```dockerfile\n# comment\n```\n### Fix\n"
    );
}

#[test]
fn anchor_follows_github() {
    assert_eq!(anchor("DL3008", "apt-unpinned"), "dl3008-apt-unpinned");
    assert_eq!(
        anchor("JSONArgsRecommended", "json-args-recommended"),
        "jsonargsrecommended-json-args-recommended"
    );
}

/// Returns the text of a rule's `## Overlapping rules` section, or an empty string.
fn overlap_section(documentation: &str) -> &str {
    let Some((_, rest)) = documentation.split_once("## Overlapping rules\n") else {
        return "";
    };
    rest.split("\n## ").next().unwrap_or(rest)
}

/// Rules that report the same problem in the words of different tools. Each one's page
/// names the others and explains how to turn one of them off.
#[test]
fn overlapping_rules_name_each_other() {
    let overlaps: [&[&str]; 6] = [
        &["BL1003", "DL3025", "JSONArgsRecommended"],
        &["DL3000", "WorkdirRelativePath"],
        &["DL4000", "MaintainerDeprecated"],
        &["DL3064", "SecretsUsedInArgOrEnv"],
        &["BL2005", "BL3007"],
        &["BL2011", "BL3002"],
    ];
    let rules = rules();
    let section = |code: &str| {
        let rule = rules.iter().find(|rule| rule.code == code);
        let rule = rule.unwrap_or_else(|| panic!("no rule {code}"));
        overlap_section(&rule.documentation).to_string()
    };
    let names = |text: &str, code: &str| {
        text.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == code)
    };

    for group in overlaps {
        for &code in group {
            let text = section(code);
            assert!(!text.is_empty(), "{code} has no `## Overlapping rules` section");
            assert!(text.contains("ignore = ["), "{code} does not explain how to turn a rule off");
            for &other in group.iter().filter(|&&other| other != code) {
                assert!(names(&text, other), "{code} does not name {other}: {text}");
            }
        }
    }

    // A rule named in another's section names that rule back.
    for rule in &rules {
        let text = overlap_section(&rule.documentation);
        for other in rules.iter().filter(|other| other.code != rule.code) {
            if names(text, &other.code) {
                assert!(
                    names(&section(&other.code), &rule.code),
                    "{} names {} but not the other way round",
                    rule.code,
                    other.code
                );
            }
        }
    }
}
