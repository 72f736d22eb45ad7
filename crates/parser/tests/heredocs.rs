//! Heredocs as BuildKit's parser reads them: which words open a heredoc, the delimiter's
//! name, expansion and chomping, where bodies start and end, and what happens to the lines
//! after a heredoc that BuildKit does not recognise.
//!
//! Most cases mirror BuildKit's Go-only heredoc tests (`parser_heredoc_test.go`). The rest
//! are forms that other Dockerfile tools read wrongly, and three reported cases whose
//! Dockerfiles are read from the shared case folder.

use std::fs;
use std::path::PathBuf;

use ballast_parser::{Args, Dockerfile, Heredoc, Instruction, Keyword, LineIndex, parse};

fn instructions(tree: &Dockerfile) -> Vec<&Instruction> {
    tree.instructions().collect()
}

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

fn only_heredoc(instruction: &Instruction) -> &Heredoc {
    assert_eq!(
        instruction.heredocs.len(),
        1,
        "heredocs of {:?}",
        instruction.line
    );
    &instruction.heredocs[0]
}

fn keywords(tree: &Dockerfile) -> Vec<String> {
    tree.instructions()
        .map(|instruction| instruction.keyword_text.clone())
        .collect()
}

/// Returns the 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> u32 {
    LineIndex::new(text).line_of(offset) + 1
}

fn case_dockerfile(case: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/cases")
        .join(case)
        .join("Dockerfile");
    fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

// ---------------------------------------------------------------------------------------
// Which words open a heredoc.

#[test]
fn user_never_reads_heredocs() {
    let tree = parse("FROM scratch\nUSER <<X\nfoo\nX\n");
    let all = instructions(&tree);
    assert_eq!(keywords(&tree), ["FROM", "USER", "foo", "X"]);
    assert!(all[1].heredocs.is_empty());
    assert_eq!(all[1].args.words()[0].value, "<<X");
}

#[test]
fn file_descriptor_before_marker() {
    let tree = parse_clean("FROM scratch\nRUN 3<<EMPTY2\nEMPTY2\n");
    let run = instruction_at(&tree, 2);
    let heredoc = only_heredoc(run);
    assert_eq!(heredoc.name, "EMPTY2");
    assert_eq!(heredoc.fd, 3);
    assert_eq!(heredoc.content, "");
    assert!(heredoc.content_span.is_empty());
    assert_eq!(run.end_line, 3);
}

#[test]
fn quoted_marker_is_not_heredoc() {
    let tree = parse("FROM scratch\nRUN \"<<NOHEREDOC\"\nNOHEREDOC\n");
    assert!(instruction_at(&tree, 2).heredocs.is_empty());
    assert_eq!(keywords(&tree), ["FROM", "RUN", "NOHEREDOC"]);

    let tree = parse("FROM scratch\nRUN '<<NOHEREDOC'\nNOHEREDOC\n");
    assert!(instruction_at(&tree, 2).heredocs.is_empty());
}

#[test]
fn exec_form_has_no_heredoc() {
    let tree = parse("FROM scratch\nRUN [\"<<EOF\"]\nEOF\n");
    let run = instruction_at(&tree, 2);
    assert!(run.is_exec_form());
    assert!(run.heredocs.is_empty());
    assert_eq!(run.args.words()[0].value, "<<EOF");
    assert_eq!(keywords(&tree), ["FROM", "RUN", "EOF"]);
}

#[test]
fn marker_glued_to_word_is_not_heredoc() {
    for line in ["RUN cat<<EOF", "RUN x<<EOF"] {
        let tree = parse(&format!("FROM scratch\n{line}\nbody\nEOF\n"));
        assert!(instruction_at(&tree, 2).heredocs.is_empty(), "{line}");
        assert_eq!(keywords(&tree), ["FROM", "RUN", "body", "EOF"], "{line}");
    }
}

#[test]
fn unterminated_quote_disables_heredocs() {
    let tree = parse("FROM scratch\nRUN echo 'a <<EOF\nEOF\n");
    assert!(instruction_at(&tree, 2).heredocs.is_empty());
    assert_eq!(keywords(&tree), ["FROM", "RUN", "EOF"]);
}

/// BuildKit's `ParseHeredoc` cases, written as the only heredoc word of a RUN line.
#[test]
fn heredoc_word_forms() {
    let valid = [
        ("<<EOF", "EOF"),
        ("<<'EOF'", "EOF"),
        ("<<\"EOF\"", "EOF"),
        ("<<-EOF", "EOF"),
        ("<<-'EOF'", "EOF"),
        ("<<-\"EOF\"", "EOF"),
        ("<<EO\"F\"", "EOF"),
        ("<< EOF", "EOF"),
    ];
    for (word, name) in valid {
        let tree = parse(&format!("FROM scratch\nRUN {word}\nEOF\n"));
        let run = instruction_at(&tree, 2);
        assert_eq!(only_heredoc(run).name, name, "{word}");
    }

    // Unterminated quotes are lexing errors, and the rest are not heredoc words. BuildKit's
    // own test table lists `<<- EOF` as valid, but its lexer splits that into `<<-` and
    // `EOF`, so the line has no heredoc.
    let not_heredocs = [
        "<<'EOF",
        "<<\"EOF",
        "<<EOF'",
        "<<EOF\"",
        "\"\"",
        "EOF",
        "<<",
        "<<-",
        "<EOF",
        "<<<EOF",
        "\"<<EOF sh\"",
        "<<- EOF",
    ];
    for word in not_heredocs {
        let tree = parse(&format!("FROM scratch\nRUN {word}\nEOF\n"));
        assert!(instruction_at(&tree, 2).heredocs.is_empty(), "{word}");
    }
}

// ---------------------------------------------------------------------------------------
// Names, expansion and chomping.

#[test]
fn chomp_keeps_tabs_in_content() {
    let text = "FROM scratch\nRUN <<-UNINDENT2\n\tline one\n\t\tline two\n\tUNINDENT2\n";
    let tree = parse_clean(text);
    let run = instruction_at(&tree, 2);
    let heredoc = only_heredoc(run);
    assert!(heredoc.chomp);
    assert_eq!(heredoc.name, "UNINDENT2");
    assert_eq!(heredoc.content, "\tline one\n\t\tline two\n");
    let terminator = heredoc.terminator_span.expect("a terminator");
    assert_eq!(terminator.text(text), "\tUNINDENT2");
    assert_eq!(run.end_line, 5);
}

#[test]
fn tab_indented_terminator_needs_chomp() {
    let text = "FROM scratch\nRUN <<UNINDENT\n\tline\n\tUNINDENT\nUNINDENT\n";
    let tree = parse_clean(text);
    let heredoc = only_heredoc(instruction_at(&tree, 2));
    assert!(!heredoc.chomp);
    assert_eq!(heredoc.content, "\tline\n\tUNINDENT\n");
}

#[test]
fn space_indented_terminator_does_not_end_chomp() {
    let text = "FROM scratch\nRUN <<-EOF\n  line\n  EOF\nEOF\n";
    let tree = parse_clean(text);
    assert_eq!(
        only_heredoc(instruction_at(&tree, 2)).content,
        "  line\n  EOF\n"
    );
}

#[test]
fn quoted_delimiters_disable_expansion() {
    let cases = [
        ("<<EOF", true),
        ("<<'EOF'", false),
        ("<<\"EOF\"", false),
        ("<<EO\"F\"", false),
        ("<<-'EOF'", false),
        ("<<\\EOF", true),
    ];
    for (word, expand) in cases {
        let tree = parse_clean(&format!("FROM scratch\nCOPY {word} /dest\n$HOME\nEOF\n"));
        let heredoc = only_heredoc(instruction_at(&tree, 2));
        assert_eq!(heredoc.name, "EOF", "{word}");
        assert_eq!(heredoc.expand, expand, "{word}");
    }
}

#[test]
fn partly_quoted_name() {
    let tree = parse_clean("FROM scratch\nRUN <<eo'f'\nx\neof\n");
    let heredoc = only_heredoc(instruction_at(&tree, 2));
    assert_eq!(heredoc.name, "eof");
    assert!(!heredoc.expand);
}

#[test]
fn escaped_quote_keeps_expansion() {
    let tree = parse_clean("FROM scratch\nRUN <<eo\\'f\nx\neo'f\n");
    let heredoc = only_heredoc(instruction_at(&tree, 2));
    assert_eq!(heredoc.name, "eo'f");
    assert!(heredoc.expand);
}

#[test]
fn quoted_name_with_space() {
    let tree = parse_clean("FROM scratch\nRUN <<'one two'\nx\none two\n");
    let heredoc = only_heredoc(instruction_at(&tree, 2));
    assert_eq!(heredoc.name, "one two");
    assert!(!heredoc.expand);
    assert_eq!(heredoc.content, "x\n");
}

#[test]
fn dollar_name_is_not_expanded() {
    let tree = parse_clean("FROM scratch\nRUN <<$EOF\nx\n$EOF\n");
    let heredoc = only_heredoc(instruction_at(&tree, 2));
    assert_eq!(heredoc.name, "$EOF");
    assert!(heredoc.expand);
}

#[test]
fn redirect_glued_to_name() {
    let tree = parse_clean("FROM scratch\nRUN cat <<EOF>/tmp/x\nhi\nEOF\nEOF>/tmp/x\n");
    let run = instruction_at(&tree, 2);
    let heredoc = only_heredoc(run);
    assert_eq!(heredoc.name, "EOF>/tmp/x");
    assert_eq!(heredoc.content, "hi\nEOF\n");
    assert_eq!(run.end_line, 5);
}

// ---------------------------------------------------------------------------------------
// Several heredocs, commands after the marker, COPY sources.

#[test]
fn crossed_terminators() {
    let text = "FROM scratch\nCOPY <<X <<Y /dest\nY\nX\nX\nY\n";
    let tree = parse_clean(text);
    let copy = instruction_at(&tree, 2);
    assert_eq!(copy.heredocs.len(), 2);
    assert_eq!(
        (
            copy.heredocs[0].name.as_str(),
            copy.heredocs[0].content.as_str()
        ),
        ("X", "Y\n")
    );
    assert_eq!(
        (
            copy.heredocs[1].name.as_str(),
            copy.heredocs[1].content.as_str()
        ),
        ("Y", "X\n")
    );
    assert_eq!(
        line_of(text, copy.heredocs[0].terminator_span.unwrap().start),
        4
    );
    assert_eq!(
        line_of(text, copy.heredocs[1].terminator_span.unwrap().start),
        6
    );
    assert_eq!(copy.end_line, 6);
    assert_eq!(tree.instructions().count(), 2);
}

#[test]
fn two_heredocs_in_one_run() {
    let tree = parse_clean("FROM scratch\nRUN <<A cat && <<B cat\na\nA\nb\nB\nRUN next\n");
    let run = instruction_at(&tree, 2);
    let names: Vec<&str> = run
        .heredocs
        .iter()
        .map(|heredoc| heredoc.name.as_str())
        .collect();
    assert_eq!(names, ["A", "B"]);
    assert_eq!(run.heredocs[1].content, "b\n");
    assert_eq!(instruction_at(&tree, 7).keyword, Keyword::Run);
}

#[test]
fn command_after_marker() {
    let text = "FROM scratch\nRUN <<COMPLEX python3\nprint('hello')\nprint('world')\nCOMPLEX\n";
    let tree = parse_clean(text);
    let run = instruction_at(&tree, 2);
    assert_eq!(run.args.words()[0].value, "<<COMPLEX python3");
    let heredoc = only_heredoc(run);
    assert_eq!(heredoc.name, "COMPLEX");
    assert_eq!(heredoc.content, "print('hello')\nprint('world')\n");
    assert_eq!(heredoc.word.value, "<<COMPLEX");
    assert_eq!(heredoc.word.span.text(text), "<<COMPLEX");
}

#[test]
fn copy_heredoc_file_name() {
    let tree = parse_clean("FROM scratch\nCOPY <<file.txt /dest\nhello\nfile.txt\n");
    let copy = instruction_at(&tree, 2);
    let words: Vec<&str> = copy
        .args
        .words()
        .iter()
        .map(|word| word.value.as_str())
        .collect();
    assert_eq!(words, ["<<file.txt", "/dest"]);
    assert_eq!(only_heredoc(copy).name, "file.txt");
    assert_eq!(only_heredoc(copy).content, "hello\n");
}

// ---------------------------------------------------------------------------------------
// Blanks after `<<` (accepted since BuildKit 0.22) and after `<<-` (not accepted).

#[test]
fn blanks_after_marker() {
    let tree = parse_clean("FROM scratch\nRUN <<  EOF\nx\nEOF\n");
    assert_eq!(only_heredoc(instruction_at(&tree, 2)).name, "EOF");

    let tree = parse_clean("FROM scratch\nRUN <<  EOF  > foo\nx\nEOF\n");
    let run = instruction_at(&tree, 2);
    assert_eq!(only_heredoc(run).name, "EOF");
    assert_eq!(run.args.words()[0].value, "<<  EOF  > foo");
}

#[test]
fn space_after_marker_with_redirect() {
    let tree = parse_clean("FROM scratch\nRUN cat << END > /x\nhello\nEND\n");
    let heredoc = only_heredoc(instruction_at(&tree, 2));
    assert_eq!(heredoc.name, "END");
    assert_eq!(heredoc.content, "hello\n");
}

#[test]
fn space_after_chomp_marker_is_not_heredoc() {
    let tree = parse("FROM scratch\nRUN cat <<- END > /x\nhello\nEND\n");
    assert!(instruction_at(&tree, 2).heredocs.is_empty());
    assert_eq!(keywords(&tree), ["FROM", "RUN", "hello", "END"]);
    let messages: Vec<&str> = tree
        .errors
        .iter()
        .map(|error| error.message.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|message| message.starts_with("unknown instruction: hello")),
        "{messages:?}"
    );
}

#[test]
fn copy_space_after_marker_keeps_split_sources() {
    let tree = parse_clean("FROM scratch\nCOPY << END /d\nhello\nEND\n");
    let copy = instruction_at(&tree, 2);
    assert_eq!(only_heredoc(copy).name, "END");
    let words: Vec<&str> = copy
        .args
        .words()
        .iter()
        .map(|word| word.value.as_str())
        .collect();
    assert_eq!(words, ["<<", "END", "/d"]);
    assert_eq!(copy.end_line, 4);
}

// ---------------------------------------------------------------------------------------
// Where bodies start and what follows them.

#[test]
fn heredoc_on_continuation_line() {
    let text = "FROM scratch\nRUN set -e && \\\n    cat >> /etc/x.toml <<'TOML'\na = $HOME\nTOML\nCOPY --chmod=0644 <<-\\CFG /etc/y.toml\n\tk = 1\nCFG\n";
    let tree = parse_clean(text);

    let run = instruction_at(&tree, 2);
    let toml = only_heredoc(run);
    assert_eq!(toml.name, "TOML");
    assert!(!toml.expand);
    assert_eq!(toml.content, "a = $HOME\n");
    assert_eq!(line_of(text, toml.content_span.start), 4);
    assert_eq!(line_of(text, toml.word.span.start), 3);
    assert_eq!((run.start_line, run.end_line), (2, 5));

    let copy = instruction_at(&tree, 6);
    let cfg = only_heredoc(copy);
    assert_eq!(cfg.name, "CFG");
    assert!(cfg.chomp);
    assert!(
        cfg.expand,
        "a backslash is not a quote for BuildKit, so expansion stays on"
    );
    assert_eq!(cfg.content, "\tk = 1\n");
    assert_eq!(copy.flags[0].text, "--chmod=0644");
    assert_eq!((copy.start_line, copy.end_line), (6, 8));
}

#[test]
fn cmd_heredoc_lines_are_instructions() {
    let tree = parse("FROM scratch\nCMD <<BODY\nenv\nBODY\n");
    let cmd = instruction_at(&tree, 2);
    assert!(cmd.heredocs.is_empty());
    assert_eq!(cmd.args.words()[0].value, "<<BODY");
    assert_eq!(keywords(&tree), ["FROM", "CMD", "env", "BODY"]);
    assert_eq!(instruction_at(&tree, 3).keyword, Keyword::Env);
    assert_eq!(instruction_at(&tree, 4).keyword, Keyword::Unknown);

    let messages: Vec<&str> = tree
        .errors
        .iter()
        .map(|error| error.message.as_str())
        .collect();
    assert!(
        messages.contains(&"ENV requires at least one argument"),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|message| message.starts_with("unknown instruction: BODY")),
        "{messages:?}"
    );
}

#[test]
fn instruction_right_after_terminator() {
    for keyword in ["COPY <<DATA /x", "RUN <<DATA"] {
        let tree = parse_clean(&format!("FROM scratch\n{keyword}\nhi\nDATA\nCOPY a /b\n"));
        assert_eq!(tree.instructions().count(), 3, "{keyword}");
        assert_eq!(instruction_at(&tree, 2).end_line, 4);
        let copy = instruction_at(&tree, 5);
        let words: Vec<&str> = copy
            .args
            .words()
            .iter()
            .map(|word| word.value.as_str())
            .collect();
        assert_eq!(words, ["a", "/b"]);
    }
}

#[test]
fn crlf_body_keeps_carriage_returns() {
    let text = "FROM scratch\r\nRUN <<SCRIPT\r\necho hi > /out\r\nSCRIPT\r\nCOPY a \\\r\n  /b\r\n";
    let tree = parse_clean(text);
    let run = instruction_at(&tree, 2);
    let heredoc = only_heredoc(run);
    assert_eq!(heredoc.name, "SCRIPT");
    assert_eq!(heredoc.content, "echo hi > /out\r\n");
    assert_eq!(heredoc.terminator_span.unwrap().text(text), "SCRIPT");
    assert_eq!(run.end_line, 4);

    let copy = instruction_at(&tree, 5);
    let words: Vec<&str> = copy
        .args
        .words()
        .iter()
        .map(|word| word.value.as_str())
        .collect();
    assert_eq!(words, ["a", "/b"]);
    assert_eq!(copy.end_line, 6);
    assert_eq!(tree.text_of_nodes(text), text);
}

#[test]
fn body_lines_are_raw() {
    let text =
        "FROM scratch\nRUN <<EOF\n# not a comment \\\nRUN not an instruction\n\n  EOF\nEOF\n";
    let tree = parse_clean(text);
    let heredoc = only_heredoc(instruction_at(&tree, 2));
    assert_eq!(
        heredoc.content,
        "# not a comment \\\nRUN not an instruction\n\n  EOF\n"
    );
    assert_eq!(tree.instructions().count(), 2);
}

#[test]
fn onbuild_trigger_reads_heredoc() {
    let tree = parse_clean("FROM scratch\nONBUILD COPY <<A /x\nbody\nA\nRUN next\n");
    let onbuild = instruction_at(&tree, 2);
    let Args::Onbuild {
        trigger: Some(trigger),
    } = &onbuild.args
    else {
        panic!("no trigger: {:?}", onbuild.args)
    };
    assert_eq!(trigger.keyword, Keyword::Copy);
    assert_eq!(only_heredoc(onbuild).content, "body\n");
    assert_eq!(onbuild.end_line, 4);
}

#[test]
fn terminator_far_below_opener() {
    // Past the first lines of a body, the parser looks terminators up in an index of the
    // file's lines, which must find the same line a scan finds.
    let body: String = (0..200).map(|number| format!("line {number}\n")).collect();
    let text =
        format!("FROM scratch\nRUN <<EOF\n{body}\tEOF\nEOF\nRUN <<-END\n{body}\t\tEND\nCOPY a b\n");
    let tree = parse_clean(&text);

    let run = instruction_at(&tree, 2);
    assert_eq!(only_heredoc(run).content, format!("{body}\tEOF\n"));
    assert_eq!(run.end_line, 204);

    let chomp = instruction_at(&tree, 205);
    assert_eq!(only_heredoc(chomp).content, body);
    assert_eq!(
        only_heredoc(chomp).terminator_span.unwrap().text(&text),
        "\t\tEND"
    );
    assert_eq!(chomp.end_line, 406);

    assert_eq!(instruction_at(&tree, 407).keyword, Keyword::Copy);
}

// ---------------------------------------------------------------------------------------
// Unterminated heredocs.

#[test]
fn many_unterminated_heredocs() {
    let text = format!("FROM scratch\n{}", "RUN <<EOF\n".repeat(300));
    let tree = parse(&text);
    assert_eq!(tree.instructions().count(), 301);
    let unterminated = tree
        .errors
        .iter()
        .filter(|error| error.message == "unterminated heredoc")
        .count();
    assert_eq!(unterminated, 300);
    assert_eq!(tree.text_of_nodes(&text), text);
}

#[test]
fn unterminated_heredoc_is_reported() {
    let text = "FROM scratch\nRUN <<EOF\necho hi\n";
    let tree = parse(text);
    assert_eq!(tree.errors.len(), 1, "{:#?}", tree.errors);
    assert_eq!(tree.errors[0].message, "unterminated heredoc");
    assert_eq!(tree.errors[0].span.text(text), "<<EOF");
    let heredoc = only_heredoc(instruction_at(&tree, 2));
    assert!(heredoc.terminator_span.is_none());
    assert_eq!(heredoc.content, "echo hi\n");
    assert_eq!(tree.text_of_nodes(text), text);
}

#[test]
fn instructions_after_unterminated_heredoc() {
    let text = "FROM scratch\nRUN <<EOF\necho hi\nCOPY a /b\nRUN echo done\n";
    let tree = parse(text);
    let messages: Vec<&str> = tree
        .errors
        .iter()
        .map(|error| error.message.as_str())
        .collect();
    assert_eq!(messages, ["unterminated heredoc"]);
    assert_eq!(keywords(&tree), ["FROM", "RUN", "COPY", "RUN"]);
    assert_eq!(only_heredoc(instruction_at(&tree, 2)).content, "echo hi\n");
    let copy = instruction_at(&tree, 4);
    let words: Vec<&str> = copy
        .args
        .words()
        .iter()
        .map(|word| word.value.as_str())
        .collect();
    assert_eq!(words, ["a", "/b"]);
    assert_eq!(instruction_at(&tree, 5).args.words()[0].value, "echo done");
    assert_eq!(tree.text_of_nodes(text), text);
}

// ---------------------------------------------------------------------------------------
// Reported cases.

#[test]
fn case_terminator_then_next_line() {
    let text = case_dockerfile("01-heredoc-terminator-then-next-line");
    let tree = parse_clean(&text);
    let run = instruction_at(&tree, 2);
    let heredoc = only_heredoc(run);
    assert_eq!(heredoc.name, "EOF");
    assert_eq!(heredoc.content, "echo \"compile step\" > /tmp/step.log\n");
    assert_eq!(line_of(&text, heredoc.content_span.start), 3);
    assert_eq!(line_of(&text, heredoc.terminator_span.unwrap().start), 4);
    assert_eq!(run.end_line, 4);
    assert_eq!(keywords(&tree), ["FROM", "RUN", "WORKDIR", "CMD"]);
}

#[test]
fn case_escaped_delimiter() {
    let text = case_dockerfile("02-heredoc-escaped-delimiter");
    let tree = parse_clean(&text);
    let copy = instruction_at(&tree, 2);
    let heredoc = only_heredoc(copy);
    assert_eq!(heredoc.name, "EOT");
    assert!(heredoc.chomp);
    assert_eq!(heredoc.content, "\tWelcome to the build host\n");
    assert_eq!(line_of(&text, heredoc.content_span.start), 3);
    assert_eq!(line_of(&text, heredoc.terminator_span.unwrap().start), 4);
    assert_eq!(keywords(&tree), ["FROM", "COPY", "CMD"]);
}

#[test]
fn case_space_before_delimiter() {
    let text = case_dockerfile("03-heredoc-space-before-delimiter");
    let tree = parse_clean(&text);
    let run = instruction_at(&tree, 2);
    let heredoc = only_heredoc(run);
    assert_eq!(heredoc.name, "EOF");
    assert!(!heredoc.expand);
    assert_eq!(heredoc.content, "export PS1='app$ '\numask 027\n");
    assert_eq!(line_of(&text, heredoc.content_span.start), 3);
    assert_eq!(line_of(&text, heredoc.content_span.end - 1), 4);
    assert_eq!(run.end_line, 5);
    assert_eq!(keywords(&tree), ["FROM", "RUN", "CMD"]);
}
