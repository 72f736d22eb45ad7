//! The `ballast …` commands in the code blocks of `docs/ci.md` use only subcommands, options
//! and format names that exist: each is checked against `ballast SUBCOMMAND --help`.

mod common;

use std::path::Path;

use common::ballast;

/// One `ballast` command line from a code block, with the line it starts on.
struct DocCommand {
    line: usize,
    words: Vec<String>,
}

/// Collects the `ballast` command lines of the fenced code blocks, joining lines that end
/// with a backslash. A command starts a line, or follows `- ` (a YAML list item), `run: `
/// or `$ `.
fn commands_in(markdown: &str) -> Vec<DocCommand> {
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut pending: Option<(usize, String)> = None;

    for (index, raw) in markdown.lines().enumerate() {
        if raw.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }

        let (start, mut text) = match pending.take() {
            Some((start, text)) => (start, text + " " + raw.trim()),
            None => (index + 1, raw.trim().to_string()),
        };
        if let Some(joined) = text.strip_suffix('\\') {
            pending = Some((start, joined.trim_end().to_string()));
            continue;
        }
        for prefix in ["- ", "run: ", "$ "] {
            if let Some(rest) = text.strip_prefix(prefix) {
                text = rest.trim_start().to_string();
            }
        }
        if !text.starts_with("ballast ") {
            continue;
        }

        // The command ends at a redirection, a pipe, a command separator or a comment.
        let words = text
            .split_whitespace()
            .take_while(|word| !matches!(*word, ">" | ">>" | "|" | "&&" | "||" | ";" | "#"))
            .map(str::to_string)
            .collect();
        commands.push(DocCommand { line: start, words });
    }
    commands
}

/// Returns whether the help text documents the option, as `--name` or `-n,`.
fn help_has_option(help: &str, option: &str) -> bool {
    help.lines().any(|line| {
        let line = line.trim_start();
        if option.starts_with("--") {
            let rest = line.strip_prefix(option);
            rest.is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '=', '<', ',']))
                || line.contains(&format!(", {option} "))
                || line.ends_with(&format!(", {option}"))
                || line.contains(&format!(", {option}="))
        } else {
            line.starts_with(&format!("{option},"))
        }
    })
}

fn help_of(subcommand: &str) -> String {
    let output = ballast()
        .args([subcommand, "--help"])
        .output()
        .expect("the ballast binary runs");
    assert!(
        output.status.success(),
        "`ballast {subcommand} --help` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn ci_commands_use_existing_options() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ci.md");
    let markdown = std::fs::read_to_string(&path).expect("docs/ci.md is readable");
    let commands = commands_in(&markdown);
    assert!(
        commands.len() >= 5,
        "docs/ci.md has the lint and build commands, found {}",
        commands.len()
    );

    let mut subcommands_seen = Vec::new();
    for command in &commands {
        let subcommand = command.words[1].as_str();
        let help = help_of(subcommand);
        subcommands_seen.push(subcommand.to_string());

        for (position, word) in command.words.iter().enumerate().skip(2) {
            if word == "--" {
                break;
            }
            if !word.starts_with('-') || word == "-" {
                continue;
            }
            let option = word.split('=').next().unwrap_or(word);
            assert!(
                help_has_option(&help, option),
                "docs/ci.md:{}: `ballast {subcommand}` has no option {option}",
                command.line
            );
            if option == "--format" || (option == "-f" && subcommand == "lint") {
                let value = command
                    .words
                    .get(position + 1)
                    .map(String::as_str)
                    .unwrap_or("");
                assert!(
                    help.contains(&format!("- {value}:")),
                    "docs/ci.md:{}: `ballast {subcommand} --format` has no format {value:?}",
                    command.line
                );
            }
        }
    }
    for expected in ["lint", "build"] {
        assert!(
            subcommands_seen.iter().any(|seen| seen == expected),
            "docs/ci.md shows `ballast {expected}`"
        );
    }
}

#[test]
fn ci_command_extraction_reads_yaml_and_shell() {
    let markdown = "text ballast lint --nope\n```yaml\n  - run: ballast lint --format sarif . > x.sarif\n    - ballast lint --no-fail .\n```\n```sh\nballast build --ci \\\n  --tag a .\n$ ballast rules # list\ncargo install ballast\n```\n";
    let commands = commands_in(markdown);
    let lines: Vec<String> = commands
        .iter()
        .map(|command| command.words.join(" "))
        .collect();
    assert_eq!(
        lines,
        [
            "ballast lint --format sarif .",
            "ballast lint --no-fail .",
            "ballast build --ci --tag a .",
            "ballast rules",
        ]
    );
    assert_eq!(commands[2].line, 7);
}

#[test]
fn option_lookup_needs_exact_name() {
    let help = "  -f, --format <FORMAT>\n      --no-fail\n      --max-image-size <SIZE>\n";
    assert!(help_has_option(help, "--format"));
    assert!(help_has_option(help, "-f"));
    assert!(help_has_option(help, "--no-fail"));
    assert!(help_has_option(help, "--max-image-size"));
    assert!(!help_has_option(help, "--max-image"));
    assert!(!help_has_option(help, "--no"));
}
