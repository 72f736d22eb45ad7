//! BuildKit's build checks: for each check, Dockerfiles that fire and Dockerfiles that
//! stay silent, the `# check=` directive and comment, and the fixes.

use std::path::PathBuf;

use ballast_analyzer::config::Config;
use ballast_analyzer::fix::FixMode;
use ballast_analyzer::lint::{fix, lint};
use ballast_analyzer::rules::FileContext;
use ballast_analyzer::{Diagnostic, Severity};

fn lint_all(text: &str, file: &FileContext) -> Vec<Diagnostic> {
    lint(text, &Config::default(), file).diagnostics
}

/// The findings of `code` as (line, message).
fn findings_in(text: &str, code: &str, file: &FileContext) -> Vec<(usize, String)> {
    lint_all(text, file)
        .into_iter()
        .filter(|diagnostic| diagnostic.code == code)
        .map(|diagnostic| (line_of(text, &diagnostic), diagnostic.message))
        .collect()
}

fn findings(text: &str, code: &str) -> Vec<(usize, String)> {
    findings_in(text, code, &FileContext::default())
}

fn lines(text: &str, code: &str) -> Vec<usize> {
    findings(text, code)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

fn line_of(text: &str, diagnostic: &Diagnostic) -> usize {
    text[..diagnostic.span.start].matches('\n').count() + 1
}

/// Applies every safe fix and returns the fixed text.
fn fixed(text: &str) -> String {
    fix(
        text,
        &Config::default(),
        &FileContext::default(),
        FixMode::Safe,
    )
    .text
}

fn assert_silent(text: &str, code: &str) {
    assert_eq!(findings(text, code), Vec::new(), "{code} fired on:\n{text}");
}

// StageNameCasing

#[test]
fn stage_name_casing_fires_on_upper_case() {
    let text = "FROM alpine AS BuildStage\nFROM scratch\nCOPY --from=buildstage /a /a\n";
    assert_eq!(
        findings(text, "StageNameCasing"),
        [(1, "stage name `BuildStage` has upper-case letters: write it in lower case".to_string())]
    );
}

#[test]
fn stage_name_casing_ignores_the_as_word() {
    // BuildKit checks any FROM with three arguments.
    assert_eq!(lines("FROM alpine XX Name\n", "StageNameCasing"), [1]);
    assert_silent("FROM alpine AS build\nFROM alpine\n", "StageNameCasing");
}

#[test]
fn stage_name_casing_fix_lower_cases() {
    let text = "FROM alpine AS Build\n";
    let after = fixed(text);
    assert!(after.contains("AS build"), "{after}");
    assert_silent(&after, "StageNameCasing");
}

// FromAsCasing

#[test]
fn from_as_casing_fires_on_mismatch() {
    assert_eq!(
        findings("FROM alpine as build\n", "FromAsCasing"),
        [(
            1,
            "the `as` keyword does not follow the case of `FROM`: write both in upper case or both in lower case".to_string()
        )]
    );
    assert_eq!(lines("from alpine AS build\n", "FromAsCasing"), [1]);
}

#[test]
fn from_as_casing_silent_when_matching_or_mixed() {
    assert_silent("FROM alpine AS build\nfrom alpine as two\n", "FromAsCasing");
    // A mixed-case FROM is ConsistentInstructionCasing's business.
    assert_silent("From alpine as build\n", "FromAsCasing");
    assert_silent("FROM alpine\n", "FromAsCasing");
}

#[test]
fn from_as_casing_fix() {
    let after = fixed("FROM alpine as build\n");
    assert!(after.contains("AS build"), "{after}");
    assert_silent(&after, "FromAsCasing");
}

// NoEmptyContinuation

#[test]
fn no_empty_continuation_fires_on_last_line() {
    let text = "FROM alpine\nRUN echo a && \\\n\n    echo b\n";
    assert_eq!(
        findings(text, "NoEmptyContinuation"),
        [(4, "this instruction continues past an empty line: remove the empty lines from the continuation".to_string())]
    );
}

#[test]
fn no_empty_continuation_once_per_instruction() {
    let text = "FROM alpine\nCOPY a \\\n\n  b \\\n   \n  /dst/\n";
    assert_eq!(lines(text, "NoEmptyContinuation"), [6]);
}

#[test]
fn no_empty_continuation_ignores_comment_lines() {
    let text = "FROM alpine\nRUN echo a && \\\n# note\n    echo b\n\nRUN echo c\n";
    assert_silent(text, "NoEmptyContinuation");
}

#[test]
fn no_empty_continuation_fix_deletes_lines() {
    let text = "FROM alpine\nRUN echo a && \\\n\n    echo b\n";
    let after = fixed(text);
    assert_eq!(after, "FROM alpine\nRUN echo a && \\\n    echo b\n");
}

// ConsistentInstructionCasing

#[test]
fn consistent_casing_reports_minority() {
    let text = "FROM alpine\nrun echo a\nCOPY a /a\n";
    assert_eq!(
        findings(text, "ConsistentInstructionCasing"),
        [(
            2,
            "most instruction keywords in this file are uppercase, so write `run` in uppercase too".to_string()
        )]
    );
}

#[test]
fn consistent_casing_lower_majority_and_mixed() {
    let text = "from alpine\nrun echo a\nCopy a /a\nWORKDIR /x\n";
    let found = findings(text, "ConsistentInstructionCasing");
    assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [3, 4]);
    assert_eq!(
        found[0].1,
        "most instruction keywords in this file are lowercase, so write `Copy` in lowercase too"
    );
}

#[test]
fn consistent_casing_tie_is_upper_and_meta_args_not_counted() {
    // Meta ARGs before the first FROM are not counted: one lower, one upper is a tie.
    let text = "arg A=1\narg B=2\nfrom alpine\nRUN echo\n";
    assert_eq!(lines(text, "ConsistentInstructionCasing"), [3]);
    assert_silent("FROM alpine\nRUN echo\n", "ConsistentInstructionCasing");
}

#[test]
fn consistent_casing_fix() {
    let after = fixed("FROM alpine\nrun echo a\nCOPY a /a\n");
    assert!(after.contains("\nRUN echo a"), "{after}");
    assert_silent(&after, "ConsistentInstructionCasing");
}

// DuplicateStageName

#[test]
fn duplicate_stage_name_reports_later() {
    let text = "FROM alpine AS build\nFROM alpine AS Build\nFROM alpine AS other\n";
    assert_eq!(
        findings(text, "DuplicateStageName"),
        [(
            2,
            "an earlier stage is already named `build`: give each stage its own name".to_string()
        )]
    );
    assert_silent("FROM a AS one\nFROM b AS two\n", "DuplicateStageName");
}

// ReservedStageName

#[test]
fn reserved_stage_name_fires() {
    let text = "FROM alpine AS scratch\nFROM alpine AS context\nFROM alpine AS base\n";
    assert_eq!(
        findings(text, "ReservedStageName"),
        [
            (
                1,
                "the stage name `scratch` is reserved for the empty base image: rename this stage".to_string()
            ),
            (
                2,
                "the stage name `context` is reserved for the build context: rename this stage".to_string()
            )
        ]
    );
    assert_silent("FROM scratch\nFROM alpine AS ctx\n", "ReservedStageName");
}

// JSONArgsRecommended

#[test]
fn json_args_fires_on_shell_form() {
    let text = "FROM alpine\nCMD mybin --flag\nENTRYPOINT mybin\n";
    assert_eq!(
        findings(text, "JSONArgsRecommended"),
        [
            (
                2,
                "shell-form CMD runs the program under a shell that does not pass on signals such as `SIGTERM`: use the JSON array form"
                    .to_string()
            ),
            (
                3,
                "shell-form ENTRYPOINT runs the program under a shell that does not pass on signals such as `SIGTERM`: use the JSON array form"
                    .to_string()
            )
        ]
    );
}

#[test]
fn json_args_silent_on_exec_form_and_shell() {
    assert_silent(
        "FROM alpine\nCMD [\"mybin\"]\nENTRYPOINT [\"a\"]\n",
        "JSONArgsRecommended",
    );
    let shell = "FROM alpine AS base\nSHELL [\"/bin/bash\", \"-c\"]\nFROM base\nCMD mybin\n";
    assert_silent(shell, "JSONArgsRecommended");
    // A SHELL in an unrelated stage does not count.
    let other = "FROM alpine\nSHELL [\"/bin/sh\", \"-c\"]\nFROM alpine\nCMD mybin\n";
    assert_eq!(lines(other, "JSONArgsRecommended"), [4]);
}

#[test]
fn json_args_fix_is_unsafe() {
    let text = "FROM alpine\nCMD mybin --flag\n";
    assert_eq!(fixed(text), text);
    let all = fix(
        text,
        &Config::default(),
        &FileContext::default(),
        FixMode::All,
    )
    .text;
    assert!(all.contains("CMD [\"mybin\", \"--flag\"]"), "{all}");
    assert_silent(&all, "JSONArgsRecommended");
}

// MaintainerDeprecated

#[test]
fn maintainer_deprecated_fires_even_before_from() {
    let text = "MAINTAINER me\nFROM alpine\nMAINTAINER Jane <jane@example.com>\n";
    assert_eq!(
        findings(text, "MaintainerDeprecated"),
        [
            (
                1,
                "`MAINTAINER` is deprecated: put the author in the `org.opencontainers.image.authors` label".to_string()
            ),
            (
                3,
                "`MAINTAINER` is deprecated: put the author in the `org.opencontainers.image.authors` label".to_string()
            )
        ]
    );
    assert_silent("FROM alpine\nLABEL maintainer=me\n", "MaintainerDeprecated");
}

// UndefinedVar

#[test]
fn undefined_var_fires_with_suggestion() {
    let text = "FROM alpine\nARG VERSION=1\nCOPY app-$VERSOIN /app\n";
    assert_eq!(
        findings(text, "UndefinedVar"),
        [(
            3,
            "`$VERSOIN` is undefined here, so it expands to an empty string: did you mean `$VERSION`?".to_string()
        )]
    );
}

#[test]
fn undefined_var_in_every_expanded_instruction() {
    let text = "FROM scratch\n\
ENV A=$E1\n\
LABEL k=$E2\n\
WORKDIR /$E3\n\
USER $E4\n\
VOLUME /$E5\n\
STOPSIGNAL $E6\n\
ARG X=$E7\n\
COPY --chown=$E8 a /b\n\
RUN --mount=type=cache,target=/$E9 true\n";
    assert_eq!(lines(text, "UndefinedVar"), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
}

#[test]
fn undefined_var_counts_default_forms_and_heredocs() {
    let text = "FROM scratch\nENV A=${NOPE:-x}\nCOPY <<EOF /out\nvalue $BODY\nEOF\nCOPY <<'EOF' /out\n$QUOTED\nEOF\n";
    let found = findings(text, "UndefinedVar");
    assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [2, 4]);
    assert!(found[1].1.contains("`$BODY`"), "{found:?}");
}

#[test]
fn undefined_var_silent_cases() {
    // Declared ARG without value, ENV, PATH, RUN text, EXPOSE, base stage chain, mount from.
    let text = "FROM alpine AS base\n\
ARG NOVALUE\n\
ENV HOME_DIR=/root\n\
ENV P=$PATH:$HOME_DIR/bin\n\
COPY a /$NOVALUE\n\
RUN echo $ANYTHING\n\
CMD echo $OTHER\n\
EXPOSE $PORT\n\
FROM base\n\
WORKDIR $HOME_DIR\n\
RUN --mount=from=$STAGE,target=/x true\n";
    assert_silent(text, "UndefinedVar");
}

#[test]
fn undefined_var_needs_arg_for_predefined_platform_args() {
    let text =
        "FROM alpine\nCOPY app-$TARGETARCH /app\nARG TARGETARCH\nCOPY app-$TARGETARCH /app\n";
    assert_eq!(lines(text, "UndefinedVar"), [2]);
}

#[test]
fn undefined_var_env_sees_values_before_the_instruction() {
    // Both pairs of one ENV expand with the environment before it.
    let text = "FROM scratch\nENV A=1 B=$A\n";
    assert_eq!(lines(text, "UndefinedVar"), [2]);
}

#[test]
fn undefined_var_unrelated_stage_does_not_see_args() {
    let text = "FROM scratch AS one\nARG V=1\nFROM scratch\nCOPY $V /x\n";
    assert_eq!(lines(text, "UndefinedVar"), [4]);
}

// MultipleInstructionsDisallowed

#[test]
fn multiple_instructions_reports_the_earlier() {
    let text = "FROM alpine\nCMD [\"a\"]\nHEALTHCHECK NONE\nCMD [\"b\"]\nENTRYPOINT [\"x\"]\nHEALTHCHECK NONE\n";
    assert_eq!(
        findings(text, "MultipleInstructionsDisallowed"),
        [
            (
                2,
                "a later CMD in this stage replaces this one, so this one has no effect: keep only one CMD per stage"
                    .to_string()
            ),
            (
                3,
                "a later HEALTHCHECK in this stage replaces this one, so this one has no effect: keep only one HEALTHCHECK per stage"
                    .to_string()
            )
        ]
    );
}

#[test]
fn multiple_instructions_per_stage_only() {
    let text = "FROM alpine AS a\nCMD [\"a\"]\nFROM a\nCMD [\"b\"]\n";
    assert_silent(text, "MultipleInstructionsDisallowed");
}

// LegacyKeyValueFormat

#[test]
fn legacy_key_value_fires_for_env_and_label() {
    let text = "FROM alpine\nENV A b c\nLABEL k v\nARG x y\nENV B=c\n";
    assert_eq!(
        findings(text, "LegacyKeyValueFormat"),
        [
            (
                2,
                "this ENV pair uses the legacy `key value` form: write it as `key=value`"
                    .to_string()
            ),
            (
                3,
                "this LABEL pair uses the legacy `key value` form: write it as `key=value`"
                    .to_string()
            )
        ]
    );
}

#[test]
fn legacy_key_value_fix() {
    let after = fixed("FROM alpine\nENV A b c\nLABEL k v\n");
    assert_eq!(after, "FROM alpine\nENV A=\"b c\"\nLABEL k=v\n");
    assert_silent(&after, "LegacyKeyValueFormat");
    // Quotes in the value: no fix.
    let quoted = "FROM alpine\nENV FOO \"bar\" # baz\n";
    let legacy: Vec<Diagnostic> = lint_all(quoted, &FileContext::default())
        .into_iter()
        .filter(|diagnostic| diagnostic.code == "LegacyKeyValueFormat")
        .collect();
    assert_eq!(legacy.len(), 1);
    assert!(legacy[0].fix.is_none());
}

// ExposeProtoCasing and ExposeInvalidFormat

#[test]
fn expose_proto_casing_fires() {
    let text = "FROM alpine\nEXPOSE 80/TcP 443/tcp 53/UDP\n";
    assert_eq!(
        findings(text, "ExposeProtoCasing"),
        [
            (
                2,
                "`80/TcP` has a protocol in upper case: write it in lower case".to_string()
            ),
            (
                2,
                "`53/UDP` has a protocol in upper case: write it in lower case".to_string()
            )
        ]
    );
    assert_silent("FROM alpine\nEXPOSE 80 443/udp\n", "ExposeProtoCasing");
    let after = fixed(text);
    assert!(after.contains("EXPOSE 80/tcp 443/tcp 53/udp"), "{after}");
}

#[test]
fn expose_proto_casing_after_expansion() {
    let text = "FROM alpine\nARG PORTS=\"80/TCP 81\"\nEXPOSE $PORTS\n";
    assert_eq!(lines(text, "ExposeProtoCasing"), [3]);
}

#[test]
fn expose_invalid_format_fires() {
    let text = "FROM alpine\nEXPOSE 127.0.0.1:80:80 8080:80/tcp [::1]:53:53/udp 80\n";
    let found = findings(text, "ExposeInvalidFormat");
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(
        found[1].1,
        "`8080:80/tcp` includes a host address or host port, which EXPOSE ignores: expose only the container port and publish it with `docker run -p`"
    );
    assert_silent(
        "FROM alpine\nEXPOSE 80 8000-8010/tcp\n",
        "ExposeInvalidFormat",
    );
}

// UndefinedArgInFrom

#[test]
fn undefined_arg_in_from_fires() {
    let text = "ARG VERSION=3.20\nFROM alpine:${VERSOIN}\nFROM --platform=$PLATFROM alpine\n";
    assert_eq!(
        findings(text, "UndefinedArgInFrom"),
        [
            (
                2,
                "FROM uses `VERSOIN`, which no ARG before the first FROM declares: did you mean `VERSION`?".to_string()
            ),
            (3, "FROM uses `PLATFROM`, which no ARG before the first FROM declares: declare it with `ARG PLATFROM` before the first FROM".to_string())
        ]
    );
}

#[test]
fn undefined_arg_in_from_counts_defaults() {
    // `${X:-d}` still uses X, as BuildKit records the lookup.
    assert_eq!(lines("FROM ${IMAGE:-alpine}\n", "UndefinedArgInFrom"), [1]);
    // An ARG inside a stage does not reach a later FROM.
    let text = "FROM alpine\nARG TAG=1\nFROM alpine:$TAG\n";
    assert_eq!(lines(text, "UndefinedArgInFrom"), [3]);
}

#[test]
fn undefined_arg_in_from_silent_cases() {
    let text = "ARG NOVALUE\nARG TAG=1\nFROM alpine:$TAG\nFROM --platform=$BUILDPLATFORM alpine:${NOVALUE}\nFROM ${TARGETARCH}/alpine\n";
    assert_silent(text, "UndefinedArgInFrom");
}

// WorkdirRelativePath

#[test]
fn workdir_relative_path_fires_on_first() {
    let text = "FROM alpine\nWORKDIR app\nWORKDIR sub\n";
    assert_eq!(
        findings(text, "WorkdirRelativePath"),
        [(
            2,
            "`app` is relative, so this WORKDIR resolves against whatever working directory the base image sets: use an absolute path"
                .to_string()
        )]
    );
}

#[test]
fn workdir_relative_path_silent_cases() {
    let text = "FROM alpine AS base\nWORKDIR /app\nWORKDIR sub\nFROM base\nWORKDIR rel\nFROM alpine\nENV DIR=/srv\nWORKDIR $DIR/x\n";
    assert_silent(text, "WorkdirRelativePath");
    let windows =
        "# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nWORKDIR C:\\app\n";
    assert_silent(windows, "WorkdirRelativePath");
}

#[test]
fn workdir_relative_path_after_expansion() {
    let text = "FROM alpine\nARG DIR=app\nWORKDIR $DIR\n";
    assert_eq!(lines(text, "WorkdirRelativePath"), [3]);
}

// RedundantTargetPlatform

#[test]
fn redundant_target_platform_fires() {
    for value in [
        "$TARGETPLATFORM",
        "${TARGETPLATFORM}",
        "${TARGETPLATFORM:-linux/amd64}",
    ] {
        let text = format!("FROM --platform={value} alpine\n");
        assert_eq!(
            findings(&text, "RedundantTargetPlatform"),
            [(
                1,
                format!(
                    "`--platform={value}` asks for the target platform, which FROM uses anyway: remove the flag"
                )
            )]
        );
    }
}

#[test]
fn redundant_target_platform_silent_cases() {
    for value in [
        "$BUILDPLATFORM",
        "linux/amd64",
        "$TARGETOS/$TARGETARCH",
        "${TARGETPLATFORM}x",
    ] {
        let text = format!("FROM --platform={value} alpine AS linux-amd64\n");
        assert_silent(&text, "RedundantTargetPlatform");
    }
}

#[test]
fn redundant_target_platform_fix_removes_flag() {
    let after = fixed("FROM --platform=$TARGETPLATFORM alpine\n");
    assert_eq!(after, "FROM alpine\n");
}

// FromPlatformFlagConstDisallowed

#[test]
fn from_platform_const_fires() {
    let text = "FROM --platform=linux/amd64 alpine AS build\nFROM --platform=linux/arm64 alpine\n";
    assert_eq!(
        findings(text, "FromPlatformFlagConstDisallowed"),
        [
            (
                1,
                "constant platform `linux/amd64` in `--platform`: use `$BUILDPLATFORM` or `$TARGETPLATFORM` so the stage follows the build, or name the stage after the platform".to_string()
            ),
            (
                2,
                "constant platform `linux/arm64` in `--platform`: use `$BUILDPLATFORM` or `$TARGETPLATFORM` so the stage follows the build, or name the stage after the platform".to_string()
            )
        ]
    );
}

#[test]
fn from_platform_const_silent_cases() {
    let text = "FROM --platform=$BUILDPLATFORM alpine\n\
FROM --platform=linux/amd64 alpine AS build-amd64\n\
FROM --platform=linux/aarch64 alpine AS arm64-tools\n\
FROM --platform=windows/amd64 alpine AS windows-base\n\
FROM --platform=not/a/valid/platform alpine\n";
    assert_silent(text, "FromPlatformFlagConstDisallowed");
}

// InvalidDefaultArgInFrom

#[test]
fn invalid_default_arg_in_from_fires() {
    let text = "ARG TAG\nARG IMAGE\nARG UPPER=Alpine\nFROM alpine:$TAG\nFROM $IMAGE\nFROM $UPPER\n";
    assert_eq!(
        findings(text, "InvalidDefaultArgInFrom"),
        [
            (
                4,
                "with the ARG defaults, `alpine:$TAG` expands to an empty or invalid image name: give the ARGs defaults that name a valid image"
                    .to_string()
            ),
            (
                5,
                "with the ARG defaults, `$IMAGE` expands to an empty or invalid image name: give the ARGs defaults that name a valid image"
                    .to_string()
            ),
            (
                6,
                "with the ARG defaults, `$UPPER` expands to an empty or invalid image name: give the ARGs defaults that name a valid image"
                    .to_string()
            )
        ]
    );
}

#[test]
fn invalid_default_arg_in_from_silent_cases() {
    let text = "ARG TAG=3.20\nARG BASE=build\nFROM alpine:${TAG} AS build\nFROM $BASE\nFROM alpine:${NOPE:-3.20}\nFROM golang:1.22-$TARGETOS\nFROM alpine\n";
    assert_silent(text, "InvalidDefaultArgInFrom");
}

// InvalidBaseImagePlatform

#[test]
fn invalid_base_image_platform_from_name() {
    let text = "FROM --platform=linux/amd64 arm64v8/alpine:3.20 AS a\n";
    assert_eq!(
        findings(text, "InvalidBaseImagePlatform"),
        [(
            1,
            "base image `arm64v8/alpine:3.20` is made for `linux/arm64/v8`, but this stage requests `linux/amd64`: use an image for `linux/amd64` or change `--platform`"
                .to_string()
        )]
    );
    let windows = "FROM --platform=linux/amd64 mcr.microsoft.com/windows/nanoserver:ltsc2022\n";
    assert_eq!(lines(windows, "InvalidBaseImagePlatform"), [1]);
}

#[test]
fn invalid_base_image_platform_silent_cases() {
    let text = "FROM --platform=linux/arm64 arm64v8/alpine:3.20 AS a\n\
FROM --platform=linux/amd64 alpine:3.20 AS b\n\
FROM --platform=$BUILDPLATFORM arm64v8/alpine AS c\n\
FROM arm64v8/alpine AS d\n\
FROM --platform=windows/amd64 mcr.microsoft.com/windows/servercore:ltsc2022\n";
    assert_silent(text, "InvalidBaseImagePlatform");
}

// SecretsUsedInArgOrEnv

#[test]
fn secrets_fire_on_arg_and_env() {
    let text = "FROM alpine\nARG GITHUB_TOKEN\nENV AWS_SECRET_ACCESS_KEY=x\nENV password=y\n";
    assert_eq!(
        findings(text, "SecretsUsedInArgOrEnv"),
        [
            (
                2,
                "ARG `GITHUB_TOKEN` appears to hold a credential, which anyone with the image can read: pass it as a build secret with `RUN --mount=type=secret` instead"
                    .to_string()
            ),
            (
                3,
                "ENV `AWS_SECRET_ACCESS_KEY` appears to hold a credential, which anyone with the image can read: pass it as a build secret with `RUN --mount=type=secret` instead"
                    .to_string()
            ),
            (
                4,
                "ENV `password` appears to hold a credential, which anyone with the image can read: pass it as a build secret with `RUN --mount=type=secret` instead".to_string()
            )
        ]
    );
}

#[test]
fn secrets_silent_cases() {
    // BuildKit's allow-list, meta ARGs, words inside other words, and names about a secret.
    let text = "ARG API_TOKEN\nFROM alpine\nARG PUBLIC_KEY\nENV TOKEN_FILE=/run/t\nARG NODE_VERSION\nENV MONKEY=1\nARG SSH_KEY_PATH\nENV ENABLE_AUTH=true\n";
    assert_silent(text, "SecretsUsedInArgOrEnv");
}

#[test]
fn secrets_env_key_is_expanded() {
    let text = "FROM alpine\nARG NAME=DB_PASSWORD\nENV ${NAME}=x\n";
    assert_eq!(lines(text, "SecretsUsedInArgOrEnv"), [3]);
}

/// The case in the shared corpus: names that only contain a secret word are not
/// reported; a password build argument is a warning, the ENV that stores it an error.
#[test]
fn secrets_case_name_heuristic() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/cases/12-secret-name-heuristic/Dockerfile");
    let text = std::fs::read_to_string(&path).expect("the case Dockerfile is readable");
    let found: Vec<Diagnostic> = lint_all(&text, &FileContext::default())
        .into_iter()
        .filter(|diagnostic| diagnostic.code == "SecretsUsedInArgOrEnv")
        .collect();
    let found_lines: Vec<usize> = found.iter().map(|d| line_of(&text, d)).collect();
    assert_eq!(found_lines, [4, 5]);
    assert_eq!(found[0].severity, Severity::Warning);
    assert_eq!(found[1].severity, Severity::Error);
    assert!(found[0].message.contains("ARG `DB_PASSWORD`"));
    assert!(found[1].message.contains("ENV `API_TOKEN`"));
}

// CopyIgnoredFile

fn with_ignore(patterns: &str) -> FileContext {
    FileContext {
        path: None,
        dockerignore: Some(patterns.to_string()),
    }
}

#[test]
fn copy_ignored_file_fires() {
    let file = with_ignore("# docs\n*.md\nnode_modules\n/secrets\n");
    let text = "FROM alpine\nCOPY README.md /a/\nADD node_modules/x.js ./secrets /b/\nCOPY [\"./docs/../NOTES.md\", \"/c/\"]\n";
    assert_eq!(
        findings_in(text, "CopyIgnoredFile", &file),
        [
            (
                2,
                "`.dockerignore` excludes `README.md`, so this COPY cannot read it from the build context: drop the source or change the ignore pattern"
                    .to_string()
            ),
            (
                3,
                "`.dockerignore` excludes `node_modules/x.js`, so this ADD cannot read it from the build context: drop the source or change the ignore pattern"
                    .to_string()
            ),
            (
                3,
                "`.dockerignore` excludes `secrets`, so this ADD cannot read it from the build context: drop the source or change the ignore pattern".to_string()
            ),
            (
                4,
                "`.dockerignore` excludes `NOTES.md`, so this COPY cannot read it from the build context: drop the source or change the ignore pattern"
                    .to_string()
            )
        ]
    );
}

#[test]
fn copy_ignored_file_expands_sources() {
    let file = with_ignore("build\n");
    let text = "FROM alpine\nARG OUT=build\nCOPY $OUT/app /app\n";
    assert_eq!(
        findings_in(text, "CopyIgnoredFile", &file)
            .into_iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        [3]
    );
}

#[test]
fn copy_ignored_file_silent_cases() {
    let file = with_ignore("*.md\n");
    let text = "FROM alpine AS a\nCOPY docs/README.md /a/\nCOPY . /src\nFROM alpine\nCOPY --from=a README.md /x\nADD https://example.com/README.md /y\nCOPY <<README.md /z\nhi\nREADME.md\n";
    assert_eq!(findings_in(text, "CopyIgnoredFile", &file), Vec::new());
    // An exception turns the check off, as in BuildKit.
    let exception = with_ignore("*.md\n!README.md\n");
    let copy = "FROM alpine\nCOPY CHANGES.md /a/\n";
    assert_eq!(findings_in(copy, "CopyIgnoredFile", &exception), Vec::new());
    // Without an ignore file nothing is excluded.
    assert_silent(copy, "CopyIgnoredFile");
}

#[test]
fn copy_ignored_file_dot_needs_match_all() {
    let file = with_ignore("**\n");
    let text = "FROM alpine\nCOPY . /src\n";
    assert_eq!(
        findings_in(text, "CopyIgnoredFile", &file),
        [(
            2,
            "`.dockerignore` excludes `.`, so this COPY cannot read it from the build context: drop the source or change the ignore pattern".to_string()
        )]
    );
}

#[test]
fn copy_ignored_file_reads_context_folder() {
    let folder =
        std::env::temp_dir().join(format!("ballast-rules-buildkit-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(".dockerignore"), "*.log\n").unwrap();
    let dockerfile = folder.join("Dockerfile");
    let text = "FROM alpine\nCOPY app.log /a/\n";
    std::fs::write(&dockerfile, text).unwrap();
    let file = FileContext::for_path(&dockerfile);
    let found = findings_in(text, "CopyIgnoredFile", &file);
    std::fs::remove_dir_all(&folder).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
}

// InvalidDefinitionDescription

#[test]
fn definition_description_off_by_default() {
    let text = "# compiles things\nFROM alpine AS build\n";
    assert_silent(text, "InvalidDefinitionDescription");
}

#[test]
fn definition_description_with_directive() {
    let text = "# check=experimental=InvalidDefinitionDescription\n\
# compiles things\n\
FROM alpine AS build\n\
# the version to use\n\
ARG VERSION=1\n\
# build is described\n\
FROM alpine AS build2\n\
# VERSION2 is described\n\
ARG VERSION2\n\
# several\n\
ARG A B\n\
ARG NO_COMMENT\n";
    assert_eq!(
        findings(text, "InvalidDefinitionDescription"),
        [
            (
                3,
                "the comment above this FROM does not start with the name it describes: write its last line as `# build <description>`".to_string()
            ),
            (
                5,
                "the comment above this ARG does not start with the name it describes: write its last line as `# VERSION <description>`".to_string()
            ),
            (
                7,
                "the comment above this FROM does not start with the name it describes: write its last line as `# build2 <description>`".to_string()
            ),
            (
                11,
                "the comment above this ARG does not start with the name it describes: write its last line as `# <arg_key> <description>`".to_string()
            )
        ]
    );
}

#[test]
fn definition_description_inline_and_skip() {
    // Enabled for one instruction by a check comment; `skip=all` does not turn it off.
    let text = "# check=skip=all\nFROM alpine\n# check=experimental=all\n# bad\nARG X\nARG Y\n";
    assert_eq!(lines(text, "InvalidDefinitionDescription"), [5]);
}

// The `# check=` directive and comment

#[test]
fn check_directive_skips_named_checks() {
    let text = "# check=skip=StageNameCasing,FromAsCasing\nFROM alpine as Build\nCMD run\n";
    let codes: Vec<String> = lint_all(text, &FileContext::default())
        .into_iter()
        .map(|d| d.code.into_owned())
        .filter(|code| {
            ["StageNameCasing", "FromAsCasing", "JSONArgsRecommended"].contains(&code.as_str())
        })
        .collect();
    assert_eq!(codes, ["JSONArgsRecommended"]);
}

#[test]
fn check_directive_skip_all_and_names_are_case_sensitive() {
    let all = "# check=skip=all\nFROM alpine as Build\nCMD run\n";
    assert_silent(all, "StageNameCasing");
    assert_silent(all, "JSONArgsRecommended");
    let lower = "# check=skip=stagenamecasing\nFROM alpine AS Build\n";
    assert_eq!(lines(lower, "StageNameCasing"), [2]);
}

#[test]
fn check_directive_error_raises_severity() {
    let text = "# check=error=true\nFROM alpine\nCMD run\n";
    let found: Vec<Diagnostic> = lint_all(text, &FileContext::default())
        .into_iter()
        .filter(|d| d.code == "JSONArgsRecommended")
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Error);
}

#[test]
fn check_directive_value_cut_at_space() {
    let text = "# check=skip=JSONArgsRecommended // reason\nFROM alpine\nCMD run\n";
    assert_silent(text, "JSONArgsRecommended");
}

#[test]
fn check_comment_skips_one_instruction() {
    let text = "FROM alpine\n# check=skip=SecretsUsedInArgOrEnv // reviewed\nENV API_TOKEN=x\nENV DB_PASSWORD=y\n";
    assert_eq!(lines(text, "SecretsUsedInArgOrEnv"), [4]);
}

#[test]
fn check_directive_only_at_top() {
    // After an instruction the line is an ordinary comment, so it covers only the next
    // instruction and not the whole file.
    let text = "FROM alpine\nCMD a\n# check=skip=JSONArgsRecommended\nENTRYPOINT b\nCMD c\n";
    assert_eq!(lines(text, "JSONArgsRecommended"), [2, 5]);
}
