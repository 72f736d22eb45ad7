//! An edit interrupts the ShellCheck pass an editor runs after the fast lint. These tests
//! live in their own binary because an interruption reaches every ShellCheck run of the
//! process, and the other ShellCheck tests run in parallel.

use std::time::Duration;

use ballast_analyzer::config::Config;
use ballast_analyzer::lint::{add_shellcheck, lint_parsed};
use ballast_analyzer::model::LintMemo;
use ballast_analyzer::rules::FileContext;
use ballast_analyzer::shellcheck::{self, Checker};
use ballast_parser::{LineIndex, parse};

/// Returns a file with `count` RUNs, each with a script of its own, so that ShellCheck
/// checks each one instead of returning a cached result.
fn many_runs(count: usize) -> String {
    let mut text = String::from("FROM alpine\n");
    for index in 0..count {
        text.push_str(&format!("RUN echo $VALUE_{index} > /tmp/file-{index}\n"));
    }
    text
}

#[test]
fn interrupted_pass_then_full_pass() {
    let Some(checker) = Checker::discover() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "`shellcheck` is not on PATH: install the Debian package `shellcheck`"
        );
        eprintln!("skipped: `shellcheck` is not on PATH");
        return;
    };
    shellcheck::install(Some(checker));

    let text = many_runs(300);
    let tree = parse(&text);
    let lines = LineIndex::new(&text);
    let file = FileContext::default();
    let config = Config::default();
    let mut without = config.clone();
    without.ignore.push(shellcheck::RULE_NAME.to_string());
    let memo = LintMemo::default();
    let fast = lint_parsed(&text, &tree, &lines, &without, &file, Some(&memo));

    // 300 ShellCheck processes take far longer than the pause before the interruption.
    let interrupter = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(30));
        shellcheck::interrupt();
    });
    let interrupted = add_shellcheck(&text, &tree, &config, &file, Some(&memo), &fast);
    interrupter.join().unwrap();
    assert!(interrupted.is_none(), "the interrupted pass returned a list");

    let complete = add_shellcheck(&text, &tree, &config, &file, Some(&memo), &fast)
        .expect("nothing interrupts the second pass");
    let full = lint_parsed(&text, &tree, &lines, &config, &file, Some(&memo));
    assert_eq!(complete.diagnostics, full.diagnostics);
    let sc2086 = complete
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == "SC2086")
        .count();
    assert_eq!(sc2086, 300, "each RUN has one unquoted variable");
}
