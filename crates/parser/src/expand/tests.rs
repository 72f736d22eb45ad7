use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|&(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

fn expand(word: &str, pairs: &[(&str, &str)]) -> Result<Expansion, ExpandError> {
    expand_word(word, &env(pairs), &Options::default())
}

fn value(word: &str, pairs: &[(&str, &str)]) -> String {
    match expand(word, pairs) {
        Ok(expansion) => expansion.value,
        Err(error) => panic!("{word:?} failed: {}", error.message),
    }
}

fn error(word: &str, pairs: &[(&str, &str)]) -> ExpandError {
    match expand(word, pairs) {
        Ok(expansion) => panic!("{word:?} gave {:?}, expected an error", expansion.value),
        Err(error) => error,
    }
}

fn names(lookups: &[Lookup], found: bool) -> BTreeSet<&str> {
    lookups
        .iter()
        .filter(|lookup| lookup.found == found)
        .map(|lookup| lookup.name.as_str())
        .collect()
}

/// One case of BuildKit's lookup table: the value, then the names found and not found.
struct LookupCase {
    word: &'static str,
    env: &'static [(&'static str, &'static str)],
    expected: Option<&'static str>,
    found: &'static [&'static str],
    missing: &'static [&'static str],
}

const FOO_BAR: &[(&str, &str)] = &[("FOO", "xxx"), ("BAR", "")];

const LOOKUP_CASES: &[LookupCase] = &[
    LookupCase {
        word: "x",
        env: &[("DUMMY", "dummy")],
        expected: Some("x"),
        found: &[],
        missing: &[],
    },
    LookupCase {
        word: "x ${UNUSED}",
        env: &[],
        expected: Some("x "),
        found: &[],
        missing: &["UNUSED"],
    },
    LookupCase {
        word: "x ${FOO}",
        env: &[("FOO", "y")],
        expected: Some("x y"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}",
        env: FOO_BAR,
        expected: Some("xxx  ccc"),
        found: &["FOO", "BAR"],
        missing: &["BAZ"],
    },
    LookupCase {
        word: "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}",
        env: FOO_BAR,
        expected: Some("xxx bbb ccc"),
        found: &["FOO", "BAR"],
        missing: &["BAZ"],
    },
    LookupCase {
        word: "${FOO:-}",
        env: FOO_BAR,
        expected: Some("xxx"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO:-}",
        env: &[],
        expected: Some(""),
        found: &[],
        missing: &["FOO"],
    },
    LookupCase {
        word: "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}",
        env: FOO_BAR,
        expected: Some("aaa bbb "),
        found: &["FOO", "BAR"],
        missing: &["BAZ"],
    },
    LookupCase {
        word: "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}",
        env: FOO_BAR,
        expected: Some("aaa  "),
        found: &["FOO", "BAR"],
        missing: &["BAZ"],
    },
    LookupCase {
        word: "${FOO?aaa}",
        env: FOO_BAR,
        expected: Some("xxx"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${BAR?bbb}",
        env: FOO_BAR,
        expected: Some(""),
        found: &["BAR"],
        missing: &[],
    },
    LookupCase {
        word: "${BAZ?ccc}",
        env: FOO_BAR,
        expected: None,
        found: &[],
        missing: &[],
    },
    LookupCase {
        word: "${FOO:?aaa}",
        env: FOO_BAR,
        expected: Some("xxx"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${BAR:?bbb}",
        env: FOO_BAR,
        expected: None,
        found: &[],
        missing: &[],
    },
    LookupCase {
        word: "${BAZ:?ccc}",
        env: FOO_BAR,
        expected: None,
        found: &[],
        missing: &[],
    },
    LookupCase {
        word: "${BAZ:?}",
        env: FOO_BAR,
        expected: None,
        found: &[],
        missing: &[],
    },
    LookupCase {
        word: "${FOO=aaa}",
        env: FOO_BAR,
        expected: None,
        found: &[],
        missing: &[],
    },
    LookupCase {
        word: "${FOO=:aaa}",
        env: FOO_BAR,
        expected: None,
        found: &[],
        missing: &[],
    },
    LookupCase {
        word: "${FOO=}",
        env: &[],
        expected: None,
        found: &[],
        missing: &[],
    },
    LookupCase {
        word: r"${FOO#()[]{\}^$.\*\?|\\}",
        env: &[("FOO", r"()[]{}^$.*?|\x")],
        expected: Some("x"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: r"${FOO%%\**}",
        env: &[("FOO", "xx**")],
        expected: Some("xx"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO#*x*y}",
        env: &[("FOO", "xxyy")],
        expected: Some("y"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO#*}",
        env: &[("FOO", "xxyy")],
        expected: Some("xxyy"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO#$BAR}",
        env: &[("FOO", "xxyy"), ("BAR", "x")],
        expected: Some("xyy"),
        found: &["FOO", "BAR"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO#$BAR}",
        env: &[("FOO", "xxyy"), ("BAR", "")],
        expected: Some("xxyy"),
        found: &["FOO", "BAR"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO#}",
        env: &[("FOO", "xxyy")],
        expected: Some("xxyy"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO##*x}",
        env: &[("FOO", "xxyy")],
        expected: Some("yy"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO##}",
        env: &[("FOO", "xxyy")],
        expected: Some("xxyy"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: r"${FOO#?\?}",
        env: &[("FOO", "???y")],
        expected: Some("?y"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${ABC:-.}${FOO%x}${ABC:-.}",
        env: &[("FOO", "xxyy")],
        expected: Some(".xxyy."),
        found: &["FOO"],
        missing: &["ABC"],
    },
    LookupCase {
        word: r"${FOO%%\**\*}",
        env: &[("FOO", "a***yy*")],
        expected: Some("a"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO%}",
        env: &[("FOO", "xxyy")],
        expected: Some("xxyy"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO%%$BAR}",
        env: &[("FOO", "xxyy"), ("BAR", "")],
        expected: Some("xxyy"),
        found: &["FOO", "BAR"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
        env: &[("FOO", "/foo*/*/*.txt"), ("NEEDLE", r"\*/")],
        expected: Some("/foo.*/*.txt - /foo..*.txt"),
        found: &["FOO", "NEEDLE"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
        env: &[("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")],
        expected: Some("/tmp/bar.txt - /bar.txt"),
        found: &["FOO", "NEEDLE"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
        env: &[
            ("FOO", "/a/foo/b/c.txt"),
            ("NEEDLE", "/?/"),
            ("REPLACEMENT", "/"),
        ],
        expected: Some("/foo/b/c.txt - /foo/c.txt"),
        found: &["FOO", "NEEDLE", "REPLACEMENT"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO/$NEEDLE/$REPLACEMENT}",
        env: &[
            ("FOO", "http://google.de"),
            ("NEEDLE", "http://"),
            ("REPLACEMENT", "https://"),
        ],
        expected: Some("https://google.de"),
        found: &["FOO", "NEEDLE", "REPLACEMENT"],
        missing: &[],
    },
    LookupCase {
        word: r"${FOO//\//\/}",
        env: &[("FOO", "/tmp/foo.txt")],
        expected: Some(r"\/tmp\/foo.txt"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO/$BAR/ww}",
        env: &[("FOO", "xxyy"), ("BAR", "")],
        expected: Some("wwxxyy"),
        found: &["FOO", "BAR"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO//ww}",
        env: &[("FOO", "xxyy")],
        expected: None,
        found: &[],
        missing: &[],
    },
    LookupCase {
        word: "${FOO//}",
        env: &[("FOO", "xxyy")],
        expected: None,
        found: &[],
        missing: &[],
    },
    LookupCase {
        word: "${FOO///}",
        env: &[("FOO", "xxyy")],
        expected: Some("xxyy"),
        found: &["FOO"],
        missing: &[],
    },
    LookupCase {
        word: "${FOO///}",
        env: &[],
        expected: Some(""),
        found: &[],
        missing: &["FOO"],
    },
];

#[test]
fn lookup_table_values_and_names() {
    let mut failures = Vec::new();
    for case in LOOKUP_CASES {
        match (expand(case.word, case.env), case.expected) {
            (Ok(expansion), Some(expected)) => {
                if expansion.value != expected {
                    failures.push(format!(
                        "{:?}: value {:?}, expected {expected:?}",
                        case.word, expansion.value
                    ));
                }
                let found: BTreeSet<&str> = case.found.iter().copied().collect();
                let missing: BTreeSet<&str> = case.missing.iter().copied().collect();
                if names(&expansion.lookups, true) != found {
                    failures.push(format!("{:?}: found {:?}", case.word, expansion.lookups));
                }
                if names(&expansion.lookups, false) != missing {
                    failures.push(format!("{:?}: missing {:?}", case.word, expansion.lookups));
                }
            }
            (Ok(expansion), None) => {
                failures.push(format!(
                    "{:?}: value {:?}, expected an error",
                    case.word, expansion.value
                ));
            }
            (Err(error), Some(expected)) => {
                failures.push(format!(
                    "{:?}: error {:?}, expected {expected:?}",
                    case.word, error.message
                ));
            }
            (Err(_), None) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn required_forms_use_expanded_message() {
    let set = [("VAR", "plain"), ("ARG", "x")];
    let empty = [("VAR", ""), ("ARG", "x")];
    let unset = [("ARG", "x")];

    assert_eq!(value("${VAR:?message here$ARG}", &set), "plain");
    assert_eq!(
        error("${VAR:?message here$ARG}", &empty).message,
        "VAR: message herex"
    );
    assert_eq!(
        error("${VAR:?message here$ARG}", &unset).message,
        "VAR: message herex"
    );

    assert_eq!(value("${VAR?message here$ARG}", &set), "plain");
    assert_eq!(value("${VAR?message here$ARG}", &empty), "");
    assert_eq!(
        error("${VAR?message here$ARG}", &unset).message,
        "VAR: message herex"
    );

    assert_eq!(
        error("${VAR?}", &unset).message,
        "VAR: is not allowed to be unset"
    );
    assert_eq!(
        error("${VAR:?}", &unset).message,
        "VAR: is not allowed to be unset"
    );
    assert_eq!(
        error("${VAR:?}", &empty).message,
        "VAR: is not allowed to be empty"
    );
}

#[test]
fn conditional_suffix_for_platform_variants() {
    let release =
        "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz";
    let base = [("VERSION", "v1.2.3"), ("TARGETOS", "linux")];

    let arm_v7 = [
        base[0],
        base[1],
        ("TARGETARCH", "arm"),
        ("TARGETVARIANT", "v7"),
    ];
    assert_eq!(
        value(release, &arm_v7),
        "something-v1.2.3.linux-arm-v7.tar.gz"
    );
    let empty_variant = [
        base[0],
        base[1],
        ("TARGETARCH", "arm64"),
        ("TARGETVARIANT", ""),
    ];
    assert_eq!(
        value(release, &empty_variant),
        "something-v1.2.3.linux-arm64.tar.gz"
    );
    let no_variant = [base[0], base[1], ("TARGETARCH", "arm64")];
    assert_eq!(
        value(release, &no_variant),
        "something-v1.2.3.linux-arm64.tar.gz"
    );
}

#[test]
fn error_messages_match_buildkit() {
    let cases: &[(&str, &str)] = &[
        ("${", "syntax error: missing '}'"),
        ("${}", "syntax error: bad substitution"),
        ("${:-x}", "syntax error: bad substitution"),
        ("${{a}", "syntax error: bad substitution"),
        ("${a", "unsupported modifier (\u{fffd}) in substitution"),
        ("${.}", "unsupported modifier (.) in substitution"),
        ("${#v}", "unsupported modifier (v) in substitution"),
        ("${v=w}", "unsupported modifier (=) in substitution"),
        ("${v:=w}", "unsupported modifier (:=) in substitution"),
        ("${v:YYY}", "unsupported modifier (:Y) in substitution"),
        ("${v:1:2}", "unsupported modifier (:1) in substitution"),
        ("${v:#p}", "unsupported modifier (:#) in substitution"),
        ("${v:%p}", "unsupported modifier (:%) in substitution"),
        ("${v:", "syntax error: missing '}'"),
        ("${v:-abc", "syntax error: missing '}'"),
        ("${v:-'abc}", "syntax error: missing '}'"),
        ("${v:-${w}", "syntax error: missing '}'"),
        ("${v:-${w", "syntax error: missing '}'"),
        ("${v/abc", "syntax error: missing '/' in ${}"),
        ("${v//}", "syntax error: missing '/' in ${}"),
        ("${v/a/b", "syntax error: missing '}'"),
        ("${v:x${}}", "syntax error: bad substitution"),
        ("${v:-${w?}}", "w: is not allowed to be unset"),
        (
            "'abc",
            "unexpected end of statement while looking for matching single-quote",
        ),
        (
            "\"abc",
            "unexpected end of statement while looking for matching double-quote",
        ),
        (
            "\"abc\\\"",
            "unexpected end of statement while looking for matching double-quote",
        ),
        (
            r"${v#\x}",
            r"invalid pattern (\x) in substitution: invalid escape '\x'",
        ),
        (
            r"${v%a\x}",
            r"invalid pattern (\xa) in substitution: invalid escape '\x'",
        ),
        (
            r"${v/\x/y}",
            r"invalid pattern (\x) in substitution: invalid escape '\x'",
        ),
    ];
    let mut failures = Vec::new();
    for &(word, message) in cases {
        match expand(word, &[("v", "value")]) {
            Err(error) if error.message == message => {}
            Err(error) => failures.push(format!(
                "{word:?}: {:?}, expected {message:?}",
                error.message
            )),
            Ok(expansion) => failures.push(format!(
                "{word:?}: gave {:?}, expected {message:?}",
                expansion.value
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn error_spans_cover_the_failing_part() {
    assert_eq!(error("ab ${} cd", &[]).span, Span::new(3, 6));
    assert_eq!(error("x${v=w}y", &[]).span, Span::new(1, 5));
    assert_eq!(error("x ${v:-abc", &[]).span, Span::new(2, 10));
    assert_eq!(error("x 'abc", &[]).span, Span::new(2, 6));
    assert_eq!(error("a${X?}b", &[]).span, Span::new(1, 6));
    assert_eq!(error("${v:-${w?}}", &[]).span, Span::new(5, 10));
}

#[test]
fn buildkit_message_names_the_word() {
    let failure = error("a\t${}", &[]);
    assert_eq!(
        failure.buildkit_message("a\t${}"),
        "failed to process \"a\\t${}\": syntax error: bad substitution"
    );
    assert_eq!(failure.to_string(), "syntax error: bad substitution");
}

#[test]
fn lookups_record_spans_in_evaluation_order() {
    let expansion = expand("$A-${B:-$C}x", &[("C", "c")]).unwrap();
    let seen: Vec<(&str, bool, Span)> = expansion
        .lookups
        .iter()
        .map(|lookup| (lookup.name.as_str(), lookup.found, lookup.span))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("A", false, Span::new(0, 2)),
            ("C", true, Span::new(8, 10)),
            ("B", false, Span::new(3, 11)),
        ]
    );
    assert_eq!(expansion.value, "-cx");
}

#[test]
fn lookups_repeat_per_occurrence_and_skip_quoted_text() {
    let expansion = expand("$A$A'$B'\"$C\"", &[("A", "1")]).unwrap();
    let names: Vec<&str> = expansion
        .lookups
        .iter()
        .map(|lookup| lookup.name.as_str())
        .collect();
    assert_eq!(names, ["A", "A", "C"]);
    assert_eq!(expansion.value, "11$B");
}

#[test]
fn special_and_digit_names() {
    let pairs = [
        ("1", "one"),
        ("@", "at"),
        ("12", "twelve"),
        ("٣", "arabic three"),
    ];
    assert_eq!(value("$1x", &pairs), "onex");
    assert_eq!(value("$12x", &pairs), "twelvex");
    assert_eq!(value("$@@", &pairs), "at@");
    assert_eq!(value("${@}", &pairs), "at");
    assert_eq!(value("$٣x", &pairs), "arabic threex");
    assert_eq!(value("$²", &pairs), "$²");
    assert_eq!(value("$$", &[("$", "pid")]), "pid");
    assert_eq!(value("${#}", &[("#", "count")]), "count");
    assert_eq!(value("${##}", &[("#", "count")]), "count");
}

#[test]
fn unicode_names_stop_at_marks() {
    let pairs = [("한국어", "korean"), ("न", "na")];
    assert_eq!(value("$한국어!", &pairs), "korean!");
    // U+093F DEVANAGARI VOWEL SIGN I is a spacing mark, not a letter, so the name is `न`.
    assert_eq!(value("$नि", &pairs), "na\u{93f}");
}

#[test]
fn escapes_outside_and_inside_quotes() {
    assert_eq!(value(r"a\$b\\c\", &[]), r"a$b\c");
    assert_eq!(value(r#""a\$b\"c\\d\e""#, &[]), r#"a$b"c\d\e"#);
    assert_eq!(value(r"'a\$b'", &[]), r"a\$b");
}

#[test]
fn backtick_escape_character() {
    let options = Options::new('`');
    let pairs = env(&[("A", "1")]);
    let expand_with = |word: &str| expand_word(word, &pairs, &options).unwrap().value;
    assert_eq!(expand_with(r"C:\dir\$A"), r"C:\dir\1");
    assert_eq!(expand_with("`$A"), "$A");
    assert_eq!(expand_with("\"a``b`\"\""), "a`b\"");
    // Patterns keep `\` as their escape whatever the escape character is.
    assert_eq!(expand_with(r"${A#\*}"), "1");
}

#[test]
fn keep_quotes_leaves_quotes_and_expands_between_them() {
    let options = Options {
        keep_quotes: true,
        ..Options::default()
    };
    let pairs = env(&[("HOME", "/root")]);
    let body = "echo '$HOME' \"$HOME\" \\$HOME\n";
    let expansion = expand_word(body, &pairs, &options).unwrap();
    assert_eq!(expansion.value, "echo '/root' \"/root\" $HOME\n");
    assert_eq!(expansion.lookups.len(), 2);
}

#[test]
fn case_insensitive_keys_match_any_case() {
    let pairs = env(&[("Path", "/bin")]);
    let windows = Options {
        case_insensitive_keys: true,
        ..Options::default()
    };
    let expansion = expand_word("$PATH;$path", &pairs, &windows).unwrap();
    assert_eq!(expansion.value, "/bin;/bin");
    assert!(expansion.lookups.iter().all(|lookup| lookup.found));
    assert_eq!(
        expand_word("$PATH", &pairs, &Options::default())
            .unwrap()
            .value,
        ""
    );
}

#[test]
fn closures_and_hash_maps_are_environments() {
    let closure = |name: &str| (name == "A").then(|| "from closure".to_owned());
    assert_eq!(
        expand_word("$A$B", &closure, &Options::default())
            .unwrap()
            .value,
        "from closure"
    );

    let map: HashMap<&str, &str> = [("A", "from map")].into();
    assert_eq!(
        expand_word("$A", &map, &Options::default()).unwrap().value,
        "from map"
    );
}

#[test]
fn leading_byte_order_mark_is_dropped() {
    assert_eq!(value("\u{feff}$A", &[("A", "1")]), "1");
    assert_eq!(value("x\u{feff}", &[]), "x\u{feff}");
    assert_eq!(value("${A#\u{feff}1}", &[("A", "1")]), "");
}

#[test]
fn replace_all_reads_dollar_in_replacement() {
    // `\$` stays raw in a replacement, so Go's template reads `$0`.
    assert_eq!(
        value(r"${A//a/<\$0>}", &[("A", "banana")]),
        r"b<\a>n<\a>n<\a>"
    );
    assert_eq!(value(r"${A/a/<\$0>}", &[("A", "banana")]), r"b<\$0>nana");
}

#[test]
fn longest_flag_comes_from_the_expanded_word() {
    assert_eq!(value("${A#$P}", &[("A", "a/b/c"), ("P", "#*/")]), "c");
    assert_eq!(value("${A#$P}", &[("A", "a/b/c"), ("P", "*/")]), "b/c");
    // A pattern cannot escape `#`: BuildKit rejects every escape but `\*`, `\?` and `\\`.
    let failure = error(r"${A#\#*/}", &[("A", "#a/b/c")]);
    assert_eq!(
        failure.message,
        r"invalid pattern (\#*/) in substitution: invalid escape '\#'"
    );
}

#[test]
fn words_split_on_unquoted_and_expanded_whitespace() {
    let pairs = env(&[("PORTS", " 80  443/tcp "), ("EMPTY", "")]);
    let options = Options::default();
    let split = |word: &str| expand_words(word, &pairs, &options).unwrap().words;
    assert_eq!(split("$PORTS 8080"), ["80", "443/tcp", "8080"]);
    assert_eq!(split("\"$PORTS\""), [" 80  443/tcp "]);
    assert_eq!(split(r"a\ b c"), ["a b", "c"]);
    assert_eq!(split("a \"\" b"), ["a", "b"]);
    assert_eq!(split("$EMPTY"), Vec::<String>::new());
    assert_eq!(split("${PORTS:+x y}"), ["x", "y"]);
    assert_eq!(split("a${EMPTY:-1 2}b"), ["a1", "2b"]);
    assert!(expand_words("a \"b", &pairs, &options).is_err());
}

#[test]
fn references_list_nested_forms() {
    let word = "$A ${B} ${C:-${D}} ${E##*/} ${F//x/$G} '$H' \"$I\"";
    let found = references(word, '\\');
    let summary: Vec<(&str, &str)> = found
        .iter()
        .map(|reference| (reference.name.as_str(), reference.span.text(word)))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("A", "$A"),
            ("B", "${B}"),
            ("C", "${C:-${D}}"),
            ("D", "${D}"),
            ("E", "${E##*/}"),
            ("F", "${F//x/$G}"),
            ("G", "$G"),
            ("I", "$I"),
        ]
    );

    let forms: Vec<Form> = found.iter().map(|reference| reference.form).collect();
    assert_eq!(forms[0], Form::Plain);
    assert_eq!(forms[1], Form::Braced);
    let Form::Default {
        colon: true,
        word: default,
    } = forms[2]
    else {
        panic!("{:?}", forms[2])
    };
    assert_eq!(default.text(word), "${D}");
    let Form::RemovePrefix {
        longest: true,
        pattern,
    } = forms[4]
    else {
        panic!("{:?}", forms[4])
    };
    assert_eq!(pattern.text(word), "#*/");
    let Form::Replace {
        all: true,
        pattern,
        replacement,
    } = forms[5]
    else {
        panic!("{:?}", forms[5])
    };
    assert_eq!((pattern.text(word), replacement.text(word)), ("x", "$G"));
    assert_eq!(found[2].name_span.text(word), "C");
}

#[test]
fn references_stop_at_syntax_errors() {
    let names: Vec<String> = references("$A ${B:=x} $C", '\\')
        .into_iter()
        .map(|reference| reference.name)
        .collect();
    assert_eq!(names, ["A"]);
    assert!(
        references("${V?}", '\\')
            .iter()
            .any(|reference| reference.name == "V")
    );
}

#[test]
fn references_in_heredoc_bodies_include_single_quotes() {
    let options = Options {
        keep_quotes: true,
        ..Options::default()
    };
    let names: Vec<String> = references_with("echo '$A'", &options)
        .into_iter()
        .map(|reference| reference.name)
        .collect();
    assert_eq!(names, ["A"]);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "${A:-".repeat(100_000) + &"}".repeat(100_000);
    let failure = error(&deep, &[]);
    assert!(
        failure.message.contains("nested more than"),
        "{}",
        failure.message
    );
    assert!(references(&deep, '\\').len() <= MAX_NESTING);

    let allowed = "${A:-".repeat(MAX_NESTING) + "x" + &"}".repeat(MAX_NESTING);
    assert_eq!(value(&allowed, &[]), "x");
}

fn assert_span_in(word: &str, span: Span) {
    assert!(
        span.start <= span.end && span.end <= word.len(),
        "{span:?} outside {word:?}"
    );
    assert!(
        word.is_char_boundary(span.start) && word.is_char_boundary(span.end),
        "{span:?} splits a character"
    );
}

proptest! {
    #[test]
    fn arbitrary_words_never_panic(
        word in "([\\\\`$\\{\\}:#%/?'\" *+=@!0-9a-zA-Z_\t\n-]|[^\\x00-\\x7f]|\u{feff}){0,40}",
        escape in prop::sample::select(vec!['\\', '`']),
        keep_quotes in any::<bool>(),
        case_insensitive_keys in any::<bool>(),
    ) {
        let options = Options { escape, keep_quotes, case_insensitive_keys };
        let pairs = env(&[("a", "x*y"), ("A", "#*"), ("b", ""), ("1", "one two")]);

        match expand_word(&word, &pairs, &options) {
            Ok(expansion) => expansion.lookups.iter().for_each(|lookup| assert_span_in(&word, lookup.span)),
            Err(error) => assert_span_in(&word, error.span),
        }
        match expand_words(&word, &pairs, &options) {
            Ok(words) => words.lookups.iter().for_each(|lookup| assert_span_in(&word, lookup.span)),
            Err(error) => assert_span_in(&word, error.span),
        }
        for reference in references_with(&word, &options) {
            assert_span_in(&word, reference.span);
            assert_span_in(&word, reference.name_span);
        }
    }

    #[test]
    fn any_unicode_word_never_panics(word in any::<String>()) {
        let pairs = env(&[("a", "x")]);
        let _ = expand_word(&word, &pairs, &Options::default());
        let _ = expand_words(&word, &pairs, &Options::default());
        let _ = references(&word, '\\');
    }
}
