//! Simple commands and word spans of `RUN` shell code.

use std::time::Instant;

use ballast_parser::Span;
use ballast_parser::shell::{
    AndOrOperator, Dialect, PipelinePosition, Script, SeparatorKind, SimpleCommand, Word,
    parse_script,
};
use proptest::prelude::*;

/// One shell body with the commands expected in it.
struct Case {
    id: &'static str,
    dialect: Dialect,
    text: &'static str,
    /// `argv[0]` of each command outside substitutions; `=` for a command made only of
    /// assignments.
    names: &'static [&'static str],
    /// `argv[0]` of each command inside `$(…)` or backticks.
    inner_names: &'static [&'static str],
    /// Number of words of each command outside substitutions.
    argc: &'static [usize],
}

const CASES: &[Case] = &[
    Case {
        id: "01 set, && chain, pinned apt, rm lists",
        dialect: Dialect::Posix,
        text: "set -eux; apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 ca-certificates && rm -rf /var/lib/apt/lists/*",
        names: &["set", "apt-get", "apt-get", "rm"],
        inner_names: &[],
        argc: &[2, 2, 6, 3],
    },
    Case {
        id: "02 || and ;",
        dialect: Dialect::Posix,
        text: "apt-get update || true; apt-get install -y --no-install-recommends a=1.2 b",
        names: &["apt-get", "true", "apt-get"],
        inner_names: &[],
        argc: &[2, 1, 6],
    },
    Case {
        id: "03 pip with quoted arguments",
        dialect: Dialect::Posix,
        text: "pip install -r requirements.txt && pip install --no-cache-dir \"flask>=2.0\" 'gunicorn==21.*'",
        names: &["pip", "pip"],
        inner_names: &[],
        argc: &[4, 5],
    },
    Case {
        id: "04 curl piped to sh",
        dialect: Dialect::Posix,
        text: "curl -fsSL https://example.com/install.sh | sh -s -- --yes",
        names: &["curl", "sh"],
        inner_names: &[],
        argc: &[3, 4],
    },
    Case {
        id: "05 subshell, cd, substitution in a word",
        dialect: Dialect::Posix,
        text: "(cd /src && make -j\"$(nproc)\") && cd /app && ./configure --prefix=\"$PREFIX\"",
        names: &["cd", "make", "cd", "./configure"],
        inner_names: &["nproc"],
        argc: &[2, 2, 2, 2],
    },
    Case {
        id: "06 if with assignments",
        dialect: Dialect::Posix,
        text: "if [ \"$TARGETARCH\" = \"arm64\" ]; then ARCH=aarch64; else ARCH=x86_64; fi && echo $ARCH",
        names: &["[", "=", "=", "echo"],
        inner_names: &[],
        argc: &[5, 0, 0, 2],
    },
    Case {
        id: "07 for loop with append",
        dialect: Dialect::Posix,
        text: "for f in a b c; do echo \"$f\" >> /tmp/list; done",
        names: &["echo"],
        inner_names: &[],
        argc: &[2],
    },
    Case {
        id: "08 export, parameter default, backticks in a word",
        dialect: Dialect::Posix,
        text: "export VERSION=$(cat /VERSION) && echo \"v${VERSION:-0}\" && tar -xzf app-`uname -m`.tgz -C /opt",
        names: &["export", "echo", "tar"],
        inner_names: &["cat", "uname"],
        argc: &[2, 2, 5],
    },
    Case {
        id: "09 quoted heredoc that looks like code",
        dialect: Dialect::Posix,
        text: "cat > /etc/app.conf <<'EOF'\nkey=value\nhome=$HOME && not a command\nEOF\napt-get install -y vim",
        names: &["cat", "apt-get"],
        inner_names: &[],
        argc: &[1, 4],
    },
    Case {
        id: "10 assignment prefix",
        dialect: Dialect::Posix,
        text: "DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends tzdata",
        names: &["apt-get"],
        inner_names: &[],
        argc: &[6],
    },
    Case {
        id: "11 brace group with redirections, wget piped to tar",
        dialect: Dialect::Posix,
        text: "{ echo a; echo b; } > /tmp/out 2>&1 && wget -qO- http://example.com/y.tgz | tar xz -C /opt",
        names: &["echo", "echo", "wget", "tar"],
        inner_names: &[],
        argc: &[2, 2, 3, 4],
    },
    Case {
        id: "12 case with substitution subject",
        dialect: Dialect::Posix,
        text: "case \"$(uname -m)\" in x86_64) A=amd64 ;; aarch64|arm64) A=arm64 ;; *) exit 1 ;; esac; echo $A",
        names: &["=", "=", "exit", "echo"],
        inner_names: &["uname"],
        argc: &[0, 0, 2, 2],
    },
    Case {
        id: "13 while read with input redirect",
        dialect: Dialect::Posix,
        text: "while read -r line; do echo \"$line\"; done < /etc/hosts; test -f /x && exit 1 || :",
        names: &["read", "echo", "test", "exit", ":"],
        inner_names: &[],
        argc: &[3, 2, 3, 2, 1],
    },
    Case {
        id: "14 non-ASCII text before the words",
        dialect: Dialect::Posix,
        text: "echo \"héllo wörld\" && useradd -m app && sudo -u app npm ci --only=production && npm cache clean --force",
        names: &["echo", "useradd", "sudo", "npm"],
        inner_names: &[],
        argc: &[2, 3, 6, 4],
    },
    Case {
        id: "15 pipefail, apk virtual, trailing comment",
        dialect: Dialect::Posix,
        text: "set -o pipefail && apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir -r /tmp/req.txt && apk del .build-deps # trailing comment",
        names: &["set", "apk", "pip", "apk"],
        inner_names: &[],
        argc: &[3, 7, 5, 3],
    },
    Case {
        id: "16 bash test, array, here-string, ANSI-C quote",
        dialect: Dialect::Bash,
        text: "[[ \"$X\" == y* ]] && arr=(1 2 3) && cat <<< \"$X\" && echo $'a\\tb' ${arr[@]}",
        names: &["[[", "=", "cat", "echo"],
        inner_names: &[],
        argc: &[5, 0, 1, 3],
    },
];

fn name(command: &SimpleCommand) -> &str {
    command.name().map_or("=", |word| word.raw.as_str())
}

fn outer(script: &Script) -> Vec<&SimpleCommand> {
    script
        .commands
        .iter()
        .filter(|command| !command.context.in_substitution)
        .collect()
}

fn inner(script: &Script) -> Vec<&SimpleCommand> {
    script
        .commands
        .iter()
        .filter(|command| command.context.in_substitution)
        .collect()
}

fn all_words(command: &SimpleCommand) -> impl Iterator<Item = &Word> {
    command
        .assignments
        .iter()
        .chain(&command.words)
        .chain(command.redirects.iter().map(|redirect| &redirect.target))
}

fn find(script: &Script, command_name: &str) -> SimpleCommand {
    let found = script
        .commands
        .iter()
        .find(|command| name(command) == command_name);
    found
        .unwrap_or_else(|| panic!("no command `{command_name}` in {script:#?}"))
        .clone()
}

fn span_of(text: &str, needle: &str) -> Span {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in `{text}`"));
    Span::new(start, start + needle.len())
}

/// Checks that every span in `script` lies on char boundaries of `text` and that every
/// word's `raw` is its slice.
fn assert_spans_valid(text: &str, script: &Script) {
    let valid = |span: Span| span.start <= span.end && text.get(span.start..span.end).is_some();
    for command in &script.commands {
        assert!(
            valid(command.span),
            "command span {:?} in {text:?}",
            command.span
        );
        for word in all_words(command) {
            assert!(valid(word.span), "word span {:?} in {text:?}", word.span);
            assert_eq!(
                &text[word.span.start..word.span.end],
                word.raw,
                "word raw in {text:?}"
            );
            assert!(
                command.span.start <= word.span.start,
                "word before its command in {text:?}"
            );
            assert!(
                word.span.end <= command.span.end,
                "word after its command in {text:?}"
            );
        }
        for redirect in &command.redirects {
            assert!(
                valid(redirect.span),
                "redirect span {:?} in {text:?}",
                redirect.span
            );
            if let Some(body) = redirect.heredoc_body {
                assert!(valid(body), "heredoc body {body:?} in {text:?}");
            }
        }
        if let Some(separator) = command.separator {
            assert_eq!(
                separator.span.text(text),
                separator.kind.as_str(),
                "separator in {text:?}"
            );
        }
    }
    if let Some(error) = &script.error {
        assert!(valid(error.span), "error span {:?} in {text:?}", error.span);
    }
}

#[test]
fn cases_have_expected_commands() {
    for case in CASES {
        let script = parse_script(case.text, case.dialect);
        assert_eq!(script.error, None, "case {}", case.id);
        assert!(!script.recovered, "case {}", case.id);

        let names: Vec<&str> = outer(&script).into_iter().map(name).collect();
        assert_eq!(names, case.names, "names, case {}", case.id);
        let inner_names: Vec<&str> = inner(&script).into_iter().map(name).collect();
        assert_eq!(
            inner_names, case.inner_names,
            "inner names, case {}",
            case.id
        );
        let argc: Vec<usize> = outer(&script)
            .iter()
            .map(|command| command.words.len())
            .collect();
        assert_eq!(argc, case.argc, "argc, case {}", case.id);

        assert_spans_valid(case.text, &script);
    }
}

#[test]
fn posix_cases_parse_the_same_as_bash() {
    for case in CASES.iter().filter(|case| case.dialect == Dialect::Posix) {
        let posix = parse_script(case.text, Dialect::Posix);
        let bash = parse_script(case.text, Dialect::Bash);
        assert_eq!(posix, bash, "case {}", case.id);
    }
}

#[test]
fn non_ascii_spans_are_bytes() {
    let text = CASES[13].text;
    let script = parse_script(text, Dialect::Posix);
    assert_eq!(
        find(&script, "useradd").words[0].span,
        span_of(text, "useradd")
    );
    let npm = find(&script, "sudo");
    assert_eq!(npm.words[3].raw, "npm");
    let npm_start = span_of(text, "npm ci").start;
    assert_eq!(npm.words[3].span, Span::new(npm_start, npm_start + 3));
    assert_eq!(script.commands[0].words[1].value, "héllo wörld");
}

#[test]
fn separators_have_kind_and_span() {
    let text = CASES[0].text;
    let script = parse_script(text, Dialect::Posix);
    let kinds: Vec<Option<SeparatorKind>> = script
        .commands
        .iter()
        .map(|command| command.separator.map(|separator| separator.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            Some(SeparatorKind::Semicolon),
            Some(SeparatorKind::And),
            Some(SeparatorKind::And),
            None
        ]
    );
    assert_eq!(
        script.commands[1].separator.unwrap().span,
        span_of(text, "&&")
    );

    let script = parse_script(
        "apt-get update || true\necho a | tee b &\nwait",
        Dialect::Posix,
    );
    let kinds: Vec<Option<SeparatorKind>> = script
        .commands
        .iter()
        .map(|command| command.separator.map(|separator| separator.kind))
        .collect();
    let expected = [
        Some(SeparatorKind::Or),
        Some(SeparatorKind::Newline),
        Some(SeparatorKind::Pipe),
        Some(SeparatorKind::Background),
        None,
    ];
    assert_eq!(kinds, expected);
}

#[test]
fn separator_ends_at_closing_paren() {
    let script = parse_script(CASES[4].text, Dialect::Posix);
    let make = find(&script, "make");
    assert_eq!(make.separator, None);
    assert!(make.context.in_subshell);
    assert_eq!(make.context.preceded_by, Some(AndOrOperator::And));
    let nproc = find(&script, "nproc");
    assert!(nproc.context.in_substitution);
    assert_eq!(make.words[1].value, "-j$(nproc)");
    assert!(make.words[1].has_expansion);
}

#[test]
fn contexts_of_compound_commands() {
    let script = parse_script(CASES[5].text, Dialect::Posix);
    assert!(script.commands[0].context.in_condition);
    assert!(script.commands[1].context.in_branch);
    assert_eq!(script.commands[1].assignments[0].raw, "ARCH=aarch64");
    assert!(!script.commands[3].context.in_branch);

    let script = parse_script(CASES[12].text, Dialect::Posix);
    assert!(find(&script, "read").context.in_condition);
    assert!(find(&script, "echo").context.in_loop);
    assert_eq!(
        find(&script, "exit").context.preceded_by,
        Some(AndOrOperator::And)
    );
    assert_eq!(
        find(&script, ":").context.preceded_by,
        Some(AndOrOperator::Or)
    );

    let script = parse_script(CASES[10].text, Dialect::Posix);
    assert!(script.commands[0].context.in_brace_group);
    assert_eq!(
        find(&script, "wget").context.pipeline,
        Some(PipelinePosition { index: 0, len: 2 })
    );
    assert_eq!(
        find(&script, "tar").context.pipeline,
        Some(PipelinePosition { index: 1, len: 2 })
    );

    let script = parse_script(CASES[11].text, Dialect::Posix);
    assert!(
        script
            .commands
            .iter()
            .filter(|command| name(command) == "=")
            .all(|command| command.context.in_branch)
    );

    let script = parse_script(
        "sleep 1 & f() { rm -rf /tmp/x; }; ! grep -q x y",
        Dialect::Posix,
    );
    assert!(find(&script, "sleep").context.in_background);
    assert!(find(&script, "rm").context.in_function);
    assert!(!find(&script, "rm").context.in_background);
    assert!(find(&script, "grep").context.negated);
}

#[test]
fn heredoc_body_is_data() {
    let text = CASES[8].text;
    let script = parse_script(text, Dialect::Posix);
    let cat = &script.commands[0];
    assert_eq!(cat.redirects.len(), 2);
    assert_eq!(cat.redirects[0].operator, ">");
    assert_eq!(cat.redirects[0].target.raw, "/etc/app.conf");
    let heredoc = &cat.redirects[1];
    assert_eq!(heredoc.operator, "<<");
    assert_eq!(heredoc.span.text(text), "<<");
    assert_eq!(heredoc.target.value, "EOF");
    assert_eq!(
        heredoc.heredoc_body.unwrap().text(text),
        "key=value\nhome=$HOME && not a command\n"
    );
    assert_eq!(
        cat.separator.map(|separator| separator.kind),
        Some(SeparatorKind::Newline)
    );
    assert!(cat.span.end <= text.find('\n').unwrap());
}

#[test]
fn commands_after_heredoc_operator_line() {
    let text = "cat <<EOF | sh && echo done\nset -x\nEOF\napk add curl";
    let script = parse_script(text, Dialect::Posix);
    let names: Vec<&str> = script.commands.iter().map(name).collect();
    assert_eq!(names, ["cat", "sh", "echo", "apk"]);
    assert_eq!(script.commands[2].words[1].span, span_of(text, "done"));
    assert_eq!(
        script.commands[0].redirects[0]
            .heredoc_body
            .unwrap()
            .text(text),
        "set -x\n"
    );
    assert_spans_valid(text, &script);
}

#[test]
fn redirect_descriptor_and_operator() {
    let text = CASES[10].text;
    let script = parse_script(text, Dialect::Posix);
    let wget = find(&script, "wget");
    assert!(wget.redirects.is_empty());

    let text = "make 2>&1 >>/tmp/log < in";
    let script = parse_script(text, Dialect::Posix);
    let redirects = &script.commands[0].redirects;
    assert_eq!(redirects[0].fd, Some(2));
    assert_eq!(redirects[0].operator, ">&");
    assert_eq!(redirects[0].span.text(text), "2>&");
    assert_eq!(redirects[0].target.raw, "1");
    assert_eq!(redirects[1].span.text(text), ">>");
    assert_eq!(redirects[2].span.text(text), "<");
    assert_eq!(script.commands[0].words.len(), 1);
}

#[test]
fn words_have_values() {
    let script = parse_script(CASES[2].text, Dialect::Posix);
    let pip = &script.commands[1];
    assert_eq!(pip.words[3].value, "flask>=2.0");
    assert!(pip.words[3].quoted);
    assert_eq!(pip.words[4].value, "gunicorn==21.*");

    let script = parse_script(CASES[15].text, Dialect::Bash);
    let echo = find(&script, "echo");
    assert_eq!(echo.words[1].value, "a\tb");
    assert!(echo.words[2].has_expansion);

    let script = parse_script(CASES[9].text, Dialect::Posix);
    assert_eq!(
        script.commands[0].assignments[0].raw,
        "DEBIAN_FRONTEND=noninteractive"
    );
    assert_eq!(
        script.commands[0].words[0].span,
        span_of(CASES[9].text, "apt-get")
    );
}

#[test]
fn backticks_glued_in_a_word() {
    let text = CASES[7].text;
    let script = parse_script(text, Dialect::Posix);
    let tar = find(&script, "tar");
    assert_eq!(tar.words[2].raw, "app-`uname -m`.tgz");
    assert!(tar.words[2].has_expansion);
    let uname = find(&script, "uname");
    assert_eq!(uname.words[1].span, span_of(text, "-m"));
    let export = find(&script, "export");
    assert_eq!(export.words[1].raw, "VERSION=$(cat /VERSION)");
}

#[test]
fn nested_substitutions() {
    let text = "ln -s \"$(dirname \"$(command -v python3)\")\" /opt/py";
    let script = parse_script(text, Dialect::Posix);
    let names: Vec<&str> = script.commands.iter().map(name).collect();
    assert_eq!(names, ["ln", "dirname", "command"]);
    assert_eq!(
        find(&script, "command").words[2].span,
        span_of(text, "python3")
    );
    assert_spans_valid(text, &script);
}

#[test]
fn process_substitutions_are_subshells() {
    let text = "diff <(ls a) <(ls b) > >(tee log)";
    for dialect in [Dialect::Bash, Dialect::Posix] {
        let script = parse_script(text, dialect);
        let names: Vec<&str> = script.commands.iter().map(name).collect();
        assert_eq!(names, ["diff", "ls", "ls", "tee"], "{dialect:?}");
        let diff = &script.commands[0];
        assert_eq!(diff.words[1].raw, "<(ls a)");
        assert!(diff.words[1].has_expansion);
        assert_eq!(diff.redirects[0].target.raw, ">(tee log)");
        let tee = &script.commands[3];
        assert!(tee.context.in_subshell, "{dialect:?}");
        assert!(tee.context.in_substitution, "{dialect:?}");
        assert_spans_valid(text, &script);
    }
}

#[test]
fn nested_subshells_are_not_arithmetic() {
    let text = "( (cd /src && make) ) && ((n = 1 + 2))";
    let script = parse_script(text, Dialect::Bash);
    let names: Vec<&str> = script.commands.iter().map(name).collect();
    assert_eq!(names, ["cd", "make"]);
    assert!(script.commands[1].context.in_subshell);
    assert_eq!(script.commands[1].words[0].span, span_of(text, "make"));
}

#[test]
fn line_continuation_left_in_text() {
    // A Dockerfile that uses the backtick escape keeps `\` + newline in the joined text.
    let text = "apt-get update && \\\n    apt-get install -y \\\n        curl";
    let script = parse_script(text, Dialect::Posix);
    assert_eq!(script.error, None);
    let install = &script.commands[1];
    assert_eq!(install.words[0].span, Span::new(24, 31));
    let curl = install.words.last().unwrap();
    assert_eq!(curl.raw, "curl");
    assert_eq!(curl.span, span_of(text, "curl"));
    assert_spans_valid(text, &script);

    let text = "echo foo\\\nbar \\\n baz";
    let script = parse_script(text, Dialect::Posix);
    let values: Vec<&str> = script.commands[0]
        .words
        .iter()
        .map(|word| word.value.as_str())
        .collect();
    assert_eq!(values, ["echo", "foobar", "baz"]);
}

#[test]
fn heredoc_script_with_comments() {
    let text = "#!/bin/sh\nset -e\n# install\napt-get update\n\nif [ -f /x ]; then\n  rm /x # cleanup\nfi\n";
    let script = parse_script(text, Dialect::Posix);
    let names: Vec<&str> = script.commands.iter().map(name).collect();
    assert_eq!(names, ["set", "apt-get", "[", "rm"]);
    assert_eq!(
        find(&script, "rm")
            .separator
            .map(|separator| separator.kind),
        Some(SeparatorKind::Newline)
    );
    assert_spans_valid(text, &script);
}

#[test]
fn cut_off_continuation_recovers() {
    let text = "apt-get install -y \\";
    let script = parse_script(text, Dialect::Posix);
    assert!(script.recovered);
    assert!(script.error.is_some());
    let words: Vec<&str> = script.commands[0]
        .words
        .iter()
        .map(|word| word.raw.as_str())
        .collect();
    assert_eq!(words, ["apt-get", "install", "-y"]);
    assert_spans_valid(text, &script);
}

#[test]
fn open_if_recovers() {
    let text = "if true; then";
    let script = parse_script(text, Dialect::Posix);
    assert!(script.recovered);
    assert_eq!(script.error.as_ref().unwrap().span, Span::empty(text.len()));
    assert_eq!(script.commands.len(), 1);
    assert_eq!(name(&script.commands[0]), "true");
    assert!(script.commands[0].context.in_condition);

    let text = "if true; then apt-get install -y curl";
    let script = parse_script(text, Dialect::Posix);
    let apt = find(&script, "apt-get");
    assert!(apt.context.in_branch);
    assert_eq!(apt.words.len(), 4);
    assert_spans_valid(text, &script);
}

#[test]
fn unterminated_quote_recovers() {
    let text = "apt-get update && echo \"héllo && apt-get install";
    let script = parse_script(text, Dialect::Posix);
    assert!(script.recovered);
    let error = script.error.clone().unwrap();
    assert_eq!(error.message, "unterminated double quote");
    assert_eq!(error.span.text(text), "\"");
    let names: Vec<&str> = script.commands.iter().map(name).collect();
    assert_eq!(names, ["apt-get", "echo"]);
    assert_eq!(
        script.commands[1].words[1].raw,
        "\"héllo && apt-get install"
    );
    assert_spans_valid(text, &script);

    let text = "echo 'abc";
    let script = parse_script(text, Dialect::Posix);
    assert_eq!(script.commands[0].words[1].value, "abc");
}

#[test]
fn incomplete_inputs_recover() {
    let inputs = [
        ("apt-get update &&", &["apt-get"][..]),
        ("echo $(date", &["echo", "date"][..]),
        ("cat <<EOF\nabc", &["cat"][..]),
        ("for p in a b; do pip install $p", &["pip"][..]),
        ("case $x in a) apk add", &["apk"][..]),
        ("(cd /src && make", &["cd", "make"][..]),
        ("apt-get install -y curl ||", &["apt-get"][..]),
    ];
    for (text, expected) in inputs {
        let script = parse_script(text, Dialect::Posix);
        assert!(script.recovered, "{text:?}");
        assert!(script.error.is_some(), "{text:?}");
        let names: Vec<&str> = script.commands.iter().map(name).collect();
        assert_eq!(names, expected, "{text:?}");
        assert_spans_valid(text, &script);
    }

    let script = parse_script("(cd /src && make", Dialect::Posix);
    assert!(
        script
            .commands
            .iter()
            .all(|command| command.context.in_subshell)
    );
    let script = parse_script("cat <<EOF\nabc", Dialect::Posix);
    assert_eq!(
        script.commands[0].redirects[0].heredoc_body,
        Some(Span::new(10, 13))
    );
}

/// Scripts beyond the cases that exercise contexts the fallback tracks on its own.
const CONTEXT_SCRIPTS: &[&str] = &[
    "sleep 1 & f() { rm -rf /tmp/x; }; ! grep -q x y | cat",
    "a && { b; c || d; } | e &",
    "if a | b; then c; fi | d",
    "cat <<EOF | sh && echo done\nset -x\nEOF\napk add curl",
    "for i in $(seq 3); do echo $i | tee -a log; done 2>/dev/null",
];

#[test]
fn fallback_agrees_with_brush() {
    // Appending an unterminated quote makes brush reject the text, so the fallback
    // tokenizer reads it. Everything before the quote must come out the same.
    let scripts = CASES.iter().map(|case| (case.text, case.dialect));
    let scripts = scripts.chain(CONTEXT_SCRIPTS.iter().map(|text| (*text, Dialect::Posix)));
    for (text, dialect) in scripts {
        let expected = parse_script(text, dialect);
        assert!(!expected.recovered, "{text:?}");

        let broken = format!("{text}\necho '");
        let mut recovered = parse_script(&broken, dialect);
        assert!(recovered.recovered, "{text:?}");
        let appended = recovered.commands.pop().expect("the appended echo");
        assert_eq!(name(&appended), "echo");
        for command in &mut recovered.commands {
            if command
                .separator
                .is_some_and(|separator| separator.span.start == text.len())
            {
                command.separator = None;
            }
        }

        assert_eq!(recovered.commands, expected.commands, "{text:?}");
        assert_spans_valid(&broken, &recovered);
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    let text = format!("{}echo x{}", "(".repeat(5000), ")".repeat(5000));
    let script = parse_script(&text, Dialect::Bash);
    assert!(script.recovered);
    assert_spans_valid(&text, &script);

    let text = format!(
        "{}echo x{}",
        "if true; then ".repeat(2000),
        "; fi".repeat(2000)
    );
    let script = parse_script(&text, Dialect::Posix);
    assert!(script.recovered);
    assert_eq!(script.commands.len(), 2001);
    assert_spans_valid(&text, &script);

    let text = format!("echo {}x{}", "$(".repeat(2000), ")".repeat(2000));
    let script = parse_script(&text, Dialect::Bash);
    assert_spans_valid(&text, &script);
}

#[test]
fn large_descriptor_does_not_panic() {
    let script = parse_script("99999999999999>f", Dialect::Posix);
    assert!(script.recovered);
    assert_eq!(
        script.error.unwrap().message,
        "file descriptor number out of range"
    );
}

#[test]
fn parse_time_of_typical_body() {
    let text = "set -eux; apt-get update && apt-get install -y --no-install-recommends ca-certificates curl=7.88.1-10+deb12u5 \"git>=1:2.39\" && curl -fsSL \"https://example.com/v$(cat /VERSION)/app.tgz\" | tar -xz -C /opt && rm -rf /var/lib/apt/lists/*";
    let runs = 2_000;
    let started = Instant::now();
    let mut commands = 0;
    for _ in 0..runs {
        commands += parse_script(text, Dialect::Posix).commands.len();
    }
    let per_body = started.elapsed() / runs;
    assert_eq!(commands, 7 * runs as usize);
    println!(
        "parse_script: {} bytes, {per_body:?} per body ({runs} runs)",
        text.len()
    );
}

fn shell_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("apt-get".to_owned()),
        Just(" ".to_owned()),
        Just("\n".to_owned()),
        Just("\\\n".to_owned()),
        Just("&&".to_owned()),
        Just("||".to_owned()),
        Just("|".to_owned()),
        Just(";".to_owned()),
        Just("&".to_owned()),
        Just("$(".to_owned()),
        Just("${".to_owned()),
        Just("`".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("{ ".to_owned()),
        Just(" }".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("<<EOF\n".to_owned()),
        Just("<<-'EOF'".to_owned()),
        Just("\nEOF\n".to_owned()),
        Just("2>&1".to_owned()),
        Just(">".to_owned()),
        Just("<<<".to_owned()),
        Just("# c".to_owned()),
        Just("if ".to_owned()),
        Just("then ".to_owned()),
        Just("fi".to_owned()),
        Just("for x in a; do ".to_owned()),
        Just("done".to_owned()),
        Just("case x in a) ".to_owned()),
        Just(";;".to_owned()),
        Just("esac".to_owned()),
        Just("[[ ".to_owned()),
        Just(" ]]".to_owned()),
        Just("A=1".to_owned()),
        Just("$'\\t'".to_owned()),
        Just("\\".to_owned()),
        "[a-zé中😀=:./-]{1,6}",
    ];
    prop::collection::vec(pieces, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn spans_stay_valid_on_shell_like_text(text in shell_text(), bash in any::<bool>()) {
        let dialect = if bash { Dialect::Bash } else { Dialect::Posix };
        let script = parse_script(&text, dialect);
        assert_spans_valid(&text, &script);
    }

    #[test]
    fn spans_stay_valid_on_any_text(text in any::<String>()) {
        let script = parse_script(&text, Dialect::Bash);
        assert_spans_valid(&text, &script);
    }
}
