//! The lint engine end to end: pragmas, configuration, syntax errors and fixes, on the
//! rules the engine ships with.

use std::path::Path;

use ballast_analyzer::config::{Config, ConfigSource, parse_file};
use ballast_analyzer::fix::{FixMode, apply_fixes};
use ballast_analyzer::lint::{LintResult, lint, lint_with};
use ballast_analyzer::rules::{self, FileContext, Rule};
use ballast_analyzer::{Diagnostic, Severity};

/// The rules these tests use, so rules added later do not change the expected findings.
fn engine_rules() -> Vec<&'static dyn Rule> {
    ["DL1000", "BL1000", "DL3020", "MaintainerDeprecated"]
        .iter()
        .map(|code| rules::find(code).unwrap())
        .collect()
}

fn lint_engine(text: &str, config: &Config) -> LintResult {
    lint_with(text, config, &FileContext::default(), &engine_rules())
}

fn run(text: &str) -> Vec<Diagnostic> {
    lint_engine(text, &Config::default()).diagnostics
}

/// Applies fixes and lints again until nothing changes, with the engine's rules only.
fn fix_engine(text: &str, mode: FixMode) -> (String, usize, LintResult) {
    let mut text = text.to_string();
    let mut applied = 0;
    loop {
        let result = lint_engine(&text, &Config::default());
        let outcome = apply_fixes(&text, &result.diagnostics, &result.error_regions, mode);
        if outcome.applied == 0 {
            return (text, applied, result);
        }
        applied += outcome.applied;
        text = outcome.text;
    }
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|diagnostic| &*diagnostic.code)
        .collect()
}

fn line_of(text: &str, diagnostic: &Diagnostic) -> usize {
    text[..diagnostic.span.start].matches('\n').count() + 1
}

fn config(text: &str, name: &str) -> Config {
    Config::from_layer(
        parse_file(text, Path::new(name)).unwrap(),
        ConfigSource::Defaults,
    )
}

#[test]
fn add_reported_with_safe_fix() {
    let text = "FROM alpine:3.20\nADD app.py /app/\nADD https://example.com/a.tgz /tmp/\nADD site.tar.gz /srv/\n";
    let diagnostics = run(text);
    assert_eq!(codes(&diagnostics), ["DL3020"]);
    assert_eq!(line_of(text, &diagnostics[0]), 2);
    let fix = diagnostics[0].fix.as_ref().expect("a fix");
    assert_eq!(fix.applicability, ballast_analyzer::Applicability::Safe);
}

#[test]
fn syntax_errors_do_not_stop_rules() {
    let text = "FROM alpine:3.20\nRUNN apk add curl\nENV PORT\nADD app.py /app/\n";
    let diagnostics = run(text);
    let errors: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == "DL1000")
        .collect();
    let error_lines: Vec<usize> = errors
        .iter()
        .map(|diagnostic| line_of(text, diagnostic))
        .collect();
    assert!(error_lines.contains(&2), "{error_lines:?}");
    assert!(error_lines.contains(&3), "{error_lines:?}");
    assert!(
        errors
            .iter()
            .all(|diagnostic| diagnostic.severity == Severity::Error)
    );
    let last = diagnostics.last().unwrap();
    assert_eq!(last.code, "DL3020");
    assert_eq!(line_of(text, last), 4);
}

#[test]
fn ballast_pragma_with_reason() {
    let text = "FROM alpine:3.20\n# ballast ignore=DL3020 -- the archive is unpacked on purpose\nADD app.py /app/\nADD b /b\n";
    let diagnostics = run(text);
    assert_eq!(codes(&diagnostics), ["DL3020"]);
    assert_eq!(line_of(text, &diagnostics[0]), 4);
}

#[test]
fn ballast_pragma_by_rule_name() {
    let text = "FROM alpine:3.20\n# ballast ignore=add-instead-of-copy\nADD app.py /app/\n";
    assert!(run(text).is_empty());
}

#[test]
fn hadolint_pragma_next_line_only() {
    let text = "FROM alpine:3.20\n# hadolint ignore=DL3020\nADD a /a\n# hadolint ignore=DL3020\n\nADD b /b\n";
    let diagnostics = run(text);
    assert_eq!(codes(&diagnostics), ["DL3020"]);
    assert_eq!(line_of(text, &diagnostics[0]), 6);
}

#[test]
fn stacked_pragmas_combine() {
    let text = "FROM alpine:3.20\n# hadolint ignore=DL3020\n# ballast ignore=MaintainerDeprecated\nADD a /a\nMAINTAINER me\n";
    let diagnostics = run(text);
    assert_eq!(codes(&diagnostics), ["MaintainerDeprecated"]);
}

#[test]
fn hadolint_global_pragma_anywhere() {
    let text = "FROM alpine:3.20\nADD a /a\nADD b /b\n# hadolint global ignore=DL3020\n";
    assert!(run(text).is_empty());
}

#[test]
fn stage_pragma_covers_rest_of_stage() {
    let text = "FROM alpine:3.20 AS one\n# ballast stage ignore=DL3020\nADD a /a\nADD b /b\nFROM alpine:3.20\nADD c /c\n";
    let diagnostics = run(text);
    assert_eq!(codes(&diagnostics), ["DL3020"]);
    assert_eq!(line_of(text, &diagnostics[0]), 6);
}

#[test]
fn check_directive_skips_buildkit_checks() {
    let text = "# check=skip=MaintainerDeprecated\nFROM alpine:3.20\nMAINTAINER me\nADD a /a\n";
    assert_eq!(codes(&run(text)), ["DL3020"]);

    let all = "# check=skip=all\nFROM alpine:3.20\nMAINTAINER me\n";
    assert!(run(all).is_empty());
}

#[test]
fn check_directive_does_not_skip_hadolint_codes() {
    let text = "# check=skip=DL3020\nFROM alpine:3.20\nADD a /a\n";
    let diagnostics = run(text);
    assert_eq!(codes(&diagnostics), ["BL1000", "DL3020"]);
}

#[test]
fn check_comment_above_instruction() {
    let text =
        "FROM alpine:3.20\n# check=skip=MaintainerDeprecated\nMAINTAINER me\nMAINTAINER you\n";
    let diagnostics = run(text);
    assert_eq!(codes(&diagnostics), ["MaintainerDeprecated"]);
    assert_eq!(line_of(text, &diagnostics[0]), 4);
}

#[test]
fn check_comment_block_crosses_blank_lines() {
    let text = "FROM alpine:3.20\n# check=skip=MaintainerDeprecated\n\nMAINTAINER me\n";
    assert!(codes(&run(text)).is_empty());

    let reset = "FROM alpine:3.20\n# check=skip=MaintainerDeprecated\n#\nMAINTAINER me\n";
    assert_eq!(codes(&run(reset)), ["MaintainerDeprecated"]);
}

#[test]
fn check_comment_ignores_file_level_checks() {
    // BuildKit runs ConsistentInstructionCasing over the whole file, so a comment above
    // the instruction does not silence it, but the directive does.
    let casing = |text: &str| -> Vec<Diagnostic> {
        let rules = [rules::find("ConsistentInstructionCasing").unwrap()];
        lint_with(text, &Config::default(), &FileContext::default(), &rules).diagnostics
    };
    let text = "FROM alpine:3.20\n# check=skip=ConsistentInstructionCasing\nworkdir /app\n";
    assert_eq!(codes(&casing(text)), ["ConsistentInstructionCasing"]);

    let directive = "# check=skip=ConsistentInstructionCasing\nFROM alpine:3.20\nworkdir /app\n";
    assert!(codes(&casing(directive)).is_empty());
}

#[test]
fn check_error_makes_checks_errors() {
    let text = "# check=error=true\nFROM alpine:3.20\nMAINTAINER me\n";
    let diagnostics = run(text);
    assert_eq!(diagnostics[0].severity, Severity::Error);
}

#[test]
fn unknown_pragma_codes_reported() {
    let text = "FROM alpine:3.20\n# hadolint ignore=DL3008,DL9999\n# ballast ignore=SC2086, nonsense\n# check=skip=jsonargsrecommended\nRUN true\n";
    let diagnostics = run(text);
    assert_eq!(codes(&diagnostics), ["BL1000", "BL1000", "BL1000"]);
    let named: Vec<&str> = diagnostics
        .iter()
        .map(|diagnostic| &text[diagnostic.span.start..diagnostic.span.end])
        .collect();
    assert_eq!(named, ["DL9999", "nonsense", "jsonargsrecommended"]);
}

#[test]
fn syntax_errors_ignore_pragmas() {
    let text = "FROM alpine:3.20\n# hadolint ignore=DL1000\nRUNN x\n";
    assert_eq!(codes(&run(text)), ["DL1000"]);
}

#[test]
fn disabled_pragmas_change_nothing() {
    let text = "FROM alpine:3.20\n# hadolint ignore=DL3020\nADD a /a\n";
    let config = config("disable-ignore-pragma: true\n", ".hadolint.yaml");
    let diagnostics = lint_engine(text, &config).diagnostics;
    assert_eq!(codes(&diagnostics), ["DL3020"]);
}

#[test]
fn ballast_config_ignores_and_overrides() {
    let text = "FROM alpine:3.20\nADD a /a\nMAINTAINER me\n";
    let ignored = config("ignore = [\"DL3020\"]\n", ".ballast.toml");
    assert_eq!(
        codes(&lint_engine(text, &ignored).diagnostics),
        ["MaintainerDeprecated"]
    );

    let overridden = config(
        "[severity]\nDL3020 = \"style\"\nmaintainer-deprecated = \"off\"\n",
        ".ballast.toml",
    );
    let diagnostics = lint_engine(text, &overridden).diagnostics;
    assert_eq!(codes(&diagnostics), ["DL3020"]);
    assert_eq!(diagnostics[0].severity, Severity::Style);
}

#[test]
fn hadolint_config_overrides() {
    let text = "FROM alpine:3.20\nADD a /a\nMAINTAINER me\n";
    let config = config(
        "ignored: [MaintainerDeprecated]\noverride:\n  info: [DL3020]\n",
        ".hadolint.yaml",
    );
    let diagnostics = lint_engine(text, &config).diagnostics;
    assert_eq!(codes(&diagnostics), ["DL3020"]);
    assert_eq!(diagnostics[0].severity, Severity::Info);
}

#[test]
fn fix_applies_and_relint_is_clean() {
    let text = "FROM alpine:3.20\nadd a /a\nADD b c /d/\nMAINTAINER Jane \"J\" Doe\n";
    let (fixed, applied, result) = fix_engine(text, FixMode::All);
    let expected = "FROM alpine:3.20\ncopy a /a\nCOPY b c /d/\nLABEL org.opencontainers.image.authors=\"Jane \\\"J\\\" Doe\"\n";
    assert_eq!(fixed, expected);
    assert_eq!(applied, 3);
    assert!(result.diagnostics.is_empty(), "{:?}", result.diagnostics);
}

#[test]
fn safe_mode_leaves_unsafe_fixes() {
    let text = "FROM alpine:3.20\nADD a /a\nMAINTAINER me\n";
    let (fixed, _, result) = fix_engine(text, FixMode::Safe);
    assert_eq!(fixed, "FROM alpine:3.20\nCOPY a /a\nMAINTAINER me\n");
    assert_eq!(codes(&result.diagnostics), ["MaintainerDeprecated"]);
}

#[test]
fn fixes_skip_instructions_with_syntax_errors() {
    // `ADD` with a flag BuildKit rejects is a syntax error, so its fix is not applied.
    let text = "FROM alpine:3.20\nADD --bogus=1 a /a\nADD b /b\n";
    let result = lint_engine(text, &Config::default());
    assert!(
        result
            .diagnostics
            .iter()
            .any(|diagnostic| diagnostic.code == "DL1000")
    );
    let outcome = apply_fixes(
        text,
        &result.diagnostics,
        &result.error_regions,
        FixMode::All,
    );
    assert_eq!(
        outcome.text,
        "FROM alpine:3.20\nADD --bogus=1 a /a\nCOPY b /b\n"
    );
}

#[test]
fn fixes_never_reintroduce_findings_in_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the corpus is missing at {}",
            corpus.display()
        );
        eprintln!("skipped: no corpus at {}", corpus.display());
        return;
    };
    let mut files = Vec::new();
    let mut folders: Vec<_> = entries.flatten().map(|entry| entry.path()).collect();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.is_file() && path.extension().is_none_or(|extension| extension != "tsv")
            {
                files.push(path);
            }
        }
    }
    assert!(
        files.len() > 100,
        "expected the real corpus, found {} files",
        files.len()
    );

    let config = Config::default();
    let mut fixed_files = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let before = lint(&text, &config, &FileContext::default());
        let outcome = apply_fixes(
            &text,
            &before.diagnostics,
            &before.error_regions,
            FixMode::All,
        );
        if outcome.applied == 0 {
            continue;
        }
        fixed_files += 1;
        let after = lint(&outcome.text, &config, &FileContext::default());
        let fixable_before: Vec<&Diagnostic> = before
            .diagnostics
            .iter()
            .filter(|d| d.fix.is_some())
            .collect();
        for code in fixable_before.iter().map(|d| &*d.code) {
            let count_before = before.diagnostics.iter().filter(|d| d.code == code).count();
            let fixed = fixable_before.iter().filter(|d| d.code == code).count();
            let count_after = after.diagnostics.iter().filter(|d| d.code == code).count();
            assert!(
                count_after + fixed <= count_before + outcome.skipped,
                "{}: {code} reported {count_after} times after fixing {fixed} of {count_before}",
                path.display()
            );
        }
        let errors_before = before
            .diagnostics
            .iter()
            .filter(|d| d.code == "DL1000")
            .count();
        let errors_after = after
            .diagnostics
            .iter()
            .filter(|d| d.code == "DL1000")
            .count();
        assert_eq!(
            errors_before,
            errors_after,
            "{}: a fix changed the syntax errors",
            path.display()
        );
    }
    assert!(
        fixed_files > 0,
        "no corpus file had a fix, so the check proved nothing"
    );
}

/// `ballast build` lints with the values of `--build-arg` even when the build fails and no
/// image is read: the base image a `FROM ${BASE}` names decides BL2002 and BL2008.
#[test]
fn build_args_choose_the_base_image() {
    use std::collections::HashMap;

    let text = "ARG BASE=alpine:3.19\nFROM ${BASE}\nRUN gem install rake\n";
    let codes = |result: LintResult| -> Vec<String> {
        result
            .diagnostics
            .into_iter()
            .map(|diagnostic| diagnostic.code.into_owned())
            .collect()
    };
    let config = Config::default();
    let file = FileContext::default();
    let defaults = codes(lint(text, &config, &file));
    assert!(defaults.contains(&"BL2008".to_string()), "{defaults:?}");
    assert!(!defaults.contains(&"BL2002".to_string()), "{defaults:?}");

    let ruby = HashMap::from([("BASE".to_string(), "ruby:3.3".to_string())]);
    let with_ruby = codes(ballast_analyzer::lint::lint_with_build_args(
        text, &config, &file, ruby,
    ));
    assert!(!with_ruby.contains(&"BL2008".to_string()), "{with_ruby:?}");
    assert!(with_ruby.contains(&"BL2002".to_string()), "{with_ruby:?}");
}
