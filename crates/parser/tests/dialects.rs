//! `same_in_both_dialects` lets a cache parse a script once for bash and POSIX sh. Its
//! promise: when a script passes, the POSIX parse is the same script as the bash parse,
//! syntax errors included. This checks the promise on every RUN script of the real corpus,
//! on broken variants of them like those an editor sends while a RUN is being typed, and
//! on scripts written to sit near its limits.

use std::fs;
use std::path::PathBuf;

use ballast_parser::parse;
use ballast_parser::shell::{Dialect, parse_script, same_in_both_dialects};
use ballast_parser::syntax::Keyword;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real")
}

/// Checks the promise for `text` and returns whether `text` passes the check and parses
/// without errors.
fn check(text: &str) -> bool {
    if !same_in_both_dialects(text) {
        return false;
    }
    let bash = parse_script(text, Dialect::Bash);
    assert_eq!(parse_script(text, Dialect::Posix), bash, "{text:?}");
    !bash.recovered && bash.error.is_none()
}

/// The shell scripts of every RUN in the real corpus.
fn corpus_scripts() -> Vec<String> {
    let manifest = fs::read_to_string(corpus().join("MANIFEST.tsv")).expect("MANIFEST.tsv of the real corpus");
    let mut scripts = Vec::new();
    for name in manifest.lines().skip(1).filter_map(|line| line.split('\t').next()) {
        let bytes = fs::read(corpus().join(name)).unwrap_or_else(|error| panic!("{name}: {error}"));
        let source = String::from_utf8_lossy(&bytes);
        let tree = parse(&source);
        for instruction in tree.instructions().filter(|instruction| instruction.keyword == Keyword::Run) {
            let run_scripts = instruction.run_scripts(&source, Dialect::Bash);
            scripts.extend(run_scripts.into_iter().map(|script| script.text.to_string()));
        }
    }
    scripts
}

#[test]
fn corpus_scripts_parse_alike() {
    let scripts = corpus_scripts();
    let checked = scripts.iter().filter(|text| check(text)).count();
    let scripts = scripts.len();
    // Most RUNs use neither bash's syntax nor a plain `(`, so the cache saves a parse for
    // them. The counts show that the check covers many scripts.
    assert!(scripts > 500, "{scripts} scripts");
    assert!(checked * 2 > scripts, "{checked} of {scripts} scripts passed");
}

/// Variants of `text` with the mistakes of a script being typed: an operator with nothing
/// before it, a dangling operator, an unclosed quote or substitution, a stray `)` or `}`,
/// and the text cut short at several places.
fn broken_variants(text: &str) -> Vec<String> {
    let mut variants = Vec::new();
    let boundaries: Vec<usize> = text
        .char_indices()
        .filter(|&(_, c)| c == ' ' || c == ';')
        .map(|(at, _)| at)
        .collect();
    let step = (boundaries.len() / 4).max(1);
    for &at in boundaries.iter().step_by(step) {
        for insert in [" && ", "; &&", " |", " \"", " '", " $(", " )", " }", " fi", " do"] {
            variants.push(format!("{}{insert}{}", &text[..at], &text[at..]));
        }
        variants.push(text[..at].to_string());
    }
    variants.push(format!("{text} &&"));
    variants.push(format!("&& {text}"));
    variants
}

#[test]
fn broken_scripts_parse_alike() {
    let (mut variants, mut broken) = (0, 0);
    for script in corpus_scripts() {
        for variant in broken_variants(&script) {
            if !same_in_both_dialects(&variant) {
                continue;
            }
            variants += 1;
            let bash = parse_script(&variant, Dialect::Bash);
            if bash.error.is_some() {
                broken += 1;
            }
            assert_eq!(parse_script(&variant, Dialect::Posix), bash, "{variant:?}");
        }
    }
    // Most variants are broken, so the promise is checked on scripts with syntax errors.
    assert!(variants > 10_000, "{variants} variants");
    assert!(broken * 3 > variants, "{broken} of {variants} variants have errors");
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
