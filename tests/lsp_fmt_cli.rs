//! `ballast fmt FILES` formats in place; `--check` lists unformatted files and exits 1.
//! Formatting keeps every instruction of the real-world corpus as BuildKit reads it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ballast_lsp::format::{FormatOptions, format};
use ballast_parser::{Args, Command as ShellCommand, Instruction, Keyword, parse};

fn ballast() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ballast"))
}

#[test]
fn fmt_check_then_write() {
    let folder = std::env::temp_dir().join(format!("ballast-fmt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    let messy = folder.join("Dockerfile");
    let clean = folder.join("clean.Dockerfile");
    std::fs::write(&messy, "from alpine:3.20\nrun   apk add \\\ncurl\n").unwrap();
    std::fs::write(&clean, "FROM alpine:3.20\n").unwrap();

    let check = ballast()
        .args(["fmt", "--check"])
        .arg(&messy)
        .arg(&clean)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    let listed = String::from_utf8_lossy(&check.stdout);
    assert!(listed.contains("Dockerfile: not formatted"), "{listed}");
    assert!(!listed.contains("clean.Dockerfile"), "{listed}");
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "from alpine:3.20\nrun   apk add \\\ncurl\n",
        "--check changes nothing"
    );

    let write = ballast().arg("fmt").arg(&messy).output().unwrap();
    assert!(write.status.success());
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "FROM alpine:3.20\nRUN apk add \\\n    curl\n"
    );
    let again = ballast()
        .args(["fmt", "--check"])
        .arg(&messy)
        .output()
        .unwrap();
    assert!(again.status.success());

    let missing = ballast()
        .arg("fmt")
        .arg(folder.join("nope"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope"));
    let _ = std::fs::remove_dir_all(&folder);
}

/// Runs `ballast fmt ARGS… -` with `input` on standard input.
fn fmt_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut child = ballast()
        .arg("fmt")
        .args(args)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// BuildKit joins continuation lines as written. `hello\`, `\`, `world` is the word
/// `helloworld`, and the legacy `ENV PKGS curl \` then `git` is the value `curl git`, so
/// neither gets an indent and `--check` finds nothing to change.
#[test]
fn value_continuations_stay_unindented() {
    for input in [
        "FROM alpine:3.20\nENV E=hello\\\n\\\nworld\nENV PKGS curl \\\ngit\n",
        "FROM alpine:3.20\nRUN echo hello\\\n\\\nworld\n",
        "FROM alpine:3.20\nRUN echo hello\\\n# a comment\n\\\nworld\n",
    ] {
        let output = fmt_stdin(&[], input);
        assert!(output.status.success(), "{output:?}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), input);
        let check = fmt_stdin(&["--check"], input);
        assert_eq!(check.status.code(), Some(0), "{check:?}");
        assert!(check.stdout.is_empty(), "{check:?}");
    }

    let messy = "from alpine:3.20\nenv E=hello\\\n\\\nworld\nlabel a=\"x \\\ny\" \\\nb=2\nenv PKGS curl \\\ngit\nrun echo hello\\\n\\\nworld \\\n&& true\n";
    let output = fmt_stdin(&[], messy);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "FROM alpine:3.20\nENV E=hello\\\n\\\nworld\nLABEL a=\"x \\\ny\" \\\nb=2\nENV PKGS curl \\\ngit\nRUN echo hello\\\n\\\nworld \\\n    && true\n"
    );
    let check = fmt_stdin(&["--check"], messy);
    assert_eq!(check.status.code(), Some(1), "{check:?}");
    assert_eq!(String::from_utf8_lossy(&check.stdout), "-: not formatted\n");
}

/// Returns whether a run of blanks outside quotes means the same as one blank in this
/// instruction: in shell commands, JSON arrays and the lists BuildKit splits at blanks.
/// In ENV, LABEL, ARG, WORKDIR, USER and the others the blanks are part of a value.
fn blanks_separate(keyword: Keyword) -> bool {
    matches!(
        keyword,
        Keyword::Run
            | Keyword::Cmd
            | Keyword::Entrypoint
            | Keyword::Shell
            | Keyword::Healthcheck
            | Keyword::From
            | Keyword::Copy
            | Keyword::Add
            | Keyword::Expose
            | Keyword::Volume
    )
}

/// Replaces each run of blanks outside quotes and `${…}` expansions by one space. A
/// backslash outside single quotes takes the next character literally, so an escaped blank
/// is kept as written.
fn collapse_blanks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut expansions = 0usize;
    let mut blank = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if quote.is_none() && expansions == 0 && (ch == ' ' || ch == '\t') {
            blank = true;
            continue;
        }
        if blank {
            out.push(' ');
            blank = false;
        }
        out.push(ch);
        match quote {
            None if ch == '"' || ch == '\'' => quote = Some(ch),
            None if ch == '$' && chars.peek() == Some(&'{') => expansions += 1,
            None if ch == '}' => expansions = expansions.saturating_sub(1),
            Some(open) if ch == open => quote = None,
            _ if ch == '\\' && quote != Some('\'') => out.extend(chars.next()),
            _ => {}
        }
    }
    out
}

/// Describes an instruction as BuildKit reads it: the keyword, the trimmed logical line
/// after it (continuations joined, comment and blank lines inside them dropped), the flags
/// and the arguments. Where blanks only separate words, a run of them counts as one. An
/// ONBUILD is described by its trigger, whose keyword the formatter also rewrites.
fn describe(instruction: &Instruction) -> String {
    if let Args::Onbuild { trigger } = &instruction.args {
        let trigger = trigger.as_deref().map(describe).unwrap_or_default();
        return format!("{:?} ({trigger})", instruction.keyword);
    }
    let separate = blanks_separate(instruction.keyword);
    let shell = |value: &str| {
        if separate {
            collapse_blanks(value)
        } else {
            value.to_string()
        }
    };
    let line = instruction.line.trim_start_matches(['\u{feff}', ' ', '\t']);
    let after = line
        .strip_prefix(instruction.keyword_text.as_str())
        .unwrap_or(line)
        .trim();
    let flags: Vec<&str> = instruction
        .flags
        .iter()
        .map(|flag| flag.text.as_str())
        .collect();
    let args = match &instruction.args {
        Args::None | Args::Onbuild { .. } => Vec::new(),
        Args::List { words, json: true } => words.iter().map(|word| word.value.clone()).collect(),
        Args::List { words, json: false } => words.iter().map(|word| shell(&word.value)).collect(),
        Args::KeyValues { pairs } => pairs
            .iter()
            .map(|pair| {
                format!(
                    "{:?} {:?} {}",
                    pair.key.value, pair.value.value, pair.legacy
                )
            })
            .collect(),
        Args::Healthcheck { kind, command } => {
            let mut args: Vec<String> = kind.iter().map(|kind| kind.value.clone()).collect();
            match command {
                Some(ShellCommand::Exec(words)) => {
                    args.extend(words.iter().map(|word| word.value.clone()))
                }
                Some(ShellCommand::Shell(word)) => args.push(shell(&word.value)),
                None => {}
            }
            args
        }
    };
    format!(
        "{:?} {:?} flags {flags:?} args {args:?}",
        instruction.keyword,
        shell(after)
    )
}

/// Lists the Dockerfiles of the real-world corpus from its manifest, or none when the
/// manifest is missing.
fn corpus_files(root: &Path) -> Vec<PathBuf> {
    let Ok(manifest) = std::fs::read_to_string(root.join("MANIFEST.tsv")) else {
        return Vec::new();
    };
    manifest
        .lines()
        .skip(1)
        .filter_map(|row| row.split('\t').next())
        .filter(|file| !file.is_empty())
        .map(|file| root.join(file))
        .collect()
}

/// Formatting every corpus file keeps each instruction as BuildKit reads it, and a second
/// run changes nothing.
#[test]
fn formatting_keeps_every_corpus_instruction() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    let files = corpus_files(&root);
    if files.is_empty() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the corpus is missing at {}",
            root.display()
        );
        eprintln!("skipped: no corpus at {}", root.display());
        return;
    }
    let options = FormatOptions::default();
    let mut changed = 0;
    let mut failures = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let formatted = format(&text, &options);
        if formatted != text {
            changed += 1;
        }
        let name = path.display();
        let before: Vec<String> = parse(&text).instructions().map(describe).collect();
        let after: Vec<String> = parse(&formatted).instructions().map(describe).collect();
        if before.len() != after.len() {
            failures.push(format!(
                "{name}: {} instructions became {}",
                before.len(),
                after.len()
            ));
        }
        for (old, new) in before.iter().zip(&after) {
            if old != new {
                failures.push(format!("{name}:\n  {old}\n  {new}"));
            }
        }
        if format(&formatted, &options) != formatted {
            failures.push(format!("{name}: a second run changes it again"));
        }
    }
    assert!(
        changed > 0,
        "no corpus file needed formatting, so the check proved nothing"
    );
    assert!(
        failures.is_empty(),
        "{} differences in {} files:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
