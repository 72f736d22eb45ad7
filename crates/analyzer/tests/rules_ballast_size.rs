//! Fixtures for ballast's image-size rules BL2006 onwards: static and dynamic binaries
//! and their base images, package-manager caches, remote archives and build contexts
//! without an ignore file.

use std::path::{Path, PathBuf};

use ballast_analyzer::config::Config;
use ballast_analyzer::fix::{FixMode, apply_fixes};
use ballast_analyzer::lint::LintResult;
use ballast_analyzer::rules::FileContext;
use ballast_analyzer::{Applicability, Diagnostic, Severity, lint};

fn lint_text(text: &str) -> LintResult {
    lint(text, &Config::default(), &FileContext::default())
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Lints `text` and keeps the findings of `code`, each with its line number.
fn findings(text: &str, code: &str) -> Vec<(usize, Diagnostic)> {
    lint_text(text)
        .diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.code == code)
        .map(|diagnostic| (line_of(text, diagnostic.span.start), diagnostic))
        .collect()
}

fn lines_of(text: &str, code: &str) -> Vec<usize> {
    findings(text, code)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

/// Applies the fixes of rule `code` once (`mode` decides which) and returns the fixed text.
fn fixed(text: &str, code: &str, mode: FixMode) -> String {
    let result = lint_text(text);
    let own: Vec<Diagnostic> = result
        .diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.code == code)
        .collect();
    apply_fixes(text, &own, &result.error_regions, mode).text
}

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

// BL2006 static-binary-on-distribution

#[test]
fn static_binary_on_debian_example() {
    let path = repository_root().join("examples/go-static/Dockerfile");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let result = lint(&text, &Config::default(), &FileContext::for_path(&path));
    let found: Vec<&Diagnostic> = result
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == "BL2006")
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    let diagnostic = found[0];
    assert_eq!(line_of(&text, diagnostic.span.start), 8);
    assert_eq!(
        &text[diagnostic.span.start..diagnostic.span.end],
        "debian:12"
    );
    assert_eq!(diagnostic.severity, Severity::Warning);
    assert!(
        diagnostic
            .message
            .contains("static Go binary built at line 5"),
        "{}",
        diagnostic.message
    );
    assert!(diagnostic.message.contains("FROM scratch"));
    assert_eq!(diagnostic.labels.len(), 1);
    assert_eq!(line_of(&text, diagnostic.labels[0].span.start), 5);
    assert!(diagnostic.labels[0].message.contains("CGO_ENABLED=0"));
}

#[test]
fn static_binary_each_static_build_form() {
    let cases = [
        "FROM golang:1.22 AS build\nENV CGO_ENABLED=0\nRUN go build -o /bin/app ./cmd/app\n",
        "FROM golang:1.22 AS build\nRUN export CGO_ENABLED=0 && go build -o /bin/app .\n",
        "FROM golang:1.22 AS build\nRUN go build -ldflags '-extldflags \"-static\"' -o /bin/app .\n",
        "FROM golang:1.22 AS build\nRUN go build -tags netgo,osusergo -o /bin/app .\n",
        "FROM rust:1.80 AS build\nRUN cargo build --release --target x86_64-unknown-linux-musl && cp target/x86_64-unknown-linux-musl/release/app /bin/app\n",
        "FROM gcc:14 AS build\nRUN gcc -static -O2 -o /bin/app main.c\n",
    ];
    for builder in cases {
        let text = format!(
            "{builder}FROM ubuntu:24.04\nCOPY --from=build /bin/app /usr/local/bin/app\nENTRYPOINT [\"app\"]\n"
        );
        let found = findings(&text, "BL2006");
        // The Rust case copies what `cp` placed in /bin/app, which no build command names,
        // so only the five builds whose output is /bin/app are judged.
        if builder.contains("cargo") {
            assert!(found.is_empty(), "{builder}: {found:?}");
            continue;
        }
        assert_eq!(found.len(), 1, "{builder}: {found:?}");
        assert!(found[0].1.message.contains("ubuntu:24.04"));
    }
}

#[test]
fn static_binary_rust_target_folder() {
    let text = "FROM rust:1.80 AS build\nWORKDIR /src\nRUN cargo build --release --target x86_64-unknown-linux-musl\nFROM debian:12-slim\nCOPY --from=build /src/target/x86_64-unknown-linux-musl/release/app /app\nCMD [\"/app\"]\n";
    let found = findings(text, "BL2006");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 4);
    assert!(
        found[0]
            .1
            .message
            .contains("static Rust binary built at line 3")
    );
    assert!(found[0].1.labels[0].message.contains("musl target"));
}

#[test]
fn static_binary_on_alpine_is_info() {
    let text = "FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /out/app .\nFROM alpine:3.20\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n";
    let found = findings(text, "BL2006");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 3);
    assert_eq!(found[0].1.severity, Severity::Info);
}

#[test]
fn static_binary_fix_uses_distroless() {
    let path = repository_root().join("examples/go-static/Dockerfile");
    let text = std::fs::read_to_string(&path).expect("the go-static example is readable");
    let safe = fixed(&text, "BL2006", FixMode::Safe);
    assert_eq!(
        safe, text,
        "the fix is unsafe, so a safe run leaves the file alone"
    );
    let unsafe_fixed = fixed(&text, "BL2006", FixMode::All);
    assert!(
        unsafe_fixed.contains("\nFROM gcr.io/distroless/static-debian12\n"),
        "{unsafe_fixed}"
    );
    assert!(lines_of(&unsafe_fixed, "BL2006").is_empty());
    let found = findings(&text, "BL2006");
    let fix = found[0].1.fix.as_ref().expect("a fix");
    assert_eq!(fix.applicability, Applicability::Unsafe);
}

#[test]
fn static_binary_silent_cases() {
    let builder = "FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /out/app .\n";
    let finals = [
        // Already minimal.
        "FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n",
        "FROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n",
        // The stage uses the distribution.
        "FROM debian:12\nRUN apt-get update\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n",
        "FROM debian:12\nCOPY --from=build /out/app /app\nENTRYPOINT /app --serve\n",
        "FROM debian:12\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/bin/sh\", \"-c\", \"/app\"]\n",
        "FROM debian:12\nCOPY --from=build /out/app /app\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost/\"]\nENTRYPOINT [\"/app\"]\n",
        // Nothing built is copied.
        "FROM debian:12\nCOPY app /app\nENTRYPOINT [\"/app\"]\n",
    ];
    for final_stage in finals {
        let text = format!("{builder}{final_stage}");
        assert!(lines_of(&text, "BL2006").is_empty(), "{text}");
    }

    // A build that may link dynamically keeps the distribution's C library useful.
    let dynamic = "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM debian:12\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n";
    assert!(lines_of(dynamic, "BL2006").is_empty());
    // A command-line override of the environment, which the next command does not see.
    let scoped = "FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go vet ./... && go build -o /out/app .\nFROM debian:12\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n";
    assert!(lines_of(scoped, "BL2006").is_empty());
    // A single-stage image.
    let single =
        "FROM golang:1.22\nRUN CGO_ENABLED=0 go build -o /out/app .\nENTRYPOINT [\"/out/app\"]\n";
    assert!(lines_of(single, "BL2006").is_empty());
}

// BL2007 dynamic-binary-in-scratch

#[test]
fn dynamic_go_binary_in_scratch() {
    let text = "FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build -o /out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n";
    let found = findings(text, "BL2007");
    assert_eq!(found.len(), 1, "{found:?}");
    let (line, diagnostic) = &found[0];
    assert_eq!(*line, 6);
    assert_eq!(
        &text[diagnostic.span.start..diagnostic.span.end],
        "/out/app"
    );
    assert_eq!(diagnostic.severity, Severity::Warning);
    assert!(
        diagnostic.message.contains("build at line 3"),
        "{}",
        diagnostic.message
    );
    assert!(diagnostic.message.contains("no such file or directory"));
    assert!(diagnostic.message.contains("CGO_ENABLED=0"));
    assert_eq!(line_of(text, diagnostic.labels[0].span.start), 3);
}

#[test]
fn dynamic_rust_and_c_binaries_in_scratch() {
    let rust = "FROM rust:1.80 AS build\nWORKDIR /src\nRUN cargo build --release\nFROM scratch\nCOPY --from=build /src/target/release/app /app\nENTRYPOINT [\"/app\"]\n";
    let found = findings(rust, "BL2007");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.message.contains("musl"));
    assert!(found[0].1.fix.is_none(), "no fix for Rust");

    let c = "FROM gcc:14 AS build\nWORKDIR /src\nRUN gcc -O2 -o app main.c\nFROM scratch\nCOPY --from=build /src/app /app\nENTRYPOINT [\"/app\"]\n";
    let found = findings(c, "BL2007");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.message.contains("-static"));
}

#[test]
fn dynamic_binary_fixes_make_it_static() {
    let cases = [
        "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n",
        "FROM gcc:14 AS build\nRUN gcc -O2 -o /out/app main.c\nFROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n",
    ];
    for text in cases {
        assert_eq!(
            fixed(text, "BL2007", FixMode::Safe),
            text,
            "the fixes are unsafe"
        );
        let after = fixed(text, "BL2007", FixMode::All);
        assert_ne!(after, text);
        assert!(lines_of(&after, "BL2007").is_empty(), "{after}");
    }
    let go = fixed(cases[0], "BL2007", FixMode::All);
    assert!(
        go.contains("RUN CGO_ENABLED=0 go build -o /out/app .\n"),
        "{go}"
    );
    let c = fixed(cases[1], "BL2007", FixMode::All);
    assert!(c.contains("RUN gcc -static -O2"), "{c}");
}

#[test]
fn dynamic_binary_silent_cases() {
    let silent = [
        // Static builds.
        "FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n",
        "FROM rust:1.80-alpine AS build\nWORKDIR /src\nRUN cargo build --release\nFROM scratch\nCOPY --from=build /src/target/release/app /app\n",
        "FROM gcc:14 AS build\nRUN gcc -static -o /out/app main.c\nFROM scratch\nCOPY --from=build /out/app /app\n",
        // The alpine golang image has no C compiler, so cgo is off.
        "FROM golang:1.22-alpine AS build\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n",
        // Cross-compiling turns cgo off.
        "FROM golang:1.22 AS build\nARG TARGETARCH\nRUN GOARCH=$TARGETARCH go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n",
        // A final stage with a C library.
        "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM debian:12-slim\nCOPY --from=build /out/app /app\n",
        // A copy of something no build command produced.
        "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n",
        // Compiling without linking.
        "FROM gcc:14 AS build\nRUN gcc -c -o /out/app.o main.c\nFROM scratch\nCOPY --from=build /out/app.o /app.o\n",
    ];
    for text in silent {
        assert!(lines_of(text, "BL2007").is_empty(), "{text}");
    }
}

#[test]
fn dynamic_binary_case_without_builder_is_silent() {
    // The binary comes from the build context, so its linkage is unknown from the text.
    let path = repository_root().join("../shared/cases/20-dynamic-binary-in-scratch/Dockerfile");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let result = lint(&text, &Config::default(), &FileContext::for_path(&path));
    assert!(
        result
            .diagnostics
            .iter()
            .all(|diagnostic| diagnostic.code != "BL2007")
    );
}

// BL2008 package-cache-kept

#[test]
fn package_cache_kept_fires_per_tool() {
    let text = "FROM node:22-slim\nRUN npm ci\nRUN go build -o /bin/app . && go mod download\nRUN gem install bundler\nRUN composer install --no-dev\n";
    let found = findings(text, "BL2008");
    let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [2, 3, 3, 4, 5], "{found:?}");
    assert!(found[0].1.message.contains("npm cache clean --force"));
    assert!(found[1].1.message.contains("/root/.cache/go-build"));
    assert!(found[2].1.message.contains("/go/pkg/mod"));
    assert!(found[3].1.message.contains("--no-document"));
    assert!(found[4].1.message.contains("--no-cache"));
    assert!(
        found
            .iter()
            .all(|(_, diagnostic)| diagnostic.severity == Severity::Info)
    );
}

#[test]
fn package_cache_kept_npm_in_heredoc() {
    let text = "FROM node:22-slim\nRUN <<EOF\nset -e\nnpm install\nEOF\n";
    let found = findings(text, "BL2008");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 4);
    assert_eq!(&text[found[0].1.span.start..found[0].1.span.end], "npm");
}

#[test]
fn package_cache_kept_silent_cases() {
    let silent = [
        // Cleaned in the same RUN.
        "FROM node:22-slim\nRUN npm ci && npm cache clean --force\n",
        "FROM node:22-slim\nRUN npm install && rm -rf /root/.npm\n",
        "FROM golang:1.22\nRUN go build -o /bin/app . && go clean -cache\n",
        "FROM golang:1.22\nRUN go mod download && go build -o /bin/app . && go clean -cache -modcache\n",
        "FROM php:8.3-cli\nRUN composer install && composer clear-cache\n",
        // Cache mounts.
        "FROM node:22-slim\nRUN --mount=type=cache,target=/root/.npm npm ci\n",
        "FROM golang:1.22\nRUN --mount=type=cache,target=/root/.cache/go-build go build -o /bin/app .\n",
        "FROM golang:1.22\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n",
        "FROM php:8.3-cli\nRUN --mount=type=cache,target=/tmp/cache composer install\n",
        // Flags that keep nothing.
        "FROM debian:12-slim\nRUN gem install --no-document bundler\n",
        "FROM debian:12-slim\nRUN gem install -N bundler\n",
        "FROM php:8.3-cli\nRUN composer install --no-cache --no-dev\n",
        // The official ruby image's gemrc turns documentation off.
        "FROM ruby:3.3-slim\nRUN gem install bundler\n",
        "FROM debian:12-slim\nRUN echo 'gem: --no-document' > /etc/gemrc\nRUN gem install bundler\n",
        // A builder stage that is only copied from.
        "FROM golang:1.22 AS build\nRUN go build -o /bin/app .\nFROM scratch\nCOPY --from=build /bin/app /app\n",
        "FROM node:22 AS build\nRUN npm ci && npm run build\nFROM nginx:1.27\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
        // Commands that download nothing.
        "FROM node:22-slim\nRUN npm run build\n",
        "FROM golang:1.22\nRUN go version && go vet ./...\n",
        "FROM php:8.3-cli\nRUN composer dump-autoload\n",
    ];
    for text in silent {
        assert!(lines_of(text, "BL2008").is_empty(), "{text}");
    }
}

#[test]
fn package_cache_kept_yarn_left_to_dl3060() {
    let text = "FROM node:22-slim\nRUN yarn install\n";
    assert!(lines_of(text, "BL2008").is_empty());
}

#[test]
fn package_cache_kept_safe_fixes() {
    let text = "FROM debian:12-slim\nRUN gem install bundler && composer install --no-dev\n";
    let after = fixed(text, "BL2008", FixMode::Safe);
    assert_eq!(
        after,
        "FROM debian:12-slim\nRUN gem install --no-document bundler && composer install --no-cache --no-dev\n"
    );
    assert!(lines_of(&after, "BL2008").is_empty(), "{after}");
    let found = findings(text, "BL2008");
    assert!(found.iter().all(|(_, diagnostic)| {
        diagnostic.fix.as_ref().map(|fix| fix.applicability) == Some(Applicability::Safe)
    }));
}

#[test]
fn package_cache_kept_npm_has_no_fix() {
    let found = findings("FROM node:22-slim\nRUN npm ci\n", "BL2008");
    assert_eq!(found.len(), 1);
    assert!(found[0].1.fix.is_none());
}

// BL2009 add-remote-archive

#[test]
fn add_remote_archive_fires() {
    let text = "FROM debian:12-slim\nADD https://example.com/tool-1.2.tar.gz /opt/\nADD --chmod=644 https://example.com/x.zip?raw=1 /srv/\n";
    let found = findings(text, "BL2009");
    let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [2, 3]);
    let (_, first) = &found[0];
    assert_eq!(
        &text[first.span.start..first.span.end],
        "https://example.com/tool-1.2.tar.gz"
    );
    assert_eq!(first.severity, Severity::Warning);
    assert!(first.message.contains("stays in the layer"));
    assert!(first.message.contains("--unpack"));
}

#[test]
fn add_remote_archive_silent() {
    let silent = [
        "FROM debian:12-slim\nADD https://example.com/tool /usr/local/bin/tool\n",
        "FROM debian:12-slim\nADD https://example.com/app.tar.gz.sha256 /tmp/\n",
        "FROM debian:12-slim\nADD --unpack=true https://example.com/tool.tar.gz /opt/\n",
        "FROM debian:12-slim\nADD tool.tar.gz /opt/\n",
        "FROM debian:12-slim\nCOPY tool.tar.gz /opt/\n",
        "FROM debian:12-slim\nADD https://github.com/org/repo.git /src\n",
    ];
    for text in silent {
        assert!(lines_of(text, "BL2009").is_empty(), "{text}");
    }
}

#[test]
fn add_remote_archive_unsafe_fix() {
    let text = "FROM debian:12-slim\nADD https://example.com/tool.tgz /opt/\n";
    assert_eq!(fixed(text, "BL2009", FixMode::Safe), text);
    let after = fixed(text, "BL2009", FixMode::All);
    assert_eq!(
        after,
        "FROM debian:12-slim\nADD --unpack=true https://example.com/tool.tgz /opt/\n"
    );
    assert!(lines_of(&after, "BL2009").is_empty());
}

// BL2010 copy-context-without-dockerignore

/// Writes `text` as a Dockerfile in a fresh folder with the given extra files, and lints it
/// with the context BuildKit would use.
fn lint_in_folder(name: &str, text: &str, files: &[(&str, &str)]) -> (String, LintResult) {
    let folder = std::env::temp_dir().join(format!("ballast-size-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("the temporary folder can be created");
    let path = folder.join("Dockerfile");
    std::fs::write(&path, text).expect("the Dockerfile can be written");
    for (file, content) in files {
        std::fs::write(folder.join(file), content).expect("the extra file can be written");
    }
    let result = lint(text, &Config::default(), &FileContext::for_path(&path));
    let _ = std::fs::remove_dir_all(&folder);
    (text.to_string(), result)
}

fn codes_at(text: &str, result: &LintResult, code: &str) -> Vec<usize> {
    result
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == code)
        .map(|diagnostic| line_of(text, diagnostic.span.start))
        .collect()
}

#[test]
fn copy_context_without_dockerignore_fires() {
    let text = "FROM node:22-slim\nWORKDIR /app\nCOPY package.json ./\nCOPY . .\nADD ./ /srv/\nCOPY [\".\", \"/data\"]\n";
    let (text, result) = lint_in_folder("fires", text, &[]);
    assert_eq!(codes_at(&text, &result, "BL2010"), [4, 5, 6]);
    let diagnostic = result
        .diagnostics
        .iter()
        .find(|diagnostic| diagnostic.code == "BL2010")
        .expect("a finding");
    assert_eq!(&text[diagnostic.span.start..diagnostic.span.end], ".");
    assert!(diagnostic.message.contains(".git"));
    assert!(diagnostic.message.contains(".dockerignore"));
}

#[test]
fn copy_context_with_dockerignore_silent() {
    let text = "FROM node:22-slim\nCOPY . .\n";
    let (text, result) = lint_in_folder("ignore", text, &[(".dockerignore", ".git\n")]);
    assert!(codes_at(&text, &result, "BL2010").is_empty());
    let (text, result) = lint_in_folder(
        "specific",
        text.as_str(),
        &[("Dockerfile.dockerignore", "node_modules\n")],
    );
    assert!(codes_at(&text, &result, "BL2010").is_empty());
}

#[test]
fn copy_context_other_sources_silent() {
    let text = "FROM node:22-slim AS build\nCOPY src ./src\nCOPY ./package.json .\nFROM nginx:1.27\nCOPY --from=build . /usr/share/nginx/html\n";
    let (text, result) = lint_in_folder("other", text, &[]);
    assert!(codes_at(&text, &result, "BL2010").is_empty());
    // Standard input without a file name has no known folder.
    assert!(lines_of("FROM node:22-slim\nCOPY . .\n", "BL2010").is_empty());
}
