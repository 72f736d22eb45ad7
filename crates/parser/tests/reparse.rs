//! `reparse` returns exactly the tree `parse` returns for the edited text, whether it parses
//! a window or falls back to a whole parse. Trees are compared as JSON, which covers every
//! field at every depth.
//!
//! The inputs are the real corpus and BuildKit's parser cases, which the corpus tests read
//! too, and generated files. They get single random edits and chains of edits, where each
//! reparsed tree is the input of the next reparse.

use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

use ballast_parser::{Dockerfile, TextEdit, parse, reparse, try_reparse};
use proptest::prelude::*;
use serde_json::Value;

fn shared_corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// Reads the real corpus files named in `MANIFEST.tsv`, then BuildKit's positive and
/// negative parser cases, once per test binary.
fn corpus_files() -> &'static [String] {
    static FILES: OnceLock<Vec<String>> = OnceLock::new();
    FILES.get_or_init(|| {
        let real = shared_corpus().join("real");
        let manifest = fs::read_to_string(real.join("MANIFEST.tsv")).expect("MANIFEST.tsv of the real corpus");
        let mut files: Vec<String> = manifest
            .lines()
            .skip(1)
            .filter_map(|line| line.split('\t').next())
            .map(|name| {
                let bytes = fs::read(real.join(name)).unwrap_or_else(|error| panic!("{name}: {error}"));
                String::from_utf8_lossy(&bytes).into_owned()
            })
            .collect();
        for folder in ["testfiles", "testfiles-negative"] {
            let folder = shared_corpus().join("buildkit-parser").join(folder);
            let mut dirs: Vec<PathBuf> = fs::read_dir(&folder)
                .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
                .map(|entry| entry.unwrap().path())
                .filter(|path| path.is_dir())
                .collect();
            dirs.sort();
            for dir in dirs {
                files.push(fs::read_to_string(dir.join("Dockerfile")).unwrap());
            }
        }
        assert!(files.len() > 1000, "expected the whole corpus, found {} files", files.len());
        files
    })
}

/// Returns the path and the two values at the first place where `actual` and `expected`
/// differ, so a failure names one field instead of printing two trees.
fn first_difference(actual: &Value, expected: &Value, path: &str) -> Option<String> {
    match (actual, expected) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, expected_value) in b {
                let Some(actual_value) = a.get(key) else { return Some(format!("{path}.{key}: missing")) };
                if let Some(difference) = first_difference(actual_value, expected_value, &format!("{path}.{key}")) {
                    return Some(difference);
                }
            }
            a.keys().find(|key| !b.contains_key(*key)).map(|key| format!("{path}.{key}: unexpected"))
        }
        (Value::Array(a), Value::Array(b)) => {
            for (index, (actual_value, expected_value)) in a.iter().zip(b).enumerate() {
                if let Some(difference) = first_difference(actual_value, expected_value, &format!("{path}[{index}]")) {
                    return Some(difference);
                }
            }
            (a.len() != b.len()).then(|| format!("{path}: {} items, expected {}", a.len(), b.len()))
        }
        _ => (actual != expected).then(|| format!("{path}: {actual} expected {expected}")),
    }
}

/// Returns a description of the first difference between the two trees, if any.
fn tree_difference(actual: &Dockerfile, expected: &Dockerfile) -> Option<String> {
    let actual = serde_json::to_value(actual).unwrap();
    let expected = serde_json::to_value(expected).unwrap();
    first_difference(&actual, &expected, "tree")
}

/// Replaces bytes `start..end` of `text` with `insert` and returns the new text and the edit.
fn apply(text: &str, start: usize, end: usize, insert: &str) -> (String, TextEdit) {
    let new_text = format!("{}{insert}{}", &text[..start], &text[end..]);
    (new_text, TextEdit { start, old_end: end, new_end: start + insert.len() })
}

/// Reparses `old_text` edited as given and asserts the result equals a whole parse.
/// Returns whether the reparse parsed a window rather than the whole text.
fn assert_reparse(old_text: &str, start: usize, end: usize, insert: &str) -> bool {
    let (new_text, edit) = apply(old_text, start, end, insert);
    let expected = parse(&new_text);
    let incremental = try_reparse(parse(old_text), old_text, &new_text, edit);
    let windowed = incremental.is_some();
    let actual = incremental.unwrap_or_else(|| reparse(parse(old_text), old_text, &new_text, edit));
    if let Some(difference) = tree_difference(&actual, &expected) {
        panic!("{difference}\nedit {edit:?}, inserted {insert:?}\nold text:\n{old_text}\nnew text:\n{new_text}");
    }
    windowed
}

/// A typical multi-stage Dockerfile block, 14 lines.
const BLOCK: &str = "\
# build stage
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
ENV CGO_ENABLED=0 GOFLAGS=\"-trimpath -mod=readonly\"
RUN --mount=type=cache,target=/root/.cache/go-build \\
    go build -o /out/app ./cmd/app && \\
    strip /out/app
COPY <<EOF /etc/app.conf
listen = \"0.0.0.0:8080\"
EOF
# runtime
ONBUILD RUN echo trigger
HEALTHCHECK --interval=5s CMD [\"curl\", \"-f\", \"http://localhost/\"]
RUN echo done

";

/// Builds a file of `blocks` repetitions of [`BLOCK`].
fn large_file(blocks: usize) -> String {
    BLOCK.repeat(blocks)
}

/// Returns the byte offset of the `occurrence`-th (0-based) match of `needle`.
fn nth_offset(text: &str, needle: &str, occurrence: usize) -> usize {
    text.match_indices(needle).nth(occurrence).unwrap_or_else(|| panic!("no match {occurrence} of {needle:?}")).0
}

#[test]
fn typing_in_middle_of_large_file() {
    let text = large_file(400);
    let at = nth_offset(&text, "strip /out/app", 200) + "strip".len();
    assert!(assert_reparse(&text, at, at, "x"));
    assert!(assert_reparse(&text, at, at + 1, ""));
    assert!(assert_reparse(&text, at, at, "中"));
}

#[test]
fn inserting_instruction_line() {
    let text = large_file(50);
    let at = nth_offset(&text, "RUN echo done", 20);
    assert!(assert_reparse(&text, at, at, "RUN apt-get update\n"));
    assert!(assert_reparse(&text, at, at, "FROM scratch AS extra\n"));
    assert!(assert_reparse(&text, at, at, "ONBUILD RUN x\n"));
}

#[test]
fn deleting_lines() {
    let text = large_file(50);
    let start = nth_offset(&text, "# runtime", 20);
    let end = nth_offset(&text, "RUN echo done", 20);
    assert!(assert_reparse(&text, start, end, ""));
}

#[test]
fn keyword_case_change() {
    let text = large_file(50);
    let at = nth_offset(&text, "RUN echo done", 20);
    assert!(assert_reparse(&text, at, at + 3, "run"));
    assert!(assert_reparse(&text, at, at + 3, "RUNX"));
}

#[test]
fn trailing_backslash_joins_next_line() {
    let text = large_file(50);
    let at = nth_offset(&text, "RUN echo trigger", 20) + "RUN echo trigger".len();
    assert!(assert_reparse(&text, at, at, " \\"));
    let at = nth_offset(&text, "RUN echo done", 20) + "RUN echo done".len();
    assert!(assert_reparse(&text, at, at, " \\"));
}

#[test]
fn removing_trailing_backslash_splits_lines() {
    let text = large_file(50);
    let at = nth_offset(&text, "./cmd/app && \\", 20) + "./cmd/app && ".len();
    assert!(assert_reparse(&text, at, at + 1, ""));
}

#[test]
fn heredoc_opener_swallows_rest() {
    // Every line after the opener is a body line until the `EOF` at the end of the file.
    let mut text = String::from("FROM a\nRUN true\n");
    for index in 0..300 {
        text.push_str(&format!("run echo {index}\n# note\n\n"));
    }
    text.push_str("EOF\n");
    let at = nth_offset(&text, "RUN true", 0) + "RUN true".len();
    assert_reparse(&text, at, at, " <<EOF");

    // Without a terminator, the body ends before the next instruction in upper case.
    let text = large_file(50);
    let at = nth_offset(&text, "RUN echo done", 20) + "RUN echo done".len();
    assert!(assert_reparse(&text, at, at, " <<END"));
}

#[test]
fn heredoc_terminator_closes_body() {
    let text = "FROM a\nRUN <<EOF\necho 1\nrun echo 2\nCOPY a b\nRUN x\n";
    let at = text.find("COPY").unwrap();
    assert!(assert_reparse(text, at, at, "EOF\n"));

    // Changing a terminator line reopens the body.
    let text = large_file(50);
    let at = nth_offset(&text, "\nEOF\n", 20) + 1;
    assert!(assert_reparse(&text, at, at + 3, "EOX"));
    assert!(assert_reparse(&text, at, at, "\t"));
}

#[test]
fn unterminated_heredoc_above_falls_back() {
    // The body of `<<END` ends before the next instruction, and the search for its
    // terminator covers the rest of the file.
    let mut text = String::from("FROM a\nRUN <<END\nbody\n");
    text.push_str(&large_file(20));
    let at = text.len();
    assert!(!assert_reparse(&text, at, at, "END\n"));
    let at = nth_offset(&text, "RUN echo done", 10);
    assert!(!assert_reparse(&text, at, at, "END\n"));
    assert!(!assert_reparse(&text, at, at, "x"));
}

#[test]
fn comment_edit_changes_next_instruction() {
    let text = large_file(50);
    let at = nth_offset(&text, "# runtime", 20) + "# runtime".len();
    assert!(assert_reparse(&text, at, at, " image"));
    // An empty comment clears the comments collected before it.
    let at = nth_offset(&text, "# runtime", 20) + 1;
    assert!(assert_reparse(&text, at, at + " runtime".len(), ""));
    let at = nth_offset(&text, "ONBUILD", 20);
    assert!(assert_reparse(&text, at, at, "#\n"));
    assert!(assert_reparse(&text, at, at, "# another\n\n"));
}

#[test]
fn directive_edit_falls_back() {
    let text = format!("# escape=`\n# syntax=docker/dockerfile:1\n{}", large_file(10));
    assert!(!assert_reparse(&text, 9, 10, "\\"));
    assert!(!assert_reparse(&text, 0, 0, "# check=skip=all\n"));
    // The line after the directives may become one.
    let at = text.find("# build stage").unwrap();
    assert!(!assert_reparse(&text, at, at + "# build stage".len(), "# check=error=true"));
    // Past the first node after them, an edit cannot change the directives.
    let at = nth_offset(&text, "RUN echo done", 3);
    assert!(assert_reparse(&text, at, at, "# escape=\\\n"));
}

#[test]
fn byte_order_mark() {
    let text = format!("\u{feff}{}", large_file(10));
    assert!(!assert_reparse(&text, 0, 3, ""));
    assert_reparse(&text, 3, 3, "\u{feff}");
    assert!(assert_reparse(&text, 3, 3, "FROM x\n"));
    let at = nth_offset(&text, "RUN echo done", 5);
    assert!(assert_reparse(&text, at, at, "x"));
    let text = large_file(10);
    assert!(!assert_reparse(&text, 0, 0, "\u{feff}"));
}

#[test]
fn first_instruction_edit() {
    let text = large_file(10);
    let at = text.find("FROM").unwrap();
    assert!(assert_reparse(&text, at, at + 4, "from"));
    let text = format!("FROM a\n{}", large_file(10));
    assert!(assert_reparse(&text, 0, 0, "ARG X=1\n"));
    assert!(assert_reparse(&text, 5, 6, "b"));
    // A directive above the first instruction changes the whole tree.
    assert!(!assert_reparse(&text, 0, 0, "# escape=`\n"));
    assert!(!assert_reparse(&text, 0, 0, "# syntax=docker/dockerfile:1\n"));
    // A comment that only looks like a directive does not.
    assert!(assert_reparse(&text, 0, 0, "# version=1\n"));
}

#[test]
fn edit_at_end_without_newline() {
    let text = format!("{}RUN last", large_file(20));
    let end = text.len();
    assert!(assert_reparse(&text, end, end, " \\"));
    assert!(assert_reparse(&text, end, end, "\nRUN more"));
    assert!(assert_reparse(&text, end - 1, end, ""));
    assert!(assert_reparse(&text, end, end, " <<EOF"));
    let text = format!("{}RUN last \\", large_file(20));
    let end = text.len();
    assert!(assert_reparse(&text, end, end, "\n  more"));
    assert!(assert_reparse(&text, end - 1, end, ""));
}

#[test]
fn first_from_edit_changes_later_errors() {
    // Without a FROM above them, instructions report "no build stage in current context".
    let text = format!("ARG X\n{}", "RUN a\n".repeat(200));
    let at = nth_offset(&text, "RUN a", 100);
    assert!(assert_reparse(&text, at, at, "FROM a\n"));
    let text = format!("ARG X\n{}FROM a\n{}", "RUN a\n".repeat(100), "RUN a\n".repeat(100));
    let at = text.find("FROM").unwrap();
    assert!(assert_reparse(&text, at, at + 4, "FRM"));
    assert!(assert_reparse(&text, at, at, "RUN b\n"));
}

#[test]
fn long_lines_report_errors_in_order() {
    let long = "x".repeat(70_000);
    let text = format!("{}RUN {long}\n{}RUN [\"{long}\", 1]\n{}", large_file(5), large_file(5), large_file(5));
    let long_lines = parse(&text).errors.iter().filter(|error| error.message.contains("max allowed size")).count();
    assert_eq!(long_lines, 2);
    let at = nth_offset(&text, "RUN xx", 0) + 4;
    assert!(assert_reparse(&text, at, at, "y"));
    assert!(assert_reparse(&text, at - 4, at - 4, "RUN b\n"));
    let at = nth_offset(&text, "RUN [", 0) + 5;
    assert!(assert_reparse(&text, at, at, "y"));
    assert!(assert_reparse(&text, at, at + 1, ""));
    let at = nth_offset(&text, "RUN echo done", 2);
    assert!(assert_reparse(&text, at, at, "y"));
}

#[test]
fn bare_continuation_at_end() {
    // The last instruction has an empty logical line, so its spans from the line map are 0.
    let text = format!("{}\\\n\\", large_file(10));
    let at = nth_offset(&text, "RUN echo done", 5);
    assert!(assert_reparse(&text, at, at, "x"));
    let end = text.len();
    assert!(assert_reparse(&text, end, end, "\nRUN x"));
    let text = large_file(10);
    let end = text.len();
    assert!(assert_reparse(&text, end, end, "\\"));
}

#[test]
fn line_endings_and_multibyte_characters() {
    let text = large_file(20).replace('\n', "\r\n");
    let at = nth_offset(&text, "RUN echo done", 10) + "RUN echo done".len();
    assert!(assert_reparse(&text, at, at, " \\"));
    assert!(assert_reparse(&text, at + 1, at + 2, ""));
    assert!(assert_reparse(&text, at, at + 1, ""));
    assert!(assert_reparse(&text, at, at, "\r"));

    // The edit replaces only the last byte of a three-byte character.
    let text = format!("{}RUN echo 中\n{}", large_file(10), large_file(10));
    let at = text.find('中').unwrap();
    let mut bytes = text.clone().into_bytes();
    bytes[at + 2] = "丫".as_bytes()[2];
    let new_text = String::from_utf8(bytes).unwrap();
    let edit = TextEdit { start: at + 2, old_end: at + 3, new_end: at + 3 };
    let actual = try_reparse(parse(&text), &text, &new_text, edit).expect("a window reparse");
    assert_eq!(tree_difference(&actual, &parse(&new_text)), None);
}

#[test]
fn empty_and_tiny_texts() {
    assert!(!assert_reparse("", 0, 0, "FROM a"));
    assert!(!assert_reparse("FROM a", 0, 6, ""));
    assert!(!assert_reparse("# comment\n", 10, 10, "\n"));
    assert_reparse("FROM a\n", 7, 7, "R");
    assert_reparse("FROM a\nRUN b\nRUN c\n", 14, 14, "#");
}

/// Inputs that once gave a tree different from a whole parse.
#[test]
fn known_inputs_match_parse() {
    // The last instruction's logical line is empty, so its spans from the line map are 0.
    assert_reparse("LABEL \"x\"=y\n\\", 0, 1, "");
    assert_reparse("RUN cat <<-EOF > /x\nFROM alpine AS build\nFROM alpine AS build\nbody line\n\\", 0, 0, "\n");
    // The first line starts after a byte order mark.
    assert!(assert_reparse("\u{feff}# build stage\nFROM a\nRUN b\nRUN c\n", 3, 3, "FROM x\n"));
}

#[test]
fn offsets_outside_text_fall_back() {
    let text = large_file(5);
    let tree = parse(&text);
    let edits = [
        TextEdit { start: text.len() + 1, old_end: text.len() + 1, new_end: text.len() + 1 },
        TextEdit { start: 10, old_end: 5, new_end: 10 },
        TextEdit { start: 10, old_end: 12, new_end: 11 },
        TextEdit { start: usize::MAX, old_end: usize::MAX, new_end: usize::MAX },
    ];
    for edit in edits {
        assert!(try_reparse(tree.clone(), &text, &text, edit).is_none(), "{edit:?}");
        assert_eq!(tree_difference(&reparse(tree.clone(), &text, &text, edit), &parse(&text)), None);
    }
}

/// Every corpus file edited in its middle: a character typed into the line there, a line
/// inserted before it, and the line deleted. Most of these edits parse only a window.
#[test]
fn corpus_edits_reparse_incrementally() {
    let mut edits = 0;
    let mut windowed = 0;
    for text in corpus_files() {
        let mut middle = text.len() / 2;
        while !text.is_char_boundary(middle) {
            middle -= 1;
        }
        let line_start = text[..middle].rfind('\n').map_or(0, |index| index + 1);
        let line_end = text[middle..].find('\n').map_or(text.len(), |index| middle + index + 1);
        for (start, end, insert) in
            [(middle, middle, "x"), (line_start, line_start, "RUN echo hi\n"), (line_start, line_end, "")]
        {
            edits += 1;
            windowed += usize::from(assert_reparse(text, start, end, insert));
        }
    }
    assert!(windowed * 10 > edits * 8, "only {windowed} of {edits} edits parsed a window");
}

const INSERTS: &[&str] = &[
    "\n",
    "\\\n",
    "\\",
    "`\n",
    "`",
    "RUN echo hi\n",
    "run ",
    "RUN <<EOF\n",
    "<<EOF\n",
    "<<-EOF\n",
    " <<EOF",
    "COPY <<A <<B /d\n",
    "ONBUILD COPY <<EOF /x\n",
    "EOF\n",
    "\tEOF\n",
    "EOF",
    "A\n",
    "# comment\n",
    "#\n",
    "#",
    "FROM a AS b\n",
    "ONBUILD RUN x\n",
    "HEALTHCHECK CMD x\n",
    "ENV a=b c\n",
    "--mount=type=cache,target=/a ",
    "# escape=`\n",
    "# syntax=docker/dockerfile:1\n",
    "\"",
    "'",
    "\r\n",
    "\r",
    "中",
    "😀",
    "\u{feff}",
    " ",
    "  ",
    "\t",
    "$",
    "{",
    "}",
    "${",
    "[\"a\"]",
    "x",
];

/// Whole lines for generated files.
const LINES: &[&str] = &[
    "FROM alpine AS build",
    "FROM build",
    "RUN echo hi",
    "RUN a \\",
    "  && b",
    "RUN <<EOF",
    "RUN cat <<-EOF > /x",
    "COPY <<A <<B /d",
    "ONBUILD RUN <<EOF",
    "body line",
    "EOF",
    "\tEOF",
    "A",
    "B",
    "# comment",
    "#",
    "# escape=`",
    "",
    "  ",
    "ENV a=b",
    "ENV a",
    "LABEL \"x\"=y",
    "HEALTHCHECK NONE",
    "ONBUILD",
    "CMD [\"a\", 1]",
    "COPY a",
    "ARG X",
    "run lower",
    "FOO bar",
    "RUN `",
    "RUN x \\ ",
    "\\",
    "RUN 中文",
];

fn generated_file() -> impl Strategy<Value = String> {
    let line_ending = prop_oneof![8 => Just("\n"), 1 => Just("\r\n"), 1 => Just("\r")];
    (proptest::collection::vec((proptest::sample::select(LINES), line_ending), 1..60), any::<bool>()).prop_map(
        |(lines, final_newline)| {
            let mut text: String = lines.iter().map(|(line, ending)| format!("{line}{ending}")).collect();
            if !final_newline {
                text.truncate(text.trim_end_matches(['\n', '\r']).len());
            }
            text
        },
    )
}

fn input_file() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<proptest::sample::Index>().prop_map(|index| index.get(corpus_files()).clone()),
        2 => generated_file(),
    ]
}

/// A random edit: where it starts, how many characters it removes and what it inserts.
#[derive(Clone, Debug)]
struct EditChoice {
    at: proptest::sample::Index,
    removed_chars: usize,
    insert: String,
}

fn edit_choice() -> impl Strategy<Value = EditChoice> {
    let insert = prop_oneof![
        2 => Just(String::new()),
        6 => proptest::sample::select(INSERTS).prop_map(str::to_string),
        2 => proptest::collection::vec(proptest::sample::select(INSERTS), 2..5).prop_map(|parts| parts.concat()),
    ];
    let removed_chars = prop_oneof![3 => Just(0usize), 2 => 1..4usize, 1 => 4..80usize];
    (any::<proptest::sample::Index>(), removed_chars, insert).prop_map(|(at, removed_chars, insert)| EditChoice {
        at,
        removed_chars,
        insert,
    })
}

/// Turns a choice into byte offsets of `text` on character boundaries.
fn locate(text: &str, choice: &EditChoice) -> (usize, usize) {
    let mut start = choice.at.index(text.len() + 1);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let end = text[start..].char_indices().nth(choice.removed_chars).map_or(text.len(), |(offset, _)| start + offset);
    (start, end)
}

/// Applies `choices` in turn, each reparse taking the previous result, and compares every
/// step with a whole parse.
fn check_chain(text: &str, choices: &[EditChoice]) -> Result<(), TestCaseError> {
    let mut text = text.to_string();
    let mut tree = parse(&text);
    for choice in choices {
        let (start, end) = locate(&text, choice);
        let (new_text, edit) = apply(&text, start, end, &choice.insert);
        tree = reparse(tree, &text, &new_text, edit);
        let difference = tree_difference(&tree, &parse(&new_text));
        prop_assert!(difference.is_none(), "{}\nedit {:?}\nnew text:\n{:?}", difference.unwrap(), edit, new_text);
        text = new_text;
    }
    Ok(())
}

/// Returns the edit that covers exactly the bytes in which the two texts differ.
fn byte_level_edit(old_text: &str, new_text: &str) -> TextEdit {
    let (old_bytes, new_bytes) = (old_text.as_bytes(), new_text.as_bytes());
    let prefix = old_bytes.iter().zip(new_bytes).take_while(|(a, b)| a == b).count();
    let max_suffix = old_bytes.len().min(new_bytes.len()) - prefix;
    let suffix =
        old_bytes.iter().rev().zip(new_bytes.iter().rev()).take(max_suffix).take_while(|(a, b)| a == b).count();
    TextEdit { start: prefix, old_end: old_bytes.len() - suffix, new_end: new_bytes.len() - suffix }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn single_edit_matches_parse(text in input_file(), choice in edit_choice()) {
        check_chain(&text, &[choice])?;
    }

    #[test]
    fn edit_chain_matches_parse(text in input_file(), choices in proptest::collection::vec(edit_choice(), 2..10)) {
        check_chain(&text, &choices)?;
    }

    /// Edits whose offsets are the bytes that differ, which may split a multi-byte
    /// character, as a byte-level diff of the two texts reports them.
    #[test]
    fn byte_level_edit_matches_parse(text in input_file(), choice in edit_choice()) {
        let (start, end) = locate(&text, &choice);
        let (new_text, _) = apply(&text, start, end, &choice.insert);
        let edit = byte_level_edit(&text, &new_text);
        let tree = reparse(parse(&text), &text, &new_text, edit);
        let difference = tree_difference(&tree, &parse(&new_text));
        prop_assert!(difference.is_none(), "{}\nedit {:?}\nnew text:\n{:?}", difference.unwrap(), edit, new_text);
    }
}
