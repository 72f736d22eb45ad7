//! Fixtures for the hadolint rules DL3032 to DL4006: each case lints a Dockerfile through
//! the public entry point and checks the lines a code is reported on.

use ballast_analyzer::config::Config;
use ballast_analyzer::lint::lint;
use ballast_analyzer::rules::FileContext;
use ballast_parser::LineIndex;

/// Returns the 1-based lines on which `code` is reported, with the messages.
fn findings(source: &str, code: &str) -> Vec<(u32, String)> {
    let result = lint(source, &Config::default(), &FileContext::default());
    let lines = LineIndex::new(source);
    result
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == code)
        .map(|diagnostic| {
            (
                lines.line_of(diagnostic.span.start) + 1,
                diagnostic.message.clone(),
            )
        })
        .collect()
}

fn lines_of(source: &str, code: &str) -> Vec<u32> {
    findings(source, code)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

#[track_caller]
fn assert_lines(source: &str, code: &str, expected: &[u32]) {
    assert_eq!(lines_of(source, code), expected, "{code} on:\n{source}");
}

#[test]
fn dl3032_yum_clean() {
    assert_lines(
        "FROM centos:7\nRUN yum install -y httpd-2.4.6\n",
        "DL3032",
        &[2],
    );
    assert_lines(
        "FROM centos:7\nRUN rm -rf /x && yum install -y httpd-2.4.6\n",
        "DL3032",
        &[2],
    );
    assert_lines(
        "FROM centos:7\nRUN yum install -y httpd-2.4.6 && yum clean all\n",
        "DL3032",
        &[],
    );
    assert_lines(
        "FROM centos:7\nRUN yum install -y a-1 && rm -rf /var/cache/yum/*\n",
        "DL3032",
        &[],
    );
}

#[test]
fn dl3033_yum_pinning() {
    assert_lines(
        "FROM centos:7\nRUN yum install -y httpd && yum clean all\n",
        "DL3033",
        &[2],
    );
    assert_lines(
        "FROM centos:7\nRUN yum install -y python3-pip\n",
        "DL3033",
        &[2],
    );
    assert_lines(
        "FROM centos:7\nRUN yum install -y httpd-2.4.6 ./local.rpm\n",
        "DL3033",
        &[],
    );
    assert_lines(
        "FROM centos:7\nARG V=1\nRUN yum install -y httpd-${V}\n",
        "DL3033",
        &[],
    );
    assert_lines(
        "FROM centos:7\nRUN yum install -y httpd-${V}\n",
        "DL3033",
        &[2],
    );
    assert_lines(
        "FROM centos:7\nRUN yum module install -y nodejs\n",
        "DL3033",
        &[2],
    );
    assert_lines(
        "FROM centos:7\nRUN yum module install -y nodejs:20\n",
        "DL3033",
        &[],
    );
}

#[test]
fn dl3034_to_dl3037_zypper() {
    let bare = "FROM opensuse/leap:15.6\nRUN zypper install curl\n";
    assert_lines(bare, "DL3034", &[2]);
    assert_lines(bare, "DL3036", &[2]);
    assert_lines(bare, "DL3037", &[2]);
    let good = "FROM opensuse/leap:15.6\nRUN zypper -n install curl=8.6.0 && zypper clean\n";
    assert_lines(good, "DL3034", &[]);
    assert_lines(good, "DL3036", &[]);
    assert_lines(good, "DL3037", &[]);
    let cached = "FROM opensuse/leap:15.6\nRUN --mount=type=cache,target=/var/cache/zypp zypper -n in curl>1\n";
    assert_lines(cached, "DL3036", &[]);
    assert_lines(
        "FROM opensuse/leap:15.6\nRUN zypper -n dup\n",
        "DL3035",
        &[2],
    );
    assert_lines("FROM opensuse/leap:15.6\nRUN zypper -n up\n", "DL3035", &[]);
}

#[test]
fn dl3038_to_dl3041_dnf() {
    let bare = "FROM fedora:40\nRUN dnf install httpd\n";
    assert_lines(bare, "DL3038", &[2]);
    assert_lines(bare, "DL3040", &[2]);
    assert_lines(bare, "DL3041", &[2]);
    let good = "FROM fedora:40\nRUN microdnf install -y httpd-2.4.62 && microdnf clean all\n";
    assert_lines(good, "DL3038", &[]);
    assert_lines(good, "DL3040", &[]);
    assert_lines(good, "DL3041", &[]);
    let cached =
        "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/libdnf5 dnf install -y a-1\n";
    assert_lines(cached, "DL3040", &[]);
    assert_lines(
        "FROM fedora:40\nRUN dnf group install -y tools\n",
        "DL3041",
        &[],
    );
    // The version comes from a declared ARG through a pattern substitution.
    let substituted =
        "FROM fedora:40\nARG V=12.8\nRUN dnf install -y cuda-${V//./-} && dnf clean all\n";
    assert_lines(substituted, "DL3041", &[]);
}

#[test]
fn dl3042_pip_cache() {
    assert_lines(
        "FROM python:3.12\nRUN pip install flask==3.0.0\n",
        "DL3042",
        &[2],
    );
    assert_lines(
        "FROM python:3.12\nRUN python3 -m pip install flask==3.0.0\n",
        "DL3042",
        &[2],
    );
    assert_lines(
        "FROM python:3.12\nRUN pip install --no-cache-dir flask==3.0.0\n",
        "DL3042",
        &[],
    );
    assert_lines(
        "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0.0\n",
        "DL3042",
        &[],
    );
    assert_lines(
        "FROM python:3.12\nRUN PIP_NO_CACHE_DIR=true pip install flask==3.0.0\n",
        "DL3042",
        &[],
    );
    assert_lines(
        "FROM python:3.12\nRUN pipx install black==24.1.0\n",
        "DL3042",
        &[],
    );
    let cached = "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.0.0\n";
    assert_lines(cached, "DL3042", &[]);
    // An ENV of an unrelated stage on the same image does not count.
    let other_stage =
        "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nFROM python:3.12\nRUN pip install a==1\n";
    assert_lines(other_stage, "DL3042", &[4]);
}

#[test]
fn dl3043_onbuild_triggers() {
    let text = "FROM alpine:3.20\nONBUILD ONBUILD RUN x\nONBUILD FROM a\nONBUILD MAINTAINER me\nONBUILD RUN make\n";
    assert_lines(text, "DL3043", &[2, 3, 4]);
}

#[test]
fn dl3044_env_self_reference() {
    assert_lines("FROM alpine:3.20\nENV A=/opt B=$A/bin\n", "DL3044", &[2]);
    assert_lines("FROM alpine:3.20\nENV A=/opt B=${A}/bin\n", "DL3044", &[2]);
    assert_lines("FROM alpine:3.20\nENV A=/opt B=$AB/bin\n", "DL3044", &[]);
    assert_lines("FROM alpine:3.20\nENV PATH=$PATH:/x\n", "DL3044", &[]);
    assert_lines("FROM alpine:3.20\nENV A=1\nENV A=2 B=$A\n", "DL3044", &[]);
}

#[test]
fn dl3045_copy_without_workdir() {
    assert_lines("FROM node:22\nCOPY package.json .\n", "DL3045", &[2]);
    assert_lines(
        "FROM node:22\nCOPY a /app/\nCOPY b $HOME\nCOPY c C:/x\n",
        "DL3045",
        &[],
    );
    assert_lines(
        "FROM node:22\nWORKDIR /app\nCOPY package.json .\n",
        "DL3045",
        &[],
    );
    let inherited = "FROM node:22 AS base\nWORKDIR /app\nFROM base\nCOPY a .\n";
    assert_lines(inherited, "DL3045", &[]);
    let same_image = "FROM node:22\nWORKDIR /app\nFROM node:22\nCOPY a .\n";
    assert_lines(same_image, "DL3045", &[4]);
    assert_lines("FROM node:22\nADD a .\n", "DL3045", &[]);
}

#[test]
fn dl3046_useradd_log_init() {
    assert_lines(
        "FROM debian:12\nRUN useradd -u 123456 app\n",
        "DL3046",
        &[2],
    );
    assert_lines(
        "FROM debian:12\nRUN useradd -l -u 123456 app\n",
        "DL3046",
        &[],
    );
    assert_lines("FROM debian:12\nRUN useradd -u 12345 app\n", "DL3046", &[]);
    assert_lines(
        "FROM debian:12\nRUN useradd --uid 123456 app\n",
        "DL3046",
        &[],
    );
}

#[test]
fn dl3047_wget_progress() {
    assert_lines("FROM debian:12\nRUN wget https://x/a\n", "DL3047", &[2]);
    assert_lines(
        "FROM debian:12\nRUN wget -O a https://x/a\n",
        "DL3047",
        &[2],
    );
    for quiet in [
        "-q",
        "-qO-",
        "--progress=dot:giga",
        "-nv",
        "--no-verbose",
        "-o log",
    ] {
        let text = format!("FROM debian:12\nRUN wget {quiet} https://x/a\n");
        assert_lines(&text, "DL3047", &[]);
    }
}

#[test]
fn dl3048_label_keys() {
    assert_lines("FROM alpine:3.20\nLABEL Version=1\n", "DL3048", &[2]);
    assert_lines("FROM alpine:3.20\nLABEL com.docker.x=1\n", "DL3048", &[2]);
    assert_lines("FROM alpine:3.20\nLABEL a..b=1 c--d=2\n", "DL3048", &[2]);
    assert_lines(
        "FROM alpine:3.20\nLABEL org.opencontainers.image.version=1 maintainer=me\n",
        "DL3048",
        &[],
    );
}

#[test]
fn dl3059_consecutive_runs() {
    let text = "FROM alpine:3.20\nRUN a\n# note\nRUN b\nRUN c\nRUN d && e\nRUN f\n";
    assert_lines(text, "DL3059", &[4, 5]);
    assert_lines(
        "FROM alpine:3.20\nRUN a\nRUN --mount=type=cache,target=/x b\n",
        "DL3059",
        &[],
    );
    assert_lines("FROM alpine:3.20\nRUN a\nENV X=1\nRUN b\n", "DL3059", &[]);
    // `[ … ]` is a condition, not a command, as ShellCheck parses it.
    assert_lines(
        "FROM alpine:3.20\nRUN [ -d /x ] && echo x\nRUN echo y\n",
        "DL3059",
        &[3],
    );
}

#[test]
fn dl3060_yarn_cache() {
    assert_lines("FROM node:22\nRUN yarn install\n", "DL3060", &[2]);
    assert_lines(
        "FROM node:22\nRUN yarn install && yarn cache clean\n",
        "DL3060",
        &[],
    );
    let build_stage =
        "FROM node:22 AS build\nRUN yarn install\nFROM nginx:1.27\nCOPY --from=build /a /a\n";
    assert_lines(build_stage, "DL3060", &[]);
    let base_stage = "FROM node:22 AS base\nRUN yarn install\nFROM base\n";
    assert_lines(base_stage, "DL3060", &[2]);
}

#[test]
fn dl3061_before_from() {
    assert_lines(
        "ARG V=1\nENV X=1\nLABEL a=b\nFROM alpine:$V\n",
        "DL3061",
        &[2, 3],
    );
    assert_lines(
        "# syntax=docker/dockerfile:1\nARG V=1\nFROM alpine:$V\n",
        "DL3061",
        &[],
    );
}

#[test]
fn dl3062_go_pinning() {
    assert_lines(
        "FROM golang:1.23\nRUN go install golang.org/x/tools/gopls@latest\n",
        "DL3062",
        &[2],
    );
    assert_lines(
        "FROM golang:1.23\nRUN go get example.com/mod\n",
        "DL3062",
        &[2],
    );
    assert_lines(
        "FROM golang:1.23\nRUN go install golang.org/x/tools/gopls@v0.16.2\n",
        "DL3062",
        &[],
    );
    assert_lines(
        "FROM golang:1.23\nRUN go install ./cmd/... && go run .\n",
        "DL3062",
        &[],
    );
    assert_lines(
        "FROM golang:1.23\nRUN go run build.go --release\n",
        "DL3062",
        &[],
    );
}

#[test]
fn dl3063_reserved_aliases() {
    assert_lines(
        "FROM alpine:3.20 AS scratch\nFROM alpine:3.20 AS context\n",
        "DL3063",
        &[1, 2],
    );
    assert_lines("FROM alpine:3.20 AS Scratch\n", "DL3063", &[]);
}

#[test]
fn dl3064_secret_names() {
    let text = "FROM alpine:3.20\nARG NPM_TOKEN\nENV DB_PASSWORD=x\nARG travis_os_name\nENV GOPRIVATE=github.com/x/*\nENV AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/token\nARG VERSION=1\n";
    assert_lines(text, "DL3064", &[2, 3, 4]);
    assert_lines(
        "FROM alpine:3.20\nONBUILD ARG GITHUB_TOKEN\n",
        "DL3064",
        &[2],
    );
}

#[test]
fn dl3065_target_platform() {
    let text = "FROM --platform=$TARGETPLATFORM alpine:3.20\nFROM --platform=${TARGETPLATFORM} alpine:3.20\nFROM --platform=$BUILDPLATFORM alpine:3.20\n";
    assert_lines(text, "DL3065", &[1, 2]);
}

#[test]
fn dl3065_fix_removes_flag() {
    let text = "FROM --platform=$TARGETPLATFORM alpine:3.20\n";
    let fixed = ballast_analyzer::lint::fix(
        text,
        &Config::default(),
        &FileContext::default(),
        ballast_analyzer::fix::FixMode::Safe,
    );
    assert_eq!(fixed.text, "FROM alpine:3.20\n");
    assert!(fixed.result.diagnostics.iter().all(|d| d.code != "DL3065"));
}

#[test]
fn dl3066_numeric_user() {
    let text = "FROM alpine:3.20\nUSER app\nUSER 1000\nUSER 1000:app\nUSER root:root\nARG UID\nUSER ${UID}\nUSER $GID\n";
    assert_lines(text, "DL3066", &[2, 8]);
    let created = "FROM debian:12\nRUN useradd -l -u 10001 appuser\nUSER appuser\n";
    assert_lines(created, "DL3066", &[]);
    let busybox = "FROM alpine:3.20\nRUN adduser -D -u 11211 memcache\nUSER memcache\n";
    assert_lines(busybox, "DL3066", &[]);
}

/// A user created with a fixed UID, or a build argument, counts in its own stage and in
/// the stages built on it, not in an unrelated stage whose image lacks that user.
#[test]
fn dl3066_stage_chain_only() {
    let text = "ARG GLOBAL_UID=1000\n\
        FROM debian:12 AS base\n\
        RUN useradd -l -u 10001 appuser\n\
        ARG OWN_UID=1001\n\
        FROM base AS child\n\
        USER appuser\n\
        USER ${GLOBAL_UID}\n\
        FROM debian:12 AS other\n\
        USER appuser\n\
        USER ${OWN_UID}\n\
        USER ${GLOBAL_UID}\n";
    assert_lines(text, "DL3066", &[9, 10]);
}

#[test]
fn dl3067_copy_root() {
    assert_lines("FROM scratch\nCOPY --from=build / /\n", "DL3067", &[2]);
    assert_lines(
        "FROM scratch\nCOPY --from=build \"/\" '/'\n",
        "DL3067",
        &[2],
    );
    assert_lines(
        "FROM scratch\nCOPY / /\nCOPY --from=build /out /\n",
        "DL3067",
        &[],
    );
}

#[test]
fn dl4000_maintainer() {
    assert_lines("FROM alpine:3.20\nMAINTAINER me\n", "DL4000", &[2]);
}

#[test]
fn dl4001_curl_and_wget() {
    let text = "FROM debian:12\nRUN curl -o a https://x\nRUN wget -q https://x\nRUN curl -o b https://x\nFROM debian:12\nRUN wget -q https://x\n";
    assert_lines(text, "DL4001", &[3, 4]);
}

#[test]
fn dl4003_dl4004_repeated_commands() {
    let text = "FROM alpine:3.20\nCMD a\nENTRYPOINT [\"b\"]\nCMD c\nENTRYPOINT [\"d\"]\nFROM alpine:3.20\nCMD e\n";
    assert_lines(text, "DL4003", &[4]);
    assert_lines(text, "DL4004", &[5]);
    let message = &findings(text, "DL4003")[0].1;
    assert!(message.contains("line 2"), "{message}");
}

#[test]
fn dl4005_ln_bin_sh() {
    assert_lines(
        "FROM debian:12\nRUN ln -sf /bin/bash /bin/sh\n",
        "DL4005",
        &[2],
    );
    assert_lines(
        "FROM debian:12\nRUN ln -sf /bin/bash /usr/local/bin/sh\n",
        "DL4005",
        &[],
    );
}

#[test]
fn dl4006_pipefail() {
    assert_lines("FROM debian:12\nRUN wget -O- x | sh\n", "DL4006", &[2]);
    assert_lines("FROM debian:12\nRUN a || b\n", "DL4006", &[]);
    assert_lines(
        "FROM debian:12\nRUN { echo a; echo b; } | tee f\n",
        "DL4006",
        &[2],
    );
    assert_lines(
        "FROM debian:12\nRUN [\"sh\", \"-c\", \"a | b\"]\n",
        "DL4006",
        &[2],
    );
    let bash = "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN a | b\nFROM debian:12\nRUN c | d\n";
    assert_lines(bash, "DL4006", &[5]);
    let without_option = "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nRUN a | b\n";
    assert_lines(without_option, "DL4006", &[3]);
    let powershell = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN a | b\n";
    assert_lines(powershell, "DL4006", &[]);
}

#[test]
fn dl4006_differences_from_hadolint() {
    let sh = "FROM alpine:3.20\nSHELL [\"/bin/sh\", \"-e\", \"-u\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -qO- https://x | tar -x\n";
    assert_lines(sh, "DL4006", &[]);
    let usr_bin =
        "FROM debian:12\nSHELL [\"/usr/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN a | b\n";
    assert_lines(usr_bin, "DL4006", &[]);
    let set_in_script = "FROM debian:12\nRUN set -euo pipefail; a | b\n";
    assert_lines(set_in_script, "DL4006", &[]);
    let heredoc = "FROM debian:12\nRUN <<EOF bash\nset -euxo pipefail\necho 123 | cat\nEOF\n";
    assert_lines(heredoc, "DL4006", &[]);
    let set_after_pipe = "FROM debian:12\nRUN a | b; set -o pipefail\n";
    assert_lines(set_after_pipe, "DL4006", &[2]);
}

#[test]
fn shell_rules_see_through_wrappers() {
    assert_lines(
        "FROM debian:12\nRUN X=1 command wget https://x\n",
        "DL3047",
        &[2],
    );
    assert_lines("FROM debian:12\nRUN exec wget https://x\n", "DL3047", &[2]);
    assert_lines("FROM debian:12\nRUN sudo wget https://x\n", "DL3047", &[]);
    assert_lines(
        "FROM debian:12\nRUN /usr/bin/wget https://x\n",
        "DL3047",
        &[],
    );
    assert_lines(
        "FROM debian:12\nRUN [\"wget\", \"https://x\"]\n",
        "DL3047",
        &[2],
    );
}

#[test]
fn shell_rules_apply_inside_onbuild() {
    assert_lines(
        "FROM debian:12\nONBUILD RUN wget https://x\n",
        "DL3047",
        &[2],
    );
    assert_lines("FROM debian:12\nONBUILD RUN a | b\n", "DL4006", &[]);
}

#[test]
fn shell_finding_points_at_continuation_line() {
    let text = "FROM debian:12\nRUN apt-get update && \\\n    wget https://x\n";
    assert_lines(text, "DL3047", &[3]);
}

#[test]
fn pragma_silences_finding() {
    let text = "FROM debian:12\n# hadolint ignore=DL3047\nRUN wget https://x\n";
    assert_lines(text, "DL3047", &[]);
}

#[test]
fn dl3059_fix_joins_runs() {
    let text = "FROM alpine:3.20\nRUN apk add --no-cache git\n# check the version\n\nRUN git --version\nRUN echo done\n";
    let fixed = ballast_analyzer::lint::fix(
        text,
        &Config::default(),
        &FileContext::default(),
        ballast_analyzer::fix::FixMode::All,
    );
    assert_eq!(
        fixed.text,
        "FROM alpine:3.20\nRUN apk add --no-cache git && \\\n# check the version\n    git --version && \\\n    echo done\n"
    );
    assert!(fixed.result.diagnostics.iter().all(|d| d.code != "DL3059"));
    assert!(fixed.result.diagnostics.iter().all(|d| d.code != "NoEmptyContinuation"));
}

#[test]
fn dl3059_fix_skips_heredocs_and_comments() {
    for text in [
        "FROM alpine:3.20\nRUN <<EOF\necho a\nEOF\nRUN echo b\n",
        "FROM alpine:3.20\nRUN echo a # note\nRUN echo b\n",
        "FROM alpine:3.20\nRUN [\"echo\", \"a\"]\nRUN echo b\n",
    ] {
        let fixed = ballast_analyzer::lint::fix(
            text,
            &Config::default(),
            &FileContext::default(),
            ballast_analyzer::fix::FixMode::All,
        );
        assert_eq!(fixed.text.matches("RUN").count(), 2, "{text}");
    }
}
