//! Lines that BuildKit reads in a particular way and that other Dockerfile tools get
//! wrong: continuation markers, comments, parser directives, the byte order mark, CRLF,
//! exec-form detection and error recovery. Also checks that spans point at the right bytes
//! and that `LineIndex` counts UTF-16 columns.

use ballast_parser::dump::buildkit_dump;
use ballast_parser::{
    Args, Command, Dockerfile, ErrorKind, Instruction, Keyword, LineCol, LineIndex, NodeKind, Span,
    parse,
};

/// Parses `text` and asserts that it has no error of either phase.
fn parse_clean(text: &str) -> Dockerfile {
    let tree = parse(text);
    assert!(
        tree.errors.is_empty(),
        "unexpected errors: {:#?}",
        tree.errors
    );
    tree
}

/// Returns the instruction that starts on 1-based `line`.
fn instruction_at(tree: &Dockerfile, line: u32) -> &Instruction {
    tree.instructions()
        .find(|instruction| instruction.start_line == line)
        .unwrap_or_else(|| panic!("no instruction starts on line {line}"))
}

fn word_values(instruction: &Instruction) -> Vec<&str> {
    instruction
        .args
        .words()
        .iter()
        .map(|word| word.value.as_str())
        .collect()
}

fn keywords(tree: &Dockerfile) -> Vec<&str> {
    tree.instructions()
        .map(|instruction| instruction.keyword_text.as_str())
        .collect()
}

fn messages(tree: &Dockerfile) -> Vec<&str> {
    tree.errors
        .iter()
        .map(|error| error.message.as_str())
        .collect()
}

fn comment_texts(tree: &Dockerfile) -> Vec<&str> {
    tree.nodes
        .iter()
        .filter_map(|node| match &node.kind {
            NodeKind::Comment(comment) => Some(comment.text.as_str()),
            _ => None,
        })
        .collect()
}

/// Returns the byte offset of the `n`th (0-based) occurrence of `needle` in `text`.
fn nth_offset(text: &str, needle: &str, n: usize) -> usize {
    text.match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("{needle:?} #{n} not in {text:?}"))
        .0
}

// ---------------------------------------------------------------------------------------
// Continuation lines.

#[test]
fn comment_and_blank_inside_continuation() {
    let text = "FROM scratch\nCOPY a \\\n# a comment line: dropped, continuation stays open\n  b \\\n\n  /dst/\n";
    let tree = parse_clean(text);
    assert_eq!(tree.instructions().count(), 2);
    let copy = instruction_at(&tree, 2);
    assert_eq!(word_values(copy), ["a", "b", "/dst/"]);
    assert_eq!(copy.line, "COPY a   b   /dst/");
    assert_eq!(copy.end_line, 6);
    assert_eq!(copy.inner_comments.len(), 1);
    assert!(
        copy.inner_comments[0]
            .text(text)
            .starts_with("# a comment line")
    );
    assert_eq!(copy.empty_continuation_lines.len(), 1);
    assert_eq!(
        LineIndex::new(text).line_of(copy.empty_continuation_lines[0].start),
        4
    );
}

#[test]
fn blanks_after_continuation_marker() {
    let tree = parse_clean("FROM scratch\nCOPY a \\   \n     /dst/\nCOPY b \\\t \n /c/\n");
    assert_eq!(word_values(instruction_at(&tree, 2)), ["a", "/dst/"]);
    assert_eq!(word_values(instruction_at(&tree, 4)), ["b", "/c/"]);
    assert_eq!(tree.instructions().count(), 3);
}

#[test]
fn escaped_escape_ends_the_line() {
    let text = "FROM scratch\nENV C=trailing\\\\\nENV D=next\nRUN echo a \\\\\\\nRUN echo b\n";
    let tree = parse_clean(text);
    assert_eq!(keywords(&tree), ["FROM", "ENV", "ENV", "RUN", "RUN"]);

    let Args::KeyValues { pairs } = &instruction_at(&tree, 2).args else {
        panic!("ENV has no pairs")
    };
    assert_eq!(pairs[0].key.value, "C");
    assert_eq!(pairs[0].value.value, "trailing\\\\");
    assert_eq!(word_values(instruction_at(&tree, 4)), ["echo a \\\\\\"]);
    assert_eq!(word_values(instruction_at(&tree, 5)), ["echo b"]);
}

#[test]
fn continuation_joins_without_separator() {
    let tree = parse_clean("FROM scratch\nRUN echo hel\\\nlo\nRUN echo hello\\\n  world\n");
    assert_eq!(word_values(instruction_at(&tree, 2)), ["echo hello"]);
    assert_eq!(word_values(instruction_at(&tree, 4)), ["echo hello  world"]);
}

#[test]
fn marker_on_last_line() {
    let tree = parse_clean("FROM scratch\nRUN echo a \\");
    let run = instruction_at(&tree, 2);
    assert_eq!(word_values(run), ["echo a"]);
    assert_eq!(run.end_line, 2);
}

#[test]
fn comment_never_continues() {
    let tree = parse_clean("FROM scratch\n# note \\\nRUN echo a\n");
    assert_eq!(keywords(&tree), ["FROM", "RUN"]);
    assert_eq!(comment_texts(&tree), ["note \\"]);
}

#[test]
fn backtick_escape_directive() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY a `\n     b c:\\dst\\\nRUN dir c:\\\n";
    let tree = parse_clean(text);
    assert_eq!(tree.escape, '`');
    assert_eq!(
        tree.directive("escape")
            .map(|directive| directive.value.as_str()),
        Some("`")
    );
    assert_eq!(keywords(&tree), ["FROM", "COPY", "RUN"]);
    assert_eq!(
        word_values(instruction_at(&tree, 3)),
        ["a", "b", "c:\\dst\\"]
    );
    assert_eq!(instruction_at(&tree, 3).end_line, 4);
    assert_eq!(word_values(instruction_at(&tree, 5)), ["dir c:\\"]);
}

#[test]
fn backtick_escape_in_env_words() {
    let tree = parse_clean("# escape=`\nFROM scratch\nENV A=x` y B=c:\\dir\n");
    let Args::KeyValues { pairs } = &instruction_at(&tree, 3).args else {
        panic!("ENV has no pairs")
    };
    let values: Vec<(&str, &str)> = pairs
        .iter()
        .map(|pair| (pair.key.value.as_str(), pair.value.value.as_str()))
        .collect();
    assert_eq!(values, [("A", "x` y"), ("B", "c:\\dir")]);
}

// ---------------------------------------------------------------------------------------
// Byte order mark and CRLF.

#[test]
fn byte_order_mark_is_stripped() {
    let text = "\u{feff}# syntax=docker/dockerfile:1\nFROM scratch\n";
    let tree = parse_clean(text);
    assert!(tree.bom);
    assert_eq!(
        tree.directive("syntax")
            .map(|directive| directive.value.as_str()),
        Some("docker/dockerfile:1")
    );
    let from = instruction_at(&tree, 2);
    assert_eq!(from.keyword, Keyword::From);
    assert_eq!(
        tree.nodes[0].span.start, 0,
        "the first node covers the byte order mark"
    );
    assert_eq!(tree.text_of_nodes(text), text);
}

#[test]
fn byte_order_mark_before_instruction() {
    let text = "\u{feff}FROM scratch\n";
    let tree = parse_clean(text);
    let from = instruction_at(&tree, 1);
    assert_eq!(from.keyword_text, "FROM");
    assert_eq!(from.keyword_span.text(text), "FROM");
}

#[test]
fn outline_skips_byte_order_mark() {
    let outline = |text: &str| ballast_parser::dump::outline(&parse(text), text);
    let with_bom = outline("\u{feff}FROM scratch AS a b\n");
    assert!(with_bom.contains("\"scratch\" @ 1:6"), "{with_bom}");
    assert_eq!(with_bom, outline("FROM scratch AS a b\n"));
}

#[test]
fn crlf_reads_like_lf() {
    let text = "# escape=`\r\nFROM scratch\r\n# note `\r\nRUN echo a `\r\n# inside `\r\n  b\r\nCOPY x `\r\n\r\n  /y\r\n";
    let tree = parse(text);
    assert_eq!(tree.escape, '`');
    assert_eq!(
        tree.directive("escape")
            .map(|directive| directive.value.as_str()),
        Some("`")
    );
    assert_eq!(keywords(&tree), ["FROM", "RUN", "COPY"]);
    assert_eq!(word_values(instruction_at(&tree, 4)), ["echo a   b"]);
    let copy = instruction_at(&tree, 7);
    assert_eq!(word_values(copy), ["x", "/y"]);
    assert_eq!(copy.end_line, 9);
    assert_eq!(copy.empty_continuation_lines.len(), 1);
    assert_eq!(tree.text_of_nodes(text), text);
}

#[test]
fn bare_carriage_return_is_not_a_line_break() {
    // `\r` alone does not end a line, and BuildKit splits FROM's arguments on it.
    let tree = parse("FROM scratch\rRUN echo a\n");
    assert_eq!(keywords(&tree), ["FROM"]);
    assert_eq!(
        word_values(instruction_at(&tree, 1)),
        ["scratch", "RUN", "echo", "a"]
    );
    assert_eq!(
        messages(&tree),
        ["FROM requires either one or three arguments"]
    );
}

// ---------------------------------------------------------------------------------------
// Parser directives.

#[test]
fn directive_forms() {
    for line in [
        "# escape=`",
        "#escape=`",
        "#  EScape =  ` \t",
        "  # escape=`",
        "# ESCAPE=`",
    ] {
        let tree = parse(&format!("{line}\nFROM scratch\nRUN a `\n  b\n"));
        assert_eq!(tree.escape, '`', "{line:?}");
        assert_eq!(tree.instructions().count(), 2, "{line:?}");
    }
}

#[test]
fn directive_scan_stops() {
    let stoppers = [
        ("comment", "# just a note\n# escape=`\n"),
        ("blank line", "\n# escape=`\n"),
        ("unknown directive", "# foo=bar\n# escape=`\n"),
        ("shebang", "#!/usr/bin/env docker\n# escape=`\n"),
        ("empty value", "# escape=\n# escape=`\n"),
        ("instruction", "FROM scratch\n# escape=`\n"),
    ];
    for (name, head) in stoppers {
        let tree = parse(&format!("{head}FROM scratch\nRUN a \\\n  b\n"));
        assert_eq!(tree.escape, '\\', "{name}");
        assert!(tree.directive("escape").is_none(), "{name}");
        assert!(
            comment_texts(&tree).contains(&"escape=`"),
            "{name}: the late directive is a comment"
        );
    }
}

#[test]
fn directive_after_known_directive() {
    let tree =
        parse_clean("# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=`\nFROM scratch\n");
    assert_eq!(tree.directives.len(), 3);
    assert_eq!(tree.escape, '`');
    assert_eq!(
        tree.directive("check")
            .map(|directive| directive.value.as_str()),
        Some("skip=all")
    );
}

#[test]
fn duplicate_directive_is_an_error() {
    let text = "# escape=\\\n# escape=`\nFROM scratch\n";
    let tree = parse(text);
    assert_eq!(
        messages(&tree),
        ["only one escape parser directive can be used"]
    );
    assert_eq!(tree.errors[0].kind, ErrorKind::Parse);
    assert_eq!(tree.errors[0].span.text(text), "# escape=`");
    assert_eq!(tree.instructions().count(), 1);
}

#[test]
fn invalid_escape_token() {
    let text = "# escape=x\nFROM scratch\n";
    let tree = parse(text);
    assert_eq!(
        messages(&tree),
        ["invalid escape token 'x' does not match ` or \\"]
    );
    assert_eq!(tree.errors[0].span.text(text), "x");
    assert_eq!(tree.escape, '\\');
    assert_eq!(tree.instructions().count(), 1);
}

#[test]
fn directives_are_not_comments() {
    let tree = parse_clean("# syntax=docker/dockerfile:1\n# describes the image\nFROM scratch\n");
    assert_eq!(
        instruction_at(&tree, 3).prev_comments,
        ["describes the image"]
    );
}

#[test]
fn repeated_directive_after_scan_is_comment() {
    let tree = parse_clean("# escape=`\nFROM scratch\n# escape=\\\nRUN a `\n  b\n");
    assert_eq!(tree.escape, '`');
    assert_eq!(word_values(instruction_at(&tree, 4)), ["a   b"]);
}

// ---------------------------------------------------------------------------------------
// `#` inside a line.

#[test]
fn hash_before_continuation_marker() {
    let tree = parse_clean("FROM scratch\nRUN echo hello # note \\\nRUN echo goodbye\n");
    assert_eq!(keywords(&tree), ["FROM", "RUN"]);
    assert_eq!(
        word_values(instruction_at(&tree, 2)),
        ["echo hello # note RUN echo goodbye"]
    );
}

#[test]
fn hash_inside_line_is_text() {
    let tree = parse_clean("FROM scratch\nRUN echo a # b\nEXPOSE 80 # web\n");
    assert_eq!(word_values(instruction_at(&tree, 2)), ["echo a # b"]);
    assert_eq!(word_values(instruction_at(&tree, 3)), ["80", "#", "web"]);
}

#[test]
fn legacy_env_keeps_trailing_hash() {
    let tree = parse_clean("FROM scratch\nENV FOO \"bar\" # baz\n");
    let Args::KeyValues { pairs } = &instruction_at(&tree, 2).args else {
        panic!("ENV has no pairs")
    };
    assert_eq!(pairs.len(), 1);
    assert!(pairs[0].legacy);
    assert_eq!(pairs[0].key.value, "FOO");
    assert_eq!(pairs[0].value.value, "\"bar\" # baz");
}

#[test]
fn indented_comment_is_comment() {
    let tree = parse_clean("FROM scratch\n   \t# indented\nRUN a\n");
    assert_eq!(comment_texts(&tree), ["indented"]);
    assert_eq!(instruction_at(&tree, 3).prev_comments, ["indented"]);
}

// ---------------------------------------------------------------------------------------
// Exec form detection.

#[test]
fn invalid_json_is_shell_form() {
    let cases = [
        "CMD ['/bin/app', '--flag']",
        "CMD [\"a\",]",
        "CMD [\"a\"] extra",
        "CMD [\"unterminated",
        "CMD \"[\\\"a\\\"]\"",
        "CMD [\"a\" \"b\"]",
    ];
    for line in cases {
        let tree = parse_clean(&format!("FROM scratch\n{line}\n"));
        let cmd = instruction_at(&tree, 2);
        assert!(!cmd.is_exec_form(), "{line}");
        assert_eq!(word_values(cmd), [&line[4..]], "{line}");
    }
}

#[test]
fn valid_json_is_exec_form() {
    let tree = parse_clean(
        "FROM scratch\nCMD [ \"a\",\t\"b c\", \"\\u00e9\\/\" ]\nENTRYPOINT []\nCOPY [\"a b\", \"/c\"]\n",
    );
    let cmd = instruction_at(&tree, 2);
    assert!(cmd.is_exec_form());
    assert_eq!(word_values(cmd), ["a", "b c", "é/"]);
    let entrypoint = instruction_at(&tree, 3);
    assert!(entrypoint.is_exec_form());
    assert!(word_values(entrypoint).is_empty());
    assert_eq!(word_values(instruction_at(&tree, 4)), ["a b", "/c"]);
}

#[test]
fn non_string_json_element() {
    let text = "FROM scratch\nCMD ['/bin/app']\nENTRYPOINT [\"/bin/app\", 42]\nRUN [\"a\", null]\nUSER app\n";
    let tree = parse(text);
    let parse_errors: Vec<&str> = tree
        .errors
        .iter()
        .filter(|error| error.kind == ErrorKind::Parse)
        .map(|error| error.message.as_str())
        .collect();
    let message = "when using JSON array syntax, arrays must be comprised of strings only";
    assert_eq!(parse_errors, [message, message]);
    let first = tree
        .errors
        .iter()
        .find(|error| error.kind == ErrorKind::Parse)
        .unwrap();
    assert_eq!(first.span.text(text), "[\"/bin/app\", 42]");
    assert_eq!(
        keywords(&tree),
        ["FROM", "CMD", "ENTRYPOINT", "RUN", "USER"]
    );
    assert_eq!(word_values(instruction_at(&tree, 5)), ["app"]);
}

#[test]
fn nested_json_array_is_an_error() {
    let tree = parse("FROM scratch\nCMD [\"a\", [\"b\"]]\n");
    assert!(
        tree.errors
            .iter()
            .any(|error| error.kind == ErrorKind::Parse)
    );
}

// ---------------------------------------------------------------------------------------
// Error recovery.

/// BuildKit scans every physical line with a 64 KiB buffer, so a continuation line or a
/// heredoc body line that is too long fails the parse as a first line does.
#[test]
fn long_line_reported_on_every_line_kind() {
    let long = "y".repeat(70_000);
    let cases = [
        ("first line", format!("FROM scratch\nLABEL a={long}\n"), 2),
        ("continuation line", format!("FROM scratch\nLABEL a=b \\\n c={long}\n"), 3),
        ("heredoc body line", format!("FROM scratch\nCOPY <<EOF /x\n{long}\nEOF\n"), 3),
        ("comment line", format!("FROM scratch\n# {long}\nLABEL a=b\n"), 2),
    ];
    for (kind, text, line) in cases {
        let tree = parse(&text);
        let too_long: Vec<_> = tree
            .errors
            .iter()
            .filter(|error| error.message.contains("greater than max allowed size"))
            .collect();
        assert_eq!(too_long.len(), 1, "{kind}: {:?}", messages(&tree));
        let start_line = LineIndex::new(&text).line_of(too_long[0].span.start);
        assert_eq!(start_line + 1, line, "{kind}");
    }
}

#[test]
fn unknown_instruction_is_reported() {
    let text = "FROM scratch\nFORM alpine\nRUN echo after\n";
    let tree = parse(text);
    assert_eq!(tree.errors.len(), 1, "{:#?}", tree.errors);
    assert!(
        tree.errors[0]
            .message
            .starts_with("unknown instruction: FORM"),
        "{}",
        tree.errors[0].message
    );
    assert_eq!(tree.errors[0].kind, ErrorKind::Instruction);
    assert_eq!(tree.errors[0].span.text(text), "FORM");
    assert_eq!(instruction_at(&tree, 2).keyword, Keyword::Unknown);
    assert_eq!(word_values(instruction_at(&tree, 3)), ["echo after"]);
}

#[test]
fn unknown_instruction_dump() {
    // BuildKit's parser gives an unknown instruction one empty argument, and its AST dump
    // prints it.
    let tree = parse("FROM scratch\nFOO bar baz\nONBUILD BAR x\n");
    assert_eq!(
        buildkit_dump(&tree),
        "(from \"scratch\")\n(foo \"\")\n(onbuild (bar \"\"))\n"
    );
}

#[test]
fn missing_arguments_are_reported() {
    let text = "FROM scratch\nWORKDIR\nCOPY onlyone\nENV\nRUN echo after\n";
    let tree = parse(text);
    assert_eq!(
        messages(&tree),
        [
            "WORKDIR requires exactly one argument",
            "COPY requires at least two arguments, but only one was provided. Destination could not be determined",
            "ENV requires at least one argument",
        ]
    );
    assert_eq!(tree.errors[0].span.text(text), "WORKDIR");
    assert_eq!(keywords(&tree), ["FROM", "WORKDIR", "COPY", "ENV", "RUN"]);
    assert_eq!(word_values(instruction_at(&tree, 5)), ["echo after"]);
}

#[test]
fn env_without_value_is_a_parse_error() {
    let tree = parse("FROM scratch\nENV PATH\nRUN echo after\n");
    let parse_errors: Vec<&str> = tree
        .errors
        .iter()
        .filter(|error| error.kind == ErrorKind::Parse)
        .map(|error| error.message.as_str())
        .collect();
    assert_eq!(parse_errors, ["ENV must have two arguments"]);
    assert_eq!(word_values(instruction_at(&tree, 3)), ["echo after"]);
}

#[test]
fn env_word_without_equals() {
    let text = "FROM scratch\nENV a=b c\nRUN echo after\n";
    let tree = parse(text);
    assert_eq!(
        messages(&tree),
        ["Syntax error - can't find = in \"c\". Must be of the form: name=value"]
    );
    assert_eq!(tree.errors[0].span.text(text), "c");
    assert_eq!(word_values(instruction_at(&tree, 3)), ["echo after"]);
}

#[test]
fn file_without_instructions() {
    for text in ["", "# only a comment\n", "\n\n", "# escape=`\n"] {
        let tree = parse(text);
        assert_eq!(messages(&tree), ["file with no instructions"], "{text:?}");
        assert_eq!(tree.text_of_nodes(text), text);
    }
}

// ---------------------------------------------------------------------------------------
// Spans.

#[test]
fn flag_and_word_spans() {
    let text = "FROM scratch\nCOPY --from=build --chown=\"app user\" src /dst\n";
    let tree = parse_clean(text);
    let copy = instruction_at(&tree, 2);
    assert_eq!(copy.keyword_span.text(text), "COPY");

    let from = &copy.flags[0];
    assert_eq!(from.span.text(text), "--from=build");
    assert_eq!(from.name_span.text(text), "from");
    assert_eq!(from.value_span.unwrap().text(text), "build");
    assert_eq!(from.value.as_deref(), Some("build"));

    let chown = &copy.flags[1];
    assert_eq!(chown.span.text(text), "--chown=\"app user\"");
    assert_eq!(chown.name_span.text(text), "chown");
    assert_eq!(chown.value_span.unwrap().text(text), "\"app user\"");
    assert_eq!(chown.value.as_deref(), Some("app user"));

    let words: Vec<&str> = copy
        .args
        .words()
        .iter()
        .map(|word| word.span.text(text))
        .collect();
    assert_eq!(words, ["src", "/dst"]);
    assert_eq!(copy.rest_span.text(text), "src /dst");
}

#[test]
fn spans_across_continuation_lines() {
    let text = "FROM scratch\nCOPY \\\n  --from=x \\\n  src \\\n# comment\n  ab\\\ncd /dst\n";
    let tree = parse_clean(text);
    let copy = instruction_at(&tree, 2);
    let flag = &copy.flags[0];
    assert_eq!(
        flag.span,
        Span::new(
            nth_offset(text, "--from=x", 0),
            nth_offset(text, "--from=x", 0) + 8
        )
    );

    let words = copy.args.words();
    assert_eq!(word_values(copy), ["src", "abcd", "/dst"]);
    assert_eq!(words[0].span.text(text), "src");
    assert_eq!(
        words[1].span.text(text),
        "ab\\\ncd",
        "a word split by a continuation spans both pieces"
    );
    assert_eq!(words[2].span.text(text), "/dst");
    assert_eq!(LineIndex::new(text).line_of(words[2].span.start), 6);
    assert_eq!(
        copy.line_span().text(text),
        &text[nth_offset(text, "COPY", 0)..text.len() - 1]
    );
}

#[test]
fn shell_form_span_across_lines() {
    let text = "FROM scratch\nRUN --mount=type=cache,target=/var/cache/apt \\\n    apt-get update && \\\n    apt-get install -y curl\n";
    let tree = parse_clean(text);
    let run = instruction_at(&tree, 2);
    assert_eq!(
        run.flags[0].span.text(text),
        "--mount=type=cache,target=/var/cache/apt"
    );
    let Args::List { words, json: false } = &run.args else {
        panic!("RUN is not shell form")
    };
    assert_eq!(
        words[0].value,
        "apt-get update &&     apt-get install -y curl"
    );
    assert_eq!(
        words[0].span.text(text),
        "apt-get update && \\\n    apt-get install -y curl"
    );
}

#[test]
fn json_word_spans() {
    let text = "FROM scratch\nCMD [\"a\", \"b c\",\t\"\\u0041\"]\n";
    let tree = parse_clean(text);
    let spans: Vec<&str> = instruction_at(&tree, 2)
        .args
        .words()
        .iter()
        .map(|word| word.span.text(text))
        .collect();
    assert_eq!(spans, ["\"a\"", "\"b c\"", "\"\\u0041\""]);
}

#[test]
fn key_value_spans() {
    let text = "FROM scratch\nLABEL a=1 \"b c\"='d e'\nENV KEY  some value\n";
    let tree = parse_clean(text);
    let Args::KeyValues { pairs } = &instruction_at(&tree, 2).args else {
        panic!("LABEL has no pairs")
    };
    let spans: Vec<(&str, &str)> = pairs
        .iter()
        .map(|pair| (pair.key.span.text(text), pair.value.span.text(text)))
        .collect();
    assert_eq!(spans, [("a", "1"), ("\"b c\"", "'d e'")]);

    let Args::KeyValues { pairs } = &instruction_at(&tree, 3).args else {
        panic!("ENV has no pairs")
    };
    assert_eq!(pairs[0].key.span.text(text), "KEY");
    assert_eq!(pairs[0].value.span.text(text), "some value");
}

#[test]
fn onbuild_trigger_spans() {
    let text = "FROM scratch\nONBUILD COPY --from=x a /b\nONBUILD RUN [\"make\", \"all\"]\nONBUILD ENV K=v\n\
                ONBUILD ADD --link c /d\n";
    let tree = parse_clean(text);
    let trigger = |line: u32| match &instruction_at(&tree, line).args {
        Args::Onbuild {
            trigger: Some(trigger),
        } => trigger.clone(),
        other => panic!("no trigger on line {line}: {other:?}"),
    };

    let copy = trigger(2);
    assert_eq!(copy.keyword_span.text(text), "COPY");
    assert_eq!(copy.flags[0].span.text(text), "--from=x");
    let words: Vec<&str> = copy
        .args
        .words()
        .iter()
        .map(|word| word.span.text(text))
        .collect();
    assert_eq!(words, ["a", "/b"]);

    let run = trigger(3);
    let words: Vec<&str> = run
        .args
        .words()
        .iter()
        .map(|word| word.span.text(text))
        .collect();
    assert_eq!(words, ["\"make\"", "\"all\""]);

    let add = trigger(5);
    assert_eq!(add.flags[0].span.text(text), "--link");
    assert_eq!(add.flags[0].name_span.text(text), "link");
    assert!(add.flags[0].value_span.is_none());

    let Args::KeyValues { pairs } = &trigger(4).args else {
        panic!("ENV trigger has no pairs")
    };
    assert_eq!(pairs[0].key.span.text(text), "K");
    assert_eq!(pairs[0].value.span.text(text), "v");
}

#[test]
fn healthcheck_spans() {
    let text = "FROM scratch\nHEALTHCHECK --interval=5s CMD [\"curl\", \"-f\"]\n";
    let tree = parse_clean(text);
    let Args::Healthcheck {
        kind: Some(kind),
        command: Some(Command::Exec(words)),
    } = &instruction_at(&tree, 2).args
    else {
        panic!("HEALTHCHECK has no exec-form command")
    };
    assert_eq!(kind.span.text(text), "CMD");
    let spans: Vec<&str> = words.iter().map(|word| word.span.text(text)).collect();
    assert_eq!(spans, ["\"curl\"", "\"-f\""]);
}

#[test]
fn line_numbers() {
    let text = "# syntax=docker/dockerfile:1\n\nFROM scratch\nRUN a \\\n\n  b \\\n# c\n  d\nCOPY <<EOF /x\nbody\nEOF\nUSER app";
    let tree = parse_clean(text);
    let lines: Vec<(u32, u32)> = tree
        .instructions()
        .map(|i| (i.start_line, i.end_line))
        .collect();
    assert_eq!(lines, [(3, 3), (4, 8), (9, 11), (12, 12)]);
}

// ---------------------------------------------------------------------------------------
// Line and column conversion.

#[test]
fn utf16_columns_with_cjk_and_emoji() {
    // `中` and `文` are 3 UTF-8 bytes and 1 UTF-16 unit each; `😀` is 4 bytes and 2 units.
    let text = "FROM scratch\nLABEL desc=\"中文 😀\" x=1\n";
    let tree = parse_clean(text);
    let index = LineIndex::new(text);

    let Args::KeyValues { pairs } = &instruction_at(&tree, 2).args else {
        panic!("LABEL has no pairs")
    };
    let x = pairs[1].key.span.start;
    assert_eq!(pairs[1].key.span.text(text), "x");
    assert_eq!(index.utf8(x), LineCol { line: 1, col: 25 });
    assert_eq!(index.utf16(text, x), LineCol { line: 1, col: 19 });
    assert_eq!(index.offset_utf16(text, LineCol { line: 1, col: 19 }), x);
    assert_eq!(index.offset_utf8(text, LineCol { line: 1, col: 25 }), x);

    let emoji = text.find('😀').unwrap();
    assert_eq!(index.utf16(text, emoji), LineCol { line: 1, col: 15 });
    assert_eq!(index.utf16(text, emoji + 4), LineCol { line: 1, col: 17 });
    // An offset inside the emoji counts as its start, and a column between its two
    // surrogates maps back to its start.
    assert_eq!(index.utf16(text, emoji + 2), LineCol { line: 1, col: 15 });
    assert_eq!(
        index.offset_utf16(text, LineCol { line: 1, col: 16 }),
        emoji
    );

    let value = &pairs[0].value;
    assert_eq!(value.span.text(text), "\"中文 😀\"");
    assert_eq!(
        index.utf16(text, value.span.end),
        LineCol { line: 1, col: 18 }
    );
}
