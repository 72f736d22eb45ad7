//! ShellCheck on RUN instructions, with the real `shellcheck` program: positions across
//! continuation lines and in heredocs, declared variables, dialects, skipped shells,
//! pragmas, configuration and fixes.
//!
//! Each test skips with a message when `shellcheck` is not on `PATH`, and fails instead
//! when `CI=true`.

use std::sync::{Arc, OnceLock};

use ballast_analyzer::config::{Config, ConfigSource, Layer, Level};
use ballast_analyzer::fix::{FixMode, apply_fixes};
use ballast_analyzer::model::Model;
use ballast_analyzer::rules::FileContext;
use ballast_analyzer::shellcheck::{self, Checker, Dialect, Notes};
use ballast_analyzer::{Applicability, Diagnostic, Severity, lint};

/// Returns the checker every test uses, installed for `lint`, or `None` after printing why
/// the test is skipped.
fn checker() -> Option<Checker> {
    static CHECKER: OnceLock<Option<Checker>> = OnceLock::new();
    let found = CHECKER
        .get_or_init(|| {
            let found = Checker::discover();
            shellcheck::install(found.clone());
            found
        })
        .clone();
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "`shellcheck` is not on PATH: install the Debian package `shellcheck`"
        );
        eprintln!("skipped: `shellcheck` is not on PATH");
    }
    found
}

/// One ShellCheck finding as a reader sees it: code, 1-based line, 1-based byte column, and
/// the text it covers.
#[derive(Debug, PartialEq, Eq)]
struct Found {
    code: String,
    line: usize,
    column: usize,
    text: String,
}

fn found(code: &str, line: usize, column: usize, text: &str) -> Found {
    Found {
        code: code.to_string(),
        line,
        column,
        text: text.to_string(),
    }
}

fn sc_diagnostics(text: &str, config: &Config) -> Vec<Diagnostic> {
    lint(text, config, &FileContext::default())
        .diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.code.starts_with("SC"))
        .collect()
}

fn describe(text: &str, diagnostic: &Diagnostic) -> Found {
    let start = diagnostic.span.start;
    let line_start = text[..start].rfind('\n').map_or(0, |newline| newline + 1);
    found(
        &diagnostic.code,
        text[..start].matches('\n').count() + 1,
        start - line_start + 1,
        &text[start..diagnostic.span.end],
    )
}

/// Lints `text` with the default configuration and returns its ShellCheck findings.
fn sc_findings(text: &str) -> Vec<Found> {
    sc_findings_with(text, &Config::default())
}

fn sc_findings_with(text: &str, config: &Config) -> Vec<Found> {
    sc_diagnostics(text, config)
        .iter()
        .map(|diagnostic| describe(text, diagnostic))
        .collect()
}

fn codes(text: &str) -> Vec<String> {
    sc_findings(text)
        .into_iter()
        .map(|finding| finding.code)
        .collect()
}

fn config(layer: Layer) -> Config {
    Config::from_layer(layer, ConfigSource::Defaults)
}

#[test]
fn continuation_line_positions() {
    if checker().is_none() {
        return;
    }
    // A tab and a two-byte character precede findings, so columns must count bytes in the
    // Dockerfile while ShellCheck counts characters.
    let text = "FROM debian:12\n\
                RUN apt-get update && \\\n    echo \"é\" $foo && \\\n\tcd /tmp; ls `pwd`\n";
    assert_eq!(
        sc_findings(text),
        [
            found("SC2086", 3, 15, "$foo"),
            found("SC2154", 3, 15, "$foo"),
            found("SC2164", 4, 2, "cd /tmp"),
            found("SC2006", 4, 14, "`pwd`"),
            found("SC2046", 4, 14, "`pwd`"),
        ]
    );
}

#[test]
fn heredoc_script_positions() {
    if checker().is_none() {
        return;
    }
    let text = "FROM alpine:3.20\nRUN <<EOF\nset -e\necho $missing\n\t[ $x == 1 ]\nEOF\n";
    assert_eq!(
        sc_findings(text),
        [
            found("SC2086", 4, 6, "$missing"),
            found("SC2154", 4, 6, "$missing"),
            found("SC2086", 5, 4, "$x"),
            found("SC2154", 5, 4, "$x"),
            found("SC3014", 5, 7, "=="),
        ]
    );
}

#[test]
fn heredoc_read_by_command_positions() {
    if checker().is_none() {
        return;
    }
    let text = "FROM alpine:3.20\nRUN cat <<EOF > /x && echo $y\nbody $z\nEOF\n";
    assert_eq!(
        sc_findings(text),
        [
            found("SC2086", 2, 28, "$y"),
            found("SC2154", 2, 28, "$y"),
            found("SC2154", 3, 6, "$z"),
        ]
    );
}

#[test]
fn finding_spanning_continuation_lines() {
    if checker().is_none() {
        return;
    }
    // `$(…)` spans two physical lines; the diagnostic covers both, continuation included.
    let text = "FROM alpine:3.20\nRUN ls $(id \\\n  -u)\n";
    let findings = sc_findings(text);
    assert_eq!(findings, [found("SC2046", 2, 8, "$(id \\\n  -u)")]);
}

#[test]
fn every_finding_of_a_run_is_reported() {
    if checker().is_none() {
        return;
    }
    // hadolint 2.15 keeps one ShellCheck finding of this RUN; ShellCheck reports more.
    let text = "FROM alpine:3.20\nRUN cd /x; echo $a $b `date`; [ $z == 1 ]\n";
    let findings = sc_findings(text);
    let distinct_codes: std::collections::BTreeSet<&str> = findings
        .iter()
        .map(|finding| finding.code.as_str())
        .collect();
    assert!(findings.len() >= 10, "{findings:#?}");
    for code in ["SC2164", "SC2086", "SC2154", "SC2006", "SC2046", "SC3014"] {
        assert!(
            distinct_codes.contains(code),
            "{code} missing: {findings:#?}"
        );
    }
    assert!(findings.iter().all(|finding| finding.line == 2));
}

#[test]
fn args_and_envs_in_scope_are_declared() {
    if checker().is_none() {
        return;
    }
    let text = "ARG global_only=1\n\
                FROM alpine:3.20 AS base\n\
                ARG version\n\
                ENV home_dir=/root\n\
                RUN echo $version $home_dir $http_proxy\n\
                FROM base\n\
                RUN echo $version $home_dir\n\
                FROM alpine:3.20\n\
                RUN echo $version $global_only\n";
    let findings = sc_findings(text);
    let on_line = |line: usize| -> Vec<&str> {
        findings
            .iter()
            .filter(|finding| finding.line == line)
            .map(|finding| finding.code.as_str())
            .collect()
    };
    assert_eq!(on_line(5), Vec::<&str>::new(), "{findings:#?}");
    assert_eq!(on_line(7), Vec::<&str>::new(), "a child stage inherits");
    assert_eq!(
        on_line(9),
        ["SC2086", "SC2154", "SC2086", "SC2154"],
        "an unrelated stage and a global ARG are not in scope"
    );
}

#[test]
fn arg_declared_after_run_is_not_in_scope() {
    if checker().is_none() {
        return;
    }
    let text = "FROM alpine:3.20\nRUN echo $later\nARG later\n";
    assert_eq!(codes(text), ["SC2086", "SC2154"]);
}

#[test]
fn dialect_follows_shell_and_shebang() {
    if checker().is_none() {
        return;
    }
    let posix = "FROM debian:12\nRUN [[ -f /x ]] && echo y\n";
    assert_eq!(codes(posix), ["SC3010"]);

    let bash = "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n\
                RUN [[ -f /x ]] && echo y\n";
    assert_eq!(codes(bash), Vec::<String>::new());

    let inherited = "FROM debian:12 AS base\nSHELL [\"/bin/bash\", \"-c\"]\n\
                     FROM base\nRUN [[ -f /x ]] && echo y\n";
    assert_eq!(codes(inherited), Vec::<String>::new());

    let shebang = "FROM debian:12\nRUN <<EOF\n#!/usr/bin/env bash\n[[ -f /x ]] && echo y\nEOF\n";
    assert_eq!(codes(shebang), Vec::<String>::new());
}

#[test]
fn non_posix_shells_are_skipped_and_noted() {
    let Some(checker) = checker() else {
        return;
    };
    let text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n\
                SHELL [\"powershell\", \"-Command\"]\n\
                RUN Write-Host $env:x ; [ $y == 1 ]\n\
                SHELL [\"cmd\", \"/S\", \"/C\"]\n\
                RUN echo %PATH%\n";
    let tree = ballast_parser::parse(text);
    let model = Model::new(text, &tree);
    let mut notes = Notes::default();
    let diagnostics =
        shellcheck::check_model(&checker, text, &model, &Config::default(), &mut notes);

    assert_eq!(diagnostics, []);
    let skipped: Vec<&str> = notes.skipped_shells.iter().map(String::as_str).collect();
    assert_eq!(skipped, ["cmd", "powershell"]);
    assert!(notes.errors.is_empty(), "{:?}", notes.errors);
}

#[test]
fn other_interpreters_and_exec_form_are_skipped() {
    if checker().is_none() {
        return;
    }
    let text = "FROM python:3.12\n\
                RUN <<EOF\n#!/usr/bin/env python3\nprint($x)\nEOF\n\
                RUN [\"sh\", \"-c\", \"echo $x\"]\n";
    assert_eq!(sc_findings(text), []);
}

#[test]
fn onbuild_run_is_checked() {
    if checker().is_none() {
        return;
    }
    let text = "FROM alpine:3.20\nONBUILD RUN echo $x\n";
    assert_eq!(
        sc_findings(text),
        [found("SC2086", 2, 18, "$x"), found("SC2154", 2, 18, "$x")]
    );
}

#[test]
fn findings_carry_level_name_and_wiki_link() {
    if checker().is_none() {
        return;
    }
    let text = "FROM alpine:3.20\nRUN echo $x `date`\n";
    let diagnostics = sc_diagnostics(text, &Config::default());
    let severity_of = |code: &str| {
        diagnostics
            .iter()
            .find(|diagnostic| diagnostic.code == code)
            .map(|diagnostic| diagnostic.severity)
    };
    assert_eq!(severity_of("SC2154"), Some(Severity::Warning));
    assert_eq!(severity_of("SC2086"), Some(Severity::Info));
    assert_eq!(severity_of("SC2006"), Some(Severity::Style));
    for diagnostic in &diagnostics {
        assert_eq!(diagnostic.name, shellcheck::RULE_NAME);
        let url = shellcheck::wiki_url(&diagnostic.code);
        assert!(diagnostic.message.contains(&url), "{}", diagnostic.message);
    }
}

#[test]
fn parse_errors_are_reported_in_place() {
    if checker().is_none() {
        return;
    }
    let text = "FROM alpine:3.20\nRUN if true; then echo a\n";
    let findings = sc_findings(text);
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|finding| finding.code.starts_with("SC1") && finding.line == 2),
        "{findings:#?}"
    );
}

#[test]
fn pragmas_suppress_shellcheck_codes() {
    if checker().is_none() {
        return;
    }
    let text = "FROM alpine:3.20\n\
                # hadolint ignore=SC2086\n\
                RUN echo $x\n\
                # ballast ignore=SC2154\n\
                RUN <<EOF\necho $y\nEOF\n\
                # hadolint global ignore=SC2006\n\
                RUN echo `date` $z\n";
    assert_eq!(
        sc_findings(text),
        [
            found("SC2154", 3, 10, "$x"),
            found("SC2086", 6, 6, "$y"),
            found("SC2046", 9, 10, "`date`"),
            found("SC2086", 9, 17, "$z"),
            found("SC2154", 9, 17, "$z"),
        ]
    );
}

#[test]
fn shellcheck_directive_in_script_applies() {
    if checker().is_none() {
        return;
    }
    // The declaration line goes below a leading directive, so it still covers the script.
    let text =
        "FROM alpine:3.20\nARG v\nRUN <<EOF\n# shellcheck disable=SC2086\necho $a\necho $b\nEOF\n";
    assert_eq!(
        sc_findings(text),
        [found("SC2154", 5, 6, "$a"), found("SC2154", 6, 6, "$b")]
    );
}

#[test]
fn configuration_ignores_and_overrides() {
    if checker().is_none() {
        return;
    }
    let text = "FROM alpine:3.20\nRUN echo $x\n";

    let ignored = config(Layer {
        ignore: vec!["SC2086".to_string()],
        severity: vec![("SC2154".to_string(), Level::Severity(Severity::Error))],
        ..Layer::default()
    });
    let diagnostics = sc_diagnostics(text, &ignored);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0].code, "SC2154");
    assert_eq!(diagnostics[0].severity, Severity::Error);

    let by_name = config(Layer {
        ignore: vec!["shellcheck".to_string()],
        ..Layer::default()
    });
    assert_eq!(sc_diagnostics(text, &by_name), []);

    let selected = config(Layer {
        select: vec!["DL3003".to_string()],
        ..Layer::default()
    });
    assert_eq!(sc_diagnostics(text, &selected), []);

    let selected_sc = config(Layer {
        select: vec!["SC2154".to_string()],
        ..Layer::default()
    });
    let codes: Vec<String> = sc_diagnostics(text, &selected_sc)
        .into_iter()
        .map(|diagnostic| diagnostic.code.into_owned())
        .collect();
    assert_eq!(codes, ["SC2154"]);
}

#[test]
fn quoting_fix_applies_across_continuation() {
    if checker().is_none() {
        return;
    }
    let text = "FROM alpine:3.20\nARG v\nRUN echo a && \\\n    echo $x\n";
    let result = lint(text, &Config::default(), &FileContext::default());
    let quoting: Vec<Diagnostic> = result
        .diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.code == "SC2086")
        .collect();
    assert_eq!(quoting.len(), 1);
    let fix = quoting[0].fix.as_ref().expect("SC2086 has a fix");
    assert_eq!(fix.applicability, Applicability::Unsafe);

    let fixed = apply_fixes(text, &quoting, &result.error_regions, FixMode::All);
    assert_eq!(
        fixed.text,
        "FROM alpine:3.20\nARG v\nRUN echo a && \\\n    echo \"$x\"\n"
    );
    assert!(!codes(&fixed.text).contains(&"SC2086".to_string()));
}

#[test]
fn checker_positions_with_tabs() {
    let Some(checker) = checker() else {
        return;
    };
    let script = "\techo $x\n\t\techo `date`\n";
    let findings = checker.check(script, Dialect::Sh, &[]).unwrap();
    let mut covered: Vec<(usize, u32, &str)> = findings
        .iter()
        .map(|finding| {
            let range = finding.range.clone();
            (range.start, finding.code, &script[range])
        })
        .collect();
    covered.sort();
    assert_eq!(
        covered,
        [
            (6, 2086, "$x"),
            (6, 2154, "$x"),
            (16, 2005, "`date`"),
            (16, 2006, "`date`"),
            (16, 2046, "`date`"),
        ]
    );
}

#[test]
fn results_are_cached_by_text_and_dialect() {
    let Some(checker) = checker() else {
        return;
    };
    let script = "echo $cached_example\n";
    let declared = ["unrelated".to_string()];
    let first = checker.check(script, Dialect::Sh, &declared).unwrap();
    let second = checker.check(script, Dialect::Sh, &declared).unwrap();
    assert!(Arc::ptr_eq(&first, &second));

    let other_dialect = checker.check(script, Dialect::Bash, &declared).unwrap();
    assert!(!Arc::ptr_eq(&first, &other_dialect));

    let with_declaration = checker
        .check(script, Dialect::Sh, &["cached_example".to_string()])
        .unwrap();
    assert_eq!(*with_declaration, []);
}

#[test]
fn missing_program_is_an_error() {
    let error = Checker::new("/nonexistent/shellcheck").unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/shellcheck"),
        "{error}"
    );

    let error = Checker::new("/bin/true").unwrap_err();
    assert!(
        error.to_string().contains("not a ShellCheck program"),
        "{error}"
    );
}

/// Returns a checker for a program the test has just written. Running a file fails with
/// "Text file busy" while another thread's child process, forked before it execs, still
/// has the file open for writing (test threads spawn processes concurrently), so the
/// first run is tried again a few times.
fn checker_for_new_program(program: &std::path::Path) -> Checker {
    for _ in 0..50 {
        match Checker::new(program) {
            Err(shellcheck::CheckError::Spawn { cause, .. })
                if cause.kind() == std::io::ErrorKind::ExecutableFileBusy =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            result => return result.unwrap(),
        }
    }
    panic!("{} stayed busy", program.display());
}

/// A program that responds to `--version` like ShellCheck and then hangs on any script, as
/// ShellCheck does on deeply nested input.
#[cfg(unix)]
#[test]
fn hanging_shellcheck_is_stopped() {
    use std::os::unix::fs::PermissionsExt;
    use std::time::Duration;

    let folder = std::env::temp_dir().join(format!("ballast-hang-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let program = folder.join("shellcheck");
    std::fs::write(
        &program,
        "#!/bin/sh\nif [ \"$1\" = --version ]; then\n  echo 'ShellCheck - shell script analysis tool'\n  echo 'version: 0.9.0'\n  exit 0\nfi\nexec sleep 600\n",
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();

    let checker = checker_for_new_program(&program).with_timeout(Duration::from_millis(300));
    let text = "FROM alpine:3.20\nRUN echo never-checked-before-$RANDOM\n";
    let tree = ballast_parser::parse(text);
    let model = Model::new(text, &tree);
    let mut notes = Notes::default();
    let found = shellcheck::check_model(&checker, text, &model, &Config::default(), &mut notes);
    std::fs::remove_dir_all(&folder).ok();

    assert!(found.is_empty());
    let errors: Vec<&String> = notes.errors.iter().collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("timed out"), "{}", errors[0]);
    assert!(errors[0].contains(":2:"), "the note names line 2: {}", errors[0]);
}

/// A program that responds to `--version` like ShellCheck and records the niceness it runs
/// at. A background checker, as the language server uses, starts it at niceness 10.
#[cfg(unix)]
#[test]
fn background_checker_lowers_priority() {
    use std::os::unix::fs::PermissionsExt;

    let folder = std::env::temp_dir().join(format!("ballast-nice-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let program = folder.join("shellcheck");
    std::fs::write(
        &program,
        "#!/bin/sh\nif [ \"$1\" = --version ]; then\n  echo 'ShellCheck - shell script analysis tool'\n  echo 'version: 0.9.0'\n  exit 0\nfi\ncat >/dev/null\nnice > \"$(dirname \"$0\")/niceness\"\necho '{\"comments\":[]}'\n",
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();

    let niceness = |checker: &Checker, text: &str| -> i32 {
        let tree = ballast_parser::parse(text);
        let model = Model::new(text, &tree);
        let mut notes = Notes::default();
        shellcheck::check_model(checker, text, &model, &Config::default(), &mut notes);
        assert!(notes.errors.is_empty(), "{:?}", notes.errors);
        let recorded = std::fs::read_to_string(folder.join("niceness")).unwrap();
        recorded.trim().parse().unwrap()
    };
    let checker = checker_for_new_program(&program);
    let foreground = niceness(&checker, "FROM alpine:3.20\nRUN echo foreground-priority\n");
    let background = niceness(
        &checker.in_background(),
        "FROM alpine:3.20\nRUN echo background-priority\n",
    );
    std::fs::remove_dir_all(&folder).ok();

    assert!(background >= 10, "background niceness {background}");
    assert!(background > foreground || foreground >= 10, "{foreground} then {background}");
}

#[test]
fn windows_stage_without_shell_is_skipped() {
    let Some(checker) = checker() else {
        return;
    };
    let text = "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS win\n\
                RUN mkdir c:\\config && echo $x\n\
                FROM win\n\
                RUN echo $y\n\
                FROM caddy:2.11-windowsservercore-ltsc2022\n\
                RUN echo $z\n\
                FROM alpine:3.20\n\
                RUN echo $linux\n";
    let tree = ballast_parser::parse(text);
    let model = Model::new(text, &tree);
    let mut notes = Notes::default();
    let diagnostics =
        shellcheck::check_model(&checker, text, &model, &Config::default(), &mut notes);

    let lines: Vec<usize> = diagnostics
        .iter()
        .map(|diagnostic| text[..diagnostic.span.start].matches('\n').count() + 1)
        .collect();
    assert_eq!(lines, [8, 8]);
    let skipped: Vec<&str> = notes.skipped_shells.iter().map(String::as_str).collect();
    assert_eq!(skipped, ["cmd"]);
}

#[test]
fn shell_pragma_sets_dialect() {
    let Some(checker) = checker() else {
        return;
    };
    let text = "# hadolint shell=powershell\n\
                FROM mcr.microsoft.com/powershell:lts\n\
                RUN Write-Host $env:a\n\
                FROM debian:12\n\
                # hadolint shell=bash\n\
                RUN [[ -f /x ]] && echo y\n\
                SHELL [\"/bin/sh\", \"-c\"]\n\
                RUN [[ -f /x ]] && echo y\n";
    let tree = ballast_parser::parse(text);
    let model = Model::new(text, &tree);
    let mut notes = Notes::default();
    let diagnostics =
        shellcheck::check_model(&checker, text, &model, &Config::default(), &mut notes);

    let positions: Vec<Found> = diagnostics
        .iter()
        .map(|diagnostic| describe(text, diagnostic))
        .collect();
    assert_eq!(positions, [found("SC3010", 8, 5, "[[ -f /x ]]")]);
    let skipped: Vec<&str> = notes.skipped_shells.iter().map(String::as_str).collect();
    assert_eq!(skipped, ["powershell"]);
}

/// An editor lints without ShellCheck first and then adds ShellCheck's findings to that
/// result. The sum must equal one lint with ShellCheck on: same findings, pragmas, severity
/// overrides and order.
#[test]
fn added_findings_match_full_lint() {
    use ballast_analyzer::lint::{add_shellcheck, lint_parsed};
    use ballast_analyzer::model::LintMemo;
    use ballast_parser::{LineIndex, parse};

    if checker().is_none() {
        return;
    }
    let mut texts: Vec<String> = vec![
        "FROM alpine\nRUN echo $HOME\n# hadolint ignore=SC2086\nRUN echo $1 && cd /x\nRUN cd /tmp; ls `pwd`\n".into(),
        "FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\nRUN apt-get install curl && echo $X\n# hadolint global ignore=DL3008\nRUN <<EOF\nfor f in $(ls); do echo $f; done\nEOF\n".into(),
        "# check=skip=all\nFROM alpine\nrun echo $A\nRUN ls *.txt | grep x\n".into(),
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let mut corpus = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.to_string_lossy().contains("Dockerfile") {
                corpus.push(path);
            }
        }
    }
    corpus.sort();
    texts.extend(
        corpus
            .iter()
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .filter(|text| text.contains("RUN ") && !text.contains("powershell"))
            .step_by(29)
            .take(30),
    );
    let layers = [
        Layer::default(),
        Layer {
            severity: vec![("SC2086".into(), Level::Severity(Severity::Error))],
            ignore: vec!["SC2164".into()],
            ..Layer::default()
        },
    ];
    let file = FileContext::default();
    let mut shellcheck_findings = 0;
    for layer in layers {
        let config = config(layer);
        let mut without = config.clone();
        without.ignore.push(shellcheck::RULE_NAME.to_string());
        for text in &texts {
            let tree = parse(text);
            let lines = LineIndex::new(text);
            let memo = LintMemo::default();
            let full = lint_parsed(text, &tree, &lines, &config, &file, Some(&memo));
            let fast = lint_parsed(text, &tree, &lines, &without, &file, Some(&memo));
            let added = add_shellcheck(text, &tree, &config, &file, Some(&memo), &fast)
                .expect("nothing interrupts this ShellCheck run");
            assert_eq!(added.diagnostics, full.diagnostics, "in:\n{text}");
            assert_eq!(added.error_regions, full.error_regions, "in:\n{text}");
            shellcheck_findings += full.diagnostics.len() - fast.diagnostics.len();
        }
    }
    assert!(shellcheck_findings > 20, "only {shellcheck_findings} ShellCheck findings");
}
