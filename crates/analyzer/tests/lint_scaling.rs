//! Linting work grows linearly with the file: the variable lookups of the model, counted by
//! its debug counter, grow in proportion to the number of lines. A lookup that scanned
//! every earlier declaration would make the count grow with the square of the file.

mod scaling;

use ballast_analyzer::config::Config;
use ballast_analyzer::lint;
use ballast_analyzer::model::binding_probes;
use ballast_analyzer::rules::FileContext;

use scaling::input::{env_and_run_pairs, env_and_run_with_references};

/// Returns the binding probes that linting `text` takes on this thread.
fn probes_for(text: &str) -> u64 {
    let before = binding_probes();
    lint(text, &Config::default(), &FileContext::default());
    binding_probes() - before
}

/// Asserts that ten times the lines take at most `MAX_RATIO` times the probes. Linear work
/// gives about 10, a binary search over a name's declarations a little more, and a scan
/// of all earlier declarations about 100.
fn assert_linear(generate: fn(usize) -> String) {
    const MAX_RATIO: f64 = 15.0;
    let small = probes_for(&generate(100));
    let large = probes_for(&generate(1_000));
    assert!(small > 0, "linting made no variable lookups, so the test proves nothing");
    let ratio = large as f64 / small as f64;
    eprintln!("probes: {small} for 100 lines, {large} for 1,000 lines, ratio {ratio:.1}");
    assert!(
        ratio <= MAX_RATIO,
        "10x the lines took {ratio:.1}x the lookup work ({small} then {large} probes)"
    );
}

#[test]
#[cfg_attr(not(debug_assertions), ignore = "the probe counter counts only in debug builds")]
fn env_and_run_pairs_scale_linearly() {
    assert_linear(env_and_run_pairs);
}

#[test]
#[cfg_attr(not(debug_assertions), ignore = "the probe counter counts only in debug builds")]
fn references_scale_linearly() {
    assert_linear(env_and_run_with_references);
}
