//! BuildKit's own test tables for its variable-expansion lexer, run against `expand`.
//!
//! `envVarTest` has one case a line, `PLATFORM | INPUT | EXPECTED`: `A` cases run with
//! both Unix and Windows key rules, `U` only with Unix rules (case-sensitive names), `W`
//! only with Windows rules (case-insensitive names). `EXPECTED` of `error` means the
//! expansion must fail. `wordsTest` has `INPUT | w1,w2,…` lines for word splitting and
//! `ENV k=v` lines that add to the environment of the lines after them.
//!
//! Each test checks every line and lists all failing lines at once.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ballast_parser::expand::{Options, expand_word, expand_words};

fn table(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/buildkit-shell")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read BuildKit's test table {}: {error}",
            path.display()
        )
    })
}

fn assert_no_failures(table: &str, checked: usize, failures: &[String]) {
    assert!(checked > 0, "{table}: no case was checked");
    assert!(
        failures.is_empty(),
        "{table}: {} of {checked} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn env_var_table_matches_buildkit() {
    let env: BTreeMap<&str, &str> = [
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ]
    .into();
    let unix = Options::new('\\');
    let windows = Options {
        case_insensitive_keys: true,
        ..unix
    };

    let text = table("envVarTest");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (index, raw_line) in text.lines().enumerate() {
        let line_number = index + 1;
        if raw_line.starts_with('#') || raw_line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw_line.trim().split('|').collect();
        let [platform, input, expected] = fields[..] else {
            failures.push(format!(
                "line {line_number}: expected 3 fields in {raw_line:?}"
            ));
            continue;
        };
        let (platform, input, expected) = (platform.trim(), input.trim(), expected.trim());

        let modes: &[(&str, &Options)] = match platform {
            "A" => &[("unix", &unix), ("windows", &windows)],
            "U" => &[("unix", &unix)],
            "W" => &[("windows", &windows)],
            other => {
                failures.push(format!("line {line_number}: unknown platform {other:?}"));
                continue;
            }
        };
        for &(mode, options) in modes {
            checked += 1;
            let outcome = expand_word(input, &env, options);
            match (expected, outcome) {
                ("error", Ok(expansion)) => failures.push(format!(
                    "line {line_number} ({mode}): {input:?} gave {:?}, expected an error",
                    expansion.value
                )),
                ("error", Err(_)) => {}
                (_, Ok(expansion)) if expansion.value == expected => {}
                (_, Ok(expansion)) => failures.push(format!(
                    "line {line_number} ({mode}): {input:?} gave {:?}, expected {expected:?}",
                    expansion.value
                )),
                (_, Err(error)) => failures.push(format!(
                    "line {line_number} ({mode}): {input:?} failed with {:?}, expected {expected:?}",
                    error.message
                )),
            }
        }
    }
    assert_no_failures("envVarTest", checked, &failures);
}

#[test]
fn words_table_matches_buildkit() {
    let options = Options::new('\\');
    let mut env: BTreeMap<String, String> = BTreeMap::new();

    let text = table("wordsTest");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        if line.starts_with('#') {
            continue;
        }
        if let Some(definition) = line.strip_prefix("ENV ") {
            // BuildKit keeps the value verbatim, trailing blanks included.
            let definition = definition.trim_start_matches(' ');
            let (key, value) = definition.split_once('=').unwrap_or((definition, ""));
            env.insert(key.to_owned(), value.to_owned());
            continue;
        }

        let fields: Vec<&str> = line.split('|').collect();
        let [input, expected] = fields[..] else {
            failures.push(format!("line {line_number}: expected 2 fields in {line:?}"));
            continue;
        };
        let input = input.trim();
        let expected: Vec<&str> = expected.trim_start_matches(' ').split(',').collect();

        checked += 1;
        let words = match expand_words(input, &env, &options) {
            Ok(words) => words.words,
            Err(_) => vec!["error".to_owned()],
        };
        if words != expected {
            failures.push(format!(
                "line {line_number}: {input:?} gave {words:?}, expected {expected:?}"
            ));
        }
    }
    assert_no_failures("wordsTest", checked, &failures);
}
