//! BuildKit's own parser as the oracle: every real Dockerfile in the corpus must read the
//! same in ballast as in BuildKit's Go parser, field by field.
//!
//! The PyPI package `dockerfile` (3.4.0) wraps BuildKit's parser at v0.12.5;
//! `oracle/buildkit_oracle.py` prints its reading of each file as JSON. ballast follows
//! current BuildKit, so a file where BuildKit's behaviour changed after v0.12.5 may differ,
//! and so may one that the wrapper cannot pass to Python intact. Each such difference is
//! listed with its reason in `oracle/allowed_differences.tsv`. The test fails on a
//! difference that is not listed and on a listed one that no longer occurs.
//!
//! The test needs `BALLAST_ORACLE_PYTHON`, a Python interpreter with the package installed
//! (`./test.sh` sets it up). Without it the test is skipped with a message, except when
//! `CI=true`, where it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ballast_parser::{Args, Dockerfile, ErrorKind, Instruction, Keyword, parse};
use serde::Deserialize;

/// The exit code of `buildkit_oracle.py` when the `dockerfile` package is missing.
const EXIT_PACKAGE_MISSING: i32 = 3;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real")
}

fn oracle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle")
}

/// Reads the corpus file names from `MANIFEST.tsv`, in its order.
fn manifest_names() -> Vec<String> {
    let manifest =
        fs::read_to_string(corpus().join("MANIFEST.tsv")).expect("MANIFEST.tsv of the real corpus");
    manifest
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .map(str::to_string)
        .collect()
}

/// Skips the test with `message`, or fails it when `CI=true`.
fn skip(message: &str) {
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        panic!("{message} (CI=true, so this is a failure rather than a skip)");
    }
    eprintln!("skipped: {message}");
}

// ---------------------------------------------------------------------------------------
// BuildKit's reading, as the oracle script prints it.

#[derive(Debug, Deserialize)]
struct OracleFile {
    file: String,
    #[serde(default)]
    instructions: Vec<OracleInstruction>,
    error: Option<String>,
    /// Set when the wrapper cannot convert BuildKit's strings (bytes that are not UTF-8).
    wrapper_error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct OracleInstruction {
    cmd: String,
    sub_cmd: Option<String>,
    json: bool,
    value: Vec<String>,
    flags: Vec<String>,
    heredocs: Vec<OracleHeredoc>,
    start_line: u32,
    end_line: u32,
}

#[derive(Debug, Deserialize)]
struct OracleHeredoc {
    name: String,
    fd: u32,
    content: String,
}

/// Runs the oracle script on the files `names` under `root`; `None` (after a skip message)
/// when the interpreter or the package is missing.
fn run_oracle(root: &Path, names: &[String]) -> Option<BTreeMap<String, OracleFile>> {
    let Some(python) = std::env::var_os("BALLAST_ORACLE_PYTHON") else {
        skip(
            "BALLAST_ORACLE_PYTHON is not set; run ./test.sh, which installs BuildKit's parser (PyPI `dockerfile==3.4.0`) in .venv",
        );
        return None;
    };
    let script = oracle_dir().join("buildkit_oracle.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .arg(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", Path::new(&python).display()));

    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = names.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("oracle script output");
    // A script that stops early (the package is missing) closes its input, so the write
    // error matters only when the script succeeded.
    let written = writer.join().expect("stdin writer");

    if output.status.code() == Some(EXIT_PACKAGE_MISSING) {
        let python = Path::new(&python).display();
        skip(&format!(
            "{python} has no `dockerfile` package; install it with `{python} -m pip install dockerfile==3.4.0`"
        ));
        return None;
    }
    assert!(
        output.status.success(),
        "{} failed ({}): {}",
        script.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );

    written.expect("write names to the oracle script");
    let stdout = String::from_utf8(output.stdout).expect("the oracle script prints UTF-8");
    let files: BTreeMap<String, OracleFile> = stdout
        .lines()
        .map(|line| {
            let file: OracleFile = serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("invalid oracle line {line:?}: {error}"));
            (file.file.clone(), file)
        })
        .collect();
    assert_eq!(
        files.len(),
        names.len(),
        "the oracle script printed a record for each file"
    );
    Some(files)
}

// ---------------------------------------------------------------------------------------
// Both readings in one shape.

/// One instruction as BuildKit v0.12.5's parser hands it to the wrapper.
#[derive(Debug, PartialEq, Eq)]
struct Reading {
    cmd: String,
    sub_cmd: Option<String>,
    json: bool,
    value: Vec<String>,
    flags: Vec<String>,
    /// `(name, fd, content)`
    heredocs: Vec<(String, u32, String)>,
    start_line: u32,
    end_line: u32,
}

impl From<&OracleInstruction> for Reading {
    fn from(instruction: &OracleInstruction) -> Self {
        Reading {
            cmd: instruction.cmd.clone(),
            sub_cmd: instruction.sub_cmd.clone(),
            json: instruction.json,
            value: instruction.value.clone(),
            flags: instruction.flags.clone(),
            heredocs: instruction
                .heredocs
                .iter()
                .map(|heredoc| (heredoc.name.clone(), heredoc.fd, heredoc.content.clone()))
                .collect(),
            start_line: instruction.start_line,
            end_line: instruction.end_line,
        }
    }
}

/// Converts ballast's instruction to BuildKit v0.12.5's shape. Two differences are only in
/// the representation, so they are converted here rather than listed as differences:
/// - BuildKit v0.12.5 gives each ENV or LABEL pair as `key, value`. Later versions add a
///   third node (`=`, or an empty string for the legacy form), and ballast's dump prints it.
/// - The wrapper reports an ONBUILD trigger's keyword as `sub_cmd` and the trigger's
///   arguments and JSON flag as the instruction's, but ONBUILD's own flags.
fn ballast_reading(instruction: &Instruction) -> Reading {
    let (sub_cmd, target) = match &instruction.args {
        Args::Onbuild {
            trigger: Some(trigger),
        } => (Some(trigger.keyword_text.clone()), trigger.as_ref()),
        _ => (None, instruction),
    };
    Reading {
        cmd: instruction.keyword_text.clone(),
        sub_cmd,
        json: target.is_exec_form(),
        value: argument_values(target),
        flags: instruction
            .flags
            .iter()
            .map(|flag| flag.text.clone())
            .collect(),
        heredocs: instruction
            .heredocs
            .iter()
            .map(|heredoc| (heredoc.name.clone(), heredoc.fd, heredoc.content.clone()))
            .collect(),
        start_line: instruction.start_line,
        end_line: instruction.end_line,
    }
}

fn argument_values(instruction: &Instruction) -> Vec<String> {
    match &instruction.args {
        // BuildKit's `parseIgnore` gives an unknown instruction one empty argument node.
        Args::None if instruction.keyword == Keyword::Unknown => vec![String::new()],
        // A nested ONBUILD trigger's argument is the node that contains its own trigger, whose
        // value is empty.
        Args::Onbuild { trigger: Some(_) } => vec![String::new()],
        Args::None | Args::Onbuild { trigger: None } => Vec::new(),
        Args::List { words, .. } => words.iter().map(|word| word.value.clone()).collect(),
        Args::KeyValues { pairs } => pairs
            .iter()
            .flat_map(|pair| [pair.key.value.clone(), pair.value.value.clone()])
            .collect(),
        Args::Healthcheck { kind, command } => {
            let mut values: Vec<String> = kind.iter().map(|kind| kind.value.clone()).collect();
            match command {
                Some(ballast_parser::Command::Exec(words)) => {
                    values.extend(words.iter().map(|w| w.value.clone()))
                }
                Some(ballast_parser::Command::Shell(word)) => values.push(word.value.clone()),
                None => {}
            }
            values
        }
    }
}

/// Returns the message of ballast's first first-phase error, because BuildKit's parser stops
/// at its first error.
fn ballast_rejection(tree: &Dockerfile) -> Option<&str> {
    tree.errors
        .iter()
        .find(|error| error.kind == ErrorKind::Parse)
        .map(|error| error.message.as_str())
}

// ---------------------------------------------------------------------------------------
// Comparison.

/// A place where the two readings of a file differ, keyed by file and the 1-based line of
/// the instruction where they part (0 for a whole-file verdict).
#[derive(Debug)]
struct Difference {
    file: String,
    line: u32,
    detail: String,
}

/// Compares one file. Instructions are paired by their start line. An instruction that
/// only one side has and that starts inside an instruction of the other side (a heredoc
/// body that the other side reads as instructions) belongs to that instruction's
/// difference, so one cause gives one difference.
fn compare_file(file: &str, text: &str, oracle: &OracleFile) -> Vec<Difference> {
    let tree = parse(text);
    let difference = |line: u32, detail: String| Difference {
        file: file.to_string(),
        line,
        detail,
    };
    if let Some(error) = &oracle.wrapper_error {
        return vec![difference(
            0,
            format!("the wrapper cannot return BuildKit's reading: {error}"),
        )];
    }

    match (ballast_rejection(&tree), &oracle.error) {
        (None, None) => {}
        (Some(ours), Some(theirs)) if ours == theirs => return Vec::new(),
        (ours, theirs) => {
            let detail = format!("ballast error {ours:?}, BuildKit error {theirs:?}");
            return vec![difference(0, detail)];
        }
    }

    let ours: BTreeMap<u32, Reading> = tree
        .instructions()
        .map(ballast_reading)
        .map(|reading| (reading.start_line, reading))
        .collect();
    let theirs: BTreeMap<u32, Reading> = oracle
        .instructions
        .iter()
        .map(Reading::from)
        .map(|reading| (reading.start_line, reading))
        .collect();
    let inside = |readings: &BTreeMap<u32, Reading>, line: u32| {
        readings
            .values()
            .any(|reading| reading.start_line < line && line <= reading.end_line)
    };

    let lines: BTreeSet<u32> = ours.keys().chain(theirs.keys()).copied().collect();
    let mut differences = Vec::new();
    for line in lines {
        match (ours.get(&line), theirs.get(&line)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => differences.push(difference(line, describe_fields(a, b))),
            (Some(a), None) if !inside(&theirs, line) => differences.push(difference(
                line,
                format!("only ballast reads an instruction here: {a:?}"),
            )),
            (None, Some(b)) if !inside(&ours, line) => differences.push(difference(
                line,
                format!("only BuildKit reads an instruction here: {b:?}"),
            )),
            _ => {}
        }
    }
    differences
}

fn describe_fields(ours: &Reading, theirs: &Reading) -> String {
    let mut out = String::new();
    let mut field = |name: &str, a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug, same: bool| {
        if !same {
            let _ = write!(out, "\n    {name}: ballast {a:?}, BuildKit {b:?}");
        }
    };
    field("cmd", &ours.cmd, &theirs.cmd, ours.cmd == theirs.cmd);
    field(
        "sub_cmd",
        &ours.sub_cmd,
        &theirs.sub_cmd,
        ours.sub_cmd == theirs.sub_cmd,
    );
    field("json", &ours.json, &theirs.json, ours.json == theirs.json);
    field(
        "value",
        &ours.value,
        &theirs.value,
        ours.value == theirs.value,
    );
    field(
        "flags",
        &ours.flags,
        &theirs.flags,
        ours.flags == theirs.flags,
    );
    field(
        "heredocs",
        &ours.heredocs,
        &theirs.heredocs,
        ours.heredocs == theirs.heredocs,
    );
    field(
        "end_line",
        &ours.end_line,
        &theirs.end_line,
        ours.end_line == theirs.end_line,
    );
    out
}

// ---------------------------------------------------------------------------------------
// The list of allowed differences.

/// `(file, line) -> reason`, read from `allowed_differences.tsv`.
fn allowed_differences() -> BTreeMap<(String, u32), String> {
    let path = oracle_dir().join("allowed_differences.tsv");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let mut allowed = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.splitn(3, '\t').collect();
        let [file, number, reason] = fields[..] else {
            panic!(
                "{}:{}: expected `file<TAB>line<TAB>reason`, found {line:?}",
                path.display(),
                index + 1
            );
        };
        let number: u32 = number.parse().unwrap_or_else(|_| {
            panic!(
                "{}:{}: invalid line number {number:?}",
                path.display(),
                index + 1
            )
        });
        assert!(
            !reason.trim().is_empty(),
            "{}:{}: the reason is missing",
            path.display(),
            index + 1
        );
        let previous = allowed.insert((file.to_string(), number), reason.to_string());
        assert!(
            previous.is_none(),
            "{}:{}: listed twice",
            path.display(),
            index + 1
        );
    }
    allowed
}

#[test]
fn real_files_match_buildkit() {
    let names = manifest_names();
    assert!(
        names.len() > 1000,
        "expected the whole corpus, found {} files",
        names.len()
    );
    let Some(oracle) = run_oracle(&corpus(), &names) else {
        return;
    };

    let mut differences = Vec::new();
    for name in &names {
        let bytes = fs::read(corpus().join(name)).unwrap_or_else(|error| panic!("{name}: {error}"));
        let text = String::from_utf8_lossy(&bytes);
        differences.extend(compare_file(name, &text, &oracle[name]));
    }

    let allowed = allowed_differences();
    let found: BTreeSet<(String, u32)> = differences
        .iter()
        .map(|d| (d.file.clone(), d.line))
        .collect();
    let unlisted: Vec<String> = differences
        .iter()
        .filter(|d| !allowed.contains_key(&(d.file.clone(), d.line)))
        .map(|d| format!("{}\t{}\t{}", d.file, d.line, d.detail))
        .collect();
    let stale: Vec<String> = allowed
        .iter()
        .filter(|(key, _)| !found.contains(*key))
        .map(|((file, line), reason)| format!("{file}\t{line}\t{reason}"))
        .collect();

    assert!(
        unlisted.is_empty(),
        "{} difference(s) from BuildKit v0.12.5 are not in allowed_differences.tsv; fix the parser, or list \
         the ones caused by a later BuildKit change with the reason:\n{}",
        unlisted.len(),
        unlisted.join("\n")
    );
    assert!(
        stale.is_empty(),
        "{} listed difference(s) no longer occur; remove them from allowed_differences.tsv:\n{}",
        stale.len(),
        stale.join("\n")
    );
}

/// A small file: its name, its text, and the differences it must show against BuildKit
/// v0.12.5 as `(line, reason)`.
type Snippet = (&'static str, &'static str, &'static [(u32, &'static str)]);

/// Small files for the cases that other tools read wrongly. A case with no listed
/// difference must read exactly as BuildKit reads it.
const SNIPPETS: &[Snippet] = &[
    (
        "comment-and-blank-in-continuation",
        "FROM scratch\nCOPY a \\\n# dropped\n  b \\\n\n  /dst/\n",
        &[],
    ),
    (
        "blanks-after-marker",
        "FROM scratch\nCOPY a \\   \n     /dst/\n",
        &[],
    ),
    (
        "escaped-escape-at-line-end",
        "FROM scratch\nENV C=trailing\\\\\nENV D=next\nRUN echo a \\\\\\\nRUN echo b\n",
        &[],
    ),
    (
        "backtick-escape",
        "# escape=`\nFROM nanoserver\nCOPY a `\n     b c:\\dst\\\nRUN dir c:\\\n",
        &[],
    ),
    (
        "bom-and-directive",
        "\u{feff}# syntax=docker/dockerfile:1\nFROM scratch\n",
        &[],
    ),
    (
        "directive-after-comment",
        "# note\n# escape=`\nFROM scratch\nRUN a \\\n  b\n",
        &[],
    ),
    (
        "duplicate-directive",
        "# escape=\\\n# escape=`\nFROM scratch\n",
        &[],
    ),
    ("invalid-escape-token", "# escape=x\nFROM scratch\n", &[]),
    (
        "space-after-heredoc-marker",
        "FROM scratch\nRUN cat << END > /x\nhello\nEND\n",
        &[(2, "`<< END` is a heredoc since BuildKit 0.22")],
    ),
    (
        "blank-after-chomp-marker",
        "FROM scratch\nRUN cat <<- END > /x\nhello\nEND\n",
        &[],
    ),
    (
        "copy-space-after-marker",
        "FROM scratch\nCOPY << END /d\nhello\nEND\n",
        &[(2, "`<< END` is a heredoc since BuildKit 0.22")],
    ),
    (
        "two-blanks-after-marker",
        "FROM scratch\nRUN <<  EOF\nx\nEOF\n",
        &[(2, "`<<  EOF` is a heredoc since BuildKit 0.22")],
    ),
    (
        "two-blanks-and-redirect",
        "FROM scratch\nRUN <<  EOF  > foo\nx\nEOF\n",
        &[(2, "`<<  EOF` is a heredoc since BuildKit 0.22")],
    ),
    (
        "heredoc-after-continuation",
        "FROM scratch\nRUN set -e && \\\n    cat >> /etc/x.toml <<'TOML'\na = $HOME\nTOML\nCOPY --chmod=0644 <<-\\CFG /etc/y.toml\n\tk = 1\nCFG\n",
        &[],
    ),
    (
        "cmd-is-not-a-heredoc",
        "FROM scratch\nCMD <<BODY\nenv\nBODY\n",
        &[],
    ),
    (
        "instruction-after-terminator",
        "FROM scratch\nCOPY <<DATA /x\nhi\nDATA\nCOPY a /b\n",
        &[],
    ),
    (
        "crlf",
        "FROM scratch\r\nRUN <<SCRIPT\r\necho hi > /out\r\nSCRIPT\r\nCOPY a \\\r\n  /b\r\n",
        &[],
    ),
    (
        "hash-before-marker",
        "FROM scratch\nRUN echo hello # note \\\nRUN echo goodbye\n",
        &[],
    ),
    (
        "single-quoted-json",
        "FROM scratch\nCMD ['/bin/app', '--flag']\n",
        &[],
    ),
    (
        "non-string-json",
        "FROM scratch\nCMD ['/bin/app']\nENTRYPOINT [\"/bin/app\", 42]\n",
        &[],
    ),
    (
        "legacy-env-with-hash",
        "FROM scratch\nENV FOO \"bar\" # baz\n",
        &[],
    ),
    ("user-heredoc", "FROM scratch\nUSER <<X\nfoo\nX\n", &[]),
    ("fd-heredoc", "FROM scratch\nRUN 3<<EMPTY2\nEMPTY2\n", &[]),
    (
        "quoted-heredoc-word",
        "FROM scratch\nRUN \"<<NOHEREDOC\"\n",
        &[],
    ),
    (
        "chomp-tab-terminator",
        "FROM scratch\nRUN <<-UNINDENT2\n\tline\n\tUNINDENT2\n",
        &[],
    ),
    (
        "crossed-terminators",
        "FROM scratch\nCOPY <<X <<Y /dest\nY\nX\nX\nY\n",
        &[],
    ),
    (
        "heredoc-then-command",
        "FROM scratch\nRUN <<COMPLEX python3\nprint(1)\nCOMPLEX\n",
        &[],
    ),
    (
        "heredoc-file-name",
        "FROM scratch\nCOPY <<file.txt /dest\nhi\nfile.txt\n",
        &[],
    ),
    (
        "partly-quoted-name",
        "FROM scratch\nRUN <<eo'f'\nx\neof\n",
        &[],
    ),
    (
        "escaped-quote-name",
        "FROM scratch\nRUN <<eo\\'f\nx\neo'f\n",
        &[],
    ),
    (
        "name-with-space",
        "FROM scratch\nRUN <<'one two'\nx\none two\n",
        &[],
    ),
    ("dollar-name", "FROM scratch\nRUN <<$EOF\nx\n$EOF\n", &[]),
    (
        "json-heredoc-word",
        "FROM scratch\nRUN [\"<<EOF\"]\nEOF\n",
        &[],
    ),
    (
        "glued-redirect",
        "FROM scratch\nRUN cat <<EOF>/tmp/x\nhi\nEOF\nEOF>/tmp/x\n",
        &[],
    ),
    (
        "unterminated-quote",
        "FROM scratch\nRUN echo 'a <<EOF\nEOF\n",
        &[],
    ),
    ("unterminated-heredoc", "FROM scratch\nRUN <<EOF\nx\n", &[]),
    ("env-without-value", "FROM scratch\nENV PATH\n", &[]),
    ("unknown-instruction", "FROM scratch\nFOO bar\nRUN\n", &[]),
    (
        "onbuild",
        "FROM scratch\nONBUILD --x RUN [\"a\"]\nONBUILD\nonbuild copy a b\n",
        &[],
    ),
    (
        "healthcheck",
        "FROM scratch\nHEALTHCHECK --interval=3s CMD [\"x\"]\nHEALTHCHECK NONE\nHEALTHCHECK CMD\n",
        &[],
    ),
    (
        "onbuild-heredoc",
        "FROM scratch\nONBUILD COPY <<A /x\nbody\nA\n",
        &[(
            2,
            "the wrapper (3.4.0) returns no heredocs for an ONBUILD trigger, though BuildKit reads the body: its end line covers it",
        )],
    ),
    (
        "flags",
        "FROM scratch\nCOPY --from=a --chown=\"x y\" -- --b c\nRUN --mount=type=cache,target=/a\\ b make\n",
        &[],
    ),
    ("no-instructions", "# only a comment\n\n", &[]),
];

#[test]
fn snippets_match_buildkit() {
    let root = std::env::temp_dir().join(format!("ballast-oracle-{}", std::process::id()));
    fs::create_dir_all(&root).expect("create a temporary folder for the snippets");
    for (name, text, _) in SNIPPETS {
        fs::write(root.join(name), text).expect("write a snippet");
    }
    let names: Vec<String> = SNIPPETS
        .iter()
        .map(|(name, _, _)| name.to_string())
        .collect();
    let oracle = run_oracle(&root, &names);
    let _ = fs::remove_dir_all(&root);
    let Some(oracle) = oracle else { return };

    let mut failures = Vec::new();
    for (name, text, expected) in SNIPPETS {
        let differences = compare_file(name, text, &oracle[*name]);
        let lines: Vec<u32> = differences
            .iter()
            .map(|difference| difference.line)
            .collect();
        let expected_lines: Vec<u32> = expected.iter().map(|(line, _)| *line).collect();
        if lines != expected_lines {
            let details: Vec<String> = differences
                .iter()
                .map(|d| format!("  line {}: {}", d.line, d.detail))
                .collect();
            failures.push(format!(
                "{name}: expected differences on {expected_lines:?}, found:\n{}",
                details.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------
// Generated files.

/// Pieces of Dockerfile text that both BuildKit v0.12.5 and current BuildKit read the same
/// way. Four things are left out on purpose. Blanks after `<<` make a heredoc only since
/// BuildKit 0.22. The `check` directive is unknown to v0.12.5, so it ends the directives
/// there. The wrapper cuts strings at NUL, and it returns no heredocs of ONBUILD triggers.
const GENERATED_FRAGMENTS: &[&str] = &[
    "FROM ",
    "RUN ",
    "COPY ",
    "ADD ",
    "ENV ",
    "LABEL ",
    "ARG ",
    "CMD ",
    "ENTRYPOINT ",
    "SHELL ",
    "USER ",
    "WORKDIR ",
    "EXPOSE ",
    "VOLUME ",
    "STOPSIGNAL ",
    "MAINTAINER ",
    "HEALTHCHECK ",
    "ONBUILD ",
    "run ",
    "Copy ",
    "FOO ",
    " AS ",
    "NONE ",
    "CMD ",
    "--from=build ",
    "--mount=type=cache,target=/a ",
    "--chown=\"a b\" ",
    "-- ",
    "--link ",
    "--x='y z' ",
    "\"",
    "'",
    "\"a b\"",
    "'c d'",
    "\\",
    "\\\\",
    "\\\\\\",
    "`",
    "# escape=`",
    "# escape=\\",
    "# syntax=docker/dockerfile:1",
    "#",
    "# note",
    "<<EOF",
    "<<-EOF",
    "<<'EOF'",
    "<<\"EOF\"",
    "3<<EOF",
    "<<-\\EOF",
    "<<EO\"F\"",
    "<<",
    "<<<",
    "EOF",
    "\tEOF",
    "<<A <<B",
    "A",
    "B",
    "[\"a\", \"b\"]",
    "[1]",
    "[\"a\",]",
    "[",
    "]",
    "[]",
    "${X:-y}",
    "$X",
    "a",
    "/dst",
    "x=y",
    "k=\"v w\"",
    "echo hi",
    "&&",
    " ",
    "\t",
    "  ",
    "\u{b}",
    "\u{c}",
    "\r",
    "中文",
    "😀",
    "é",
];

/// A small deterministic generator (SplitMix64), so every run checks the same files.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Builds a Dockerfile-like text from fragments, with LF or CRLF line ends.
fn generated_text(random: &mut SplitMix64) -> String {
    let mut text = String::new();
    if random.below(10) == 0 {
        text.push('\u{feff}');
    }
    let crlf = random.below(4) == 0;
    for _ in 0..random.below(12) + 1 {
        for _ in 0..random.below(7) {
            text.push_str(GENERATED_FRAGMENTS[random.below(GENERATED_FRAGMENTS.len())]);
        }
        text.push_str(if crlf { "\r\n" } else { "\n" });
    }
    text
}

/// Returns whether both BuildKit versions read `text` the same way, by the rules of
/// `GENERATED_FRAGMENTS`, because fragments can still meet to form `<< ` or an ONBUILD
/// heredoc.
fn same_in_both_versions(text: &str) -> bool {
    let blank_after_marker = ["<< ", "<<\t", "<<\r", "<<\u{b}", "<<\u{c}", "<<- ", "<<-\t"];
    let onbuild_heredoc = text.to_ascii_lowercase().contains("onbuild") && text.contains("<<");
    !blank_after_marker
        .iter()
        .any(|pattern| text.contains(pattern))
        && !onbuild_heredoc
}

/// Returns whether `text` starts with a JSON array that text after it makes invalid. BuildKit reads
/// exec form with `json.Unmarshal` since July 2024, which rejects such text, so it is shell
/// form. v0.12.5 used `json.NewDecoder`, which stops after the array and ignores the rest.
fn json_with_trailing_text(text: &str) -> bool {
    let text = text.trim();
    if !text.starts_with('[') {
        return false;
    }
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    matches!(values.next(), Some(Ok(serde_json::Value::Array(_))))
        && values.byte_offset() < text.len()
}

/// Returns whether a difference on `line` (0 for the whole file) comes from the exec-form
/// change: an instruction there, or anywhere for a whole-file verdict, has JSON with
/// trailing text.
fn explained_by_json_change(tree: &Dockerfile, line: u32) -> bool {
    tree.instructions()
        .filter(|instruction| line == 0 || instruction.start_line == line)
        .any(|instruction| {
            let target = match &instruction.args {
                Args::Onbuild {
                    trigger: Some(trigger),
                } => trigger.as_ref(),
                _ => instruction,
            };
            // HEALTHCHECK's command follows its type word.
            let command = target
                .rest
                .split_once(char::is_whitespace)
                .map_or("", |(_, command)| command);
            json_with_trailing_text(&target.rest) || json_with_trailing_text(command)
        })
}

#[test]
fn generated_files_match_buildkit() {
    const FILES: usize = 3000;
    let mut random = SplitMix64(0x0ba1_1a57);
    let mut texts = Vec::with_capacity(FILES);
    while texts.len() < FILES {
        let text = generated_text(&mut random);
        if same_in_both_versions(&text) {
            texts.push(text);
        }
    }

    let root =
        std::env::temp_dir().join(format!("ballast-oracle-generated-{}", std::process::id()));
    fs::create_dir_all(&root).expect("create a temporary folder for the generated files");
    let names: Vec<String> = (0..texts.len())
        .map(|index| format!("{index:04}"))
        .collect();
    for (name, text) in names.iter().zip(&texts) {
        fs::write(root.join(name), text).expect("write a generated file");
    }
    let oracle = run_oracle(&root, &names);
    let _ = fs::remove_dir_all(&root);
    let Some(oracle) = oracle else { return };

    let mut failures = Vec::new();
    for (name, text) in names.iter().zip(&texts) {
        let tree = parse(text);
        for difference in compare_file(name, text, &oracle[name]) {
            if explained_by_json_change(&tree, difference.line) {
                continue;
            }
            failures.push(format!(
                "{text:?}\n  line {}: {}",
                difference.line, difference.detail
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} difference(s) from BuildKit v0.12.5 on generated files; the first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
