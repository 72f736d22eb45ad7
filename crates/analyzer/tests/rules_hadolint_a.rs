//! hadolint's rules DL1001 and DL3000 to DL3030: for each rule, Dockerfiles that fire and
//! Dockerfiles that stay silent, the cases where ballast departs from hadolint on
//! purpose, the fixes, and a comparison with hadolint 2.15.1's findings on real files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ballast_analyzer::config::{Config, ConfigSource, Layer};
use ballast_analyzer::fix::FixMode;
use ballast_analyzer::lint::{fix, lint, lint_with};
use ballast_analyzer::rules::{FileContext, RULES, Rule};
use ballast_analyzer::{Diagnostic, Severity};

/// The codes this file covers.
const CODES: &[&str] = &[
    "DL1001", "DL3000", "DL3001", "DL3002", "DL3003", "DL3004", "DL3006", "DL3007", "DL3008",
    "DL3009", "DL3010", "DL3011", "DL3012", "DL3013", "DL3014", "DL3015", "DL3016", "DL3018",
    "DL3019", "DL3020", "DL3021", "DL3022", "DL3023", "DL3024", "DL3025", "DL3026", "DL3027",
    "DL3028", "DL3029", "DL3030",
];

fn lint_with_config(text: &str, config: &Config) -> Vec<Diagnostic> {
    lint(text, config, &FileContext::default()).diagnostics
}

/// The findings of `code` as (line of the finding's start, message).
fn findings(text: &str, code: &str) -> Vec<(usize, String)> {
    findings_with(text, code, &Config::default())
}

fn findings_with(text: &str, code: &str, config: &Config) -> Vec<(usize, String)> {
    lint_with_config(text, config)
        .into_iter()
        .filter(|diagnostic| diagnostic.code == code)
        .map(|diagnostic| (line_of(text, diagnostic.span.start), diagnostic.message))
        .collect()
}

fn lines(text: &str, code: &str) -> Vec<usize> {
    findings(text, code)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

/// The source text each finding of `code` points at.
fn words(text: &str, code: &str) -> Vec<String> {
    lint_with_config(text, &Config::default())
        .into_iter()
        .filter(|diagnostic| diagnostic.code == code)
        .map(|diagnostic| text[diagnostic.span.start..diagnostic.span.end].to_string())
        .collect()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

fn assert_silent(text: &str, code: &str) {
    assert_eq!(findings(text, code), Vec::new(), "{code} fired on:\n{text}");
}

/// Applies the fixes of `mode` and returns the fixed text.
fn fixed(text: &str, mode: FixMode) -> String {
    fix(text, &Config::default(), &FileContext::default(), mode).text
}

fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

// Comparison with hadolint 2.15.1 on the real-world corpus.

/// The (code, line) findings of hadolint for each corpus file it could parse, restricted
/// to [`CODES`]; hadolint reports every finding on the first line of its instruction.
fn hadolint_findings(corpus: &PathBuf) -> BTreeMap<String, BTreeSet<(String, usize)>> {
    let results = std::fs::read_to_string(corpus.join("hadolint-results.jsonl"))
        .expect("read hadolint-results.jsonl");
    let mut files = BTreeMap::new();
    for line in results.lines().filter(|line| !line.trim().is_empty()) {
        let record: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
        if !record["parse_error_line"].is_null() {
            continue;
        }
        let file = record["file"].as_str().expect("file name").to_string();
        let mut found = BTreeSet::new();
        for finding in record["findings"].as_array().into_iter().flatten() {
            let code = finding["code"].as_str().unwrap_or_default();
            if CODES.contains(&code) {
                let line = finding["line"].as_u64().unwrap_or_default() as usize;
                found.insert((code.to_string(), line));
            }
        }
        files.insert(file, found);
    }
    files
}

/// ballast's findings of [`CODES`] as (code, first line of the instruction).
fn ballast_findings(text: &str) -> BTreeSet<(String, usize)> {
    let tree = ballast_parser::parse(text);
    let starts: Vec<(usize, usize, usize)> = tree
        .instructions()
        .map(|inst| (inst.span.start, inst.span.end, inst.start_line as usize))
        .collect();
    let rules: Vec<&dyn Rule> = RULES
        .iter()
        .copied()
        .filter(|rule| CODES.contains(&rule.meta().code))
        .collect();
    lint_with(text, &Config::default(), &FileContext::default(), &rules)
        .diagnostics
        .into_iter()
        .map(|diagnostic| {
            let offset = diagnostic.span.start;
            let line = starts
                .iter()
                .find(|(start, end, _)| *start <= offset && offset < *end)
                .map_or_else(|| line_of(text, offset), |(_, _, line)| *line);
            (diagnostic.code.into_owned(), line)
        })
        .collect()
}

/// Prints, per code, the findings both tools report, those only hadolint reports and
/// those only ballast reports, then every difference. Run with
/// `cargo test --test rules_hadolint_a -- --ignored --nocapture corpus`.
#[test]
#[ignore = "a report for reviewing differences, not a pass/fail check"]
fn corpus_agreement_report() {
    let corpus = repository_root().join("../shared/corpus/real");
    if !corpus.exists() {
        eprintln!("skipped: {} is missing", corpus.display());
        return;
    }
    let mut counts: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    let mut differences = Vec::new();
    for (file, expected) in hadolint_findings(&corpus) {
        let Ok(text) = std::fs::read_to_string(corpus.join(&file)) else {
            continue;
        };
        let actual = ballast_findings(&text);
        for finding in expected.union(&actual) {
            let entry = counts.entry(finding.0.clone()).or_default();
            match (expected.contains(finding), actual.contains(finding)) {
                (true, true) => entry[0] += 1,
                (true, false) => {
                    entry[1] += 1;
                    differences.push(format!("only hadolint {} {file}:{}", finding.0, finding.1));
                }
                _ => {
                    entry[2] += 1;
                    differences.push(format!("only ballast  {} {file}:{}", finding.0, finding.1));
                }
            }
        }
    }
    println!("code     both  only-hadolint  only-ballast");
    for (code, [both, hadolint, ballast]) in &counts {
        println!("{code}  {both:5}  {hadolint:13}  {ballast:12}");
    }
    differences.sort();
    for difference in differences {
        println!("{difference}");
    }
}

/// Each rule fires on the first text at the given lines and stays silent on the second.
const FIRE_AND_SILENT: &[(&str, &str, &[usize], &str)] = &[
    (
        "DL3000",
        "FROM a:1\nWORKDIR app\nWORKDIR x\n",
        &[2, 3],
        "FROM a:1\nWORKDIR /app\nWORKDIR $HOME\nWORKDIR \"C:\\\\app\"\n",
    ),
    (
        "DL3001",
        "FROM a:1\nRUN service nginx start && ps aux\n",
        &[2, 2],
        "FROM a:1\nRUN sudo vim x; echo ps\n",
    ),
    (
        "DL3003",
        "FROM a:1\nRUN cd /x && make\nONBUILD RUN cd /y\n",
        &[2],
        "FROM a:1\nRUN (cd /x && make) && echo $(cd /y && pwd)\n",
    ),
    (
        "DL3004",
        "FROM a:1\nRUN sudo apt-get install -y x\n",
        &[2],
        "FROM a:1\nRUN echo sudo\n",
    ),
    (
        "DL3006",
        "FROM ubuntu\nFROM localhost:5000/app\n",
        &[1, 2],
        "ARG n=1\nFROM a:1 AS img1\nFROM img${n}\nFROM scratch\nFROM $BASE\nFROM b@sha256:abc\nFROM img1\n",
    ),
    (
        "DL3007",
        "FROM alpine:latest\n",
        &[1],
        "FROM alpine:3.20\nFROM alpine:latest@sha256:abc\nFROM alpine:Latest\n",
    ),
    (
        "DL3008",
        "FROM a:1\nRUN apt-get install -y curl git=1:2.39\nRUN command apt-get install x\nRUN X=1 exec apt-get install y\n",
        &[2, 3, 4],
        "FROM a:1\nRUN apt-get install -y -t bookworm-backports curl=7 ./x.deb git/bookworm\nRUN sudo apt-get install x\nRUN /usr/bin/apt-get install x\nRUN apt install x\n",
    ),
    (
        "DL3009",
        "FROM a:1\nRUN apt-get update && apt-get install -y x\n",
        &[2],
        "FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\nRUN apt-get update && apt-get dist-clean\n",
    ),
    (
        "DL3010",
        "FROM a:1\nCOPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /opt\n",
        &[2],
        "FROM a:1\nCOPY app.tar.gz /tmp/\nRUN cp /tmp/app.tar.gz /srv/\nFROM b:1\nRUN tar -xf app.tar.gz\n",
    ),
    (
        "DL3011",
        "FROM a:1\nEXPOSE 80 70000 8000-65536/tcp\n",
        &[2, 2],
        "FROM a:1\nEXPOSE 80 65535 8000-8100/udp $PORT\n",
    ),
    (
        "DL3012",
        "FROM a:1\nHEALTHCHECK CMD true\nHEALTHCHECK NONE\n",
        &[3],
        "FROM a:1\nHEALTHCHECK CMD true\nFROM b:1\nHEALTHCHECK NONE\n",
    ),
    (
        "DL3013",
        "FROM a:1\nRUN pip install requests && python3 -m pip install --upgrade pip\n",
        &[2, 2],
        "FROM a:1\nRUN pip install 'requests==2.32' ./pkg x.whl git+https://h/r@v1 -i https://idx flask==3\nRUN pip install -r req.txt\nRUN pip install .\nRUN pip install -c c.txt flask\nRUN pipenv install flask\n",
    ),
    (
        "DL3014",
        "FROM a:1\nRUN apt-get install curl\nRUN apt-get -q install x\n",
        &[2, 3],
        "FROM a:1\nRUN apt-get install -y x\nRUN apt-get -qq install x\nRUN apt-get --assume-yes install x\nRUN apt-get -q -q install x\n",
    ),
    (
        "DL3015",
        "FROM a:1\nRUN apt-get install -y curl\n",
        &[2],
        "FROM a:1\nRUN apt-get install -y --no-install-recommends curl\nRUN apt-get -o APT::Install-Recommends=false install -y x\n",
    ),
    (
        "DL3016",
        "FROM a:1\nRUN npm install express @types/node\n",
        &[2, 2],
        "FROM a:1\nRUN npm install express@4 @types/node@20 ./local git+https://h/r#abc x.tgz\nRUN npm install\nRUN npm ci\nRUN npm i express\n",
    ),
    (
        "DL3018",
        "FROM a:1\nRUN apk add --no-cache curl musl-dev>=1.1\n",
        &[2, 2],
        "FROM a:1\nRUN apk add --no-cache -t .deps curl=8.9 'musl-dev>=1.1' bash~5 x.apk\n",
    ),
    (
        "DL3019",
        "FROM a:1\nRUN apk add curl=8\n",
        &[2],
        "FROM a:1\nRUN apk add --no-cache curl=8\nRUN --mount=type=cache,target=/var/cache/apk apk add curl=8\n",
    ),
    (
        "DL3021",
        "FROM a:1\nCOPY a b /app\n",
        &[2],
        "FROM a:1\nCOPY a b /app/\nCOPY a /app\n",
    ),
    (
        "DL3022",
        "FROM a:1\nCOPY --from=biuld /x /x\n",
        &[2],
        "FROM a:1 AS build\nFROM b:1\nCOPY --from=build /x /x\nCOPY --from=BUILD /x /x\nCOPY --from=0 /x /x\nCOPY --from=nginx:1 /x /x\n",
    ),
    (
        "DL3023",
        "FROM a:1 AS build\nCOPY --from=build /x /y\n",
        &[2],
        "FROM a:1 AS build\nFROM b:1 AS final\nCOPY --from=build /x /y\n",
    ),
    (
        "DL3024",
        "FROM a:1 AS build\nFROM b:1 AS Build\n",
        &[2],
        "FROM a:1 AS build\nFROM b:1 AS final\n",
    ),
    (
        "DL3025",
        "FROM a:1\nCMD python app.py\nENTRYPOINT exec app\nHEALTHCHECK CMD curl -f http://localhost/\n",
        &[2, 3, 4],
        "FROM a:1\nCMD [\"python\", \"app.py\"]\nENTRYPOINT [\"app\"]\nHEALTHCHECK NONE\n",
    ),
    (
        "DL3027",
        "FROM a:1\nRUN apt install -y curl\n",
        &[2],
        "FROM a:1\nRUN apt-get install -y curl\n",
    ),
    (
        "DL3028",
        "FROM a:1\nRUN gem install rails\nRUN gem i bundler\n",
        &[2, 3],
        "FROM a:1\nRUN gem install rails:7.1\nRUN gem install rails -v 7.1\nRUN gem install --no-document rails\nRUN gem install --local x-1.0.gem\n",
    ),
    (
        "DL3029",
        "FROM --platform=linux/amd64 a:1\n",
        &[1],
        "FROM --platform=$BUILDPLATFORM a:1\nFROM --platform=${TARGETPLATFORM} b:1\n",
    ),
    (
        "DL3030",
        "FROM a:1\nRUN yum install httpd\nRUN yum groupinstall x\n",
        &[2, 3],
        "FROM a:1\nRUN yum install -y httpd\nRUN yum --assumeyes localinstall x.rpm\n",
    ),
];

#[test]
fn rules_fire_and_stay_silent() {
    for (code, firing, expected, silent) in FIRE_AND_SILENT {
        assert_eq!(&lines(firing, code), expected, "{code} on:\n{firing}");
        assert_silent(silent, code);
    }
}

#[test]
fn default_severities_match_hadolint() {
    let expected = [
        ("DL3000", Severity::Error),
        ("DL3001", Severity::Info),
        ("DL3002", Severity::Warning),
        ("DL3003", Severity::Warning),
        ("DL3004", Severity::Error),
        ("DL3006", Severity::Warning),
        ("DL3007", Severity::Warning),
        ("DL3008", Severity::Warning),
        ("DL3009", Severity::Info),
        ("DL3010", Severity::Info),
        ("DL3011", Severity::Error),
        ("DL3012", Severity::Error),
        ("DL3013", Severity::Warning),
        ("DL3014", Severity::Warning),
        ("DL3015", Severity::Info),
        ("DL3016", Severity::Warning),
        ("DL3018", Severity::Warning),
        ("DL3019", Severity::Info),
        ("DL3021", Severity::Error),
        ("DL3022", Severity::Warning),
        ("DL3023", Severity::Error),
        ("DL3024", Severity::Error),
        ("DL3025", Severity::Warning),
        ("DL3026", Severity::Error),
        ("DL3027", Severity::Warning),
        ("DL3028", Severity::Warning),
        ("DL3029", Severity::Warning),
        ("DL3030", Severity::Warning),
    ];
    for (code, severity) in expected {
        let rule = ballast_analyzer::rules::find(code)
            .unwrap_or_else(|| panic!("{code} is not registered"));
        assert_eq!(rule.meta().severity, severity, "{code}");
    }
}

#[test]
fn expose_port_beyond_u64() {
    let port = "9".repeat(600);
    let text = format!("FROM a:1\nEXPOSE {port} 1-{port}/tcp\n");
    let found = findings(&text, "DL3011");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].1.len() < 200, "{}", found[0].1);
    assert!(found[0].1.contains("out of range"), "{}", found[0].1);
}

#[test]
fn package_findings_point_at_the_package() {
    let text = "FROM a:1\nRUN apt-get update && \\\n    apt-get install -y \\\n      curl \\\n      git=1\n";
    assert_eq!(words(text, "DL3008"), ["curl"]);
    assert_eq!(lines(text, "DL3008"), [4]);
    let text = "FROM a:1\nRUN pip install flask \"django>=5\" requests\n";
    assert_eq!(words(text, "DL3013"), ["flask", "requests"]);
}

#[test]
fn onbuild_run_is_checked() {
    let text = "FROM a:1\nONBUILD RUN apt-get install curl\n";
    assert_eq!(lines(text, "DL3008"), [2]);
    assert_eq!(lines(text, "DL3014"), [2]);
}

#[test]
fn exec_form_run_is_checked() {
    let text = "FROM a:1\nRUN [\"apt-get\", \"install\", \"curl\"]\n";
    assert_eq!(lines(text, "DL3008"), [2]);
    assert_eq!(lines(text, "DL3014"), [2]);
    assert_eq!(lines(text, "DL3015"), [2]);
}

#[test]
fn heredoc_run_is_checked() {
    let text = "FROM a:1\nRUN <<EOF\nset -e\napk add curl\nEOF\n";
    assert_eq!(lines(text, "DL3018"), [4]);
    assert_eq!(lines(text, "DL3019"), [4]);
}

#[test]
fn untrusted_registry_needs_configuration() {
    let text = "FROM python:3.12\nFROM registry.example.com/app:1 AS app\nCOPY --from=0 /a /a\nCOPY --from=ghcr.io/x/y:1 /b /b\nRUN --mount=from=quay.io/z:1,target=/m true\n";
    assert_silent(text, "DL3026");
    let layer = Layer {
        trusted_registries: vec!["registry.example.com".to_string()],
        ..Layer::default()
    };
    let config = Config::from_layer(layer, ConfigSource::Defaults);
    let found: Vec<usize> = findings_with(text, "DL3026", &config)
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    assert_eq!(found, [1, 4, 5]);
}

// The cases where hadolint 2.15.1 is wrong and ballast departs from it.

#[test]
fn root_user_in_copied_build_stage_is_silent() {
    let text = std::fs::read_to_string(
        repository_root().join("../shared/cases/04-root-user-in-build-stage/Dockerfile"),
    );
    let text = text.unwrap_or_else(|_| {
        "FROM golang:1.22-bookworm AS build\nUSER root\nRUN go build -o /out/app .\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nUSER 65532\n".to_string()
    });
    assert_silent(&text, "DL3002");
    // `root` is UID 0 in every image, so DL3066 does not ask for the number either.
    assert_silent(&text, "DL3066");
}

#[test]
fn root_user_reaching_the_image_fires() {
    let text = "FROM a:1 AS base\nUSER root\nFROM base\nRUN true\n";
    assert_eq!(lines(text, "DL3002"), [2]);
    let text = "FROM a:1 AS tools\nUSER 0:0\nFROM b:1\nUSER app\n";
    assert_eq!(lines(text, "DL3002"), [2]);
    let text = "FROM a:1 AS base\nUSER root\nFROM base\nUSER app\n";
    assert_silent(text, "DL3002");
}

#[test]
fn apt_lists_removed_without_glob_is_silent() {
    let text = read_case("05-apt-lists-removed-without-glob");
    assert_silent(&text, "DL3009");
    assert_silent(
        "FROM a:1\nRUN apt-get update && rm -rf /var/lib/{apt,dpkg}/\n",
        "DL3009",
    );
    assert_silent(
        "FROM a:1\nRUN apt-get update && rm /var/lib/apt/lists/*_*\n",
        "DL3009",
    );
}

#[test]
fn apt_lists_unrelated_rm_fires() {
    let text = "FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /tmp/*\n";
    assert_eq!(lines(text, "DL3009"), [2]);
}

#[test]
fn cd_inside_subshell_is_silent() {
    let text = read_case("06-cd-inside-subshell");
    assert_silent(&text, "DL3003");
}

#[test]
fn apt_lists_in_unused_stage_fire() {
    let text = read_case("07-final-stage-hides-earlier-findings");
    assert_eq!(lines(&text, "DL3009"), [2]);
}

#[test]
fn apt_lists_in_copied_stage_are_silent() {
    let text = "FROM a:1 AS build\nRUN apt-get update && apt-get install -y x\nFROM b:1\nCOPY --from=build /x /x\n";
    assert_silent(text, "DL3009");
}

#[test]
fn from_argument_naming_stage_is_silent() {
    let text = "ARG src=1\nFROM r.example.com/ex1:1.0 AS img1\nFROM img${src} AS final\n";
    assert_silent(text, "DL3006");
}

#[test]
fn copy_from_build_argument_is_expanded() {
    let text = "ARG SRC=a\nFROM busybox:1 AS a\nFROM scratch\nARG SRC\nCOPY --from=$SRC /x /\n";
    assert_silent(text, "DL3022");
    let text = "FROM scratch\nARG SRC\nCOPY --from=$SRC /x /\n";
    assert_eq!(lines(text, "DL3022"), [3]);
}

#[test]
fn workdir_single_letter_is_reported() {
    assert_eq!(
        lines("FROM a:1\nWORKDIR x\nWORKDIR \"\"\n", "DL3000"),
        [2, 3]
    );
}

fn read_case(name: &str) -> String {
    let path = repository_root()
        .join("../shared/cases")
        .join(name)
        .join("Dockerfile");
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

// Fixes.

#[test]
fn safe_fixes_remove_the_finding() {
    let cases = [
        (
            "DL3014",
            "FROM a:1\nRUN apt-get install --no-install-recommends curl=1\n",
        ),
        ("DL3019", "FROM a:1\nRUN apk add curl=8\n"),
        ("DL3021", "FROM a:1\nCOPY a b /app\n"),
        ("DL3030", "FROM a:1\nRUN yum install httpd-2.4\n"),
    ];
    for (code, text) in cases {
        let fixed = fixed(text, FixMode::Safe);
        assert_ne!(fixed, text, "{code} offered no safe fix");
        assert_silent(&fixed, code);
    }
    assert_eq!(
        fixed("FROM a:1\nRUN apk add curl=8\n", FixMode::Safe),
        "FROM a:1\nRUN apk add --no-cache curl=8\n"
    );
}

#[test]
fn unsafe_fixes_need_unsafe_mode() {
    let text = "FROM a:1\nRUN apt-get install -y curl=1\n";
    assert_eq!(fixed(text, FixMode::Safe), text);
    let fixed = fixed(text, FixMode::All);
    assert_eq!(
        fixed,
        "FROM a:1\nRUN apt-get install --no-install-recommends -y curl=1\n"
    );
    assert_silent(&fixed, "DL3015");
}

#[test]
fn exec_form_gets_no_fix() {
    let text = "FROM a:1\nRUN [\"apk\", \"add\", \"curl=8\"]\nCOPY [\"a\", \"b\", \"/app\"]\n";
    assert_eq!(fixed(text, FixMode::Safe), text);
}

#[test]
fn inline_pragma_rule_is_off_by_default() {
    let text = "FROM a:1\n# hadolint ignore=DL3008\nRUN apt-get install -y curl\n";
    assert_silent(text, "DL1001");
}

#[test]
fn inline_pragma_rule_fires_when_enabled() {
    let layer = Layer {
        severity: vec![(
            "DL1001".to_string(),
            ballast_analyzer::config::Level::Severity(Severity::Warning),
        )],
        ..Layer::default()
    };
    let config = Config::from_layer(layer, ConfigSource::Defaults);
    let text = "# hadolint global ignore=DL3006\nFROM a:1\n# hadolint ignore=DL3008\nRUN apt-get install -y curl\n# hadolint stage ignore=DL3015\nRUN true\n";
    let found: Vec<usize> = findings_with(text, "DL1001", &config)
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    assert_eq!(found, [3]);
}

#[test]
fn dl3025_reason_fits_the_instruction() {
    let text = "FROM a:1\nCMD python app.py\nHEALTHCHECK CMD curl -f http://localhost/\n";
    let messages = findings(text, "DL3025");
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].1.contains("stop signals"), "{messages:?}");
    assert!(!messages[1].1.contains("stop signals"), "{messages:?}");
    assert!(messages[1].1.contains("every probe"), "{messages:?}");
}
