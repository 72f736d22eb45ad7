//! `same_in_both_dialects` lets a cache parse a script once for bash and POSIX sh. This
//! checks its promise on every RUN script of the real corpus and on scripts written to sit
//! near its limits: when a script passes and parses without errors as bash, the POSIX
//! parse is the same script.

use std::fs;
use std::path::PathBuf;

use ballast_parser::parse;
use ballast_parser::shell::{Dialect, parse_script, same_in_both_dialects};
use ballast_parser::syntax::Keyword;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real")
}

/// Checks the promise for `text` and returns whether `text` passes the check and parses
/// without errors, so that the promise applied to it.
fn check(text: &str) -> bool {
    if !same_in_both_dialects(text) {
        return false;
    }
    let bash = parse_script(text, Dialect::Bash);
    if bash.recovered || bash.error.is_some() {
        return false;
    }
    assert_eq!(parse_script(text, Dialect::Posix), bash, "{text:?}");
    true
}

#[test]
fn corpus_scripts_parse_alike() {
    let manifest = fs::read_to_string(corpus().join("MANIFEST.tsv")).expect("MANIFEST.tsv of the real corpus");
    let (mut scripts, mut checked) = (0, 0);
    for name in manifest.lines().skip(1).filter_map(|line| line.split('\t').next()) {
        let bytes = fs::read(corpus().join(name)).unwrap_or_else(|error| panic!("{name}: {error}"));
        let source = String::from_utf8_lossy(&bytes);
        let tree = parse(&source);
        for instruction in tree.instructions().filter(|instruction| instruction.keyword == Keyword::Run) {
            for script in instruction.run_scripts(&source, Dialect::Bash) {
                scripts += 1;
                if check(&script.text) {
                    checked += 1;
                }
            }
        }
    }
    // Most RUNs use neither bash's syntax nor a plain `(`, so the cache saves a parse for
    // them. The counts show that the check covers many scripts.
    assert!(scripts > 500, "{scripts} scripts");
    assert!(checked * 2 > scripts, "{checked} of {scripts} scripts passed");
}

#[test]
fn bash_constructs_fail_check() {
    for text in [
        "cat <<< word",
        "make &> log",
        "case $x in a) echo ;& b) echo ;; esac",
        "a |& b",
        "[[ -f x ]] && echo",
        "function f { echo; }",
        "select x in a b; do echo; done",
        "time make",
        "echo ${x/a/b}",
        "echo @(a|b)",
        "x=(a b c)",
        "(( i++ ))",
        "diff <(a) <(b)",
        "f() { echo; }",
        "echo $((1 + 2))",
    ] {
        assert!(!same_in_both_dialects(text), "{text:?}");
    }
    for text in [
        "set -eux; apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
        "echo \"$(uname -m)\" > /arch && cd /tmp || exit 1",
        "for f in *.tar; do tar -xf \"$f\"; done",
        "if [ -f x ]; then echo yes; else echo no; fi",
        "case $x in a) echo a ;; *) echo other ;; esac",
    ] {
        assert!(check(text), "{text:?}");
    }
}
